package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// journal records what a Migrator reports, one line per event.
type journal struct {
	NopObserver
	lines []string
	// refuse, when set, is Confirm's answer.
	refuse error
}

func (j *journal) Migrated(s Step, _ bool, _ time.Duration) {
	j.lines = append(j.lines, s.String())
}

func (j *journal) Edited(keys []Key) {
	j.lines = append(j.lines, "edited "+strings.Join(strs(keys), ", "))
}

func (j *journal) Confirm(plan []Step) error {
	if j.refuse != nil {
		return j.refuse
	}
	j.lines = append(j.lines, fmt.Sprintf("confirm %d", len(plan)))
	return nil
}

func (j *journal) NothingToRun(backwards bool) {
	j.lines = append(j.lines, fmt.Sprintf("nothing (backwards %v)", backwards))
}

// watch returns a migrator for ms on db whose options and observer write
// into the journal.
func (j *journal) watch(t *testing.T, db *dbtest.DB, ed schema.Editor, ms []*Migration) *Migrator {
	t.Helper()
	g, err := NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMigrator(db.DB, ed, g)
	m.Options.Observer = j
	return m
}

// take returns the lines recorded since the last take.
func (j *journal) take() []string {
	out := j.lines
	j.lines = nil
	if out == nil {
		out = []string{}
	}
	return out
}

// TestMigratorStepwise runs the step-wise workflows of migration:up,
// down, redo and refresh one after another on every dialect.
func TestMigratorStepwise(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		var j journal
		m := j.watch(t, db, ed, appMigrations())
		steps := []struct {
			name string
			run  func() error
			want []string
		}{
			{"up 1", func() error { _, err := m.Up(ctx, nil, 1); return err },
				[]string{"confirm 1", "Apply main.0001_initial"}},
			{"up all of blog", func() error { _, err := m.Up(ctx, []string{"blog"}, 0); return err },
				[]string{"confirm 2", "Apply main.0002_car_manufacturer", "Apply blog.0001_initial"}},
			{"down 1 of main refused: blog needs it", func() error {
				_, err := m.Down(ctx, []string{"main"}, 1)
				if err == nil || !strings.Contains(err.Error(), "blog.0001_initial depends on it") {
					return fmt.Errorf("Down = %v, want a refusal naming blog.0001_initial", err)
				}
				return nil
			}, []string{}},
			{"up the rest", func() error { _, err := m.Up(ctx, nil, 0); return err },
				[]string{"confirm 1", "Apply main.0003_car_released"}},
			{"nothing left to apply", func() error { _, err := m.Up(ctx, nil, 0); return err },
				[]string{"confirm 0", "nothing (backwards false)"}},
			{"down 2", func() error { _, err := m.Down(ctx, nil, 2); return err },
				[]string{"confirm 2", "Unapply main.0003_car_released", "Unapply blog.0001_initial"}},
			{"redo 1", func() error { return m.Redo(ctx, nil, 1) },
				[]string{"confirm 1", "Unapply main.0002_car_manufacturer", "Apply main.0002_car_manufacturer"}},
			{"refresh applies every pending one too", func() error { return m.Refresh(ctx, nil) },
				[]string{"confirm 2", "Unapply main.0002_car_manufacturer", "Unapply main.0001_initial",
					"Apply main.0001_initial", "Apply main.0002_car_manufacturer", "Apply blog.0001_initial", "Apply main.0003_car_released"}},
			{"down everything", func() error { _, err := m.Down(ctx, nil, 0); return err },
				[]string{"confirm 4", "Unapply main.0003_car_released", "Unapply blog.0001_initial", "Unapply main.0002_car_manufacturer", "Unapply main.0001_initial"}},
			{"redo with nothing applied", func() error { return m.Redo(ctx, nil, 1) },
				[]string{"confirm 0", "nothing (backwards true)", "nothing (backwards false)"}},
		}
		for _, s := range steps {
			if err := s.run(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if diff := cmp.Diff(s.want, j.take()); diff != "" {
				t.Fatalf("%s (-want +got):\n%s", s.name, diff)
			}
		}
		if got := tableNames(t, db, ed); len(got) != 1 {
			t.Errorf("tables left after unapplying everything: %v, want the history table alone", got)
		}
	})
}

