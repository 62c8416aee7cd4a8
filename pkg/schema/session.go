package schema

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Session is what the server says about one of its sessions (a PostgreSQL
// backend, a MySQL connection), so pmanager can tell the user whom a
// migration waits for and whether a cancelled statement really stopped.
type Session struct {
	// ID is the server's id of the session: a backend pid, a connection id.
	ID int64
	// Gone is true when the server no longer has the session.
	Gone bool
	// User is the role or account the session is logged in as.
	User string
	// State is the server's word for what the session does ("active",
	// "idle in transaction"; MySQL's command and state).
	State string
	// Running is true while a statement executes, or waits, in the session.
	Running bool
	// WaitingForLock is true while that statement waits for a lock.
	WaitingForLock bool
	// Since is when its current (or last) statement started, or, for a
	// session in a transaction, when the transaction started; zero when the
	// server does not say.
	Since time.Time
	// Query is the current or last statement's text, as the server shows it.
	Query string
}

// String names the session for messages: id, user, state, since when and
// its statement, shortened.
func (s Session) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "session %d", s.ID)
	if s.Gone {
		b.WriteString(" (gone)")
		return b.String()
	}
	var parts []string
	if s.User != "" {
		parts = append(parts, "user "+s.User)
	}
	if s.State != "" {
		parts = append(parts, s.State)
	}
	if !s.Since.IsZero() {
		parts = append(parts, "since "+s.Since.UTC().Format("15:04:05 UTC"))
	}
	if q := Shorten(s.Query, 60); q != "" {
		parts = append(parts, "statement: "+q)
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	return b.String()
}

// Sessions joins sessions for a message.
func Sessions(ss []Session) string {
	if len(ss) == 0 {
		return "no session the server would name"
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return strings.Join(out, "; ")
}

// Shorten puts q on one line, with runs of white space made one space, and
// cuts it to at most n characters, marking the cut with "…".
func Shorten(q string, n int) string {
	q = strings.Join(strings.Fields(q), " ")
	if utf8.RuneCountInString(q) <= n {
		return q
	}
	r := []rune(q)
	return string(r[:n-1]) + "…"
}

// SessionController is implemented by editors of servers that run each
// connection's statements in a session of their own, which another
// connection can inspect and stop. The executor uses it so that an
// interrupted run stops its statement on the server before it exits (a
// client that only closes its socket leaves the server running or queued),
// and so that a statement waiting for a table lock waits a bounded time
// and names whom it waits for.
type SessionController interface {
	// SessionID returns the server's id of conn's session.
	SessionID(ctx context.Context, conn *sql.Conn) (int64, error)
	// Session reports, through db (another connection), what session id
	// does now; Gone when it has ended.
	Session(ctx context.Context, db *sql.DB, id int64) (Session, error)
	// CancelStatement asks the server, through db, to stop the statement
	// session id runs; the session stays, its transaction rolled back
	// where the statement ran in one that cannot go on.
	CancelStatement(ctx context.Context, db *sql.DB, id int64) error
	// EndSession ends session id through db: its transaction rolls back
	// and every lock it holds is released.
	EndSession(ctx context.Context, db *sql.DB, id int64) error
	// Blockers returns the sessions that hold what session id waits for;
	// nil when it waits for no lock. note, when not empty, says how sure
	// the answer is (a fallback when the server cannot say exactly).
	Blockers(ctx context.Context, db *sql.DB, id int64) (blockers []Session, note string, err error)
	LockWaitLimiter
}

// LockWaitLimiter is implemented by editors whose database can bound how
// long a statement waits for a lock, so that no migration waits without
// end, or without a word, behind another session's transaction.
type LockWaitLimiter interface {
	// LimitLockWaits bounds how long each statement on conn waits for a
	// lock (a table's, a row's, the database file's) before the database
	// gives up with an error IsLockTimeout recognises. The returned
	// function puts the previous bound back.
	LimitLockWaits(ctx context.Context, conn *sql.Conn, d time.Duration) (restore func(context.Context) error, err error)
	// IsLockTimeout reports whether err is the database giving up a wait
	// for a lock.
	IsLockTimeout(err error) bool
}
