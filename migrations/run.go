package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Migrate runs plan: each migration applied (or unapplied) and recorded as
// one transaction where the dialect has transactional DDL, and statement by
// statement, with its progress in the history, where it has not (MySQL) or
// the migration is NonAtomic. The whole run holds the database's migration
// lock and works from the history read after taking it: steps another run
// completed meanwhile are skipped. Unapplying an irreversible operation is
// refused before anything runs. A failure returns a *MigrateError; what
// completed before it stays applied and recorded.
func (e *Executor) Migrate(ctx context.Context, plan []Step, opts Options) error {
	if err := checkPlan(e.g, plan, opts); err != nil {
		return err
	}
	_, err := e.locked(ctx, opts, func(*Graph, map[Key]Applied) ([]Step, error) { return plan, nil })
	return err
}

// MigrateTo plans the way to targets (nil: every app's leaf) under the
// migration lock, from the history as it is once the lock is taken, and
// runs that plan as Migrate does. It returns the plan it ran.
func (e *Executor) MigrateTo(ctx context.Context, targets []Target, opts Options) ([]Step, error) {
	return e.locked(ctx, opts, func(g *Graph, applied map[Key]Applied) ([]Step, error) {
		steps, err := plan(g, applied, targets)
		if err != nil {
			return nil, err
		}
		return steps, checkPlan(g, steps, opts)
	})
}

// planFunc makes a run's plan from the history as read under the lock and
// the graph resolved for it.
type planFunc func(g *Graph, applied map[Key]Applied) ([]Step, error)

// locked takes the lock, runs the planned migrations on the connection
// that holds it, and releases it.
func (e *Executor) locked(ctx context.Context, opts Options, planFor planFunc) ([]Step, error) {
	ctx, conn, unlock, l, err := e.lockRun(ctx, opts)
	if err != nil {
		return nil, err
	}
	rn := e.runner(conn, opts)
	if l != nil {
		rn.takenOver = l.taken
		rn.lease = l
	}
	// The guard stops the run's statement on the server when ctx is
	// cancelled, before the lock is released; runCtx ends after that.
	runCtx, g, err := e.guarded(ctx, conn, opts)
	if err != nil {
		return nil, errors.Join(err, unlock())
	}
	steps, retries, err := rn.migrateRetrying(runCtx, g, planFor)
	err = g.finish(err, retries)
	if cause := context.Cause(ctx); err != nil && errors.Is(cause, errLeaseLost) {
		err = fmt.Errorf("%w (%w)", cause, err)
	}
	if uerr := unlock(); uerr != nil && err == nil {
		err = fmt.Errorf("migrations: %w", uerr)
	} else if uerr == nil {
		err = released(err)
	}
	return steps, err
}

// runner starts a run of e on conn, the connection that holds the lock.
func (e *Executor) runner(conn *sql.Conn, opts Options) *runner {
	return &runner{db: e.db, ed: e.ed, g: e.g, conn: conn, history: NewHistory(conn, e.ed), opts: opts, observer: opts.observer()}
}

// migrate runs under the lock: it makes sure the history table is there,
// deals with migrations an earlier run left part-way, records accepted
// edits, plans from the history as it is now and runs the plan against
// the graph resolved for that history.
func (rn *runner) migrate(ctx context.Context, planFor planFunc) ([]Step, error) {
	if err := rn.history.Ensure(ctx); err != nil {
		return nil, err
	}
	if err := rn.recoverPartials(ctx); err != nil {
		return nil, err
	}
	applied, err := rn.history.Applied(ctx)
	if err != nil {
		return nil, err
	}
	if err := rn.acceptEdited(ctx, applied, rn.opts.AcceptEdited); err != nil {
		return nil, err
	}
	g, err := rn.g.ForHistory(applied)
	if err != nil {
		return nil, err
	}
	done, err := appliedSet(g, applied)
	if err != nil {
		return nil, err
	}
	plan, err := planFor(g, applied)
	if err != nil || len(plan) == 0 {
		return plan, err
	}
	if err := checkEdited(g, plan, applied, done); err != nil {
		return nil, err
	}
	for _, s := range plan {
		if g.Migration(s.Migration.Key()) == nil {
			return nil, fmt.Errorf("migrations: %s no longer takes part for this database's history (a squashed migration or the ones it replaces were applied meanwhile); plan again", s.Migration.Key())
		}
	}
	if plan[0].Backwards {
		return plan, rn.backwards(ctx, g, plan, done)
	}
	return plan, rn.forwards(ctx, g, plan, done)
}

