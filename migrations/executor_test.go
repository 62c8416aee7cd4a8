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
	"github.com/pmanager/pmanager/pkg/state"
)

// appMigrations is carMigrations plus a blog app whose first migration
// needs main.0002: four migrations over two apps.
func appMigrations() []*Migration {
	return append(carMigrations(), &Migration{
		App: "blog", Name: "0001_initial", Initial: true, Dependencies: []Key{key("main.0002_car_manufacturer")},
		Operations: []operations.Operation{
			operations.CreateModel{Name: "Post", Table: "blog_post", Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "title", Kind: state.Char, MaxLength: 200},
				{Name: "car", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Car", OnDelete: "CASCADE"}},
			}},
		},
	})
}

// newExecutor builds the graph of ms and an executor for it on db.
func newExecutor(t *testing.T, db *dbtest.DB, ed schema.Editor, ms []*Migration) (*Executor, *Graph) {
	t.Helper()
	g, err := NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	return NewExecutor(db.DB, ed, g), g
}

// planOf renders a plan as "Apply app.name" / "Unapply app.name".
func planOf(plan []Step) []string {
	out := []string{}
	for _, s := range plan {
		out = append(out, s.String())
	}
	return out
}

// migrateTo plans for targets, checks the plan and runs it.
func migrateTo(t *testing.T, e *Executor, targets []Target, want []string, opts Options) {
	t.Helper()
	ctx := context.Background()
	plan, err := e.Plan(ctx, targets)
	if err != nil {
		t.Fatalf("Plan(%v): %v", targets, err)
	}
	if diff := cmp.Diff(want, planOf(plan)); diff != "" {
		t.Fatalf("Plan(%v) (-want +got):\n%s", targets, diff)
	}
	if err := e.Migrate(ctx, plan, opts); err != nil {
		t.Fatalf("Migrate(%v): %v", targets, err)
	}
}

