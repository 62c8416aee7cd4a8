package connect

import (
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
)

// cancelDeadline is how long a PostgreSQL connection whose context was
// cancelled waits for the server to answer the cancel request before it
// gives up the connection.
const cancelDeadline = 5 * time.Second

// openPostgres opens dsn so that cancelling a statement's context sends the
// server a cancel request, and the connection then reads the server's
// answer. pgx's default only puts a deadline on the socket: the client
// drops the connection while the server goes on with the statement, or
// keeps it queued for a lock, after the client has gone. A DSN pgx cannot
// parse returns nil, and the caller opens it the plain way, which reports
// the problem when it connects.
func openPostgres(dsn string) *sql.DB {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: cancelDeadline}
	}
	return stdlib.OpenDB(*cfg)
}
