// Package blog_test checks the blog example as its CI would: the committed
// migrations match the models, and stepping them up and down one at a time
// on a live database of each dialect, as migration:up/down do, leaves
// exactly the schema the migrations describe at each step.
package blog_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	blogmodels "github.com/pmanager/pmanager/examples/blog/models"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"

	// The example's migrations register themselves.
	_ "github.com/pmanager/pmanager/examples/blog/migrations"
	"github.com/pmanager/pmanager/pkg/version"
)

var update = flag.Bool("update", false, "rewrite the migration files as the writer renders them now, keeping their header line")

// TestFilesAreWhatTheWriterWrites renders every registered migration again
// and compares it with the committed file, header line aside, so the
// example always shows the current file format.
func TestFilesAreWhatTheWriterWrites(t *testing.T) {
	for _, m := range graph(t).Migrations("blog") {
		path := filepath.Join("migrations", m.Name+".go")
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rendered, err := migrations.WriteSource(m, "migrations", version.Release, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(string(committed), "\n")
		want := header + "\n" + afterHeader(rendered)
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if diff := cmp.Diff(string(committed), want); diff != "" {
			t.Errorf("%s differs from what the writer renders (-committed +rendered; go test -update rewrites it):\n%s", m.Name, diff)
		}
	}
}

func afterHeader(src []byte) string {
	_, rest, _ := strings.Cut(string(src), "\n")
	return rest
}

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
	to, err := models.Load(models.App{Label: "blog", Types: []any{blogmodels.User{}, blogmodels.Profile{}, blogmodels.Post{}, blogmodels.Tag{}}})
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

// TestStepUpAndDown walks the migrations up and down one step at a time,
// checking the live schema against the state after each step.
func TestStepUpAndDown(t *testing.T) {
	g := graph(t)
	ms := g.Migrations("blog")
	if len(ms) < 2 {
		t.Fatalf("the example has %d migrations; the walk-through needs at least 2", len(ms))
	}
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			ed := connect.EditorFor(d)
			ex := migrations.NewExecutor(db.DB, ed, g)
			step := func(up bool) {
				t.Helper()
				applied, err := ex.History().Applied(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				plan := migrations.Pending(g, applied, []string{"blog"}, 1)
				if !up {
					if plan, err = migrations.Latest(g, applied, []string{"blog"}, 1); err != nil {
						t.Fatal(err)
					}
				}
				if len(plan) != 1 {
					t.Fatalf("plan of one step has %d", len(plan))
				}
				if err := ex.Migrate(context.Background(), plan, migrations.Options{}); err != nil {
					t.Fatal(err)
				}
			}
			for i := range ms {
				step(true)
				checkSchema(t, ed, db.DB, stateAfter(t, g, ms, i))
			}
			for i := len(ms) - 1; i >= 0; i-- {
				step(false)
				checkSchema(t, ed, db.DB, stateAfter(t, g, ms, i-1))
			}
		})
	}
}

// stateAfter is the state once ms[0..i] are applied (i = -1: nothing).
func stateAfter(t *testing.T, g *migrations.Graph, ms []*migrations.Migration, i int) *state.Project {
	t.Helper()
	if i < 0 {
		return state.NewProject()
	}
	var p *state.Project
	var err error
	if i+1 < len(ms) {
		p, err = g.StateBefore(ms[i+1].Key())
	} else {
		p, err = g.State()
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func checkSchema(t *testing.T, ed schema.Editor, db schema.ExecQuerier, p *state.Project) {
	t.Helper()
	want, err := ed.Expected(p)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := ed.Inspect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var got []schema.Table
	for _, tb := range tables {
		if tb.Name != schema.HistoryTable {
			got = append(got, tb)
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("live schema differs from the state (-state +database):\n%s", diff)
	}
}
