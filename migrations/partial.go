package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// ErrPartial is what a *PartialError matches with errors.Is.
var ErrPartial = errors.New("migrations: a migration was left part-way")

// PartialError stops a run while the history records migrations that an
// earlier run left part-way (see Partial): running on could build on a
// schema nobody knows. It says what ran, what stopped, and the two ways on.
type PartialError struct {
	Partials []Partial
	// Reports describe each partial migration in one sentence.
	Reports []string
	// Command is how the user runs migrate here (Options.Command).
	Command string
}

// Error implements error.
func (e *PartialError) Error() string {
	cmd := commandOr(e.Command)
	return "migrations: " + strings.Join(e.Reports, "\n") +
		fmt.Sprintf("\nrun `%s --resume` to run the rest once the cause is fixed, or `%s --rollback-partial` to undo what ran", cmd, cmd)
}

// Is makes errors.Is(err, ErrPartial) hold for a *PartialError.
func (e *PartialError) Is(target error) bool { return target == ErrPartial }

// commandOr returns cmd, or the plain migrate command when it is "".
func commandOr(cmd string) string {
	if cmd == "" {
		return "pmanager migrate"
	}
	return cmd
}

// recoverPartials refuses to go on while a migration is part-way, or, as
// opts ask, finishes (Resume) or undoes (RollbackPartial) each one. A
// migration recorded as started of which nothing committed (killed inside
// its first statement's transaction) is simply forgotten: the history
// shows that nothing of it is in the database.
func (e *Executor) recoverPartials(ctx context.Context, opts Options) error {
	partials, err := e.history.Partials(ctx)
	if err != nil {
		return err
	}
	var left []Partial
	for _, p := range partials {
		if p.OpsDone == 0 && p.StatementsDone == 0 && !p.Started && p.Error == "" && e.g.Migration(p.Key) != nil {
			if err := e.history.Abandon(ctx, e.querier(), p); err != nil {
				return err
			}
			continue
		}
		left = append(left, p)
	}
	partials = left
	for _, p := range partials {
		if m := e.g.Migration(p.Key); m != nil && p.OpsDone > len(m.Operations) {
			return checkPosition(p, m, nil)
		}
	}
	if err := e.checkAssumptions(partials, opts); err != nil {
		return err
	}
	if len(partials) == 0 {
		return nil
	}
	switch {
	case opts.Resume && opts.RollbackPartial:
		return errors.New("migrations: --resume and --rollback-partial are two different ways on; choose one")
	case !opts.Resume && !opts.RollbackPartial:
		pe := &PartialError{Partials: partials, Command: opts.Command}
		for _, p := range partials {
			pe.Reports = append(pe.Reports, e.describePartial(p))
		}
		return pe
	}
	if opts.RollbackPartial {
		for i, j := 0, len(partials)-1; i < j; i, j = i+1, j-1 {
			partials[i], partials[j] = partials[j], partials[i]
		}
	}
	for _, p := range partials {
		if opts.Recovering != nil {
			opts.Recovering(p, opts.RollbackPartial, false)
		}
		if opts.RollbackPartial {
			err = e.rollbackPartial(ctx, p, opts)
		} else {
			err = e.resume(ctx, p, opts)
		}
		if err != nil {
			return err
		}
		if opts.Recovering != nil {
			opts.Recovering(p, opts.RollbackPartial, true)
		}
	}
	return nil
}

// checkAssumptions refuses --assume-done / --assume-not-done that do not
// name the operation of a statement in doubt: a word given for another
// state of the database must not settle this one.
func (e *Executor) checkAssumptions(partials []Partial, opts Options) error {
	if opts.AssumeDone == 0 && opts.AssumeNotDone == 0 {
		return nil
	}
	if opts.AssumeDone != 0 && opts.AssumeNotDone != 0 {
		return errors.New("migrations: --assume-done and --assume-not-done say opposite things; give one")
	}
	n, flag := opts.AssumeDone, "--assume-done"
	if n == 0 {
		n, flag = opts.AssumeNotDone, "--assume-not-done"
	}
	if !opts.Resume && !opts.RollbackPartial {
		return fmt.Errorf("migrations: %s %d settles a statement in doubt for --resume or --rollback-partial; add one of them", flag, n)
	}
	var doubts []string
	for _, p := range partials {
		m := e.g.Migration(p.Key)
		if m == nil || !p.Started || p.OpsDone >= len(m.Operations) {
			continue
		}
		op := runOrder(m, p.Backwards)[p.OpsDone] + 1
		if op == n {
			return nil
		}
		doubts = append(doubts, fmt.Sprintf("operation %d of %s", op, p.Key))
	}
	if len(doubts) == 0 {
		return fmt.Errorf("migrations: %s %d: no statement is in doubt, so there is nothing to settle; run again without it", flag, n)
	}
	return fmt.Errorf("migrations: %s %d: the statement in doubt is in %s, not in operation %d; check that one and name its operation", flag, n, strings.Join(doubts, ", "), n)
}