// stateOf replays the given migrations of g, in graph order.
func stateOf(t *testing.T, g *Graph, keys ...string) *state.Project {
	t.Helper()
	set := map[Key]bool{}
	for _, k := range keys {
		set[key(k)] = true
	}
	p, err := replay(state.NewProject(), g.inOrder(set))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExecutorForwardsAndBackwards(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		e, g := newExecutor(t, db, ed, appMigrations())
		var events []string
		progress := func(s Step, done, faked bool, _ time.Duration) {
			events = append(events, fmt.Sprintf("%s done=%v faked=%v", s, done, faked))
		}
		all := []string{"Apply main.0001_initial", "Apply main.0002_car_manufacturer", "Apply blog.0001_initial", "Apply main.0003_car_released"}
		migrateTo(t, e, nil, all, Options{Observer: hooks{progress: progress}})
		wantEvents := []string{}
		for _, s := range all {
			wantEvents = append(wantEvents, s+" done=false faked=false", s+" done=true faked=false")
		}
		if diff := cmp.Diff(wantEvents, events); diff != "" {
			t.Errorf("progress events (-want +got):\n%s", diff)
		}
		full, err := g.State()
		if err != nil {
			t.Fatal(err)
		}
		checkSchema(t, db, ed, full, "after applying everything")
		applied, err := e.History().Applied(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range g.Order() {
			if applied[m.Key()].Checksum != Checksum(m) {
				t.Errorf("%s recorded with checksum %q, want %q", m.Key(), applied[m.Key()].Checksum, Checksum(m))
			}
		}
		if edited := Edited(g, applied); len(edited) != 0 {
			t.Errorf("Edited = %v right after migrating", edited)
		}
		migrateTo(t, e, nil, []string{}, Options{})

		// Back to main.0001: what was built on it goes, newest first, blog included.
		migrateTo(t, e, []Target{{App: "main", Name: "0001"}},
			[]string{"Unapply main.0003_car_released", "Unapply blog.0001_initial", "Unapply main.0002_car_manufacturer"}, Options{})
		checkSchema(t, db, ed, stateOf(t, g, "main.0001_initial"), "after migrating back to main.0001")
		if diff := cmp.Diff([]string{"main.0001_initial"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}

		// A partial target forwards applies only what it needs.
		migrateTo(t, e, []Target{{App: "blog"}}, []string{"Apply main.0002_car_manufacturer", "Apply blog.0001_initial"}, Options{})
		checkSchema(t, db, ed, stateOf(t, g, "main.0001_initial", "main.0002_car_manufacturer", "blog.0001_initial"), "after migrating blog")

		migrateTo(t, e, []Target{{App: "main", Name: "0003_car_released"}}, []string{"Apply main.0003_car_released"}, Options{})
		checkSchema(t, db, ed, full, "after applying main.0003")

		// Zero unapplies the app and what depends on it, leaving the history table alone.
		migrateTo(t, e, []Target{{App: "main", Name: Zero}},
			[]string{"Unapply main.0003_car_released", "Unapply blog.0001_initial", "Unapply main.0002_car_manufacturer", "Unapply main.0001_initial"}, Options{})
		if diff := cmp.Diff([]string{schema.HistoryTable}, tableNames(t, db, ed)); diff != "" {
			t.Errorf("tables after zero (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("history after zero (-want +got):\n%s", diff)
		}
	})
}

func TestExecutorFake(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		e, _ := newExecutor(t, db, ed, carMigrations())
		var faked []bool
		progress := func(_ Step, done, f bool, _ time.Duration) {
			if done {
				faked = append(faked, f)
			}
		}
		migrateTo(t, e, nil, []string{"Apply main.0001_initial", "Apply main.0002_car_manufacturer", "Apply main.0003_car_released"},
			Options{Fake: true, Observer: hooks{progress: progress}})
		if diff := cmp.Diff([]bool{true, true, true}, faked); diff != "" {
			t.Errorf("faked flags (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{schema.HistoryTable}, tableNames(t, db, ed)); diff != "" {
			t.Errorf("tables after a fake migrate (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"main.0001_initial", "main.0002_car_manufacturer", "main.0003_car_released"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("history after a fake migrate (-want +got):\n%s", diff)
		}
		migrateTo(t, e, []Target{{App: "main", Name: "0001_initial"}},
			[]string{"Unapply main.0003_car_released", "Unapply main.0002_car_manufacturer"}, Options{Fake: true})
		if diff := cmp.Diff([]string{"main.0001_initial"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("history after a fake unapply (-want +got):\n%s", diff)
		}
	})
}

func TestExecutorFakeInitial(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		e, g := newExecutor(t, db, ed, carMigrations())
		// The tables of main.0001 exist already, made outside pmanager.
		steps, err := e.Statements(g.Migration(key("main.0001_initial")), false)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			if _, err := db.ExecContext(ctx, s.SQL); err != nil {
				t.Fatalf("%s: %v", s.SQL, err)
			}
		}
		var faked []string
		progress := func(s Step, done, f bool, _ time.Duration) {
			if done {
				faked = append(faked, fmt.Sprintf("%s %v", s.Migration.Name, f))
			}
		}
		migrateTo(t, e, nil, []string{"Apply main.0001_initial", "Apply main.0002_car_manufacturer", "Apply main.0003_car_released"},
			Options{FakeInitial: true, Observer: hooks{progress: progress}})
		if diff := cmp.Diff([]string{"0001_initial true", "0002_car_manufacturer false", "0003_car_released false"}, faked); diff != "" {
			t.Errorf("faked (-want +got):\n%s", diff)
		}
		full, err := g.State()
		if err != nil {
			t.Fatal(err)
		}
		checkSchema(t, db, ed, full, "after --fake-initial")

		// Without its tables, an initial migration really runs.
		migrateTo(t, e, []Target{{App: "main", Name: Zero}},
			[]string{"Unapply main.0003_car_released", "Unapply main.0002_car_manufacturer", "Unapply main.0001_initial"}, Options{})
		faked = nil
		migrateTo(t, e, []Target{{App: "main", Name: "0001"}}, []string{"Apply main.0001_initial"}, Options{FakeInitial: true, Observer: hooks{progress: progress}})
		if diff := cmp.Diff([]string{"0001_initial false"}, faked); diff != "" {
			t.Errorf("faked (-want +got):\n%s", diff)
		}
		checkSchema(t, db, ed, stateOf(t, g, "main.0001_initial"), "after a real initial migration")
	})
}

