package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
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
		"try again when it has finished, or wait longer with --lock-timeout", e.Holder, e.Waited.Round(time.Millisecond))
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
	// Flag is the recovery the user asked for (--resume or --rollback-partial).
	Flag    string
	Command string
}

// Error implements error.
func (e *DoubtError) Error() string {
	cmd := commandOr(e.Command) + " " + e.Flag
	stmt := e.Statement
	if len(stmt) > 200 {
		stmt = stmt[:200] + "…"
	}
	stmt = strings.Join(strings.Fields(stmt), " ")
	return fmt.Sprintf("migrations: cannot tell whether statement %d of %d of operation %d (%s) of %s took effect: %s; the statement: %s. "+
		"Nothing was changed. Look at the database, then run `%s --assume-done %d` if it took effect, or `%s --assume-not-done %d` if it did not",
		e.Index, e.Count, e.Operation, e.Description, e.Migration, e.Why, stmt, cmd, e.Operation, cmd, e.Operation)
}

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
		"end that session or run migrate again once it is done, or wait longer with --lock-timeout or retry with --lock-retries",
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
