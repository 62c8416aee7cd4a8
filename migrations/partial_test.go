package migrations

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// itemMigrations creates table item and then, in 0002, adds a column that
// every existing row gets 0 in, a unique constraint on it (which two rows
// break) and an index: a migration that fails in its second operation,
// after the first ran. The column is new within the migration, so no
// pre-flight can ask the live table about it beforehand.
func itemMigrations(nonAtomic bool) []*Migration {
	return []*Migration{
		{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
			operations.CreateModel{Name: "Item", Table: "item", Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "name", Kind: state.Char, MaxLength: 30},
			}},
		}},
		{App: "main", Name: "0002_unique", Dependencies: []Key{key("main.0001_initial")}, NonAtomic: nonAtomic, Operations: []operations.Operation{
			operations.AddField{Model: "Item", Field: &state.Field{Name: "extra", Kind: state.Integer, Default: state.Str("0")}},
			operations.AddConstraint{Model: "Item", Constraint: state.Constraint{Kind: state.UniqueConstraint, Name: "item_extra_uniq", Fields: []string{"extra"}}},
			operations.AddIndex{Model: "Item", Index: state.Index{Name: "item_extra_idx", Fields: []string{"extra"}}},
		}},
	}
}

// stateWith replays ms[0] and the first ops operations of ms[1].
func stateWith(t *testing.T, ms []*Migration, ops int) *state.Project {
	t.Helper()
	p := state.NewProject()
	if err := operations.Apply("main", ms[0].Operations, p); err != nil {
		t.Fatal(err)
	}
	if err := operations.Apply("main", ms[1].Operations[:ops], p); err != nil {
		t.Fatal(err)
	}
	return p
}

// failHalfWay applies itemMigrations over duplicate names and checks what
// the failure left: operation 1 ran and is recorded, operation 2 failed
// and its error is recorded, and the next run refuses to go on.
func failHalfWay(t *testing.T, db *dbtest.DB, ed schema.Editor, ms []*Migration) *Executor {
	t.Helper()
	ctx := context.Background()
	e, _ := newExecutor(t, db, ed, ms)
	if _, err := e.MigrateTo(ctx, []Target{{App: "main", Name: "0001_initial"}}, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO item (name) VALUES ('dup'), ('dup')"); err != nil {
		t.Fatal(err)
	}
	_, err := e.MigrateTo(ctx, nil, Options{})
	var me *MigrateError
	if !errors.As(err, &me) || !me.Partial || me.Operation != 2 {
		t.Fatalf("MigrateTo over duplicate names = %v; want a partial *MigrateError at operation 2", err)
	}
	for _, w := range []string{"applying main.0002_unique failed at operation 2 (Create Constraint item_extra_uniq On Model Item)",
		"so what ran before the failure stays in place", "Options.Resume", "Options.RollbackPartial"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	partials, err := e.History().Partials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(partials) != 1 || partials[0].Key != key("main.0002_unique") || partials[0].Backwards ||
		partials[0].OpsDone != 1 || partials[0].StatementsDone != 0 || partials[0].Error == "" {
		t.Fatalf("partial migrations after the failure = %+v; want main.0002_unique with 1 operation done and its error", partials)
	}
	if diff := cmp.Diff([]string{"main.0001_initial"}, appliedKeys(t, e.History())); diff != "" {
		t.Errorf("applied after the failure (-want +got):\n%s", diff)
	}
	checkSchema(t, db, ed, stateWith(t, ms, 1), "after operation 1 of 3")

	// The next run refuses, says what ran and what failed, and changes nothing.
	_, err = e.MigrateTo(ctx, nil, Options{})
	var pe *PartialError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPartial) {
		t.Fatalf("MigrateTo after the failure = %v; want a *PartialError", err)
	}
	for _, w := range []string{"main.0002_unique was left part-way while being applied",
		"operation 1 (Add Field extra To Item) ran",
		"operation 2 (Create Constraint item_extra_uniq On Model Item) failed: ",
		"set Options.Resume to run the rest once the cause is fixed, or Options.RollbackPartial to undo what ran"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not say %q", err, w)
		}
	}
	checkSchema(t, db, ed, stateWith(t, ms, 1), "after the refusal")
	return e
}

// trackedCases are the runs that record each statement: every migration
// on MySQL, and NonAtomic ones everywhere.
func trackedCases(t *testing.T, body func(t *testing.T, db *dbtest.DB, ed schema.Editor, ms []*Migration)) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		body(t, db, ed, itemMigrations(ed.AtomicDDL()))
	})
}