func TestExecutorFailureInTheMiddle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ms := carMigrations()[:2]
		ms[1].Operations = append(ms[1].Operations,
			operations.RunSQL{SQL: []string{"INSERT INTO no_such_table VALUES (1)"}, Reverse: []string{}},
			operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name_idx", Fields: []string{"name"}}},
		)
		e, g := newExecutor(t, db, ed, ms)
		plan, err := e.Plan(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var done []string
		err = e.Migrate(context.Background(), plan, Options{Observer: hooks{progress: func(s Step, d, _ bool, _ time.Duration) {
			if d {
				done = append(done, s.Migration.Name)
			}
		}}})
		var me *MigrateError
		if !errors.As(err, &me) {
			t.Fatalf("Migrate error = %v, want a *MigrateError", err)
		}
		for _, w := range []string{"applying main.0002_car_manufacturer failed at operation 2 (Raw SQL Operation)", "no_such_table"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
		if me.Operation != 2 || me.Statement != "INSERT INTO no_such_table VALUES (1)" || len(me.Done) != 1 || me.Done[0].Migration.Name != "0001_initial" {
			t.Errorf("MigrateError = %+v", me)
		}
		if diff := cmp.Diff([]string{"0001_initial"}, done); diff != "" {
			t.Errorf("completed migrations (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"main.0001_initial"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("history after the failure (-want +got):\n%s", diff)
		}
		if ed.AtomicDDL() {
			if me.Partial {
				t.Error("a failure inside a transaction is reported as partial")
			}
			checkSchema(t, db, ed, stateOf(t, g, "main.0001_initial"), "after a failed migration")
			return
		}
		// MySQL: operation 1 ran and stays; the error says so.
		if !me.Partial || !strings.Contains(err.Error(), "cannot roll back DDL") {
			t.Errorf("MySQL failure not reported as partial: %v", err)
		}
		after1 := stateOf(t, g, "main.0001_initial")
		if err := ms[1].Operations[0].StateForwards("main", after1); err != nil {
			t.Fatal(err)
		}
		checkSchema(t, db, ed, after1, "after a failed migration on MySQL")
	})
}

func TestExecutorIrreversible(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ms := carMigrations()
		ms[2].Operations = append([]operations.Operation{operations.RunSQL{SQL: []string{"UPDATE car SET name = 'x'"}}}, ms[2].Operations...)
		e, g := newExecutor(t, db, ed, ms)
		migrateTo(t, e, nil, []string{"Apply main.0001_initial", "Apply main.0002_car_manufacturer", "Apply main.0003_car_released"}, Options{})
		ctx := context.Background()
		plan, err := e.Plan(ctx, []Target{{App: "main", Name: Zero}})
		if err != nil {
			t.Fatal(err)
		}
		err = e.Migrate(ctx, plan, Options{})
		var ie *IrreversibleError
		if !errors.As(err, &ie) || ie.Migration != key("main.0003_car_released") || ie.Operation != 1 {
			t.Fatalf("Migrate error = %v, want an *IrreversibleError for main.0003 operation 1", err)
		}
		if !strings.Contains(err.Error(), "cannot unapply main.0003_car_released: operation 1 (Raw SQL Operation) is irreversible") {
			t.Errorf("error %q does not name the migration and operation", err)
		}
		full, err := g.State()
		if err != nil {
			t.Fatal(err)
		}
		checkSchema(t, db, ed, full, "after a refused unapply")
		if len(appliedKeys(t, e.History())) != 3 {
			t.Errorf("history changed: %v", appliedKeys(t, e.History()))
		}
		if _, err := e.Statements(ms[2], true); !errors.As(err, &ie) {
			t.Errorf("Steps(backwards) of an irreversible migration: %v", err)
		}
	})
}

// goInsert is a RunGo step that writes through the connection it is given.
func goInsert(ctx context.Context, db schema.ExecQuerier) error {
	_, err := db.ExecContext(ctx, "INSERT INTO manufacturer (name) VALUES ('Toyota')")
	return err
}

// goFail is a RunGo step that fails after writing.
func goFail(ctx context.Context, db schema.ExecQuerier) error {
	if _, err := db.ExecContext(ctx, "INSERT INTO manufacturer (name) VALUES ('Subaru')"); err != nil {
		return err
	}
	return errors.New("data check failed")
}

