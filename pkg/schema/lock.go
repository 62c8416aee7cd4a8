package schema

import (
	"context"
	"database/sql"
	"time"
)

// LockHolder describes the session that holds the migration lock, so a
// waiting run can say whom it waits for.
type LockHolder struct {
	// Since is when the holder took the lock; zero when the database does
	// not say.
	Since time.Time
	// Who names the holder as the database knows it (a backend pid, a
	// connection id, a process id).
	Who string
}

// String renders the holder for messages: "held since <time> by <who>".
func (h LockHolder) String() string {
	s := "held"
	if !h.Since.IsZero() {
		s += " since " + h.Since.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	if h.Who != "" {
		s += " by " + h.Who
	}
	return s
}

// Locker is implemented by editors that can take pmanager's database-wide
// migration lock, so two migrate runs never work on one database at once.
// TryLock makes one attempt, without waiting, on conn: the connection the
// whole run then uses, so the server holds the lock for as long as any
// statement of the run is still executing, even after the process died. It
// returns a release function when the lock was taken, or the current
// holder when another session has it. The lock belongs to the database
// conn is on and is named after name (the history table). Release does not
// close conn.
type Locker interface {
	TryLock(ctx context.Context, conn *sql.Conn, name string) (release func() error, holder *LockHolder, err error)
}

// LockReader is implemented by editors that can tell, without taking the
// migration lock, which session holds it, so a command that only reads
// (showmigrations) can say that a run is in progress rather than take its
// work in flight for a run that died.
type LockReader interface {
	// LockHolder returns the holder of the lock named after name for the
	// database conn is on, or nil when nobody holds it.
	LockHolder(ctx context.Context, conn *sql.Conn, name string) (*LockHolder, error)
}
