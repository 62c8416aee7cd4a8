package oracle

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// What a problem is about. A known failure names one of these.
const (
	aspectSeed      = "seed"      // the step's seed rows could not be inserted
	aspectDetect    = "detect"    // makemigrations outcome (refused or not) differs from Django's
	aspectOps       = "ops"       // the detected operations differ from Django's
	aspectMigrate   = "migrate"   // migrate outcome differs from Django's
	aspectHistory   = "history"   // the history table disagrees with what ran
	aspectPending   = "pending"   // after migrate, the models still differ from the migration state
	aspectSchema    = "schema"    // the introspected schema differs from Django's
	aspectDefault   = "default"   // a default= did not become a column DEFAULT
	aspectOnDelete  = "ondelete"  // an on_delete did not become the key's ON DELETE
	aspectBackwards = "backwards" // unapplying a migration did not restore the earlier schema
	aspectZero      = "zero"      // after migrating to zero, more than the history table is left
)

// problem is one difference found on one step.
type problem struct {
	step   int
	aspect string
	msg    string
}

// outcome is a scenario's cell in the pass/fail matrix.
type outcome string

const (
	outcomePass  outcome = "pass"
	outcomeKnown outcome = "known"
	outcomeFail  outcome = "FAIL"
	outcomeSkip  outcome = "skip"
)

// matrix collects outcomes from parallel subtests for the final report.
type matrix struct {
	mu    sync.Mutex
	cells map[string]map[schema.Dialect]outcome
}

func (m *matrix) set(scenario string, d schema.Dialect, o outcome) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cells[scenario] == nil {
		m.cells[scenario] = map[schema.Dialect]outcome{}
	}
	m.cells[scenario][d] = o
}

