// Package cars_test checks the cars example as a user's project would be
// checked in CI: its committed migrations match its models, each file is
// what the writer writes, the SQL of each migration on every dialect is the
// reviewed golden text, and migrating up and back down on a live database
// leaves exactly the schema the state describes.
package cars_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	carmodels "github.com/pmanager/pmanager/examples/cars/models"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"

	// The example's migrations register themselves.
	_ "github.com/pmanager/pmanager/examples/cars/migrations"
	"github.com/pmanager/pmanager/pkg/version"
)

var update = flag.Bool("update", false, "rewrite the golden SQL files")

func graph(t *testing.T) *migrations.Graph {
	t.Helper()
	g, err := migrations.Default().Graph()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestMigrationsMatchModels is `makemigrations --check` for the example.
func TestMigrationsMatchModels(t *testing.T) {
	from, err := graph(t).State()
	if err != nil {
		t.Fatal(err)
	}
	to, err := models.Load(models.App{Label: "main", Types: []any{carmodels.User{}, carmodels.Manufacturer{}, carmodels.Car{}}})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := autodetect.Detect(from, to, autodetect.NonInteractive())
	if err != nil {
		t.Fatal(err)
	}
	if !changes.Empty() {
		t.Fatalf("the models have changes the committed migrations lack: %v", changes.Ops)
	}
}

// TestFilesAreWhatTheWriterWrites renders every registered migration again
// and compares it with the committed file, header timestamp aside.
func TestFilesAreWhatTheWriterWrites(t *testing.T) {
	for _, m := range graph(t).Migrations("main") {
		committed, err := os.ReadFile(filepath.Join("migrations", m.Name+".go"))
		if err != nil {
			t.Fatal(err)
		}
		rendered, err := migrations.WriteSource(m, "migrations", version.Release, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(afterHeader(committed), afterHeader(rendered)); diff != "" {
			t.Errorf("%s differs from what the writer renders (-committed +rendered):\n%s", m.Name, diff)
		}
	}
}

func afterHeader(src []byte) string {
	_, rest, _ := strings.Cut(string(src), "\n")
	return rest
}

// TestSQLGolden pins the SQL of each migration, both ways, on each dialect.
func TestSQLGolden(t *testing.T) {
	g := graph(t)
	for _, d := range dbtest.Dialects {
		for _, m := range g.Migrations("main") {
			before, err := g.StateBefore(m.Key())
			if err != nil {
				t.Fatal(err)
			}
			for _, backwards := range []bool{false, true} {
				var buf bytes.Buffer
				if err := migrations.RenderSQL(&buf, m, connect.EditorFor(d), before, backwards); err != nil {
					t.Fatal(err)
				}
				name := m.Name + ".sql"
				if backwards {
					name = m.Name + ".backwards.sql"
				}
				golden(t, filepath.Join("testdata", "sql", string(d), name), buf.String())
			}
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-golden +now; go test -update rewrites it):\n%s", path, diff)
	}
}

// TestMigrateUpAndDown applies the example on a fresh database of each
// dialect, compares the live schema with the state, then unapplies it all.
func TestMigrateUpAndDown(t *testing.T) {
	g := graph(t)
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			ed := connect.EditorFor(d)
			ex := migrations.NewExecutor(db.DB, ed, g)
			ctx := context.Background()
			migrate(t, ex, nil)
			p, err := g.State()
			if err != nil {
				t.Fatal(err)
			}
			want, err := ed.Expected(p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, userTables(t, ctx, ed, db.DB), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("live schema differs from the state (-state +database):\n%s", diff)
			}
			migrate(t, ex, []migrations.Target{{App: "main", Name: migrations.Zero}})
			if left := userTables(t, ctx, ed, db.DB); len(left) != 0 {
				t.Fatalf("tables left after migrating to zero: %v", left)
			}
		})
	}
}

func migrate(t *testing.T, ex *migrations.Executor, targets []migrations.Target) {
	t.Helper()
	ctx := context.Background()
	plan, err := ex.Plan(ctx, targets)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) == 0 {
		t.Fatal("empty plan")
	}
	if err := ex.Migrate(ctx, plan, migrations.Options{}); err != nil {
		t.Fatal(err)
	}
}

func userTables(t *testing.T, ctx context.Context, ed schema.Editor, db schema.ExecQuerier) []schema.Table {
	t.Helper()
	tables, err := ed.Inspect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var out []schema.Table
	for _, tb := range tables {
		if tb.Name != schema.HistoryTable {
			out = append(out, tb)
		}
	}
	return out
}