func TestResumeAfterFailure(t *testing.T) {
	trackedCases(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor, ms []*Migration) {
		ctx := context.Background()
		e := failHalfWay(t, db, ed, ms)
		// Resuming before the cause is fixed fails again, at the same place,
		// and the history still says so.
		_, err := e.MigrateTo(ctx, nil, Options{Resume: true})
		var me *MigrateError
		if !errors.As(err, &me) || me.Operation != 2 || !me.Partial {
			t.Fatalf("resume over the same duplicates = %v; want a partial *MigrateError at operation 2", err)
		}
		if partials, err := e.History().Partials(ctx); err != nil || len(partials) != 1 || partials[0].OpsDone != 1 {
			t.Fatalf("partials after a failed resume = %+v, %v", partials, err)
		}
		if _, err := db.Exec("DELETE FROM item WHERE id = (SELECT m FROM (SELECT max(id) AS m FROM item) AS x)"); err != nil {
			t.Fatal(err)
		}
		var resumed []Key
		plan, err := e.MigrateTo(ctx, nil, Options{Resume: true, Observer: hooks{recovered: func(p Partial, rollback bool) {
			if !rollback {
				resumed = append(resumed, p.Key)
			}
		}}})
		if err != nil {
			t.Fatalf("resume after removing the duplicate: %v", err)
		}
		if len(plan) != 0 || len(resumed) != 1 || resumed[0] != key("main.0002_unique") {
			t.Errorf("resume ran plan %v and resumed %v; want nothing more than main.0002_unique", planOf(plan), resumed)
		}
		if diff := cmp.Diff([]string{"main.0001_initial", "main.0002_unique"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("applied after resuming (-want +got):\n%s", diff)
		}
		if partials, err := e.History().Partials(ctx); err != nil || len(partials) != 0 {
			t.Errorf("partials after resuming = %+v, %v", partials, err)
		}
		checkSchema(t, db, ed, stateWith(t, ms, 3), "after resuming")
		var rows int
		if err := db.QueryRow("SELECT count(*) FROM item").Scan(&rows); err != nil || rows != 1 {
			t.Errorf("item holds %d rows (%v); want the one left", rows, err)
		}
	})
}

// TestResumeAfterKillBeforeFinish leaves the history the way a run killed
// right after its last statement leaves it: that statement ran, its
// completion is not recorded (the migration's end would have recorded it),
// its start is, and the migration is not applied. migrate must refuse;
// --resume must look the statement's index up, see that it ran, and record
// the migration.
func TestResumeAfterKillBeforeFinish(t *testing.T) {
	trackedCases(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor, ms []*Migration) {
		ctx := context.Background()
		e, _ := newExecutor(t, db, ed, ms)
		if _, err := e.MigrateTo(ctx, []Target{{App: "main", Name: "0001_initial"}}, Options{}); err != nil {
			t.Fatal(err)
		}
		m := ms[1]
		steps, err := e.Statements(m, false)
		if err != nil {
			t.Fatal(err)
		}
		h := e.History()
		if err := h.Begin(ctx, db, m.Key(), Checksum(m), false); err != nil {
			t.Fatal(err)
		}
		for _, st := range steps {
			if _, err := db.ExecContext(ctx, st.SQL); err != nil {
				t.Fatalf("%s: %v", st.SQL, err)
			}
		}
		if err := h.Progress(ctx, db, m.Key(), 2, 0); err != nil {
			t.Fatal(err)
		}
		if err := h.Start(ctx, db, m.Key()); err != nil {
			t.Fatal(err)
		}

		_, err = e.MigrateTo(ctx, nil, Options{})
		if !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "the run stopped in operation 3 (Create Index item_extra_idx On Field(s) extra Of Model Item) without recording why") {
			t.Fatalf("migrate after the kill = %v; want the refusal naming operation 3 as in doubt", err)
		}
		if _, err := e.MigrateTo(ctx, nil, Options{Resume: true}); err != nil {
			t.Fatalf("resume after the kill: %v", err)
		}
		if diff := cmp.Diff([]string{"main.0001_initial", "main.0002_unique"}, appliedKeys(t, h)); diff != "" {
			t.Errorf("applied after resuming (-want +got):\n%s", diff)
		}
		if partials, err := h.Partials(ctx); err != nil || len(partials) != 0 {
			t.Errorf("partials after resuming = %+v, %v", partials, err)
		}
		checkSchema(t, db, ed, stateWith(t, ms, 3), "after resuming")
	})
}