func (m *matrix) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.cells))
	for n := range m.cells {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "%-34s", "scenario")
	for _, d := range dbtest.Dialects {
		fmt.Fprintf(&b, " %-8s", d)
	}
	b.WriteString("\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%-34s", n)
		for _, d := range dbtest.Dialects {
			o := m.cells[n][d]
			if o == "" {
				o = "-"
			}
			fmt.Fprintf(&b, " %-8s", o)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestDjangoOracle replays every recorded scenario through pmanager's real
// pipeline on every dialect (autodetect.Detect with the non-interactive
// questioner → a migration in a graph → migrations.Executor → the editor's
// Inspect) and compares each step with what Django 3.2 did, then walks the
// migrations back one by one and to zero.
func TestDjangoOracle(t *testing.T) {
	dir := oracleDir(t)
	scenarios, err := LoadScenarios(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkListsNameRealSteps(t, scenarios)
	mx := &matrix{cells: map[string]map[schema.Dialect]outcome{}}
	t.Run("scenarios", func(t *testing.T) {
		for _, d := range dbtest.Dialects {
			for _, sc := range scenarios {
				t.Run(string(d)+"/"+sc.Name, func(t *testing.T) {
					t.Parallel()
					result := outcomeSkip
					defer func() { mx.set(sc.Name, d, result) }()
					res, err := LoadResult(dir, string(d), sc.Name)
					if err != nil {
						result = outcomeFail
						t.Fatal(err)
					}
					db := dbtest.Open(t, d) // skips when the server's variable is unset
					r := &run{t: t, d: d, db: db, ed: connect.EditorFor(d), sc: sc, res: res}
					r.scenario()
					result = r.judge()
				})
			}
		}
	})
	t.Logf("Django 3.2 oracle, pass/fail per scenario and dialect (known = only listed known failures):\n%s", mx)
}

// checkListsNameRealSteps keeps the allow-lists honest: every entry must
// name a scenario and step that exist.
func checkListsNameRealSteps(t *testing.T, scenarios []*Scenario) {
	t.Helper()
	steps := map[string]int{}
	for _, sc := range scenarios {
		steps[sc.Name] = len(sc.Steps)
	}
	check := func(list, scenario string, step int) {
		if n, ok := steps[scenario]; !ok || step < walkBackStep || step >= n {
			t.Errorf("%s names %s step %d, which the record does not have", list, scenario, step)
		}
	}
	for _, k := range knownFailures {
		check("knownFailures", k.Scenario, k.Step)
	}
	for _, o := range opDifferences {
		check("opDifferences", o.Scenario, o.Step)
	}
	for _, f := range expectedMigrateFailures {
		check("expectedMigrateFailures", f.Scenario, f.Step)
	}
	for _, f := range expectedRefusals {
		check("expectedRefusals", f.Scenario, f.Step)
	}
}

// refusalReason returns why pmanager refuses step i of scenario on purpose, or "".
func refusalReason(scenario string, i int) string {
	for _, f := range expectedRefusals {
		if f.Scenario == scenario && f.Step == i {
			return f.Reason
		}
	}
	return ""
}

// snapshot is the schema after a migration, normalised and as inspected.
type snapshot struct {
	norm Schema
	raw  []schema.Table
}

// run is one scenario on one dialect.
type run struct {
	t   *testing.T
	d   schema.Dialect
	db  *dbtest.DB
	ed  schema.Editor
	sc  *Scenario
	res *Result

	applied   []*migrations.Migration // the graph so far: every migration that ran
	snapshots map[string]snapshot     // the schema right after each migration ran forwards
	problems  []problem
	// aborted is the step after which the scenario could not go on (-1: it ran to the end).
	aborted int
}

func (r *run) fail(step int, aspect, format string, args ...any) {
	r.problems = append(r.problems, problem{step: step, aspect: aspect, msg: fmt.Sprintf(format, args...)})
}

func (r *run) scenario() {
	ctx := context.Background()
	r.aborted = -1
	r.snapshots = map[string]snapshot{}
	if len(r.res.Steps) != len(r.sc.Steps) {
		r.t.Fatalf("record has %d steps for %d scenario steps", len(r.res.Steps), len(r.sc.Steps))
	}
	prev := state.NewProject()
	for i := range r.sc.Steps {
		next, ok := r.step(ctx, i, prev)
		if !ok {
			r.aborted = i
			break
		}
		prev = next
	}
	r.walkBack(ctx)
}

// step runs one step and returns the migration state after it; ok false
// means the scenario cannot meaningfully go on.
func (r *run) step(ctx context.Context, i int, prev *state.Project) (*state.Project, bool) {
	t, step, rec := r.t, r.sc.Steps[i], &r.res.Steps[i]
	before, _, err := r.inspect(ctx)
	if err != nil {
		r.fail(i, aspectSchema, "inspect before the step: %v", err)
		return nil, false
	}
	for _, stmt := range step.SeedSQL {
		if _, err := r.db.ExecContext(ctx, stmt); err != nil {
			r.fail(i, aspectSeed, "seed %q: %v", stmt, err)
			return nil, false
		}
	}
	target, err := Translate(step.Models)
	if err != nil {
		t.Fatalf("step %d: %v", i, err)
	}
	changes, detectErr := autodetect.Detect(prev, target, autodetect.NonInteractive())
	if detectErr == nil && changes == nil {
		r.fail(i, aspectDetect, "Detect returned neither changes nor an error")
		return nil, false
	}
	djangoRefused := rec.Makemigrations.RC != 0
	var ops []operations.Operation
	switch {
	case djangoRefused && detectErr != nil:
		t.Logf("step %d: makemigrations refused as Django's did (rc %d): %v", i, rec.Makemigrations.RC, detectErr)
	case djangoRefused:
		r.fail(i, aspectDetect, "Django's makemigrations refused (rc %d) but pmanager detected %v",
			rec.Makemigrations.RC, OpKeys(changes.Ops[App]))
	case detectErr != nil:
		if why := refusalReason(r.sc.Name, i); why != "" {
			// Django went on; pmanager stops here on purpose, so the rest of
			// the scenario has nothing to compare with.
			t.Logf("step %d: makemigrations refused on purpose (%s): %v", i, why, detectErr)
			if now, _, err := r.inspect(ctx); err != nil {
				r.fail(i, aspectSchema, "inspect: %v", err)
			} else {
				for _, d := range Diff(before, now, "before", "after the refusal") {
					r.fail(i, aspectSchema, "a refused step changed the schema: %s", d)
				}
			}
			return nil, false
		}
		r.fail(i, aspectDetect, "pmanager's makemigrations refused where Django's wrote a migration: %v", detectErr)
		return nil, false
	default:
		if why := refusalReason(r.sc.Name, i); why != "" {
			r.fail(i, aspectDetect, "expected a refusal (%s) but pmanager detected %v; remove it from expectedRefusals",
				why, OpKeys(changes.Ops[App]))
		}
		ops = changes.Ops[App]
		r.compareOps(i, rec, ops)
		for app := range changes.Ops {
			if app != App && len(changes.Ops[app]) > 0 {
				r.fail(i, aspectOps, "operations for an unexpected app %q: %v", app, OpKeys(changes.Ops[app]))
			}
		}
	}
	after := prev
	if len(ops) > 0 {
		var ok bool
		if after, ok = r.migrate(ctx, i, prev, ops, before); !ok {
			return nil, false
		}
	} else if rec.Migrate.RC != 0 {
		r.fail(i, aspectMigrate, "Django's migrate failed (rc %d) but pmanager had nothing to run", rec.Migrate.RC)
	}
	now, raw, err := r.inspect(ctx)
	if err != nil {
		r.fail(i, aspectSchema, "inspect: %v", err)
		return nil, false
	}
	if len(ops) == 0 {
		for _, d := range Diff(before, now, "before the step", "after it") {
			r.fail(i, aspectSchema, "nothing ran, yet the schema changed: %s", d)
		}
	}
	for _, d := range Diff(FromDjango(r.d, rec.Schema), now, "Django", "pmanager") {
		r.fail(i, aspectSchema, "%s", d)
	}
	if len(ops) > 0 && after != prev {
		r.checkDefaults(i, after, raw)
		r.checkOnDelete(i, after, raw)
		r.snapshots[r.applied[len(r.applied)-1].Name] = snapshot{norm: now, raw: byColumnName(raw)}
	}
	return after, true
}

// compareOps compares pmanager's operations with Django's at Describe level.
func (r *run) compareOps(i int, rec *ResultStep, ops []operations.Operation) {
	want, err := rec.OperationKeys()
	if err != nil {
		r.t.Fatalf("step %d: %v", i, err)
	}
	got := OpKeys(ops)
	if SameMultiset(want, got) {
		for _, od := range opDifferences {
			if od.Scenario == r.sc.Name && od.Step == i {
				r.fail(i, aspectOps, "operations now match Django's %v; remove the opDifferences entry (%s)", want, od.Reason)
			}
		}
		return
	}
	for _, od := range opDifferences {
		if od.Scenario == r.sc.Name && od.Step == i {
			if SameMultiset(od.PManager, got) {
				r.t.Logf("step %d: operations differ from Django's on purpose (%s): Django %v, pmanager %v", i, od.Reason, want, got)
				return
			}
			r.fail(i, aspectOps, "operations %v are neither Django's %v nor the allowed %v (%s)", got, want, od.PManager, od.Reason)
			return
		}
	}
	r.fail(i, aspectOps, "Django %v, pmanager %v", want, got)
}

// migrate appends a migration of ops to the graph and applies it; it returns
// the migration state afterwards. A migrate that fails as expected leaves
// the migration out of the graph and the state where it was.
func (r *run) migrate(ctx context.Context, i int, prev *state.Project, ops []operations.Operation, before Schema) (*state.Project, bool) {
	rec := &r.res.Steps[i]
	n := len(r.applied) + 1
	m := &migrations.Migration{
		App:        App,
		Name:       fmt.Sprintf("%04d_%s", n, autodetect.SuggestName(ops, n == 1, time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))),
		Operations: ops,
		Initial:    n == 1,
	}
	if n > 1 {
		m.Dependencies = []migrations.Key{r.applied[n-2].Key()}
	}
	g, err := migrations.NewGraph(append(append([]*migrations.Migration(nil), r.applied...), m))
	if err != nil {
		r.fail(i, aspectMigrate, "graph: %v", err)
		return nil, false
	}
	ex := migrations.NewExecutor(r.db.DB, r.ed, g)
	plan, err := ex.Plan(ctx, nil)
	if err != nil {
		r.fail(i, aspectMigrate, "plan: %v", err)
		return nil, false
	}
	if len(plan) != 1 || plan[0].Migration.Key() != m.Key() || plan[0].Backwards {
		r.fail(i, aspectMigrate, "plan %v, want only %s forwards", plan, m.Key())
		return nil, false
	}
	migrateErr := ex.Migrate(ctx, plan, migrations.Options{})
	expectFail, why := rec.Migrate.RC != 0, fmt.Sprintf("Django's migrate failed too (rc %d)", rec.Migrate.RC)
	for _, f := range expectedMigrateFailures {
		if (f.Dialect == "" || f.Dialect == r.d) && f.Scenario == r.sc.Name && f.Step == i {
			expectFail, why = true, f.Reason
		}
	}
	switch {
	case migrateErr != nil && expectFail:
		r.t.Logf("step %d: migrate failed as expected (%s): %v", i, why, migrateErr)
		r.checkHistory(ctx, i, r.applied)
		now, _, err := r.inspect(ctx)
		if err != nil {
			r.fail(i, aspectSchema, "inspect after the failed migrate: %v", err)
			return nil, false
		}
		for _, d := range Diff(before, now, "before", "after the failed migrate") {
			r.fail(i, aspectMigrate, "a failed migrate changed the schema: %s", d)
		}
		return prev, true
	case migrateErr != nil:
		r.fail(i, aspectMigrate, "migrate %s: %v", m.Name, migrateErr)
		return nil, false
	case expectFail:
		r.fail(i, aspectMigrate, "migrate succeeded but should have failed: %s", why)
	}
	r.applied = append(r.applied, m)
	r.checkHistory(ctx, i, r.applied)
	after, err := g.State()
	if err != nil {
		r.fail(i, aspectPending, "replay the graph: %v", err)
		return nil, false
	}
	target, err := Translate(r.sc.Steps[i].Models)
	if err != nil {
		r.t.Fatalf("step %d: %v", i, err)
	}
	pending, err := autodetect.Detect(after, target, autodetect.NonInteractive())
	switch {
	case err != nil:
		r.fail(i, aspectPending, "makemigrations after migrate: %v", err)
	case !pending.Empty():
		r.fail(i, aspectPending, "changes still pending after migrate: %v", OpKeys(pending.Ops[App]))
	}
	return after, true
}

// checkHistory asserts that exactly want is recorded as applied.
func (r *run) checkHistory(ctx context.Context, i int, want []*migrations.Migration) {
	applied, err := migrations.NewHistory(r.db.DB, r.ed).Applied(ctx)
	if err != nil {
		r.fail(i, aspectHistory, "read history: %v", err)
		return
	}
	var got, exp []string
	for k := range applied {
		got = append(got, k.String())
	}
	for _, m := range want {
		exp = append(exp, m.Key().String())
	}
	sort.Strings(got)
	sort.Strings(exp)
	if strings.Join(got, ",") != strings.Join(exp, ",") {
		r.fail(i, aspectHistory, "history records %v, want %v", got, exp)
	}
}

// checkDefaults holds pmanager to its own model rules where it differs from
// Django on purpose: a literal default= is the column's DEFAULT.
func (r *run) checkDefaults(i int, p *state.Project, tables []schema.Table) {
	byName := map[string]schema.Table{}
	for _, tb := range tables {
		byName[tb.Name] = tb
	}
	for _, m := range p.Sorted() {
		tb, ok := byName[m.Table]
		if !ok {
			continue
		}
		for _, f := range m.Fields {
			if f.Default == nil || !f.HasColumn() {
				continue
			}
			for _, c := range tb.Columns {
				if c.Name == f.ColumnName() && c.Default == nil {
					r.fail(i, aspectDefault, "%s.%s: default %q is not the column's DEFAULT", m.Table, c.Name, *f.Default)
				}
			}
		}
	}
}

// checkOnDelete holds pmanager to its own model rules where it differs from
// Django on purpose: on_delete is the database key's ON DELETE action (Django 3.2
// emulates it and leaves NO ACTION / RESTRICT in the database). Automatic
// join tables cascade on both sides.
func (r *run) checkOnDelete(i int, p *state.Project, tables []schema.Table) {
	byName := map[string]schema.Table{}
	for _, tb := range tables {
		byName[tb.Name] = tb
	}
	check := func(m *state.Model) {
		tb, ok := byName[m.Table]
		if !ok {
			return
		}
		for _, f := range m.Fields {
			if !schema.NeedsForeignKey(f) {
				continue
			}
			want, found := schema.OnDeleteSQL(f.Relation.OnDelete), false
			for _, fk := range tb.ForeignKeys {
				if fk.Column != f.ColumnName() {
					continue
				}
				found = true
				if fk.OnDelete != want {
					r.fail(i, aspectOnDelete, "%s.%s: ON DELETE %s, want %s (on_delete=%s)", m.Table, fk.Column, fk.OnDelete, want, f.Relation.OnDelete)
				}
			}
			if !found {
				r.fail(i, aspectOnDelete, "%s.%s: no foreign key constraint", m.Table, f.ColumnName())
			}
		}
	}
	for _, m := range p.Sorted() {
		if m.Unmanaged {
			continue
		}
		check(m)
		joins, err := schema.JoinTables(p, m)
		if err != nil {
			r.fail(i, aspectOnDelete, "join tables of %s: %v", m.Label(), err)
			continue
		}
		for _, jt := range joins {
			check(jt)
		}
	}
}

// walkBack unapplies the migrations one at a time, comparing each schema
// with the one recorded right after that migration ran forwards, then
// migrates to zero and expects only the history table to be left.
func (r *run) walkBack(ctx context.Context) {
	last := walkBackStep
	if len(r.applied) == 0 {
		return
	}
	g, err := migrations.NewGraph(r.applied)
	if err != nil {
		r.fail(last, aspectBackwards, "graph: %v", err)
		return
	}
	ex := migrations.NewExecutor(r.db.DB, r.ed, g)
	for k := len(r.applied) - 2; k >= 0; k-- {
		to := r.applied[k]
		if err := r.migrateTo(ctx, ex, migrations.Target{App: App, Name: to.Name}); err != nil {
			r.fail(last, aspectBackwards, "unapply to %s: %v", to.Name, err)
			return
		}
		r.checkHistory(ctx, last, r.applied[:k+1])
		now, rawNow, err := r.inspect(ctx)
		if err != nil {
			r.fail(last, aspectBackwards, "inspect at %s: %v", to.Name, err)
			return
		}
		snap := r.snapshots[to.Name]
		diffs := Diff(snap.norm, now, "forwards", "backwards")
		for _, d := range diffs {
			r.fail(last, aspectBackwards, "back at %s: %s", to.Name, d)
		}
		// Beyond what Django is compared on, unapplying must restore the
		// very schema pmanager had: names, defaults, ON DELETE and all.
		if d := cmp.Diff(snap.raw, byColumnName(rawNow), cmpopts.EquateEmpty()); len(diffs) == 0 && d != "" {
			r.fail(last, aspectBackwards, "back at %s, the schema is not the one it had forwards (-forwards +backwards):\n%s", to.Name, d)
		}
	}
	if err := r.migrateTo(ctx, ex, migrations.Target{App: App, Name: "zero"}); err != nil {
		r.fail(last, aspectZero, "migrate to zero: %v", err)
		return
	}
	r.checkHistory(ctx, last, nil)
	_, raw, err := r.inspect(ctx)
	if err != nil {
		r.fail(last, aspectZero, "inspect at zero: %v", err)
		return
	}
	var left []string
	for _, tb := range raw {
		if tb.Name != schema.HistoryTable {
			left = append(left, tb.Name)
		}
	}
	if len(left) > 0 {
		r.fail(last, aspectZero, "tables left at zero besides %s: %v", schema.HistoryTable, left)
	}
}

// byColumnName returns a copy of ts with each table's columns sorted by
// name: a column that comes back when a removal is undone is appended, so
// column order is not compared.
func byColumnName(ts []schema.Table) []schema.Table {
	out := make([]schema.Table, len(ts))
	for i, t := range ts {
		t.Columns = append([]schema.Column(nil), t.Columns...)
		sort.Slice(t.Columns, func(a, b int) bool { return t.Columns[a].Name < t.Columns[b].Name })
		out[i] = t
	}
	return out
}

func (r *run) migrateTo(ctx context.Context, ex *migrations.Executor, target migrations.Target) error {
	plan, err := ex.Plan(ctx, []migrations.Target{target})
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	for _, s := range plan {
		if !s.Backwards {
			return fmt.Errorf("plan to %s applies %s forwards", target.Name, s.Migration.Key())
		}
	}
	return ex.Migrate(ctx, plan, migrations.Options{})
}

// inspect returns the live schema, normalised and raw.
func (r *run) inspect(ctx context.Context) (Schema, []schema.Table, error) {
	raw, err := r.ed.Inspect(ctx, r.db.DB)
	if err != nil {
		return nil, nil, err
	}
	return FromInspect(r.d, raw), raw, nil
}

// judge reports the problems, passing over listed known failures, and
// fails for a known failure that no longer happens.
func (r *run) judge() outcome {
	t := r.t
	result := outcomePass
	matched := map[int]bool{}
	for _, p := range r.problems {
		k := r.known(p)
		if k < 0 {
			t.Errorf("%s (%s): %s", stepLabel(p.step), p.aspect, p.msg)
			result = outcomeFail
			continue
		}
		matched[k] = true
		t.Logf("KNOWN FAILURE %s (%s): %s — %s", stepLabel(p.step), p.aspect, p.msg, knownFailures[k].Reason)
		if result == outcomePass {
			result = outcomeKnown
		}
	}
	for k, kf := range knownFailures {
		if matched[k] || !r.covers(kf) {
			continue
		}
		if r.aborted >= 0 && kf.Step > r.aborted {
			continue // the scenario stopped before it could happen
		}
		t.Errorf("known failure no longer happens, remove it from knownFailures: %s %s (%s): %s",
			kf.Scenario, stepLabel(kf.Step), kf.Aspect, kf.Reason)
		result = outcomeFail
	}
	if r.aborted >= 0 {
		t.Logf("scenario stopped at step %d", r.aborted)
	}
	return result
}

func stepLabel(step int) string {
	if step == walkBackStep {
		return "walk back"
	}
	return fmt.Sprintf("step %d", step)
}

func (r *run) covers(kf knownFailure) bool {
	return (kf.Dialect == "" || kf.Dialect == r.d) && kf.Scenario == r.sc.Name
}

func (r *run) known(p problem) int {
	for k, kf := range knownFailures {
		if r.covers(kf) && kf.Step == p.step && kf.Aspect == p.aspect {
			return k
		}
	}
	return -1
}