// TestMigratorMigrate runs migrate's workflow: to a target, to zero, and
// the plan without running it.
func TestMigratorMigrate(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		var j journal
		m := j.watch(t, db, ed, appMigrations())
		planned, err := m.Plan(ctx, []Target{{App: "main", Name: "0002"}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Apply main.0001_initial", "Apply main.0002_car_manufacturer"}, planOf(planned.Steps)); diff != "" {
			t.Errorf("Plan (-want +got):\n%s", diff)
		}
		if len(tableNames(t, db, ed)) != 0 {
			t.Error("Plan created a table")
		}
		ran, err := m.Migrate(ctx, []Target{{App: "main", Name: "0002"}})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"confirm 2", "Apply main.0001_initial", "Apply main.0002_car_manufacturer"}
		if diff := cmp.Diff(want, j.take()); diff != "" {
			t.Errorf("Migrate to main.0002 (-want +got):\n%s", diff)
		}
		if len(ran) != 2 {
			t.Errorf("Migrate returned %d steps, want 2", len(ran))
		}
		if _, err := m.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		j.take()
		if _, err := m.Migrate(ctx, []Target{{App: "main", Name: Zero}}); err != nil {
			t.Fatal(err)
		}
		want = []string{"confirm 4", "Unapply main.0003_car_released", "Unapply blog.0001_initial", "Unapply main.0002_car_manufacturer", "Unapply main.0001_initial"}
		if diff := cmp.Diff(want, j.take()); diff != "" {
			t.Errorf("Migrate main to zero (-want +got):\n%s", diff)
		}
	})
}

// TestMigratorRefusals: a refused confirmation and an irreversible
// migration stop a workflow before anything runs; an edited applied
// migration is reported.
func TestMigratorRefusals(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	ed := connect.EditorFor(schema.SQLite)
	ctx := context.Background()
	ms := append(carMigrations(), &Migration{App: "main", Name: "0004_data", Dependencies: []Key{key("main.0003_car_released")},
		Operations: []operations.Operation{operations.RunSQL{SQL: []string{"UPDATE car SET name = 'x'"}}}})
	var j journal
	m := j.watch(t, db, ed, ms)
	stop := errors.New("no")
	j.refuse = stop
	if _, err := m.Migrate(ctx, nil); !errors.Is(err, stop) {
		t.Fatalf("Migrate with a refused confirmation = %v, want it", err)
	}
	if _, err := m.Up(ctx, nil, 0); !errors.Is(err, stop) {
		t.Fatalf("Up with a refused confirmation = %v, want it", err)
	}
	if got := tableNames(t, db, ed); len(got) > 1 {
		t.Fatalf("a refused confirmation left tables: %v", got)
	}
	j.refuse = nil
	if _, err := m.Up(ctx, nil, 0); err != nil {
		t.Fatal(err)
	}
	j.take()
	var irr *IrreversibleError
	if err := m.Redo(ctx, nil, 1); !errors.As(err, &irr) || irr.Migration != key("main.0004_data") {
		t.Fatalf("Redo over an irreversible RunSQL = %v, want an *IrreversibleError for main.0004_data", err)
	}
	if diff := cmp.Diff([]string{}, j.take()); diff != "" {
		t.Errorf("Redo refused, yet (-want +got):\n%s", diff)
	}
	// An edit of an applied migration is reported before planning.
	edited := append(carMigrations(), &Migration{App: "main", Name: "0004_data", Dependencies: []Key{key("main.0003_car_released")},
		Operations: []operations.Operation{operations.RunSQL{SQL: []string{"UPDATE car SET name = 'y'"}}}})
	m = j.watch(t, db, ed, edited)
	if _, err := m.Plan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"edited main.0004_data"}, j.take()); diff != "" {
		t.Errorf("Plan after an edit (-want +got):\n%s", diff)
	}
	m.Options.AcceptEdited = []Key{key("main.0004_data")}
	if _, err := m.Plan(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{}, j.take()); diff != "" {
		t.Errorf("Plan with the edit accepted (-want +got):\n%s", diff)
	}
}
