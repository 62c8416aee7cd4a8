package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pmanager/pmanager/pkg/schema"
)

var _ schema.SessionController = (*Editor)(nil)

// lockNotAvailable is SQLSTATE 55P03, what a statement fails with when
// lock_timeout passes while it waits for a lock.
const lockNotAvailable = "55P03"

// SessionID returns conn's backend pid.
func (*Editor) SessionID(ctx context.Context, conn *sql.Conn) (int64, error) {
	var pid int64
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return 0, fmt.Errorf("postgres: read the session's server process id: %w", err)
	}
	return pid, nil
}

// activityColumns are the pg_stat_activity columns scanActivity reads.
const activityColumns = `a.pid, coalesce(a.usename, ''), coalesce(a.state, ''), coalesce(a.wait_event_type, ''),
a.query_start, a.xact_start, coalesce(a.query, '')`

// scanActivity reads one row of activityColumns.
func scanActivity(rows interface{ Scan(...any) error }) (schema.Session, error) {
	var s schema.Session
	var wait string
	var queryStart, xactStart sql.NullTime
	if err := rows.Scan(&s.ID, &s.User, &s.State, &wait, &queryStart, &xactStart, &s.Query); err != nil {
		return s, err
	}
	s.Running = s.State == "active"
	s.WaitingForLock = s.Running && wait == "Lock"
	switch {
	case s.State == "idle in transaction" || s.State == "idle in transaction (aborted)":
		if xactStart.Valid {
			s.Since = xactStart.Time
		}
	case queryStart.Valid:
		s.Since = queryStart.Time
	}
	return s, nil
}

// Session reads pg_stat_activity's row of backend id.
func (*Editor) Session(ctx context.Context, db *sql.DB, id int64) (schema.Session, error) {
	row := db.QueryRowContext(ctx, "SELECT "+activityColumns+" FROM pg_stat_activity a WHERE a.pid = $1", id)
	s, err := scanActivity(row)
	if errors.Is(err, sql.ErrNoRows) {
		return schema.Session{ID: id, Gone: true}, nil
	}
	if err != nil {
		return s, fmt.Errorf("postgres: look up server process %d: %w", id, err)
	}
	return s, nil
}

// CancelStatement sends backend id a cancel (pg_cancel_backend): the
// statement it runs, or waits in, fails and its transaction aborts.
func (*Editor) CancelStatement(ctx context.Context, db *sql.DB, id int64) error {
	var ok bool
	if err := db.QueryRowContext(ctx, "SELECT pg_cancel_backend($1)", id).Scan(&ok); err != nil {
		return fmt.Errorf("postgres: cancel the statement of server process %d: %w", id, err)
	}
	return nil
}

// EndSession ends backend id (pg_terminate_backend): its transaction rolls
// back and its locks, advisory ones included, are released.
func (*Editor) EndSession(ctx context.Context, db *sql.DB, id int64) error {
	var ok bool
	if err := db.QueryRowContext(ctx, "SELECT pg_terminate_backend($1)", id).Scan(&ok); err != nil {
		return fmt.Errorf("postgres: end server process %d: %w", id, err)
	}
	return nil
}

// Blockers returns the backends pg_blocking_pids says backend id waits
// for, with what pg_stat_activity shows of them.
func (*Editor) Blockers(ctx context.Context, db *sql.DB, id int64) ([]schema.Session, string, error) {
	rows, err := db.QueryContext(ctx, "SELECT "+activityColumns+
		" FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids($1::int)) ORDER BY a.pid", id)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: look up what server process %d waits for: %w", id, err)
	}
	defer rows.Close()
	var out []schema.Session
	for rows.Next() {
		s, err := scanActivity(rows)
		if err != nil {
			return nil, "", fmt.Errorf("postgres: look up what server process %d waits for: %w", id, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("postgres: look up what server process %d waits for: %w", id, err)
	}
	return out, "", nil
}

// LimitLockWaits sets lock_timeout for conn's session, in milliseconds
// (at least one: zero would mean no bound at all).
func (*Editor) LimitLockWaits(ctx context.Context, conn *sql.Conn, d time.Duration) (func(context.Context) error, error) {
	var prev string
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('lock_timeout')").Scan(&prev); err != nil {
		return nil, fmt.Errorf("postgres: read lock_timeout: %w", err)
	}
	ms := max(1, (d+time.Millisecond-1)/time.Millisecond)
	if _, err := conn.ExecContext(ctx, "SELECT set_config('lock_timeout', $1, false)", fmt.Sprintf("%dms", ms)); err != nil {
		return nil, fmt.Errorf("postgres: set lock_timeout: %w", err)
	}
	return func(ctx context.Context) error {
		if _, err := conn.ExecContext(ctx, "SELECT set_config('lock_timeout', $1, false)", prev); err != nil {
			return fmt.Errorf("postgres: restore lock_timeout: %w", err)
		}
		return nil
	}, nil
}

// IsLockTimeout reports whether err is lock_timeout passing (55P03).
func (*Editor) IsLockTimeout(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == lockNotAvailable
}
