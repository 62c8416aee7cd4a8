package cli

import (
	"context"
	"errors"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
)

// maker is a seeder that inserts manufacturers, then fails when fail is set.
func maker(fail *bool, names ...string) migrations.SeedFunc {
	return func(ctx context.Context, tx *migrations.SeedTx) error {
		for _, n := range names {
			if _, err := tx.Exec(ctx, "INSERT INTO "+tx.Quote("manufacturer")+" (name, country) VALUES (?, ?)", n, "DE"); err != nil {
				return err
			}
		}
		if fail != nil && *fail {
			return errors.New("the price list is missing")
		}
		return nil
	}
}

// TestSeedSession seeds a migrated database on every dialect with a seeder
// that fails half-way: the seeders before it stay, its rows go; after the
// fix, --only runs it alone.
func TestSeedSession(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			p := newProject(t, "default", db.URL)
			m1, m2 := migrationSet(t)
			apps := appsOf(Manufacturer{}, Car{})
			broken := true
			reg := registry(m1, m2)
			reg.RegisterSeeder("vw", maker(nil, "VW"))
			reg.RegisterSeeder("fiat", maker(nil, "Fiat"))
			reg.RegisterSeeder("more", maker(&broken, "Opel", "Seat"))
			run := func(args ...string) result { return p.run(apps, reg, "", args...) }
			if r := run("migrate"); r.code != 0 {
				t.Fatalf("migrate: %s", r.stderr)
			}
			runSteps(t, p, func() ([]modelsApps, *migrations.Registry) { return apps, reg }, []step{
				{args: []string{"database:seed"}, code: 1,
					stdout: []string{"Seeding vw... OK", "Seeding fiat... OK", "Seeding more... FAILED"},
					stderr: "pmanager: seeder more: the price list is missing; its changes were rolled back, the seeders before it stay committed\n"},
			})
			if n := count(t, db, "manufacturer"); n != 2 {
				t.Fatalf("after the failed run: %d manufacturers, want the 2 of the seeders before it", n)
			}
			broken = false
			runSteps(t, p, func() ([]modelsApps, *migrations.Registry) { return apps, reg }, []step{
				{args: []string{"db:seed", "default", "--only", "more"}, stdout: []string{"Seeding more... OK"}},
				{args: []string{"database:seed", "--only", "audi"}, code: 1,
					stderr: "pmanager: no seeder named \"audi\"; the registered seeders are: vw, fiat, more\n"},
				{args: []string{"database:seed", "a", "b"}, code: 1,
					stderr: "pmanager: database:seed takes at most a connection name: pmanager database:seed [conn] [--only NAME]\n"},
			})
			if n := count(t, db, "manufacturer"); n != 4 {
				t.Fatalf("after the fixed run: %d manufacturers, want 4", n)
			}
			// Seeding again runs into the unique names: the first seeder
			// fails and nothing changes.
			r := run("database:seed")
			if r.code != 1 || r.stdout != "Seeding vw... FAILED\n" {
				t.Errorf("seeding twice: exit %d, stdout %q", r.code, r.stdout)
			}
			if n := count(t, db, "manufacturer"); n != 4 {
				t.Errorf("after seeding twice: %d manufacturers, want 4", n)
			}
		})
	}
}

func TestSeedNothingRegistered(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, "sqlite")
	p := newProject(t, "default", db.URL)
	r := p.run(appsOf(), registry(), "", "database:seed")
	if r.code != 0 || r.stdout != "No seeders registered; write them in the seeders package with migrations.RegisterSeeder(name, fn).\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
