package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

var _ schema.LockWaitLimiter = (*Editor)(nil)

// Result codes of a lock SQLite could not get (the low byte of extended
// codes): another connection writes the database file, or a table of a
// shared cache is locked.
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// LimitLockWaits sets conn's busy_timeout: how long a statement waits for
// another connection's write transaction on the database file to end, in
// milliseconds (at least one).
func (*Editor) LimitLockWaits(ctx context.Context, conn *sql.Conn, d time.Duration) (func(context.Context) error, error) {
	var prev int64
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&prev); err != nil {
		return nil, fmt.Errorf("sqlite: read busy_timeout: %w", err)
	}
	ms := max(1, int64((d+time.Millisecond-1)/time.Millisecond))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", ms)); err != nil {
		return nil, fmt.Errorf("sqlite: set busy_timeout: %w", err)
	}
	return func(ctx context.Context) error {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", prev)); err != nil {
			return fmt.Errorf("sqlite: restore busy_timeout: %w", err)
		}
		return nil
	}, nil
}

// IsLockTimeout reports whether err is SQLite giving up on a lock
// (SQLITE_BUSY or SQLITE_LOCKED, extended codes included).
func (*Editor) IsLockTimeout(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	c := coded.Code() & 0xff
	return c == sqliteBusy || c == sqliteLocked
}