// forwards applies the plan, carrying the state from one migration to the
// next: it starts as the replay of what is applied.
func (rn *runner) forwards(ctx context.Context, g *Graph, plan []Step, done map[Key]bool) error {
	cur := state.NewProject()
	for _, m := range g.order {
		if done[m.Key()] {
			if err := operations.Apply(m.App, m.Operations, cur); err != nil {
				return fmt.Errorf("migrations: replay %s: %w", m.Key(), err)
			}
		}
	}
	src := forwardSource{NewRenderer(rn.ed, cur)}
	var completed []Step
	for _, s := range plan {
		if done[s.Migration.Key()] {
			continue // applied meanwhile by another run
		}
		for _, d := range g.dependencies(s.Migration.Key()) {
			if !done[d] {
				return fmt.Errorf("migrations: cannot apply %s: its dependency %s is neither applied nor earlier in the plan", s.Migration.Key(), d)
			}
		}
		if err := rn.run(ctx, s, src, completed); err != nil {
			return err
		}
		done[s.Migration.Key()] = true
		completed = append(completed, s)
	}
	return nil
}

// backwards unapplies the plan; the state each migration is unapplied to is
// the replay of the applied migrations that come before it in graph order.
func (rn *runner) backwards(ctx context.Context, g *Graph, plan []Step, done map[Key]bool) error {
	wanted := map[Key]bool{}
	for _, s := range plan {
		wanted[s.Migration.Key()] = true
	}
	before, err := statesBefore(g, plan, done, wanted)
	if err != nil {
		return err
	}
	src := backwardSource{ed: rn.ed, before: before}
	var completed []Step
	for _, s := range plan {
		if !done[s.Migration.Key()] {
			continue // unapplied meanwhile by another run
		}
		for _, c := range g.children(s.Migration.Key()) {
			if done[c] {
				return fmt.Errorf("migrations: cannot unapply %s: %s depends on it and is still applied", s.Migration.Key(), c)
			}
		}
		if err := rn.run(ctx, s, src, completed); err != nil {
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
func statesBefore(g *Graph, plan []Step, done, wanted map[Key]bool) (map[Key]*state.Project, error) {
	before := map[Key]*state.Project{}
	staysAfter := map[Key]bool{}
	later := false
	for i := len(g.order) - 1; i >= 0; i-- {
		k := g.order[i].Key()
		if wanted[k] {
			staysAfter[k] = later
		} else if done[k] {
			later = true
		}
	}
	cur := state.NewProject()
	for _, m := range g.order {
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
		for _, m := range g.order {
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

// stepSource is where a run's steps come from, in one direction: the state
// each step starts from and the statements it runs.
type stepSource interface {
	// start returns the state s starts from; the caller may read it
	// while the source moves on.
	start(s Step) *state.Project
	// statements renders what s runs and moves past it.
	statements(s Step) ([]OpStatements, error)
	// skip moves past s without rendering it: it was only recorded.
	skip(s Step) error
}

// forwardSource applies: its Renderer carries the state from one
// migration to the next.
type forwardSource struct{ r *Renderer }

func (f forwardSource) start(Step) *state.Project { return f.r.State().CloneShallow() }

func (f forwardSource) statements(s Step) ([]OpStatements, error) { return f.r.Forwards(s.Migration) }

func (f forwardSource) skip(s Step) error { return f.r.Skip(s.Migration) }

// backwardSource unapplies: each migration starts from the state
// statesBefore worked out for it.
type backwardSource struct {
	ed     schema.Editor
	before map[Key]*state.Project
}

func (b backwardSource) start(s Step) *state.Project { return b.before[s.Migration.Key()] }

func (b backwardSource) statements(s Step) ([]OpStatements, error) {
	return RenderStatements(s.Migration, b.ed, b.start(s), true)
}

func (b backwardSource) skip(Step) error { return nil }

// run applies or unapplies one migration, from the state src says it
// starts from: only recorded when it is faked, else its statements
// rendered, the pre-flight checks passed and the statements run.
func (rn *runner) run(ctx context.Context, s Step, src stepSource, completed []Step) error {
	m := s.Migration
	fail := func(op int, desc, stmt string, partial bool, err error) error {
		return &MigrateError{Done: completed, Failed: s, Operation: op, Description: desc, Statement: stmt,
			Partial: partial, NonAtomic: !rn.ed.AtomicDDL(), Err: err}
	}
	rn.observer.Migrating(s)
	began := time.Now()
	before := src.start(s)
	faked := rn.opts.Fake
	if !faked && rn.opts.FakeInitial && !s.Backwards && m.Initial {
		after, err := stateAfter(m, before)
		if err != nil {
			return fail(0, "", "", false, err)
		}
		if faked, err = rn.tablesExist(ctx, m, after); err != nil {
			return fail(0, "looking for its tables", "", false, err)
		}
	}
	if faked {
		if err := rn.record(ctx, rn.conn, s); err != nil {
			return fail(0, "", "", false, err)
		}
		if err := src.skip(s); err != nil {
			return fail(0, "", "", false, err)
		}
		rn.observer.Migrated(s, true, time.Since(began))
		return nil
	}
	ops, err := src.statements(s)
	if err != nil {
		var re *renderError
		if errors.As(err, &re) {
			return fail(re.op, re.desc, "", false, re.err)
		}
		return fail(0, "", "", false, err)
	}
	if err := rn.preflight(ctx, s, before, completed); err != nil {
		return err
	}
	if err := rn.execute(ctx, s, ops); err != nil {
		var xe *execError
		if errors.As(err, &xe) {
			return fail(xe.op, xe.desc, xe.stmt, xe.partial, xe.err)
		}
		return fail(0, "", "", false, err)
	}
	rn.observer.Migrated(s, false, time.Since(began))
	return nil
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
func (rn *runner) execute(ctx context.Context, s Step, ops []OpStatements) error {
	return rn.onConn(ctx, func(conn *sql.Conn) error {
		if !rn.atomic(s.Migration) {
			return rn.executeTracked(ctx, conn, s, ops)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return &execError{desc: "beginning its transaction", err: err}
		}
		if err := rn.inTx(ctx, tx, s, ops); err != nil {
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
func (rn *runner) atomic(m *Migration) bool {
	return rn.ed.AtomicDDL() && !m.NonAtomic
}

// inTx runs the steps, checks integrity and records the migration inside tx.
func (rn *runner) inTx(ctx context.Context, tx *sql.Tx, s Step, ops []OpStatements) error {
	if err := rn.runStatements(ctx, tx, ops, false); err != nil {
		return err
	}
	if ic, ok := rn.ed.(schema.IntegrityChecker); ok {
		if err := ic.CheckIntegrity(ctx, tx); err != nil {
			return &execError{desc: "checking integrity before commit", err: err}
		}
	}
	if err := rn.record(ctx, tx, s); err != nil {
		return &execError{desc: "recording it", err: err}
	}
	return nil
}

// runStatements runs every statement in order on db; nonAtomic marks a failure after
// earlier statements of the migration as partial.
func (rn *runner) runStatements(ctx context.Context, db schema.ExecQuerier, ops []OpStatements, nonAtomic bool) error {
	ran := false
	for _, o := range ops {
		for _, st := range o.Statements {
			var err error
			stmt := st.SQL
			if st.Go != nil {
				stmt = "Go function " + st.Name
			}
			if err := rn.fence(); err != nil {
				return &execError{op: o.Number, desc: o.Operation.Describe(), partial: nonAtomic && ran, err: err}
			}
			rn.announce(stmt)
			if st.Go != nil {
				err = st.Go(ctx, db)
			} else {
				err = schema.Exec(ctx, rn.ed, db, st.SQL)
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
func hasSteps(ops []OpStatements) bool {
	for _, o := range ops {
		if len(o.Statements) > 0 {
			return true
		}
	}
	return false
}

// recordReplaced records, through q, every migration a squashed m replaces,
// so the history stays right whichever of them the files keep.
func (rn *runner) recordReplaced(ctx context.Context, q schema.ExecQuerier, m *Migration) error {
	for _, r := range m.Replaces {
		sum := ""
		if orig := rn.g.Registered(r); orig != nil {
			sum = Checksum(orig)
		}
		if err := rn.history.Record(ctx, q, r, sum); err != nil {
			return err
		}
	}
	return nil
}

// record writes the step's outcome to the history through q: the migration
// recorded, or, when unapplying, it and any migrations it replaces forgotten.
func (rn *runner) record(ctx context.Context, q schema.ExecQuerier, s Step) error {
	m := s.Migration
	if !s.Backwards {
		if err := rn.recordReplaced(ctx, q, m); err != nil {
			return err
		}
		return rn.history.Record(ctx, q, m.Key(), Checksum(m))
	}
	for _, k := range append([]Key{m.Key()}, m.Replaces...) {
		if err := rn.history.Unrecord(ctx, q, k); err != nil {
			return err
		}
	}
	return nil
}