func TestRollbackPartial(t *testing.T) {
	trackedCases(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor, ms []*Migration) {
		ctx := context.Background()
		e := failHalfWay(t, db, ed, ms)
		if _, err := e.MigrateTo(ctx, nil, Options{Resume: true, RollbackPartial: true}); err == nil || !strings.Contains(err.Error(), "choose one") {
			t.Errorf("--resume with --rollback-partial = %v; want a refusal", err)
		}
		// Rolling back undoes operation 1 and forgets the attempt; the plan
		// that follows applies 0002 again, which fails again on the same
		// duplicates, and leaves it part-way once more.
		_, err := e.MigrateTo(ctx, nil, Options{RollbackPartial: true})
		var me *MigrateError
		if !errors.As(err, &me) || me.Operation != 2 {
			t.Fatalf("rollback then migrate = %v; want the same failure at operation 2", err)
		}
		// Rolling back to 0001 only: the history and the schema are 0001's.
		if _, err := e.MigrateTo(ctx, []Target{{App: "main", Name: "0001_initial"}}, Options{RollbackPartial: true}); err != nil {
			t.Fatalf("rollback to 0001: %v", err)
		}
		if diff := cmp.Diff([]string{"main.0001_initial"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("applied after the rollback (-want +got):\n%s", diff)
		}
		if partials, err := e.History().Partials(ctx); err != nil || len(partials) != 0 {
			t.Errorf("partials after the rollback = %+v, %v", partials, err)
		}
		checkSchema(t, db, ed, stateWith(t, ms, 0), "after rolling back")
		var rows int
		if err := db.QueryRow("SELECT count(*) FROM item").Scan(&rows); err != nil || rows != 2 {
			t.Errorf("item holds %d rows (%v); want both, untouched", rows, err)
		}
	})
}

// TestPartialUnapply fails while unapplying, after three of four
// operations were undone: rolling back re-applies them, resuming finishes.
func TestPartialUnapply(t *testing.T) {
	trackedCases(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor, ms []*Migration) {
		ctx := context.Background()
		// Undone last, the RunSQL's reverse fails until table gone_later exists.
		ms[1].Operations = append([]operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}, Reverse: []string{"DELETE FROM gone_later"}}},
			ms[1].Operations...)
		full := stateWith(t, ms, 4)
		e, _ := newExecutor(t, db, ed, ms)
		if _, err := e.MigrateTo(ctx, nil, Options{}); err != nil {
			t.Fatal(err)
		}
		zero := []Target{{App: "main", Name: "0001_initial"}}
		unapplyFails := func(when string) {
			t.Helper()
			_, err := e.MigrateTo(ctx, zero, Options{})
			var me *MigrateError
			if !errors.As(err, &me) || me.Operation != 1 || !me.Partial || !me.Failed.Backwards {
				t.Fatalf("%s: unapply = %v; want a partial failure at operation 1", when, err)
			}
			partials, err := e.History().Partials(ctx)
			if err != nil || len(partials) != 1 || !partials[0].Backwards || partials[0].OpsDone != 3 {
				t.Fatalf("%s: partials = %+v, %v; want main.0002_unique unapplied in 3 operations", when, partials, err)
			}
			// Being unapplied, it still counts as applied.
			if diff := cmp.Diff([]string{"main.0001_initial", "main.0002_unique"}, appliedKeys(t, e.History())); diff != "" {
				t.Errorf("%s: applied (-want +got):\n%s", when, diff)
			}
			checkSchema(t, db, ed, stateWith(t, ms, 1), when)
			_, err = e.MigrateTo(ctx, nil, Options{})
			if !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "while being unapplied") ||
				!strings.Contains(err.Error(), "operations 4 (Create Index item_extra_idx On Field(s) extra Of Model Item), 3 (Create Constraint item_extra_uniq On Model Item), 2 (Add Field extra To Item) were undone; operation 1 (Raw SQL Operation) failed: ") {
				t.Errorf("%s: next run = %v; want the refusal naming the undone operations", when, err)
			}
		}
		unapplyFails("first unapply")
		if _, err := e.MigrateTo(ctx, nil, Options{RollbackPartial: true}); err != nil {
			t.Fatalf("roll back the unapply: %v", err)
		}
		checkSchema(t, db, ed, full, "after rolling back the unapply")
		if partials, err := e.History().Partials(ctx); err != nil || len(partials) != 0 {
			t.Errorf("partials after the rollback = %+v, %v", partials, err)
		}

		unapplyFails("second unapply")
		if _, err := db.Exec("CREATE TABLE gone_later (x integer)"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.MigrateTo(ctx, zero, Options{Resume: true}); err != nil {
			t.Fatalf("resume the unapply: %v", err)
		}
		if _, err := db.Exec("DROP TABLE gone_later"); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"main.0001_initial"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("applied after resuming the unapply (-want +got):\n%s", diff)
		}
		checkSchema(t, db, ed, stateWith(t, ms, 0), "after resuming the unapply")
	})
}