func TestExecutorRunGo(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		ms := carMigrations()[:1]
		ms = append(ms,
			&Migration{App: "main", Name: "0002_data", Dependencies: []Key{key("main.0001_initial")}, Operations: []operations.Operation{
				operations.RunGo{Forward: goInsert, Reverse: operations.Noop},
			}},
			&Migration{App: "main", Name: "0003_fails", Dependencies: []Key{key("main.0002_data")}, Operations: []operations.Operation{
				operations.RunGo{Forward: goFail},
			}})
		e, _ := newExecutor(t, db, ed, ms)
		steps, err := e.Statements(ms[1], false)
		if err != nil || len(steps) != 1 || !strings.HasSuffix(steps[0].Name, "goInsert") {
			t.Errorf("Steps(RunGo) = %+v, %v", steps, err)
		}
		plan, err := e.Plan(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = e.Migrate(ctx, plan, Options{})
		if err == nil || !strings.Contains(err.Error(), "main.0003_fails failed at operation 1 (Raw Go Operation): data check failed") {
			t.Fatalf("Migrate error = %v", err)
		}
		var names []string
		rows, err := db.QueryContext(ctx, "SELECT name FROM manufacturer ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		// The failed migration's insert was rolled back: on MySQL too, where
		// each step runs in a transaction with the record that it ran.
		if diff := cmp.Diff([]string{"Toyota"}, names); diff != "" {
			t.Errorf("rows after the failed RunGo (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"main.0001_initial", "main.0002_data"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}

func TestExecutorSquashed(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		originals := carMigrations()
		e, _ := newExecutor(t, db, ed, originals[:2])
		migrateTo(t, e, nil, []string{"Apply main.0001_initial", "Apply main.0002_car_manufacturer"}, Options{})

		// The originals are deleted, replaced by a squash with the same operations.
		squash := &Migration{App: "main", Name: "0001_squashed_0002", Initial: true,
			Replaces:   []Key{key("main.0001_initial"), key("main.0002_car_manufacturer")},
			Operations: append(append([]operations.Operation(nil), originals[0].Operations...), originals[1].Operations...)}
		third := originals[2]
		e, g := newExecutor(t, db, ed, []*Migration{squash, third})
		migrateTo(t, e, nil, []string{"Apply main.0003_car_released"}, Options{})
		full, err := g.State()
		if err != nil {
			t.Fatal(err)
		}
		checkSchema(t, db, ed, full, "after applying on top of a squash")
		migrateTo(t, e, []Target{{App: "main", Name: Zero}},
			[]string{"Unapply main.0003_car_released", "Unapply main.0001_squashed_0002"}, Options{})
		if diff := cmp.Diff([]string{}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("history after unapplying the squash (-want +got):\n%s", diff)
		}
		migrateTo(t, e, nil, []string{"Apply main.0001_squashed_0002", "Apply main.0003_car_released"}, Options{})
		if _, err := e.Plan(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestExecutorPlanErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Open(t, schema.SQLite)
	ed := connect.EditorFor(schema.SQLite)
	conflicted := append(carMigrations(), &Migration{App: "main", Name: "0003_other", Dependencies: []Key{key("main.0002_car_manufacturer")}})
	e, _ := newExecutor(t, db, ed, conflicted)
	_, err := e.Plan(ctx, nil)
	var ce *ConflictError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "multiple leaf nodes in the migration graph: (0003_car_released, 0003_other in main)") {
		t.Errorf("Plan with two leaves: %v", err)
	}

	e, g := newExecutor(t, db, ed, appMigrations())
	for _, tt := range []struct {
		targets []Target
		want    string
	}{
		{[]Target{{App: "shop"}}, `app "shop" has no migrations`},
		{[]Target{{App: "main", Name: "0009"}}, `no migration matching "0009"`},
	} {
		if _, err := e.Plan(ctx, tt.targets); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Plan(%v) = %v, want an error saying %q", tt.targets, err, tt.want)
		}
	}

	h := e.History()
	if err := h.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.Record(ctx, db, key("main.0002_car_manufacturer"), "x"); err != nil {
		t.Fatal(err)
	}
	_, err = e.Plan(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "migration main.0002_car_manufacturer is applied before its dependency main.0001_initial; ") {
		t.Errorf("Plan with an inconsistent history: %v", err)
	}

	mixed := []Step{{Migration: g.Migration(key("main.0001_initial"))}, {Migration: g.Migration(key("main.0002_car_manufacturer")), Backwards: true}}
	if err := e.Migrate(ctx, mixed, Options{}); err == nil || !strings.Contains(err.Error(), "cannot both apply and unapply") {
		t.Errorf("Migrate of a mixed plan: %v", err)
	}
	foreign := []Step{{Migration: mig("main", "0001_initial")}}
	if err := e.Migrate(ctx, foreign, Options{}); err == nil || !strings.Contains(err.Error(), "not a migration of the graph") {
		t.Errorf("Migrate of a migration outside the graph: %v", err)
	}
}

func TestEdited(t *testing.T) {
	t.Parallel()
	ms := carMigrations()
	g, err := NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	applied := map[Key]Applied{
		ms[0].Key(): {Key: ms[0].Key(), Checksum: Checksum(ms[0])},
		ms[1].Key(): {Key: ms[1].Key(), Checksum: "0000"},
		ms[2].Key(): {Key: ms[2].Key()},
	}
	if diff := cmp.Diff([]string{"main.0002_car_manufacturer"}, strs(Edited(g, applied))); diff != "" {
		t.Errorf("Edited (-want +got):\n%s", diff)
	}
}

func TestExecutorHandMadePlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Open(t, schema.SQLite)
	db.SetMaxOpenConns(1)
	e, g := newExecutor(t, db, connect.EditorFor(schema.SQLite), carMigrations())
	skip := []Step{{Migration: g.Migration(key("main.0002_car_manufacturer"))}}
	if err := e.Migrate(ctx, skip, Options{}); err == nil || !strings.Contains(err.Error(), "cannot apply main.0002_car_manufacturer: its dependency main.0001_initial") {
		t.Errorf("Migrate of a plan skipping a dependency: %v", err)
	}
	migrateTo(t, e, nil, []string{"Apply main.0001_initial", "Apply main.0002_car_manufacturer", "Apply main.0003_car_released"}, Options{})
	early := []Step{{Migration: g.Migration(key("main.0002_car_manufacturer")), Backwards: true}}
	if err := e.Migrate(ctx, early, Options{}); err == nil || !strings.Contains(err.Error(), "main.0003_car_released depends on it and is still applied") {
		t.Errorf("Migrate of a plan unapplying under an applied migration: %v", err)
	}
	// A plan made before another run applied its steps does not apply them twice.
	again := []Step{{Migration: g.Migration(key("main.0003_car_released"))}}
	if err := e.Migrate(ctx, again, Options{}); err != nil {
		t.Errorf("Migrate of an already applied step: %v", err)
	}
	if len(appliedKeys(t, e.History())) != 3 {
		t.Errorf("history = %v", appliedKeys(t, e.History()))
	}
}

// TestMigrateErrorSaysWhatStayed checks the recovery wording for each way a
// migration can fail: rolled back, partly applied, or failed on a database
// that keeps DDL before anything of this attempt ran.
func TestMigrateErrorSaysWhatStayed(t *testing.T) {
	failed := Step{Migration: &Migration{App: "main", Name: "0002_x"}}
	cases := []struct {
		err  MigrateError
		want string
	}{
		{MigrateError{Failed: failed, Operation: 2, Description: "Add Field a To B", Err: errors.New("boom")},
			"migrations: applying main.0002_x failed at operation 2 (Add Field a To B): boom; nothing of main.0002_x was kept"},
		{MigrateError{Failed: failed, Operation: 2, Description: "Add Field a To B", Partial: true, NonAtomic: true, Err: errors.New("boom")},
			"cannot roll back DDL, so what ran before the failure stays in place"},
		{MigrateError{Failed: failed, Operation: 1, Description: "Add Field a To B", NonAtomic: true, Err: errors.New("boom")},
			"no statement of main.0002_x ran in this attempt, and it is not recorded"},
		{MigrateError{Failed: failed, Operation: 3, Description: "Add Field a To B", Done: []Step{{Migration: &Migration{App: "main", Name: "0001_a"}}}, Err: context.Canceled},
			"migrations: interrupted: applying main.0002_x stopped at operation 3 (Add Field a To B); nothing of main.0002_x was kept; main.0001_a stayed applied"},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); !strings.Contains(got, tc.want) {
			t.Errorf("error %q does not say %q", got, tc.want)
		}
	}
}
