package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Running is a migrate run that holds a database's migration lock (or, on
// a Galera cluster, its lease) while another command looks at the
// database: what that run has recorded part-way is work in flight, not
// the leftovers of a run that died.
type Running struct {
	// Holder names the run: on Galera its run id, process, host and node;
	// elsewhere the database session that holds the lock.
	Holder schema.LockHolder
	// Lease is the length of a Galera lease (0 elsewhere); Renewed is how
	// long ago the holder last renewed it, by the clock of the server
	// asked (holder and reader may run on different machines).
	Lease, Renewed time.Duration
	// Expired says a Galera lease was not renewed for longer than its
	// length: its run has most likely died, and the next migrate takes the
	// lease over once it has watched it stand still for that long.
	Expired bool
}

// RunInProgress asks the database db whether a migrate run holds its
// migration lock now, without taking it: nil when none does, or when the
// dialect cannot tell without taking it (SQLite).
func RunInProgress(ctx context.Context, db *sql.DB, ed schema.Editor) (*Running, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: get a connection: %w", err)
	}
	defer conn.Close()
	galera, err := galeraNode(ctx, conn, ed)
	if err != nil {
		return nil, err
	}
	if galera {
		return leaseHolder(ctx, conn, ed)
	}
	reader, ok := ed.(schema.LockReader)
	if !ok {
		return nil, nil
	}
	h, err := reader.LockHolder(ctx, conn, schema.HistoryTable)
	if err != nil || h == nil {
		return nil, err
	}
	return &Running{Holder: *h}, nil
}

// leaseHolder reads the Galera lease row on conn: nil when the lease is
// free or was never taken.
func leaseHolder(ctx context.Context, conn *sql.Conn, ed schema.Editor) (*Running, error) {
	q := ed.Quote
	var r holderRow
	var ageMicros sql.NullInt64
	err := conn.QueryRowContext(ctx, "SELECT "+q("run_id")+", "+q("owner")+", "+q("node")+", "+q("beat")+", "+q("lease_ms")+", "+q("since")+", "+
		"TIMESTAMPDIFF(MICROSECOND, "+q("heartbeat")+", NOW(6)) FROM "+q(LockTable)+" WHERE "+q("name")+" = ?", leaseRow).
		Scan(&r.runID, &r.owner, &r.node, &r.beat, &r.leaseMS, &r.since, &ageMicros)
	var me *mysql.MySQLError
	switch {
	case errors.Is(err, sql.ErrNoRows), errors.As(err, &me) && me.Number == 1146: // no lease row, or no lease table yet
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("migrations: read the migration lease: %w", err)
	case r.runID == "":
		return nil, nil
	}
	l := &lease{}
	run := &Running{Holder: *l.holder(r, false), Lease: time.Duration(r.leaseMS) * time.Millisecond}
	if ageMicros.Valid {
		run.Renewed = max(0, time.Duration(ageMicros.Int64)*time.Microsecond)
	}
	run.Expired = run.Renewed > run.Lease
	return run, nil
}