// TestNonAtomicConcurrently runs CREATE INDEX CONCURRENTLY, which
// PostgreSQL refuses inside a transaction, in a NonAtomic migration.
func TestNonAtomicConcurrently(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.Postgres)
	ed := connect.EditorFor(schema.Postgres)
	ms := itemMigrations(false)[:1]
	ms = append(ms, &Migration{App: "main", Name: "0002_concurrently", Dependencies: []Key{key("main.0001_initial")}, NonAtomic: true,
		Operations: []operations.Operation{operations.RunSQL{
			SQL:     []string{`CREATE INDEX CONCURRENTLY item_name_cidx ON item (name)`},
			Reverse: []string{`DROP INDEX CONCURRENTLY item_name_cidx`},
		}}})
	e, _ := newExecutor(t, db, ed, ms)
	ctx := context.Background()
	if _, err := e.MigrateTo(ctx, nil, Options{}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM pg_indexes WHERE indexname = 'item_name_cidx'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("index item_name_cidx: %d found (%v); want 1", n, err)
	}
	var b strings.Builder
	if err := RenderSQL(&b, ms[1], ed, stateWith(t, itemMigrations(false), 0), false); err != nil {
		t.Fatal(err)
	}
	if want := "-- Raw SQL Operation\nCREATE INDEX CONCURRENTLY item_name_cidx ON item (name);\n"; b.String() != want {
		t.Errorf("sqlmigrate of a NonAtomic migration:\n%s\nwant (no BEGIN/COMMIT):\n%s", b.String(), want)
	}
	if _, err := e.MigrateTo(ctx, []Target{{App: "main", Name: "0001_initial"}}, Options{}); err != nil {
		t.Fatalf("unapply: %v", err)
	}
	if err := db.QueryRow("SELECT count(*) FROM pg_indexes WHERE indexname = 'item_name_cidx'").Scan(&n); err != nil || n != 0 {
		t.Errorf("index item_name_cidx after unapplying: %d found (%v); want 0", n, err)
	}
}

// TestFailureNamesOperation: a unique constraint over duplicate rows fails
// in operation 2 of 3. Inside a transaction nothing of the migration
// stays; outside one (MySQL) operation 1 stays and is recorded. Either
// way the error names the migration, the operation's number and
// description, and carries the database's own message.
func TestFailureNamesOperation(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		ms := itemMigrations(false)
		e, _ := newExecutor(t, db, ed, ms)
		if _, err := e.MigrateTo(ctx, []Target{{App: "main", Name: "0001_initial"}}, Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO item (name) VALUES ('dup'), ('dup')"); err != nil {
			t.Fatal(err)
		}
		_, err := e.MigrateTo(ctx, nil, Options{})
		var me *MigrateError
		if !errors.As(err, &me) || me.Err == nil {
			t.Fatalf("MigrateTo = %v; want a *MigrateError", err)
		}
		for _, w := range []string{"applying main.0002_unique failed at operation 2 (Create Constraint item_extra_uniq On Model Item): " + me.Err.Error()} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
		if me.Statement == "" || me.Operation != 2 || me.Partial == ed.AtomicDDL() {
			t.Errorf("MigrateError = %+v; want the statement, operation 2, partial only without transactional DDL", me)
		}
		if diff := cmp.Diff([]string{"main.0001_initial"}, appliedKeys(t, e.History())); diff != "" {
			t.Errorf("applied (-want +got):\n%s", diff)
		}
		partials, err := e.History().Partials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kept := 0
		if !ed.AtomicDDL() {
			kept = 1
			if len(partials) != 1 || partials[0].OpsDone != 1 || partials[0].Error != me.Err.Error() {
				t.Errorf("partials = %+v; want 0002 with operation 1 done and the database's error", partials)
			}
		} else if len(partials) != 0 {
			t.Errorf("partials = %+v; want none", partials)
		}
		checkSchema(t, db, ed, stateWith(t, ms, kept), "after the failure")
	})
}
