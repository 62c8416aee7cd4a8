package migrations

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
)

// onConn runs f on the run's connection, prepared for a migration.
func (rn *runner) onConn(ctx context.Context, f func(*sql.Conn) error) (err error) {
	conn := rn.conn
	if p, ok := rn.ed.(schema.Preparer); ok {
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
func (rn *runner) executeTracked(ctx context.Context, conn *sql.Conn, s Step, ops []OpStatements) error {
	k := s.Migration.Key()
	if err := rn.fence(); err != nil {
		return &execError{desc: "recording that it starts", err: err}
	}
	if err := rn.history.Begin(ctx, conn, k, Checksum(s.Migration), s.Backwards); err != nil {
		return &execError{desc: "recording that it starts", err: err}
	}
	record := func(q schema.ExecQuerier, opsDone, statements int) error {
		return rn.history.Progress(ctx, q, k, opsDone, statements)
	}
	completed, err := rn.runTracked(ctx, conn, ops, 0, 0, true, record, &k)
	if err == nil {
		err = rn.finishTracked(ctx, conn, s)
	}
	if err == nil {
		return nil
	}
	return rn.trackedFailure(ctx, s, err, completed > 0)
}

// trackedFailure records why a migration running outside a transaction
// stopped, and marks the error partial when something of it stays. When
// nothing ran and nothing is in doubt, the history forgets the attempt. An
// interrupted run records no cause: the statement it stopped in may or may
// not have taken effect, which the history then says.
func (rn *runner) trackedFailure(ctx context.Context, s Step, err error, ran bool) error {
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
	case errors.Is(xe.err, errLeaseLost):
		// A run that lost its lease writes nothing more: another run
		// may hold it now, and the history says where this one stopped.
	case ctx.Err() != nil || connectionLost(xe.err):
		// The statement in flight may have taken effect, and the
		// history may not be writable: it keeps what it recorded.
		xe.partial = true
	case !ran && !s.Backwards:
		rerr = rn.history.Unrecord(bg, rn.conn, k)
	case !ran:
		rerr = rn.history.Abandon(bg, rn.conn, Partial{Key: k, Backwards: true})
	default:
		rerr = rn.history.Fail(bg, rn.conn, k, xe.err)
	}
	if rerr != nil {
		xe.err = errors.Join(xe.err, rerr)
	}
	return err
}

// finishTracked checks integrity (SQLite rebuilds) and records the
// migration's end, in one transaction so the record is whole.
func (rn *runner) finishTracked(ctx context.Context, conn *sql.Conn, s Step) error {
	if ic, ok := rn.ed.(schema.IntegrityChecker); ok {
		if err := ic.CheckIntegrity(ctx, conn); err != nil {
			return &execError{desc: "checking integrity", err: err}
		}
	}
	if err := rn.fence(); err != nil {
		return &execError{desc: "recording it", err: err}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return &execError{desc: "recording it", err: err}
	}
	if err := rn.history.Finish(ctx, tx, s.Migration.Key(), s.Migration.Replaces, s.Backwards); err != nil {
		return &execError{desc: "recording it", err: errors.Join(err, rollback(ctx, tx))}
	}
	if !s.Backwards {
		if err := rn.recordReplaced(ctx, tx, s.Migration); err != nil {
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
func (rn *runner) runTracked(ctx context.Context, conn *sql.Conn, ops []OpStatements, skipOps, skipStmts int, finishFollows bool,
	record func(q schema.ExecQuerier, opsDone, statements int) error, noted *Key) (int, error) {
	completed := 0
	for i := skipOps; i < len(ops); i++ {
		o := ops[i]
		first := 0
		if i == skipOps {
			first = min(skipStmts, len(o.Statements))
		}
		for j := first; j < len(o.Statements); j++ {
			done, next := i, j+1
			if next == len(o.Statements) {
				done, next = i+1, 0
			}
			st := o.Statements[j]
			rec := func(q schema.ExecQuerier) error { return record(q, done, next) }
			if finishFollows && done == len(ops) && !rn.ed.AtomicDDL() && st.Go == nil && commitsOnItsOwn(st.SQL) {
				rec = nil
			}
			if err := rn.runStatement(ctx, conn, o, st, rec, noted); err != nil {
				return completed, err
			}
			completed++
		}
		if len(o.Statements) == 0 && !(finishFollows && i+1 == len(ops)) {
			err := rn.fence()
			if err == nil {
				err = record(conn, i+1, 0)
			}
			if err != nil {
				return completed, &execError{op: o.Number, desc: o.Operation.Describe(), err: err}
			}
		}
	}
	return completed, nil
}

// runStatement runs one step of o with its record (see runTracked): in a
// transaction together, unless the statement must run alone. A nil record
// runs the step without one; a nil noted notes nothing of its start.
func (rn *runner) runStatement(ctx context.Context, conn *sql.Conn, o OpStatements, st operations.Statement, record func(schema.ExecQuerier) error, noted *Key) error {
	fail := func(stmt string, err error) error {
		return &execError{op: o.Number, desc: o.Operation.Describe(), stmt: stmt, err: err}
	}
	if err := rn.fence(); err != nil {
		return fail("", err)
	}
	if st.Go == nil && rn.ed.AtomicDDL() && mustRunAlone(rn.ed.Dialect(), st.SQL) {
		if noted != nil {
			if err := rn.history.Start(ctx, conn, *noted); err != nil {
				return fail("", err)
			}
		}
		rn.announce(st.SQL)
		if err := schema.Exec(ctx, rn.ed, conn, st.SQL); err != nil {
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
	if noted != nil && !rn.ed.AtomicDDL() {
		// Commits only if the statement commits by itself (MySQL DDL).
		if err := rn.history.Start(ctx, tx, *noted); err != nil {
			return fail("", undo(err))
		}
	}
	stmt := st.SQL
	if st.Go != nil {
		stmt = "Go function " + st.Name
	}
	rn.announce(stmt)
	if st.Go != nil {
		err = st.Go(ctx, tx)
	} else {
		err = schema.Exec(ctx, rn.ed, tx, st.SQL)
	}
	if err != nil {
		err = undo(err)
		if noted != nil && !rn.ed.AtomicDDL() && st.Go == nil && serverRefused(err) {
			bg := context.WithoutCancel(ctx)
			// The server refused the statement, and its DDL is atomic:
			// nothing of it stays, whatever its start note says. Unless
			// the run was interrupting it: a statement asked to stop may
			// have finished first, so the database is asked.
			if !(ctx.Err() != nil || interrupted(err)) || rn.interruptedWithoutEffect(bg, conn, st.SQL) {
				if serr := rn.history.Settle(bg, conn, *noted); serr != nil {
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
	// A statement that ran inside the transaction (data, a Go function)
	// is undone rather than committed when the run lost its lease while
	// it ran; DDL has committed by itself already on MySQL.
	if err := rn.fence(); err != nil {
		return fail(stmt, undo(err))
	}
	if err := tx.Commit(); err != nil {
		return fail("", err)
	}
	return nil
}
