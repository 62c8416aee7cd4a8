package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// PlanStep is one migration to apply, or to unapply when Backwards is true.
type PlanStep struct {
	Migration *Migration
	Backwards bool
}

// String renders the step the way plans are listed.
func (s PlanStep) String() string {
	if s.Backwards {
		return "Unapply " + s.Migration.Key().String()
	}
	return "Apply " + s.Migration.Key().String()
}

// Target is where migrate should take an app. Name is a migration name or
// unique prefix; "" means the app's leaf and "zero" unapplies every
// migration of the app.
type Target struct {
	App  string
	Name string
}

// Zero is the Target.Name that unapplies a whole app.
const Zero = "zero"

// Options change how Migrate runs a plan.
type Options struct {
	// Fake records (or forgets) migrations without running their SQL.
	Fake bool
	// FakeInitial fakes an Initial migration whose tables all exist already.
	FakeInitial bool
	// Progress, when set, is called before (done=false) and after (done=true)
	// each migration; faked says it was only recorded.
	Progress func(step PlanStep, done bool, faked bool, elapsed time.Duration)
	// LockTimeout bounds the wait for another run's migration lock: 0
	// means DefaultLockTimeout, a negative value not to wait at all.
	LockTimeout time.Duration
	// LockWait, when set, is called once when another run holds the lock
	// and this one starts waiting for it.
	LockWait func(holder schema.LockHolder)
	// LockTimeout also bounds each statement's wait for a table or row
	// lock (see LockTimeoutError). LockRetries is how many times a
	// migration whose statement gave up such a wait, leaving nothing
	// behind, is tried again, after a growing pause; LockRetry, when set,
	// is told before each retry. LockWaiting, when set, is called once per
	// wait that lasts LockWaitNotice, naming whom the statement waits for.
	LockRetries int
	LockRetry   func(LockRetry)
	LockWaiting func(LockWait)
	// Resume finishes the migrations an earlier run left part-way (see
	// Partial) before anything else; without Resume or RollbackPartial such
	// a migration stops the run with a *PartialError.
	Resume bool
	// RollbackPartial undoes what ran of them instead.
	RollbackPartial bool
	// Recovering, when set, is called before (done=false) and after
	// (done=true) each partial migration is resumed or rolled back.
	Recovering func(p Partial, rollback bool, done bool)
	// AcceptEdited lists applied migrations whose edits the user accepts:
	// their new checksums are recorded and the run no longer refuses to
	// pass over them.
	AcceptEdited []Key
	// AssumeDone and AssumeNotDone are the user's word, for the statement
	// in doubt in operation number N (from 1) of a partial migration whose
	// outcome the database cannot show (see DoubtError), that it took
	// effect or did not; 0 when not given.
	AssumeDone, AssumeNotDone int
	// Command is how the user runs migrate against this database (for
	// example "pmanager migrate --database reporting"), quoted in the
	// commands that messages suggest; "" means "pmanager migrate".
	Command string
	// Statement, when set, is called with each SQL statement (or "Go
	// function <name>") just before it runs, for output that shows them.
	Statement func(stmt string)
}

// Executor plans and runs migrations against one database: Django's executor.
type Executor struct {
	db      *sql.DB
	ed      schema.Editor
	g       *Graph
	history *History
	// conn, during a run, is the connection that holds the migration lock
	// and runs every statement of the run; nil outside a run.
	conn *sql.Conn
	// statement is the run's Options.Statement.
	statement func(stmt string)
}

// announce passes a statement about to run to Options.Statement.
func (e *Executor) announce(stmt string) {
	if e.statement != nil {
		e.statement(stmt)
	}
}

// querier is what the executor reads and writes through: the run's
// connection during a run, else the pool.
func (e *Executor) querier() schema.ExecQuerier {
	if e.conn != nil {
		return e.conn
	}
	return e.db
}

// connection returns a connection for one migration: the run's own, or one
// of the pool that done gives back.
func (e *Executor) connection(ctx context.Context) (*sql.Conn, func() error, error) {
	if e.conn != nil {
		return e.conn, func() error { return nil }, nil
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("migrations: get a connection: %w", err)
	}
	return conn, func() error {
		if err := conn.Close(); err != nil {
			return fmt.Errorf("migrations: release connection: %w", err)
		}
		return nil
	}, nil
}

