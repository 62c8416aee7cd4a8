package migrations

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

func TestRegisterSeederProblems(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, *SeedTx) error { return nil }
	tests := []struct {
		name     string
		register func(r *Registry)
		want     string
	}{
		{"no name", func(r *Registry) { r.RegisterSeeder(" ", ok) }, "RegisterSeeder called without a name"},
		{"nil function", func(r *Registry) { r.RegisterSeeder("users", nil) }, `seeder "users" was registered with a nil function`},
		{"twice", func(r *Registry) { r.RegisterSeeder("users", ok); r.RegisterSeeder("users", ok) }, `seeder "users" is registered twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry()
			tt.register(r)
			if _, err := r.Seeders(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Seeders error = %v, want %q", err, tt.want)
			}
			if _, err := r.Graph(); err != nil {
				t.Errorf("a seeder problem broke the migration graph: %v", err)
			}
		})
	}
	r := NewRegistry()
	r.RegisterSeeder("b", ok)
	r.RegisterSeeder("a", ok)
	got, err := r.Seeders()
	if err != nil || len(got) != 2 || got[0].Name != "b" || got[1].Name != "a" {
		t.Errorf("Seeders = %v, %v; want b then a, in registration order", got, err)
	}
}

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d        schema.Dialect
		in, want string
	}{
		{schema.Postgres, "INSERT INTO t (a, b) VALUES (?, ?)", "INSERT INTO t (a, b) VALUES ($1, $2)"},
		{schema.Postgres, `SELECT '?', "a?" FROM t WHERE x = ?`, `SELECT '?', "a?" FROM t WHERE x = $1`},
		{schema.MySQL, "SELECT ? + ?", "SELECT ? + ?"},
		{schema.SQLite, "SELECT ?", "SELECT ?"},
	}
	for _, tt := range tests {
		tx := NewSeedTx(nil, connect.EditorFor(tt.d))
		if got := tx.Rebind(tt.in); got != tt.want {
			t.Errorf("%s: Rebind(%q) = %q, want %q", tt.d, tt.in, got, tt.want)
		}
	}
}

// TestSeed runs three seeders where the last fails half-way: the first two
// stay committed, the third leaves nothing; after the fix a second run
// completes it.
func TestSeed(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+ed.Quote("user")+" (name varchar(20) NOT NULL UNIQUE)"); err != nil {
			t.Fatal(err)
		}
		insert := func(names ...string) SeedFunc {
			return func(ctx context.Context, tx *SeedTx) error {
				for _, n := range names {
					if _, err := tx.Exec(ctx, "INSERT INTO "+tx.Quote("user")+" (name) VALUES (?)", n); err != nil {
						return err
					}
				}
				return nil
			}
		}
		broken := errors.New("half-way")
		failing := func(ctx context.Context, tx *SeedTx) error {
			if err := insert("carol")(ctx, tx); err != nil {
				return err
			}
			return broken
		}
		seeders := []Seeder{{"alice", insert("alice")}, {"bob", insert("bob")}, {"carol", failing}}
		var events []string
		report := func(name string, done bool, err error) {
			switch {
			case !done:
				events = append(events, "start "+name)
			case err != nil:
				events = append(events, "failed "+name)
			default:
				events = append(events, "ok "+name)
			}
		}
		err := Seed(ctx, db.DB, ed, seeders, report)
		if !errors.Is(err, broken) || !strings.Contains(err.Error(), "seeder carol") {
			t.Fatalf("Seed error = %v, want the carol seeder's error", err)
		}
		want := []string{"start alice", "ok alice", "start bob", "ok bob", "start carol", "failed carol"}
		if diff := cmp.Diff(want, events); diff != "" {
			t.Errorf("reports (-want +got):\n%s", diff)
		}
		if got := names(t, db, ed); !cmp.Equal(got, []string{"alice", "bob"}) {
			t.Errorf("after the failed run the table holds %v, want alice and bob", got)
		}
		seeders[2].Run = insert("carol")
		if err := Seed(ctx, db.DB, ed, seeders[2:], nil); err != nil {
			t.Fatalf("second run: %v", err)
		}
		if got := names(t, db, ed); !cmp.Equal(got, []string{"alice", "bob", "carol"}) {
			t.Errorf("after the fixed run the table holds %v", got)
		}
	})
}

func names(t *testing.T, db *dbtest.DB, ed schema.Editor) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT name FROM "+ed.Quote("user")+" ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
