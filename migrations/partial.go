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
}

// Error implements error.
func (e *PartialError) Error() string {
	return "migrations: " + strings.Join(e.Reports, "\n") +
		"\nrun `pmanager migrate --resume` to run the rest once the cause is fixed, or `pmanager migrate --rollback-partial` to undo what ran"
}

// Is makes errors.Is(err, ErrPartial) hold for a *PartialError.
func (e *PartialError) Is(target error) bool { return target == ErrPartial }

// recoverPartials refuses to go on while a migration is part-way, or, as
// opts ask, finishes (Resume) or undoes (RollbackPartial) each one.
func (e *Executor) recoverPartials(ctx context.Context, opts Options) error {
	partials, err := e.history.Partials(ctx)
	if err != nil || len(partials) == 0 {
		return err
	}
	switch {
	case opts.Resume && opts.RollbackPartial:
		return errors.New("migrations: --resume and --rollback-partial are two different ways on; choose one")
	case !opts.Resume && !opts.RollbackPartial:
		pe := &PartialError{Partials: partials}
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
			err = e.rollbackPartial(ctx, p)
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
	if p.Error != "" {
		fmt.Fprintf(&b, "; %s failed: %s", stopped, p.Error)
	} else {
		fmt.Fprintf(&b, "; the run stopped in %s without recording why (it was killed or lost its connection), so that operation may have run in part", stopped)
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
// record as done, and records the migration as applied (or unapplied).
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
	err = e.onConn(ctx, func(conn *sql.Conn) error {
		record := func(q schema.ExecQuerier, opsDone, statements int) error {
			return e.history.Progress(ctx, q, p.Key, opsDone, statements)
		}
		from, stmts := p.OpsDone, p.StatementsDone
		completed, err := e.runTracked(ctx, conn, ops, from, stmts, true, record)
		if err != nil && completed == 0 && p.Error == "" && ctx.Err() == nil && e.tookEffect(ctx, conn, m, before, p, ops) {
			// The run was killed after the statement in doubt took effect
			// and before its record: record it and go on after it.
			if rerr := record(conn, from+1, 0); rerr != nil {
				return rerr
			}
			_, err = e.runTracked(ctx, conn, ops, from+1, 0, true, record)
		}
		if err != nil {
			return err
		}
		return e.finishTracked(ctx, conn, s)
	})
	if err != nil {
		err = e.trackedFailure(ctx, s, err, true)
		var xe *execError
		if errors.As(err, &xe) {
			return &MigrateError{Failed: s, Operation: xe.op, Description: xe.desc, Statement: xe.stmt,
				Partial: true, NonAtomic: !e.ed.AtomicDDL(), Err: xe.err}
		}
		return err
	}
	return nil
}

// tookEffect decides whether the statement in doubt after a killed run
// (the first one the history does not record) had taken effect: when it is
// the last statement of its operation and that operation changes only the
// schema, the live schema shows it, if it is exactly the schema that the
// state after the operation implies.
func (e *Executor) tookEffect(ctx context.Context, q schema.ExecQuerier, m *Migration, before *state.Project, p Partial, ops []OpSteps) bool {
	if p.OpsDone >= len(ops) || p.StatementsDone != len(ops[p.OpsDone].Steps)-1 {
		return false
	}
	if changesData(ops[p.OpsDone].Operation) {
		return false
	}
	upTo := p.OpsDone + 1
	if p.Backwards {
		upTo = len(m.Operations) - p.OpsDone - 1
	}
	after := before.CloneShallow()
	if err := operations.Apply(m.App, m.Operations[:upTo], after); err != nil {
		return false
	}
	want, err := e.ed.Expected(after)
	if err != nil {
		return false
	}
	tables, err := e.ed.Inspect(ctx, q)
	if err != nil {
		return false
	}
	var have []schema.Table
	for _, t := range tables {
		if t.Name != schema.HistoryTable {
			have = append(have, t)
		}
	}
	return sameValue(reflect.ValueOf(want), reflect.ValueOf(have))
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

// rollbackPartial undoes the operations of p that the history records as
// done, newest first, keeping the history exact after each one, then
// forgets p (or, for an unapply, records the migration as applied again).
func (e *Executor) rollbackPartial(ctx context.Context, p Partial) error {
	m, err := e.partialMigration(ctx, p, nil)
	if err != nil {
		return err
	}
	if p.StatementsDone > 0 || (p.Error == "" && p.OpsDone < len(m.Operations)) {
		i := runOrder(m, p.Backwards)[min(p.OpsDone, len(m.Operations)-1)]
		return fmt.Errorf("migrations: cannot roll back %s: operation %d (%s) may have run in part, and only whole operations can be undone; "+
			"run `pmanager migrate --resume` to finish it instead", p.Key, i+1, m.Operations[i].Describe())
	}
	before, err := e.stateBefore(ctx, p.Key)
	if err != nil {
		return err
	}
	n := len(m.Operations)
	sub := &Migration{App: m.App, Name: m.Name}
	undoBackwards := !p.Backwards
	if undoBackwards {
		sub.Operations = m.Operations[:p.OpsDone]
		if err := irreversible(sub); err != nil {
			return fmt.Errorf("migrations: cannot roll back %s: %w", p.Key, err)
		}
	} else {
		// Operations n-OpsDone+1..n were unapplied: apply them again, from
		// the state the ones before them build.
		if err := operations.Apply(m.App, m.Operations[:n-p.OpsDone], before); err != nil {
			return fmt.Errorf("migrations: replay %s: %w", p.Key, err)
		}
		sub.Operations = m.Operations[n-p.OpsDone:]
	}
	ops, err := RenderSteps(sub, e.ed, before, undoBackwards)
	if err != nil {
		return fmt.Errorf("migrations: roll back %s: %w", p.Key, err)
	}
	if !undoBackwards {
		for i := range ops {
			ops[i].Number += n - p.OpsDone
		}
	}
	err = e.onConn(ctx, func(conn *sql.Conn) error {
		record := func(q schema.ExecQuerier, opsDone, statements int) error {
			if statements > 0 {
				return nil // only whole operations count as undone
			}
			return e.history.Progress(ctx, q, p.Key, p.OpsDone-opsDone, 0)
		}
		if _, err := e.runTracked(ctx, conn, ops, 0, 0, false, record); err != nil {
			return err
		}
		return e.history.Abandon(ctx, conn, p)
	})
	if err != nil {
		var xe *execError
		if errors.As(err, &xe) {
			return fmt.Errorf("migrations: rolling back %s failed at operation %d (%s): %w; the history still records what stays applied",
				p.Key, xe.op, xe.desc, xe.err)
		}
		return fmt.Errorf("migrations: rolling back %s: %w", p.Key, err)
	}
	return nil
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
	completed, err := e.runTracked(ctx, conn, ops, 0, 0, true, record)
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
	case ctx.Err() != nil:
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
// returns how many statements it completed.
//
// When finishFollows, the caller records the migration's end right after,
// so the position after the last statement is not recorded when that
// statement only changes the schema: a run killed between the two leaves
// it in doubt, and --resume reads the live schema to settle it (see
// tookEffect). On MySQL that saves a commit per migration, a third of the
// history writes of a one-statement migration.
//
// Where DDL commits itself (MySQL), each statement runs in a transaction
// with its record: a data change (RunSQL, RunGo) and the note that it ran
// commit together, so a killed run never repeats one; DDL commits on its
// own, and only the instant between it and its record is left in doubt.
// Elsewhere (a NonAtomic migration) statements run as they are, since
// some, like CREATE INDEX CONCURRENTLY, refuse a transaction.
func (e *Executor) runTracked(ctx context.Context, conn *sql.Conn, ops []OpSteps, skipOps, skipStmts int, finishFollows bool, record func(q schema.ExecQuerier, opsDone, statements int) error) (int, error) {
	completed := 0
	for i := skipOps; i < len(ops); i++ {
		o := ops[i]
		start := 0
		if i == skipOps {
			start = min(skipStmts, len(o.Steps))
		}
		for j := start; j < len(o.Steps); j++ {
			done, next := i, j+1
			if next == len(o.Steps) {
				done, next = i+1, 0
			}
			rec := func(q schema.ExecQuerier) error { return record(q, done, next) }
			if finishFollows && done == len(ops) && !changesData(o.Operation) {
				rec = nil
			}
			if err := e.runStatement(ctx, conn, o, o.Steps[j], rec); err != nil {
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

// runStatement runs one step of o and its record, together in a
// transaction where DDL commits itself (see runTracked). A nil record runs
// the step alone.
func (e *Executor) runStatement(ctx context.Context, conn *sql.Conn, o OpSteps, st operations.Step, record func(schema.ExecQuerier) error) error {
	var q schema.ExecQuerier = conn
	var tx *sql.Tx
	if !e.ed.AtomicDDL() && record != nil {
		var err error
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return &execError{op: o.Number, desc: o.Operation.Describe(), err: err}
		}
		q = tx
	}
	undo := func(err error) error {
		if tx != nil {
			return errors.Join(err, rollback(ctx, tx))
		}
		return err
	}
	stmt := st.SQL
	var err error
	if st.Go != nil {
		stmt = "Go function " + st.Name
		err = st.Go(ctx, q)
	} else {
		err = schema.Exec(ctx, e.ed, q, st.SQL)
	}
	if err != nil {
		return &execError{op: o.Number, desc: o.Operation.Describe(), stmt: stmt, err: undo(err)}
	}
	if record != nil {
		if err := record(q); err != nil {
			return &execError{op: o.Number, desc: o.Operation.Describe(), err: undo(err)}
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return &execError{op: o.Number, desc: o.Operation.Describe(), err: err}
		}
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
