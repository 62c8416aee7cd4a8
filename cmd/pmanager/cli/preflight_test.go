package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// TestMigrateRefusesNarrowing: a shorter max_length over a longer value is
// shown with its pre-flight by --plan and sqlmigrate, and migrate refuses
// it with one message, exit status 1, the value and history untouched.
func TestMigrateRefusesNarrowing(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			p := newProject(t, "default", db.URL)
			// 0001 has Country as max_length=10; 0002 narrows it to the
			// models' max_length=2.
			ops := detected(t, appsOf(Manufacturer{}))
			cm := ops[0].(operations.CreateModel)
			fields := make([]*state.Field, len(cm.Fields))
			for i, f := range cm.Fields {
				fields[i] = f.Clone()
				if f.Name == "country" {
					fields[i].MaxLength = 10
				}
			}
			cm.Fields = fields
			m1 := &migrations.Migration{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{cm}}
			m2 := &migrations.Migration{App: "main", Name: "0002_country", Dependencies: []migrations.Key{m1.Key()},
				Operations: detected(t, appsOf(Manufacturer{}), m1)}
			apps, reg := appsOf(Manufacturer{}), registry(m1, m2)
			if r := p.run(apps, reg, "", "migrate", "main", "0001"); r.code != 0 {
				t.Fatalf("migrate main 0001: %d %s", r.code, r.stderr)
			}
			ed := connectEditor(d)
			insert := "INSERT INTO " + ed.Quote(cm.Table) + " (" + ed.Quote("name") + ", " + ed.Quote("country") + ") VALUES ('Renault', 'FRA')"
			if _, err := db.ExecContext(context.Background(), insert); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"migrate", "--plan"}, {"sqlmigrate", "main", "0002"}} {
				r := p.run(apps, reg, "", args...)
				if r.code != 0 || !strings.Contains(r.stdout, "-- Pre-flight: migrate runs these read-only queries first") ||
					!strings.Contains(r.stdout, "-- Alter Field country On Manufacturer: SELECT ") {
					t.Errorf("%s: exit %d, stdout:\n%s\nstderr: %s\nwant the pre-flight query as a comment", strings.Join(args, " "), r.code, r.stdout, r.stderr)
				}
			}
			// --yes: narrowing is destructive, which a server run confirms first.
			r := p.run(apps, reg, "", "migrate", "--yes")
			if r.code != 1 || !strings.Contains(r.stdout, "  Applying main.0002_country... REFUSED") ||
				!strings.HasPrefix(r.stderr, "pmanager: refusing to apply main.0002_country: ") || strings.Count(r.stderr, "\n") != 1 ||
				!strings.Contains(r.stderr, "Manufacturer.country: 1 row holds a value that char(max_length=2) cannot keep unchanged (id=1); fix: ") {
				t.Errorf("migrate: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			r = p.run(apps, reg, "", "showmigrations", "main")
			if !strings.Contains(r.stdout, " [X] 0001_initial") || !strings.Contains(r.stdout, " [ ] 0002_country") {
				t.Errorf("showmigrations after the refusal:\n%s", r.stdout)
			}
			var country string
			if err := db.QueryRowContext(context.Background(), "SELECT "+ed.Quote("country")+" FROM "+ed.Quote(cm.Table)).Scan(&country); err != nil || country != "FRA" {
				t.Errorf("country after the refusal = %q, %v; want FRA", country, err)
			}
		})
	}
}
