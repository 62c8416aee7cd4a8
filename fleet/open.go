package fleet

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
)

// open opens the target with a pool of one connection: every statement of
// a target's run goes through the connection that holds its migration
// lock, so a run of Parallel targets holds at most Parallel connections.
// A Galera node is the exception: the run renews its lease on a second
// connection, so a target there gets two. An interrupted run opens one
// more, only then, to stop its statement on the server (see spare).
func (t Target) open(ctx context.Context) (*sql.DB, schema.Editor, error) {
	if t.conn == nil {
		return nil, nil, errNoConn
	}
	db, ed, err := t.conn.Open()
	if err != nil {
		return nil, nil, dsn.ScrubError(fmt.Errorf("fleet: open %s: %w", t.Redacted, err), t.url)
	}
	db.SetMaxOpenConns(1)
	if t.conn.Dialect == schema.MySQL {
		var name, value string
		err := db.QueryRowContext(ctx, "SHOW VARIABLES LIKE 'wsrep_on'").Scan(&name, &value)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			db.Close()
			return nil, nil, dsn.ScrubError(fmt.Errorf("fleet: connect to %s: %w", t.Redacted, err), t.url)
		case strings.EqualFold(value, "ON"):
			db.SetMaxOpenConns(2)
		}
	}
	return db, ed, nil
}

// spare opens a new pool to the target, for the one short-lived
// connection through which an interrupted run stops its statement on the
// server: the run's own pool has no second connection, and holding one
// for every target would double the connections a run holds.
func (t Target) spare() (*sql.DB, error) {
	db, _, err := t.conn.Open()
	if err != nil {
		return nil, dsn.ScrubError(fmt.Errorf("fleet: open %s: %w", t.Redacted, err), t.url)
	}
	return db, nil
}
