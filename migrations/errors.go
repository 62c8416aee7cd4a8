package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Sentinels for the conditions callers test with errors.Is; each typed
// error below that stands for one matches it and carries the details.
var (
	// ErrIrreversible is what an *IrreversibleError matches.
	ErrIrreversible = errors.New("migrations: a migration to unapply has an irreversible operation")
	// ErrEdited is what an *EditedError matches.
	ErrEdited = errors.New("migrations: an applied migration was edited")
	// ErrInDoubt is what a *DoubtError matches.
	ErrInDoubt = errors.New("migrations: the outcome of an interrupted statement is unknown")
)

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

// Is makes errors.Is(err, ErrIrreversible) hold for an *IrreversibleError.
func (e *IrreversibleError) Is(target error) bool { return target == ErrIrreversible }

// MigrateError reports where a Migrate run stopped: the migration and
// operation that failed, what completed before it, and whether part of the
// failed migration stayed in the database.
type MigrateError struct {
	// Done are the steps that completed, and were recorded, before the failure.
	Done []Step
	// Failed is the step that did not complete; it is not recorded.
	Failed Step
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
}

// recoverAdvice is how the library words the two ways on from a migration
// left part-way; a command line words them with its flags.
const recoverAdvice = "set Options.Resume to run the rest once the cause is fixed, or Options.RollbackPartial to undo what ran"

// Error implements error.
func (e *MigrateError) Error() string { return e.Message(recoverAdvice) }