// NewExecutor returns an executor for the migrations of g on db, whose
// dialect ed renders.
func NewExecutor(db *sql.DB, ed schema.Editor, g *Graph) *Executor {
	return &Executor{db: db, ed: ed, g: g, history: NewHistory(db, ed)}
}

// History returns the history table the executor records into.
func (e *Executor) History() *History { return e.history }

// IrreversibleError refuses to unapply a migration one of whose operations
// cannot be reversed; nothing has run when it is returned.
type IrreversibleError struct {
	Migration   Key
	Operation   int
	Description string
	// Fix says how to make the operation reversible, when it can be.
	Fix string
}

// Error implements error.
func (e *IrreversibleError) Error() string {
	msg := fmt.Sprintf("migrations: cannot unapply %s: operation %d (%s) is irreversible; nothing was changed",
		e.Migration, e.Operation, e.Description)
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

// reversibleFix says how to make an irreversible operation reversible:
// hand-written operations take a Reverse, with an explicit no-op when
// there is nothing to undo.
func reversibleFix(op operations.Operation) string {
	switch op.(type) {
	case operations.RunSQL, *operations.RunSQL:
		return "to make it reversible, give that RunSQL a Reverse: the SQL that undoes it, or Reverse: []string{} when there is nothing to undo"
	case operations.RunGo, *operations.RunGo:
		return "to make it reversible, give that RunGo a Reverse function, or Reverse: operations.Noop when there is nothing to undo"
	}
	return ""
}

// MigrateError reports where a Migrate run stopped: the migration and
// operation that failed, what completed before it, and whether part of the
// failed migration stayed in the database.
type MigrateError struct {
	// Done are the steps that completed, and were recorded, before the failure.
	Done []PlanStep
	// Failed is the step that did not complete; it is not recorded.
	Failed PlanStep
	// Operation is the failed operation's number (from 1); 0 when the
	// failure came outside any operation (begin, integrity check, record).
	Operation   int
	Description string
	// Statement is the SQL (or Go function) that failed, when one did.
	Statement string
	// Partial is true when statements of the failed migration ran on a
	// database without transactional DDL and stay in place.
	Partial bool
	// NonAtomic is true on a database without transactional DDL (MySQL).
	NonAtomic bool
	Err       error
	// Command is how the user runs migrate here (Options.Command), for the
	// commands the message suggests.
	Command string
}

// Error implements error.
func (e *MigrateError) Error() string {
	verb := "applying"
	if e.Failed.Backwards {
		verb = "unapplying"
	}
	key := e.Failed.Migration.Key()
	var b strings.Builder
	lost := !e.Interrupted() && connectionLost(e.Err)
	switch {
	case e.Interrupted():
		fmt.Fprintf(&b, "migrations: interrupted: %s %s stopped", verb, key)
	case lost:
		fmt.Fprintf(&b, "migrations: lost the connection to the database while %s %s", verb, key)
	default:
		fmt.Fprintf(&b, "migrations: %s %s failed", verb, key)
	}
	if e.Operation > 0 {
		fmt.Fprintf(&b, " at operation %d (%s)", e.Operation, e.Description)
	} else if e.Description != "" {
		fmt.Fprintf(&b, " (%s)", e.Description)
	}
	switch {
	case lost:
		fmt.Fprintf(&b, " (%v)", e.Err)
	case !e.Interrupted():
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	why := "this database cannot roll back DDL"
	if !e.NonAtomic {
		why = key.String() + " runs outside a transaction (NonAtomic)"
	}
	switch {
	case e.Partial:
		fmt.Fprintf(&b, "; %s, so what ran before the failure stays in place, and the history records how far %s got: "+
			"run `%s --resume` to run the rest once the cause is fixed, or `%s --rollback-partial` to undo what ran", why, key, commandOr(e.Command), commandOr(e.Command))
	case lost:
		fmt.Fprintf(&b, "; %s commits together with its record, so the history says whether it was applied: run the command again once the database answers", key)
	case e.NonAtomic:
		fmt.Fprintf(&b, "; no statement of %s ran in this attempt, and it is not recorded", key)
	default:
		fmt.Fprintf(&b, "; nothing of %s was kept", key)
	}
	if e.Interrupted() && len(e.Done) > 0 {
		names := make([]string, len(e.Done))
		for i, d := range e.Done {
			names[i] = d.Migration.Key().String()
		}
		done := "applied"
		if e.Failed.Backwards {
			done = "unapplied"
		}
		fmt.Fprintf(&b, "; %s stayed %s", strings.Join(names, ", "), done)
	}
	return b.String()
}

// Interrupted reports whether the run stopped because its context was
// cancelled (an interrupt signal) rather than because a statement failed.
func (e *MigrateError) Interrupted() bool {
	return errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded)
}

// Unwrap returns the database's error.
func (e *MigrateError) Unwrap() error { return e.Err }

// IsApplied reports whether m counts as applied in a history: recorded
// itself, or, for a squashed migration, every migration it replaces recorded.
func IsApplied(applied map[Key]Applied, m *Migration) bool {
	if _, ok := applied[m.Key()]; ok {
		return true
	}
	if len(m.Replaces) == 0 {
		return false
	}
	for _, r := range m.Replaces {
		if _, ok := applied[r]; !ok {
			return false
		}
	}
	return true
}

// Edited returns the applied migrations of g whose operations changed since
// they were applied (their checksum differs from the recorded one), in order.
func Edited(g *Graph, applied map[Key]Applied) []Key {
	var out []Key
	for _, m := range g.Order() {
		if a, ok := applied[m.Key()]; ok && a.Checksum != "" && a.Checksum != Checksum(m) {
			out = append(out, m.Key())
		}
	}
	return out
}

// EditedError refuses a plan that builds on (or unapplies) applied
// migrations whose files changed since they ran: the database has what the
// old files said, so running on would compute SQL against a schema that is
// not there.
type EditedError struct {
	Migrations []Key
}

// Error implements error.
func (e *EditedError) Error() string {
	names := make([]string, len(e.Migrations))
	for i, k := range e.Migrations {
		names[i] = k.String()
	}
	return fmt.Sprintf("migrations: %s was edited after it was applied, and the migrations to run depend on it; the database has what it said then: "+
		"undo the edit and write a new migration for the change, or, if the database already matches the edited file, accept it with --accept-edited %s",
		strings.Join(names, ", "), strings.Join(names, " --accept-edited "))
}

// checkEdited refuses a plan that passes over an edited migration: one it
// unapplies, or an applied ancestor of one it applies.
func (e *Executor) checkEdited(plan []PlanStep, applied map[Key]Applied, done map[Key]bool) error {
	edited := map[Key]bool{}
	for _, k := range Edited(e.g, applied) {
		edited[k] = true
	}
	if len(edited) == 0 {
		return nil
	}
	hit := map[Key]bool{}
	for _, s := range plan {
		k := s.Migration.Key()
		if s.Backwards {
			if edited[k] {
				hit[k] = true
			}
			continue
		}
		for _, a := range e.g.Ancestors(k) {
			if ak := a.Key(); edited[ak] && done[ak] {
				hit[ak] = true
			}
		}
	}
	if len(hit) == 0 {
		return nil
	}
	var keys []Key
	for _, m := range e.g.Order() {
		if hit[m.Key()] {
			keys = append(keys, m.Key())
		}
	}
	return &EditedError{Migrations: keys}
}

// acceptEdited records the current checksum of each accepted migration,
// which must be applied, and updates applied to match.
func (e *Executor) acceptEdited(ctx context.Context, applied map[Key]Applied, accept []Key) error {
	for _, k := range accept {
		m := e.g.Migration(k)
		if m == nil {
			return fmt.Errorf("migrations: --accept-edited %s: no such migration", k)
		}
		a, ok := applied[k]
		if !ok {
			continue // a partial migration's edit is accepted when it is resumed
		}
		sum := Checksum(m)
		if a.Checksum == sum {
			continue
		}
		if err := e.history.Accept(ctx, e.querier(), k, sum); err != nil {
			return err
		}
		a.Checksum = sum
		applied[k] = a
	}
	return nil
}

// Plan works out which migrations to apply or unapply to reach targets
// (nil: every app's leaf), from the history in the database.
func (e *Executor) Plan(ctx context.Context, targets []Target) ([]PlanStep, error) {
	applied, err := e.history.Applied(ctx)
	if err != nil {
		return nil, err
	}
	x, err := e.forHistory(applied)
	if err != nil {
		return nil, err
	}
	return x.plan(applied, targets)
}

// forHistory returns a copy of e whose graph is resolved for the history
// applied: squashed migrations or the ones they replace, by Django's rule.
func (e *Executor) forHistory(applied map[Key]Applied) (*Executor, error) {
	g, err := e.g.ForHistory(applied)
	if err != nil {
		return nil, err
	}
	x := *e
	x.g = g
	return &x, nil
}

// plan is Plan on a history already read. Django's semantics: a target not
// applied yet means applying it and everything it needs; an applied target
// means unapplying what was built on it in its app (newest first); zero
// unapplies the app and whatever depends on it.
func (e *Executor) plan(applied map[Key]Applied, targets []Target) ([]PlanStep, error) {
	if err := e.checkConflicts(); err != nil {
		return nil, err
	}
	done, err := e.appliedSet(applied)
	if err != nil {
		return nil, err
	}
	if targets == nil {
		for _, app := range e.g.Apps() {
			targets = append(targets, Target{App: app})
		}
	}
	var plan []PlanStep
	unapply := func(ms []*Migration) {
		for i := len(ms) - 1; i >= 0; i-- {
			if k := ms[i].Key(); done[k] {
				plan = append(plan, PlanStep{Migration: ms[i], Backwards: true})
				done[k] = false
			}
		}
	}
	for _, t := range targets {
		if len(e.g.Migrations(t.App)) == 0 {
			return nil, fmt.Errorf("migrations: app %q has no migrations", t.App)
		}
		if t.Name == Zero {
			set := map[Key]bool{}
			for _, m := range e.g.Migrations(t.App) {
				for _, d := range e.g.descendants(m.Key()) {
					set[d.Key()] = true
				}
			}
			unapply(e.g.inOrder(set))
			continue
		}
		k, err := e.resolve(t)
		if err != nil {
			return nil, err
		}
		if done[k] {
			for _, c := range e.g.children(k) {
				if c.App == k.App {
					unapply(e.g.descendants(c))
				}
			}
			continue
		}
		for _, m := range e.g.Ancestors(k) {
			if !done[m.Key()] {
				plan = append(plan, PlanStep{Migration: m})
				done[m.Key()] = true
			}
		}
	}
	return plan, nil
}

// resolve turns a target other than zero into a migration key.
func (e *Executor) resolve(t Target) (Key, error) {
	if t.Name == "" {
		return e.g.Leaves(t.App)[0], nil
	}
	m, err := e.g.Find(t.App, t.Name)
	if err != nil {
		return Key{}, err
	}
	return m.Key(), nil
}

// checkConflicts refuses to plan while an app has two leaves.
func (e *Executor) checkConflicts() error {
	conflicts := e.g.Conflicts()
	if len(conflicts) == 0 {
		return nil
	}
	var msgs []string
	for _, app := range e.g.Apps() {
		leaves := conflicts[app]
		if len(leaves) == 0 {
			continue
		}
		names := make([]string, len(leaves))
		for i, l := range leaves {
			names[i] = l.Name
		}
		msgs = append(msgs, fmt.Sprintf("app %s has %d leaf migrations (%s)", app, len(leaves), strings.Join(names, ", ")))
	}
	return fmt.Errorf("migrations: conflicting migrations: %s; run `pmanager makemigrations --merge` to merge them", strings.Join(msgs, "; "))
}

// appliedSet marks the migrations of the graph that count as applied and
// checks that each one's dependencies are applied too.
func (e *Executor) appliedSet(applied map[Key]Applied) (map[Key]bool, error) {
	if err := CheckConsistent(e.g, applied); err != nil {
		return nil, err
	}
	done := map[Key]bool{}
	for _, m := range e.g.order {
		if IsApplied(applied, m) {
			done[m.Key()] = true
		}
	}
	return done, nil
}

// Migrate runs plan: each migration applied (or unapplied) and recorded as
// one transaction where the dialect has transactional DDL, and statement by
// statement, with its progress in the history, where it has not (MySQL) or
// the migration is NonAtomic. The whole run holds the database's migration
// lock and works from the history read after taking it: steps another run
// completed meanwhile are skipped. Unapplying an irreversible operation is
// refused before anything runs. A failure returns a *MigrateError; what
// completed before it stays applied and recorded.
func (e *Executor) Migrate(ctx context.Context, plan []PlanStep, opts Options) error {
	if err := e.checkPlan(plan, opts); err != nil {
		return err
	}
	_, err := e.locked(ctx, opts, func(map[Key]Applied) ([]PlanStep, error) { return plan, nil })
	return err
}

// MigrateTo plans the way to targets (nil: every app's leaf) under the
// migration lock, from the history as it is once the lock is taken, and
// runs that plan as Migrate does. It returns the plan it ran.
func (e *Executor) MigrateTo(ctx context.Context, targets []Target, opts Options) ([]PlanStep, error) {
	return e.locked(ctx, opts, func(applied map[Key]Applied) ([]PlanStep, error) {
		x, err := e.forHistory(applied)
		if err != nil {
			return nil, err
		}
		plan, err := x.plan(applied, targets)
		if err != nil {
			return nil, err
		}
		return plan, x.checkPlan(plan, opts)
	})
}

// locked takes the lock, runs the planned migrations on the connection
// that holds it, and releases it.
func (e *Executor) locked(ctx context.Context, opts Options, plan func(map[Key]Applied) ([]PlanStep, error)) ([]PlanStep, error) {
	conn, unlock, err := e.lock(ctx, opts)
	if err != nil {
		return nil, err
	}
	run := *e
	run.conn = conn
	run.statement = opts.Statement
	run.history = NewHistory(conn, e.ed)
	// The guard stops the run's statement on the server when ctx is
	// cancelled, before the lock is released; runCtx ends after that.
	runCtx, g, err := e.guarded(ctx, conn, opts)
	if err != nil {
		return nil, errors.Join(err, unlock())
	}
	steps, retries, err := run.migrateRetrying(runCtx, g, plan, opts)
	err = g.finish(err, retries)
	if uerr := unlock(); uerr != nil && err == nil {
		err = fmt.Errorf("migrations: %w", uerr)
	} else if uerr == nil {
		err = released(err)
	}
	return steps, err
}

// checkPlan rejects plans that mix directions, name unknown migrations or
// would unapply an irreversible operation.
func (e *Executor) checkPlan(plan []PlanStep, opts Options) error {
	for i, s := range plan {
		if s.Migration == nil || e.g.Registered(s.Migration.Key()) != s.Migration {
			return fmt.Errorf("migrations: plan step %d is not a migration of the graph", i+1)
		}
		if s.Backwards != plan[0].Backwards {
			return fmt.Errorf("migrations: a plan cannot both apply and unapply migrations (%s, %s); migrate one direction at a time", plan[0], s)
		}
		if s.Backwards && !opts.Fake {
			if err := irreversible(s.Migration); err != nil {
				return err
			}
		}
	}
	return nil
}

// irreversible returns an *IrreversibleError for the first operation of m
// that cannot be undone.
func irreversible(m *Migration) error {
	for i, op := range m.Operations {
		if !op.Reversible() {
			return &IrreversibleError{Migration: m.Key(), Operation: i + 1, Description: op.Describe(), Fix: reversibleFix(op)}
		}
	}
	return nil
}

// migrate runs under the lock: it makes sure the history table is there,
// deals with migrations an earlier run left part-way, records accepted
// edits, plans from the history as it is now and runs the plan.
func (e *Executor) migrate(ctx context.Context, planFor func(map[Key]Applied) ([]PlanStep, error), opts Options) ([]PlanStep, error) {
	if err := e.history.Ensure(ctx); err != nil {
		return nil, err
	}
	if err := e.recoverPartials(ctx, opts); err != nil {
		return nil, err
	}
	applied, err := e.history.Applied(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.acceptEdited(ctx, applied, opts.AcceptEdited); err != nil {
		return nil, err
	}
	x, err := e.forHistory(applied)
	if err != nil {
		return nil, err
	}
	done, err := x.appliedSet(applied)
	if err != nil {
		return nil, err
	}
	plan, err := planFor(applied)
	if err != nil || len(plan) == 0 {
		return plan, err
	}
	if err := x.checkEdited(plan, applied, done); err != nil {
		return nil, err
	}
	for _, s := range plan {
		if x.g.Migration(s.Migration.Key()) == nil {
			return nil, fmt.Errorf("migrations: %s no longer takes part for this database's history (a squashed migration or the ones it replaces were applied meanwhile); plan again", s.Migration.Key())
		}
	}
	if plan[0].Backwards {
		return plan, x.backwards(ctx, plan, done, opts)
	}
	return plan, x.forwards(ctx, plan, done, opts)
}

// forwards applies the plan, carrying the state from one migration to the
// next: it starts as the replay of what is applied.
func (e *Executor) forwards(ctx context.Context, plan []PlanStep, done map[Key]bool, opts Options) error {
	cur := state.NewProject()
	for _, m := range e.g.order {
		if done[m.Key()] {
			if err := operations.Apply(m.App, m.Operations, cur); err != nil {
				return fmt.Errorf("migrations: replay %s: %w", m.Key(), err)
			}
		}
	}
	r := NewRenderer(e.ed, cur)
	var completed []PlanStep
	for _, s := range plan {
		if done[s.Migration.Key()] {
			continue // applied meanwhile by another run
		}
		for _, d := range e.g.dependencies(s.Migration.Key()) {
			if !done[d] {
				return fmt.Errorf("migrations: cannot apply %s: its dependency %s is neither applied nor earlier in the plan", s.Migration.Key(), d)
			}
		}
		if err := e.run(ctx, s, r, nil, opts, completed); err != nil {
			return err
		}
		done[s.Migration.Key()] = true
		completed = append(completed, s)
	}
	return nil
}

// backwards unapplies the plan; the state each migration is unapplied to is
// the replay of the applied migrations that come before it in graph order.
func (e *Executor) backwards(ctx context.Context, plan []PlanStep, done map[Key]bool, opts Options) error {
	wanted := map[Key]bool{}
	for _, s := range plan {
		wanted[s.Migration.Key()] = true
	}
	before, err := e.statesBefore(plan, done, wanted)
	if err != nil {
		return err
	}
	var completed []PlanStep
	for _, s := range plan {
		if !done[s.Migration.Key()] {
			continue // unapplied meanwhile by another run
		}
		for _, c := range e.g.children(s.Migration.Key()) {
			if done[c] {
				return fmt.Errorf("migrations: cannot unapply %s: %s depends on it and is still applied", s.Migration.Key(), c)
			}
		}
		if err := e.run(ctx, s, nil, before[s.Migration.Key()], opts, completed); err != nil {
			return err
		}
		done[s.Migration.Key()] = false
		completed = append(completed, s)
	}
	return nil
}

// statesBefore returns, for each migration plan unapplies, the state its
// backward operations start from. When everything applied after it in the
// graph's order is unapplied first, that is the replay of what precedes it.
// When some later migration stays applied (another app's, which does not
// depend on it), the tables it changed stay as it left them, so the state is
// the replay of every migration still applied at that point of the plan,
// leaving out the one being unapplied.
func (e *Executor) statesBefore(plan []PlanStep, done, wanted map[Key]bool) (map[Key]*state.Project, error) {
	before := map[Key]*state.Project{}
	staysAfter := map[Key]bool{}
	later := false
	for i := len(e.g.order) - 1; i >= 0; i-- {
		k := e.g.order[i].Key()
		if wanted[k] {
			staysAfter[k] = later
		} else if done[k] {
			later = true
		}
	}
	cur := state.NewProject()
	for _, m := range e.g.order {
		if !done[m.Key()] {
			continue
		}
		if wanted[m.Key()] && !staysAfter[m.Key()] {
			before[m.Key()] = cur.CloneShallow()
		}
		if err := operations.Apply(m.App, m.Operations, cur); err != nil {
			return nil, fmt.Errorf("migrations: replay %s: %w", m.Key(), err)
		}
	}
	gone := map[Key]bool{}
	for _, s := range plan {
		k := s.Migration.Key()
		gone[k] = true
		if !staysAfter[k] {
			continue
		}
		p := state.NewProject()
		for _, m := range e.g.order {
			if !done[m.Key()] || gone[m.Key()] {
				continue
			}
			if err := operations.Apply(m.App, m.Operations, p); err != nil {
				return nil, fmt.Errorf("migrations: replay %s: %w", m.Key(), err)
			}
		}
		before[k] = p
	}
	return before, nil
}

// run applies or unapplies one migration. Forwards, r holds the state
// before it and is moved past it; backwards, before is that state.
func (e *Executor) run(ctx context.Context, s PlanStep, r *Renderer, before *state.Project, opts Options, completed []PlanStep) error {
	m := s.Migration
	fail := func(op int, desc, stmt string, partial bool, err error) error {
		return &MigrateError{Done: completed, Failed: s, Operation: op, Description: desc, Statement: stmt, Command: opts.Command,
			Partial: partial, NonAtomic: !e.ed.AtomicDDL(), Err: err}
	}
	if opts.Progress != nil {
		opts.Progress(s, false, false, 0)
	}
	start := time.Now()
	faked := opts.Fake
	if !faked && opts.FakeInitial && !s.Backwards && m.Initial {
		after, err := stateAfter(m, r.State())
		if err != nil {
			return fail(0, "", "", false, err)
		}
		if faked, err = e.tablesExist(ctx, m, after); err != nil {
			return fail(0, "looking for its tables", "", false, err)
		}
	}
	if faked {
		if err := e.record(ctx, e.querier(), s); err != nil {
			return fail(0, "", "", false, err)
		}
		if r != nil {
			if err := r.Skip(m); err != nil {
				return fail(0, "", "", false, err)
			}
		}
	} else {
		var ops []OpSteps
		var err error
		start := before
		if r != nil {
			start = r.State().CloneShallow()
			ops, err = r.Forwards(m)
		} else {
			ops, err = e.render(m, before, s.Backwards)
		}
		if err != nil {
			var re *renderError
			if errors.As(err, &re) {
				return fail(re.op, re.desc, "", false, re.err)
			}
			return fail(0, "", "", false, err)
		}
		if err := e.preflight(ctx, s, start, completed); err != nil {
			return err
		}
		if err := e.execute(ctx, s, ops); err != nil {
			var xe *execError
			if errors.As(err, &xe) {
				return fail(xe.op, xe.desc, xe.stmt, xe.partial, xe.err)
			}
			return fail(0, "", "", false, err)
		}
	}
	if opts.Progress != nil {
		opts.Progress(s, true, faked, time.Since(start))
	}
	return nil
}

// stateAfter replays m's operations on a snapshot of before.
func stateAfter(m *Migration, before *state.Project) (*state.Project, error) {
	after := before.CloneShallow()
	if err := operations.Apply(m.App, m.Operations, after); err != nil {
		return nil, fmt.Errorf("replay %s: %w", m.Key(), err)
	}
	return after, nil
}

// tablesExist reports whether m creates at least one table and every table
// it creates (join tables included) exists already: the test of
// --fake-initial.
func (e *Executor) tablesExist(ctx context.Context, m *Migration, after *state.Project) (bool, error) {
	var want []string
	for _, op := range m.Operations {
		c, ok := op.(operations.CreateModel)
		if !ok || c.Unmanaged {
			continue
		}
		model := after.Model(m.App, c.Name)
		if model == nil {
			model = c.Model(m.App)
		}
		want = append(want, model.Table)
		joins, err := schema.JoinTables(after, model)
		if err != nil {
			return false, err
		}
		for _, j := range joins {
			want = append(want, j.Table)
		}
	}
	if len(want) == 0 {
		return false, nil
	}
	tables, err := e.ed.Inspect(ctx, e.querier())
	if err != nil {
		return false, err
	}
	have := map[string]bool{}
	for _, t := range tables {
		have[strings.ToLower(t.Name)] = true
	}
	for _, w := range want {
		if !have[strings.ToLower(w)] {
			return false, nil
		}
	}
	return true, nil
}

// render returns the steps of every operation of m on this executor's dialect.
func (e *Executor) render(m *Migration, before *state.Project, backwards bool) ([]OpSteps, error) {
	return RenderSteps(m, e.ed, before, backwards)
}

// Steps returns what migrating m runs, without running it: the state
// before m is replayed from its ancestors, then each operation renders its
// forward steps (or, backwards, the reverse steps in reverse order). It is
// what sqlmigrate prints.
func (e *Executor) Steps(m *Migration, backwards bool) ([]operations.Step, error) {
	if m == nil || e.g.Migration(m.Key()) == nil {
		return nil, fmt.Errorf("migrations: %v is not a migration of the graph", m)
	}
	if backwards {
		if err := irreversible(m); err != nil {
			return nil, err
		}
	}
	before, err := e.g.StateBefore(m.Key())
	if err != nil {
		return nil, err
	}
	ops, err := e.render(m, before, backwards)
	if err != nil {
		return nil, fmt.Errorf("migrations: %s: %w", m.Key(), err)
	}
	var steps []operations.Step
	for _, o := range ops {
		steps = append(steps, o.Steps...)
	}
	return steps, nil
}

// execError says where a migration failed while running.
type execError struct {
	op      int
	desc    string
	stmt    string
	partial bool
	err     error
}

// Error implements error.
func (e *execError) Error() string { return e.err.Error() }

// Unwrap returns the database's error.
func (e *execError) Unwrap() error { return e.err }

// rollback rolls tx back after a failure and returns the rollback's own
// error when it is worth reporting beside the failure. Once ctx is
// cancelled, database/sql rolls the transaction back by itself, and
// Rollback may then report the cancellation rather than ErrTxDone,
// depending on which of the two gets there first. On a lost connection the
// server rolls back by itself, and the failure already says so.
func rollback(ctx context.Context, tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) && ctx.Err() == nil && !connectionLost(err) {
		return err
	}
	return nil
}

// execute runs one migration's steps and records it, on one connection:
// inside one transaction when the dialect has transactional DDL, else
// statement by statement with its progress recorded as it goes.
func (e *Executor) execute(ctx context.Context, s PlanStep, ops []OpSteps) error {
	return e.onConn(ctx, func(conn *sql.Conn) error {
		if !e.atomic(s.Migration) {
			return e.executeTracked(ctx, conn, s, ops)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return &execError{desc: "beginning its transaction", err: err}
		}
		if err := e.inTx(ctx, tx, s, ops); err != nil {
			if rerr := rollback(ctx, tx); rerr != nil {
				return &execError{desc: "rolling back", err: errors.Join(err, rerr)}
			}
			return err
		}
		if err := tx.Commit(); err != nil {
			return &execError{desc: "committing", err: err}
		}
		return nil
	})
}

// atomic reports whether m runs as one transaction: the dialect rolls DDL
// back and m does not ask to run outside a transaction.
func (e *Executor) atomic(m *Migration) bool {
	return e.ed.AtomicDDL() && !m.NonAtomic
}

// inTx runs the steps, checks integrity and records the migration inside tx.
func (e *Executor) inTx(ctx context.Context, tx *sql.Tx, s PlanStep, ops []OpSteps) error {
	if err := e.runSteps(ctx, tx, ops, false); err != nil {
		return err
	}
	if ic, ok := e.ed.(schema.IntegrityChecker); ok {
		if err := ic.CheckIntegrity(ctx, tx); err != nil {
			return &execError{desc: "checking integrity before commit", err: err}
		}
	}
	if err := e.record(ctx, tx, s); err != nil {
		return &execError{desc: "recording it", err: err}
	}
	return nil
}

// runSteps runs every step in order on db; nonAtomic marks a failure after
// earlier statements of the migration as partial.
func (e *Executor) runSteps(ctx context.Context, db schema.ExecQuerier, ops []OpSteps, nonAtomic bool) error {
	ran := false
	for _, o := range ops {
		for _, st := range o.Steps {
			var err error
			stmt := st.SQL
			if st.Go != nil {
				stmt = "Go function " + st.Name
			}
			e.announce(stmt)
			if st.Go != nil {
				err = st.Go(ctx, db)
			} else {
				err = schema.Exec(ctx, e.ed, db, st.SQL)
			}
			if err != nil {
				return &execError{op: o.Number, desc: o.Operation.Describe(), stmt: stmt, partial: nonAtomic && ran, err: err}
			}
			ran = true
		}
	}
	return nil
}

// hasSteps reports whether any operation runs something.
func hasSteps(ops []OpSteps) bool {
	for _, o := range ops {
		if len(o.Steps) > 0 {
			return true
		}
	}
	return false
}

// recordReplaced records, through q, every migration a squashed m replaces,
// so the history stays right whichever of them the files keep.
func (e *Executor) recordReplaced(ctx context.Context, q schema.ExecQuerier, m *Migration) error {
	for _, r := range m.Replaces {
		sum := ""
		if orig := e.g.Registered(r); orig != nil {
			sum = Checksum(orig)
		}
		if err := e.history.Record(ctx, q, r, sum); err != nil {
			return err
		}
	}
	return nil
}

// record writes the step's outcome to the history through q: the migration
// recorded, or, when unapplying, it and any migrations it replaces forgotten.
func (e *Executor) record(ctx context.Context, q schema.ExecQuerier, s PlanStep) error {
	m := s.Migration
	if !s.Backwards {
		if err := e.recordReplaced(ctx, q, m); err != nil {
			return err
		}
		return e.history.Record(ctx, q, m.Key(), Checksum(m))
	}
	for _, k := range append([]Key{m.Key()}, m.Replaces...) {
		if err := e.history.Unrecord(ctx, q, k); err != nil {
			return err
		}
	}
	return nil
}
