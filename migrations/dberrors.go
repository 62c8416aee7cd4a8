package migrations

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// serverRefused reports whether err is the server's own answer to a
// statement (a syntax error, a duplicate, a constraint): the statement
// ended there, and where the server's DDL is atomic nothing of it stays.
// A lost connection or a cancelled context says nothing of the sort.
func serverRefused(err error) bool {
	if connectionLost(err) {
		return false
	}
	var me *mysql.MySQLError
	var pe *pgconn.PgError
	return errors.As(err, &me) || errors.As(err, &pe)
}

// interrupted reports whether err is a statement stopped on request
// (KILL QUERY, pg_cancel_backend, a statement timeout), not refused for
// what it asked: the server may have finished it just before.
func interrupted(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// 1317: query execution was interrupted; 3024: max_execution_time.
		return me.Number == 1317 || me.Number == 3024
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "57014" // query_canceled
}

// connectionLost reports whether err says the connection to the server
// broke (the server went away, the network failed, the session was
// killed), as opposed to the server refusing a statement.
func connectionLost(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: the server is
		// shutting down or terminated the session.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// 1927: connection was killed; 2006/2013: server gone away / lost.
		return me.Number == 1927 || me.Number == 2006 || me.Number == 2013
	}
	var ne net.Error
	return errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "unexpected EOF")
}