// Message is the error's message with ways, the ways on from a migration
// left part-way, in the caller's words (used only when Partial is true).
func (e *MigrateError) Message(ways string) string {
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
		fmt.Fprintf(&b, "; %s, so what ran before the failure stays in place, and the history records how far %s got: %s", why, key, ways)
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

// EditedError refuses a plan that builds on (or unapplies) applied
// migrations whose files changed since they ran: the database has what the
// old files said, so running on would compute SQL against a schema that is
// not there.
type EditedError struct {
	Migrations []Key
}

// Error implements error.
func (e *EditedError) Error() string {
	return e.Message("accept it with Options.AcceptEdited")
}

// Message is the error's message with accept, how to accept the edits, in
// the caller's words.
func (e *EditedError) Message(accept string) string {
	names := make([]string, len(e.Migrations))
	for i, k := range e.Migrations {
		names[i] = k.String()
	}
	return fmt.Sprintf("migrations: %s was edited after it was applied, and the migrations to run depend on it; the database has what it said then: "+
		"undo the edit and write a new migration for the change, or, if the database already matches the edited file, %s",
		strings.Join(names, ", "), accept)
}

// Is makes errors.Is(err, ErrEdited) hold for an *EditedError.
func (e *EditedError) Is(target error) bool { return target == ErrEdited }

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
func (e *PartialError) Error() string { return e.Message(recoverAdvice) }

// Message is the error's message with ways, the two ways on, in the
// caller's words.
func (e *PartialError) Message(ways string) string {
	return "migrations: " + strings.Join(e.Reports, "\n") + "\n" + ways
}

// Is makes errors.Is(err, ErrPartial) hold for a *PartialError.
func (e *PartialError) Is(target error) bool { return target == ErrPartial }

// ErrLocked is what a *LockError matches with errors.Is: another run held
// the database's migration lock for longer than this run would wait.
var ErrLocked = errors.New("migrations: the database is locked by another migrate run")

// LockError says who held the migration lock and how long this run waited.
type LockError struct {
	Holder schema.LockHolder
	Waited time.Duration
}

// Error implements error.
func (e *LockError) Error() string {
	return fmt.Sprintf("migrations: another migrate run holds the migration lock of this database (%s); gave up after waiting %s; "+
		"try again when it has finished, or wait longer with Options.LockTimeout", e.Holder, e.Waited.Round(time.Millisecond))
}

// Is makes errors.Is(err, ErrLocked) hold for a *LockError.
func (e *LockError) Is(target error) bool { return target == ErrLocked }

// DoubtError stops recovery at a statement whose outcome the database
// cannot show: it began (its start is noted in the history), the run ended
// before its end was recorded, and it is not one whose objects can be
// looked up (a RunGo step, or a RunSQL statement that is not plain DDL on
// a named object). Nothing was changed; the user's word settles it.
type DoubtError struct {
	Migration   Key
	Backwards   bool
	Operation   int
	Description string
	// Statement is the statement in doubt (or "Go function NAME").
	Statement string
	// Index and Count place it among its operation's statements (from 1).
	Index, Count int
	// Why says what is known of it.
	Why string
	// Rollback is true when the recovery asked for was rolling back
	// (Options.RollbackPartial) rather than resuming.
	Rollback bool
}

// Error implements error.
func (e *DoubtError) Error() string {
	way := "Options.Resume"
	if e.Rollback {
		way = "Options.RollbackPartial"
	}
	return e.Message(fmt.Sprintf("run again with %s and Options.AssumeDone %d if it took effect, or Options.AssumeNotDone %d if it did not", way, e.Operation, e.Operation))
}

// Message is the error's message with settle, how to give the user's word
// on the statement, in the caller's words.
func (e *DoubtError) Message(settle string) string {
	stmt := e.Statement
	if len(stmt) > 200 {
		stmt = stmt[:200] + "…"
	}
	stmt = strings.Join(strings.Fields(stmt), " ")
	return fmt.Sprintf("migrations: cannot tell whether statement %d of %d of operation %d (%s) of %s took effect: %s; the statement: %s. "+
		"Nothing was changed. Look at the database, then %s",
		e.Index, e.Count, e.Operation, e.Description, e.Migration, e.Why, stmt, settle)
}

// Is makes errors.Is(err, ErrInDoubt) hold for a *DoubtError.
func (e *DoubtError) Is(target error) bool { return target == ErrInDoubt }

// LockTimeoutError is the cause of a failure when a statement gave up
// waiting for a lock (--lock-timeout): it names the sessions that held
// it, as the server showed them while the statement waited.
type LockTimeoutError struct {
	Timeout  time.Duration
	Blockers []schema.Session
	Note     string
	// Retries is how many times the migration was tried again.
	Retries int
	Err     error
}

// Error implements error.
func (e *LockTimeoutError) Error() string {
	who := "the server did not say which session held it (the wait ended before it could be asked)"
	switch {
	case len(e.Blockers) == 0 && e.Note != "":
		who = e.Note
	case len(e.Blockers) > 0:
		who = "it is held by " + schema.Sessions(e.Blockers)
		if e.Note != "" {
			who += "; " + e.Note
		}
	}
	tries := ""
	if e.Retries > 0 {
		tries = fmt.Sprintf(" on each of %d attempts", e.Retries+1)
	}
	return fmt.Sprintf("gave up waiting for a lock after %s%s (%v); %s; "+
		"end that session or run migrate again once it is done, or wait longer with Options.LockTimeout or retry with Options.LockRetries",
		e.Timeout, tries, e.Err, who)
}

// Unwrap returns the database's error.
func (e *LockTimeoutError) Unwrap() error { return e.Err }

// InterruptedError is what an interrupted run returns: why it stopped,
// and what the server said when the run stopped its session's statement.
type InterruptedError struct {
	Err    error
	Server string
}

// Error implements error.
func (e *InterruptedError) Error() string { return e.Err.Error() + "; " + e.Server }

// Unwrap returns why the run stopped.
func (e *InterruptedError) Unwrap() error { return e.Err }

// RollbackError says that undoing what ran of a migration left part-way
// failed; resuming it is the other way on.
type RollbackError struct {
	Migration Key
	Err       error
}

// Error implements error.
func (e *RollbackError) Error() string { return e.Message("set Options.Resume to finish it instead") }

// Message is the error's message with resume, the way on, in the caller's words.
func (e *RollbackError) Message(resume string) string {
	return fmt.Sprintf("migrations: cannot roll back %s: %v; %s", e.Migration, e.Err, resume)
}

// Unwrap returns why the rollback failed.
func (e *RollbackError) Unwrap() error { return e.Err }

// HistoryTableError refuses a history table that is not pmanager's: a
// table of that name without the columns pmanager records in. Django's
// own django_migrations layout is recognised, to say how to move it aside.
type HistoryTableError struct {
	Table string
	// Missing are the columns it lacks.
	Missing []string
	// Django is true when it has the layout of Django's django_migrations.
	Django bool
}

// Error implements error.
func (e *HistoryTableError) Error() string {
	return e.Message("record the migrations already in the database as applied without running them (Options.Fake)")
}

// Message is the error's message with record, how to record what the
// database already has, in the caller's words.
func (e *HistoryTableError) Message(record string) string {
	if e.Django {
		return fmt.Sprintf("migrations: table %s has the layout of Django's django_migrations (app, name, applied), not pmanager's history (it lacks %s): "+
			"rename it (ALTER TABLE %s RENAME TO django_migrations_copy), then %s", e.Table, strings.Join(e.Missing, ", "), e.Table, record)
	}
	return fmt.Sprintf("migrations: table %s is not pmanager's history (it lacks the columns %s): rename it or drop it, then %s",
		e.Table, strings.Join(e.Missing, ", "), record)
}
