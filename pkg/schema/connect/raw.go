package connect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// CopyFrom runs a PostgreSQL COPY ... FROM STDIN on conn, sending data
// through the copy protocol (what psql does with the rows that follow the
// statement in a script), and returns the number of rows copied. Sent as
// a plain statement instead, COPY would wait for data that never comes.
func CopyFrom(ctx context.Context, conn *sql.Conn, stmt string, data io.Reader) (int64, error) {
	var rows int64
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("connect: COPY FROM STDIN needs a PostgreSQL connection, not %T", dc)
		}
		tag, err := c.Conn().PgConn().CopyFrom(ctx, data, stmt)
		if err != nil {
			return copyError(err)
		}
		rows = tag.RowsAffected()
		return nil
	})
	return rows, err
}

// CopyLineError is a COPY that failed on one of its data lines.
type CopyLineError struct {
	// Line is the data line the server names, from 1.
	Line int
	Err  error
}

func (e *CopyLineError) Error() string { return e.Err.Error() }

// Unwrap returns the server's error.
func (e *CopyLineError) Unwrap() error { return e.Err }

// copyLine finds the data line in the context of a COPY error ("COPY t,
// line 3, column n: ...").
var copyLine = regexp.MustCompile(`^COPY [^,]+, line (\d+)`)

// copyError adds the data line the server's error points at.
func copyError(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		if m := copyLine.FindStringSubmatch(pg.Where); m != nil {
			if n, cerr := strconv.Atoi(m[1]); cerr == nil {
				return &CopyLineError{Line: n, Err: err}
			}
		}
	}
	return err
}

// InTransaction asks a PostgreSQL server whether conn's session is inside
// a transaction block (open or failed), from the status the server sends
// after every statement.
func InTransaction(conn *sql.Conn) (bool, error) {
	var in bool
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("connect: transaction status needs a PostgreSQL connection, not %T", dc)
		}
		in = c.Conn().PgConn().TxStatus() != 'I'
		return nil
	})
	return in, err
}