// describePartial says in one sentence what ran of p and where it stopped.
func (e *Executor) describePartial(p Partial) string {
	verb := "applied"
	if p.Backwards {
		verb = "unapplied"
	}
	head := fmt.Sprintf("%s was left part-way while being %s", p.Key, verb)
	if !p.Backwards {
		head += fmt.Sprintf(" (started %s)", p.Since.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	m := e.g.Migration(p.Key)
	if m == nil {
		return head + fmt.Sprintf(": %d operations ran; its file is no longer registered: restore it to resume or roll back", p.OpsDone)
	}
	order := runOrder(m, p.Backwards)
	var ran []string
	for _, i := range order[:min(p.OpsDone, len(order))] {
		ran = append(ran, fmt.Sprintf("%d (%s)", i+1, m.Operations[i].Describe()))
	}
	var b strings.Builder
	b.WriteString(head + ": ")
	did := map[bool][2]string{false: {" ran", " ran"}, true: {" was undone", " were undone"}}[p.Backwards]
	switch len(ran) {
	case 0:
		b.WriteString("no operation completed")
	case 1:
		b.WriteString("operation " + ran[0] + did[0])
	default:
		b.WriteString("operations " + strings.Join(ran, ", ") + did[1])
	}
	if p.OpsDone >= len(order) {
		if p.Error != "" {
			fmt.Fprintf(&b, "; recording it failed: %s", p.Error)
		}
		return b.String()
	}
	i := order[p.OpsDone]
	stopped := fmt.Sprintf("operation %d (%s)", i+1, m.Operations[i].Describe())
	if p.StatementsDone > 0 {
		stopped += fmt.Sprintf(", after %d of its statements", p.StatementsDone)
	}
	switch {
	case p.Error != "":
		fmt.Fprintf(&b, "; %s failed: %s", stopped, p.Error)
	case p.Started:
		fmt.Fprintf(&b, "; the run stopped in %s without recording why (it was killed or lost its connection) while the server ran its next statement, "+
			"which may have taken effect: --resume and --rollback-partial first ask the database whether it did", stopped)
	default:
		fmt.Fprintf(&b, "; the run stopped in %s without recording why (it was killed or lost its connection), before its next statement took effect", stopped)
	}
	return b.String()
}

// runOrder lists the indexes of m's operations in the order a direction
// runs them.
func runOrder(m *Migration, backwards bool) []int {
	out := make([]int, len(m.Operations))
	for i := range out {
		out[i] = i
		if backwards {
			out[i] = len(out) - 1 - i
		}
	}
	return out
}

// partialMigration returns p's migration, refusing one whose file is gone
// or whose operations changed since the run that left it (unless the edit
// is accepted, which records the new checksum).
func (e *Executor) partialMigration(ctx context.Context, p Partial, accepted []Key) (*Migration, error) {
	m := e.g.Migration(p.Key)
	if m == nil {
		return nil, fmt.Errorf("migrations: %s was left part-way but is no longer registered; restore its file to resume or roll it back", p.Key)
	}
	if sum := Checksum(m); sum != p.Checksum {
		if !containsKey(accepted, p.Key) {
			return nil, fmt.Errorf("migrations: %s was edited since a run left it part-way, so what ran may not be what the file says now; "+
				"restore the file, or accept the edit with --accept-edited %s", p.Key, p.Key)
		}
		if err := e.history.Accept(ctx, e.querier(), p.Key, sum); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// stateBefore replays the applied migrations that come before k in graph
// order: the state k starts from.
func (e *Executor) stateBefore(ctx context.Context, k Key) (*state.Project, error) {
	applied, err := e.history.Applied(ctx)
	if err != nil {
		return nil, err
	}
	cur := state.NewProject()
	for _, m := range e.g.order {
		if m.Key() == k {
			break
		}
		if IsApplied(applied, m) {
			if err := operations.Apply(m.App, m.Operations, cur); err != nil {
				return nil, fmt.Errorf("migrations: replay %s: %w", m.Key(), err)
			}
		}
	}
	return cur, nil
}

// resume runs the rest of p, from the first statement the history does not
// record as done, and records the migration as applied (or unapplied). A
// statement in doubt is settled first, by asking the database about the
// objects it touches or by the user's word (see settleDoubt).
func (e *Executor) resume(ctx context.Context, p Partial, opts Options) error {
	m, err := e.partialMigration(ctx, p, opts.AcceptEdited)
	if err != nil {
		return err
	}
	before, err := e.stateBefore(ctx, p.Key)
	if err != nil {
		return err
	}
	s := PlanStep{Migration: m, Backwards: p.Backwards}
	ops, err := RenderSteps(m, e.ed, before, p.Backwards)
	if err != nil {
		return fmt.Errorf("migrations: resume %s: %w", p.Key, err)
	}
	if err := checkPosition(p, m, ops); err != nil {
		return err
	}
	err = e.onConn(ctx, func(conn *sql.Conn) error {
		record := func(q schema.ExecQuerier, opsDone, statements int) error {
			return e.history.Progress(ctx, q, p.Key, opsDone, statements)
		}
		from, stmts := p.OpsDone, p.StatementsDone
		if p.Started && from < len(ops) {
			var err error
			if from, stmts, err = e.settleDoubt(ctx, conn, m, before, p, ops, opts, "--resume"); err != nil {
				return err
			}
		}
		if _, err := e.runTracked(ctx, conn, ops, from, stmts, true, record, &p.Key); err != nil {
			return err
		}
		return e.finishTracked(ctx, conn, s)
	})
	if err != nil {
		var de *DoubtError
		if errors.As(err, &de) {
			return err
		}
		err = e.trackedFailure(ctx, s, err, true)
		var xe *execError
		if errors.As(err, &xe) {
			return &MigrateError{Failed: s, Operation: xe.op, Description: xe.desc, Statement: xe.stmt, Command: opts.Command,
				Partial: true, NonAtomic: !e.ed.AtomicDDL(), Err: xe.err}
		}
		return err
	}
	return nil
}

// checkPosition refuses a history position that no run of m writes (ops_done
// past the last operation, statements_done past the operation's statements),
// before anything runs: a row edited by hand, or a file edited since.
func checkPosition(p Partial, m *Migration, ops []OpSteps) error {
	bad := p.OpsDone > len(m.Operations) || p.OpsDone == len(ops) && p.StatementsDone > 0 ||
		p.OpsDone < len(ops) && p.StatementsDone > len(ops[p.OpsDone].Steps)
	if !bad {
		return nil
	}
	have := fmt.Sprintf("%s has %d operations", p.Key, len(m.Operations))
	if p.OpsDone < len(ops) {
		have += fmt.Sprintf(" and operation %d has %d statements on this database", ops[p.OpsDone].Number, len(ops[p.OpsDone].Steps))
	}
	return fmt.Errorf("migrations: row %s of history table %s has ops_done = %d and statements_done = %d, but %s: "+
		"put back the counts pmanager wrote, or delete the row if nothing of the migration ran",
		p.Key, schema.HistoryTable, p.OpsDone, p.StatementsDone, have)
}

// changesData reports whether op may change rows, not only the schema: the
// live schema cannot tell whether such an operation ran.
func changesData(op operations.Operation) bool {
	switch op.(type) {
	case operations.RunSQL, operations.RunGo, operations.SeparateDatabaseAndState:
		return true
	}
	return false
}

// sameValue compares two values deeply, taking a nil slice or map to equal
// an empty one (Expected and Inspect differ in that only).
func sameValue(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !sameValue(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// rollbackPartial undoes what ran of p, newest first, keeping the history
// exact after each whole operation, then forgets p (or, for an unapply,
// records the migration as applied again). A statement in doubt is
// settled first, as for resume. An operation that ran in part is undone
// statement by statement where each undo statement's object can be looked
// up (only the ones still needed run); otherwise it is finished first and
// then undone whole, so rolling back always moves on.
func (e *Executor) rollbackPartial(ctx context.Context, p Partial, opts Options) error {
	m, err := e.partialMigration(ctx, p, nil)
	if err != nil {
		return err
	}
	before, err := e.stateBefore(ctx, p.Key)
	if err != nil {
		return err
	}
	ops, err := RenderSteps(m, e.ed, before, p.Backwards)
	if err != nil {
		return fmt.Errorf("migrations: roll back %s: %w", p.Key, err)
	}
	if err := checkPosition(p, m, ops); err != nil {
		return err
	}
	order := runOrder(m, p.Backwards)
	if !p.Backwards {
		last := p.OpsDone
		if p.StatementsDone > 0 || p.Started {
			last++
		}
		sub := &Migration{App: m.App, Name: m.Name, Operations: m.Operations[:min(last, len(m.Operations))]}
		if err := irreversible(sub); err != nil {
			return fmt.Errorf("migrations: cannot roll back %s: %w; run `%s --resume` to finish it instead", p.Key, err, commandOr(opts.Command))
		}
	}
	err = e.onConn(ctx, func(conn *sql.Conn) error {
		record := func(q schema.ExecQuerier, opsDone, statements int) error {
			return e.history.Progress(ctx, q, p.Key, opsDone, statements)
		}
		done, stmts := p.OpsDone, p.StatementsDone
		if p.Started && done < len(ops) {
			var err error
			if done, stmts, err = e.settleDoubt(ctx, conn, m, before, p, ops, opts, "--rollback-partial"); err != nil {
				return err
			}
		}
		if stmts > 0 {
			undone, err := e.undoPart(ctx, conn, m, before, p.Backwards, order[done])
			if err != nil {
				return err
			}
			if !undone {
				// Finish the operation, so it can be undone whole.
				if _, err := e.runTracked(ctx, conn, ops[:done+1], done, stmts, false, record, &p.Key); err != nil {
					return err
				}
				done++
			} else if err := record(conn, done, 0); err != nil {
				return err
			}
		}
		return e.undoWhole(ctx, conn, m, before, p, done)
	})
	if err != nil {
		var de *DoubtError
		if errors.As(err, &de) {
			return err
		}
		var xe *execError
		if errors.As(err, &xe) {
			return fmt.Errorf("migrations: rolling back %s failed at operation %d (%s): %w; the history still records what stays applied",
				p.Key, xe.op, xe.desc, xe.err)
		}
		return fmt.Errorf("migrations: rolling back %s: %w", p.Key, err)
	}
	return nil
}

// undoWhole undoes the first done operations of p (in its run order),
// newest first, recording each, then forgets p's attempt.
func (e *Executor) undoWhole(ctx context.Context, conn *sql.Conn, m *Migration, before *state.Project, p Partial, done int) error {
	n := len(m.Operations)
	sub := &Migration{App: m.App, Name: m.Name}
	undoBackwards := !p.Backwards
	from := before
	if undoBackwards {
		sub.Operations = m.Operations[:done]
	} else {
		// Operations n-done+1..n were unapplied: apply them again, from
		// the state the ones before them build.
		from = before.CloneShallow()
		if err := operations.Apply(m.App, m.Operations[:n-done], from); err != nil {
			return fmt.Errorf("replay %s: %w", p.Key, err)
		}
		sub.Operations = m.Operations[n-done:]
	}
	ops, err := RenderSteps(sub, e.ed, from, undoBackwards)
	if err != nil {
		return err
	}
	if !undoBackwards {
		for i := range ops {
			ops[i].Number += n - done
		}
	}
	record := func(q schema.ExecQuerier, opsDone, statements int) error {
		if statements > 0 {
			return nil // only whole operations count as undone
		}
		return e.history.Progress(ctx, q, p.Key, done-opsDone, 0)
	}
	if _, err := e.runTracked(ctx, conn, ops, 0, 0, false, record, nil); err != nil {
		return err
	}
	return e.history.Abandon(ctx, conn, p)
}

// onConn runs f on a connection of its own, prepared for a migration.
func (e *Executor) onConn(ctx context.Context, f func(*sql.Conn) error) (err error) {
	conn, done, err := e.connection(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := done(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if p, ok := e.ed.(schema.Preparer); ok {
		if err := p.Prepare(ctx, conn); err != nil {
			return &execError{desc: "preparing the connection", err: err}
		}
		defer func() {
			if rerr := p.Restore(context.WithoutCancel(ctx), conn); rerr != nil && err == nil {
				err = &execError{desc: "restoring the connection", err: rerr}
			}
		}()
	}
	return f(conn)
}

// executeTracked runs one migration outside a transaction: the history
// first notes that it starts, then records each statement's completion,
// and finally records the migration as applied (or forgets it).
func (e *Executor) executeTracked(ctx context.Context, conn *sql.Conn, s PlanStep, ops []OpSteps) error {
	k := s.Migration.Key()
	if err := e.history.Begin(ctx, conn, k, Checksum(s.Migration), s.Backwards); err != nil {
		return &execError{desc: "recording that it starts", err: err}
	}
	record := func(q schema.ExecQuerier, opsDone, statements int) error {
		return e.history.Progress(ctx, q, k, opsDone, statements)
	}
	completed, err := e.runTracked(ctx, conn, ops, 0, 0, true, record, &k)
	if err == nil {
		err = e.finishTracked(ctx, conn, s)
	}
	if err == nil {
		return nil
	}
	return e.trackedFailure(ctx, s, err, completed > 0)
}

// trackedFailure records why a migration running outside a transaction
// stopped, and marks the error partial when something of it stays. When
// nothing ran and nothing is in doubt, the history forgets the attempt. An
// interrupted run records no cause: the statement it stopped in may or may
// not have taken effect, which the history then says.
func (e *Executor) trackedFailure(ctx context.Context, s PlanStep, err error, ran bool) error {
	k := s.Migration.Key()
	bg := context.WithoutCancel(ctx)
	var xe *execError
	if !errors.As(err, &xe) {
		xe = &execError{err: err}
		err = xe
	}
	xe.partial = ran
	var rerr error
	switch {
	case ctx.Err() != nil || connectionLost(xe.err):
		// The statement in flight may have taken effect, and the
		// history may not be writable: it keeps what it recorded.
		xe.partial = true
	case !ran && !s.Backwards:
		rerr = e.history.Unrecord(bg, e.querier(), k)
	case !ran:
		rerr = e.history.Abandon(bg, e.querier(), Partial{Key: k, Backwards: true})
	default:
		rerr = e.history.Fail(bg, e.querier(), k, xe.err)
	}
	if rerr != nil {
		xe.err = errors.Join(xe.err, rerr)
	}
	return err
}

// finishTracked checks integrity (SQLite rebuilds) and records the
// migration's end, in one transaction so the record is whole.
func (e *Executor) finishTracked(ctx context.Context, conn *sql.Conn, s PlanStep) error {
	if ic, ok := e.ed.(schema.IntegrityChecker); ok {
		if err := ic.CheckIntegrity(ctx, conn); err != nil {
			return &execError{desc: "checking integrity", err: err}
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return &execError{desc: "recording it", err: err}
	}
	if err := e.history.Finish(ctx, tx, s.Migration.Key(), s.Migration.Replaces, s.Backwards); err != nil {
		return &execError{desc: "recording it", err: errors.Join(err, rollback(ctx, tx))}
	}
	if !s.Backwards {
		if err := e.recordReplaced(ctx, tx, s.Migration); err != nil {
			return &execError{desc: "recording it", err: errors.Join(err, rollback(ctx, tx))}
		}
	}
	if err := tx.Commit(); err != nil {
		return &execError{desc: "recording it", err: err}
	}
	return nil
}

// runTracked runs ops in order from statement skipStmts of operation
// skipOps (positions in ops), calling record after each statement with the
// position reached: whole operations done and statements of the next. It
// returns how many statements it completed. When noted is not nil, the
// history notes before each statement that it is about to run (see
// History.Start); noted is the migration's key.
//
// Each statement runs in a transaction of its own together with its
// record, so a killed run never repeats one, except the statements that
// cannot: on PostgreSQL and SQLite those a transaction refuses (see
// mustRunAlone), which run alone after their start is noted; on MySQL,
// DDL, which commits by itself, and so commits the start note with it
// before it runs. Either way the history then says exactly which statement
// may have taken effect, and recovery asks the database about its objects.
//
// When finishFollows, the caller records the migration's end right after,
// so on MySQL the position after a last statement that commits by itself
// is not recorded: the migration's end records it. That saves a commit per
// migration, a third of the history writes of a one-statement migration.
func (e *Executor) runTracked(ctx context.Context, conn *sql.Conn, ops []OpSteps, skipOps, skipStmts int, finishFollows bool,
	record func(q schema.ExecQuerier, opsDone, statements int) error, noted *Key) (int, error) {
	completed := 0
	for i := skipOps; i < len(ops); i++ {
		o := ops[i]
		first := 0
		if i == skipOps {
			first = min(skipStmts, len(o.Steps))
		}
		for j := first; j < len(o.Steps); j++ {
			done, next := i, j+1
			if next == len(o.Steps) {
				done, next = i+1, 0
			}
			st := o.Steps[j]
			rec := func(q schema.ExecQuerier) error { return record(q, done, next) }
			if finishFollows && done == len(ops) && !e.ed.AtomicDDL() && st.Go == nil && commitsOnItsOwn(st.SQL) {
				rec = nil
			}
			if err := e.runStatement(ctx, conn, o, st, rec, noted); err != nil {
				return completed, err
			}
			completed++
		}
		if len(o.Steps) == 0 && !(finishFollows && i+1 == len(ops)) {
			if err := record(conn, i+1, 0); err != nil {
				return completed, &execError{op: o.Number, desc: o.Operation.Describe(), err: err}
			}
		}
	}
	return completed, nil
}

// runStatement runs one step of o with its record (see runTracked): in a
// transaction together, unless the statement must run alone. A nil record
// runs the step without one; a nil noted notes nothing of its start.
func (e *Executor) runStatement(ctx context.Context, conn *sql.Conn, o OpSteps, st operations.Step, record func(schema.ExecQuerier) error, noted *Key) error {
	fail := func(stmt string, err error) error {
		return &execError{op: o.Number, desc: o.Operation.Describe(), stmt: stmt, err: err}
	}
	if st.Go == nil && e.ed.AtomicDDL() && mustRunAlone(e.ed.Dialect(), st.SQL) {
		if noted != nil {
			if err := e.history.Start(ctx, conn, *noted); err != nil {
				return fail("", err)
			}
		}
		e.announce(st.SQL)
		if err := schema.Exec(ctx, e.ed, conn, st.SQL); err != nil {
			return fail(st.SQL, err)
		}
		if record != nil {
			if err := record(conn); err != nil {
				return fail("", err)
			}
		}
		return nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fail("", err)
	}
	undo := func(err error) error { return errors.Join(err, rollback(ctx, tx)) }
	if noted != nil && !e.ed.AtomicDDL() {
		// Commits only if the statement commits by itself (MySQL DDL).
		if err := e.history.Start(ctx, tx, *noted); err != nil {
			return fail("", undo(err))
		}
	}
	stmt := st.SQL
	if st.Go != nil {
		stmt = "Go function " + st.Name
	}
	e.announce(stmt)
	if st.Go != nil {
		err = st.Go(ctx, tx)
	} else {
		err = schema.Exec(ctx, e.ed, tx, st.SQL)
	}
	if err != nil {
		err = undo(err)
		if noted != nil && !e.ed.AtomicDDL() && st.Go == nil && serverRefused(err) {
			bg := context.WithoutCancel(ctx)
			// The server refused the statement, and its DDL is atomic:
			// nothing of it stays, whatever its start note says. Unless
			// the run was interrupting it: a statement asked to stop may
			// have finished first, so the database is asked.
			if !(ctx.Err() != nil || interrupted(err)) || e.interruptedWithoutEffect(bg, conn, st.SQL) {
				if serr := e.history.Settle(bg, conn, *noted); serr != nil {
					err = errors.Join(err, serr)
				}
			}
		}
		return fail(stmt, err)
	}
	if record != nil {
		if err := record(tx); err != nil {
			return fail("", undo(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fail("", err)
	}
	return nil
}

// containsKey reports whether ks holds k.
func containsKey(ks []Key, k Key) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
