package migrations

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/pmanager/pmanager/pkg/schema"
)

// On a MariaDB Galera cluster GET_LOCK is node-local: two runs through two
// nodes would both "hold" it. There the migration lock is a lease instead,
// a row of LockTable that every node replicates:
//
//   - A run claims the row in a transaction that reads it (FOR UPDATE) and
//     sets its owner only WHERE the row still shows what the run read (no
//     holder, or the same holder and heartbeat count). Galera certifies
//     write sets in one total order, first committer wins: of two claims
//     made at once through two nodes, the second to certify conflicts on
//     the row's primary key and its COMMIT fails with a deadlock error
//     (1213) on its own node, so exactly one run holds the lease. A claim
//     made from a stale read conflicts the same way.
//   - The holder renews the lease (a heartbeat count) every quarter of its
//     length on a connection of its own, and stops its own run, cancelling
//     its statement on the server, when it has not renewed it for three
//     quarters of it or finds the row taken: it never goes on past the
//     time a waiter may take over.
//   - A waiter takes over only a lease whose heartbeat count it has watched
//     stand still for the whole lease length, by its own clock: clocks of
//     different machines are never compared. Galera applies DDL in Total
//     Order Isolation, so while the old holder's DDL still runs the
//     takeover's commit waits behind it.
//   - Everything a run reads of the history waits for the cluster to catch
//     up first (wsrep_sync_wait), so it never plans from a node that lags.

// LockTable is the table, beside the history table, that holds the
// migration lease on a Galera cluster, where GET_LOCK is node-local.
const LockTable = schema.HistoryTable + "_lock"

// DefaultLease is the length of the migration lease on a Galera cluster
// when Options.Lease is zero: a run that stops renewing it (killed, cut
// off) loses it after this long.
const DefaultLease = 20 * time.Second

// leaseRow names the lease's row in LockTable.
const leaseRow = "migrate"

// isGalera reports whether conn is a session on a node of a Galera
// cluster with replication on (wsrep_on), where the migration lock must
// be the replicated lease.
func (e *Executor) isGalera(ctx context.Context, conn *sql.Conn) (bool, error) {
	return galeraNode(ctx, conn, e.ed)
}

// galeraNode reports whether conn, of ed's dialect, is a session on a
// Galera node with replication on.
func galeraNode(ctx context.Context, conn *sql.Conn, ed schema.Editor) (bool, error) {
	if ed.Dialect() != schema.MySQL {
		return false, nil
	}
	var name, value string
	err := conn.QueryRowContext(ctx, "SHOW VARIABLES LIKE 'wsrep_on'").Scan(&name, &value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil // MySQL, or MariaDB without the wsrep patch
	case err != nil:
		return false, fmt.Errorf("migrations: ask whether the server is a Galera node: %w", err)
	}
	return strings.EqualFold(value, "ON"), nil
}

// galeraSession sets what a run's session needs on a Galera node: reads
// (and writes) that first wait for what the cluster committed, so the
// history read through one node includes another node's last record; DDL
// in Total Order Isolation, so a schema change runs on every node at one
// point of the replication order rather than on this node only (RSU).
func galeraSession(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 15, SESSION wsrep_OSU_method = 'TOI'"); err != nil {
		return fmt.Errorf("migrations: set the Galera session (wsrep_sync_wait, wsrep_OSU_method): %w", err)
	}
	return nil
}

// lease is one run's claim on the migration lease.
type lease struct {
	db     *sql.DB
	ed     schema.Editor
	length time.Duration
	runID  string
	owner  string
	node   string
	// seen is the holder a waiter last read, and since when it has seen
	// that holder's heartbeat count unchanged.
	seenRun  string
	seenBeat int64
	seenAt   time.Time
	// silent is how long the holder taken over had been seen not renewing.
	silent time.Duration
	// taken is the holder this run took over from, when it did.
	taken *schema.LockHolder

	// mu guards renewed: when the holder last claimed or renewed the
	// lease, by this process's monotonic clock, which goes on while the
	// process is stopped (SIGSTOP), so a run resumed after a long stop
	// finds its lease stale before it runs another statement.
	mu      sync.Mutex
	renewed time.Time
}

// noteRenewed records a successful claim or renewal.
func (l *lease) noteRenewed(at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.renewed = at
}

// fence reports whether this run may still start a statement: the lease
// was claimed or renewed less than three quarters of its length ago. A
// waiter takes the lease over only after watching it unrenewed for its
// whole length, so a run that passes the fence starts its statement
// before anyone else may hold the lease. The heartbeat goroutine notices
// a lost lease too, but only after a round trip; a run resumed after a
// stop (SIGSTOP, a frozen VM) could otherwise slip a statement in first.
func (l *lease) fence() error {
	l.mu.Lock()
	renewed := l.renewed
	l.mu.Unlock()
	if silent := time.Since(renewed); silent >= l.length*3/4 {
		return fmt.Errorf("%w: it was last renewed %s ago, more than three quarters of its %s length (was the process stopped?)",
			errLeaseLost, silent.Round(time.Millisecond), l.length)
	}
	return nil
}

// newLease prepares a claim: it names the run (a random id, the host and
// pid) and the node conn is on, and makes sure the lease row exists.
func (e *Executor) newLease(ctx context.Context, conn *sql.Conn, opts Options) (*lease, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("migrations: name the run: %w", err)
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown host"
	}
	l := &lease{db: e.db, ed: e.ed, length: opts.Lease, runID: hex.EncodeToString(b),
		owner: fmt.Sprintf("pid %d on %s", os.Getpid(), host)}
	if l.length <= 0 {
		l.length = DefaultLease
	}
	if err := conn.QueryRowContext(ctx, "SELECT CONCAT(@@wsrep_node_name, ' (', @@hostname, ':', @@port, ')')").Scan(&l.node); err != nil {
		return nil, fmt.Errorf("migrations: name the Galera node: %w", err)
	}
	q := e.ed.Quote
	create := "CREATE TABLE IF NOT EXISTS " + q(LockTable) + " (" +
		q("name") + " varchar(64) NOT NULL PRIMARY KEY, " +
		q("run_id") + " varchar(64) NOT NULL DEFAULT '', " +
		q("owner") + " varchar(255) NOT NULL DEFAULT '', " +
		q("node") + " varchar(255) NOT NULL DEFAULT '', " +
		q("beat") + " bigint NOT NULL DEFAULT 0, " +
		q("lease_ms") + " bigint NOT NULL DEFAULT 0, " +
		q("since") + " datetime(6) NULL, " +
		q("heartbeat") + " datetime(6) NULL)"
	insert := "INSERT IGNORE INTO " + q(LockTable) + " (" + q("name") + ") VALUES (?)"
	// The table is created only when it is missing: even CREATE TABLE IF
	// NOT EXISTS runs in Total Order Isolation, pausing the cluster.
	_, err = conn.ExecContext(ctx, insert, leaseRow)
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1146 { // no such table
		if _, err := conn.ExecContext(ctx, create); err != nil {
			return nil, fmt.Errorf("migrations: create the lease table %s: %w", LockTable, err)
		}
		_, err = conn.ExecContext(ctx, insert, leaseRow)
	}
	if err != nil && !certificationConflict(err) { // another node inserted it at the same time
		return nil, fmt.Errorf("migrations: create the lease row in %s: %w", LockTable, err)
	}
	return l, nil
}

// certificationConflict reports whether err is Galera refusing a
// transaction that lost to another node's write of the same rows (a
// deadlock error at commit, or a brute-force abort before it).
func certificationConflict(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}

// holderRow is the lease row as read.
type holderRow struct {
	runID, owner, node string
	beat, leaseMS      int64
	since, heartbeat   sql.NullTime
}

// holder describes r for a waiting run's messages; watched adds how long
// this run has seen it not renew the lease.
func (l *lease) holder(r holderRow, watched bool) *schema.LockHolder {
	h := &schema.LockHolder{Who: fmt.Sprintf("run %s, %s, through Galera node %s, lease %s", r.runID, r.owner, r.node, time.Duration(r.leaseMS)*time.Millisecond)}
	if r.since.Valid {
		h.Since = r.since.Time
	}
	if watched && l.seenRun == r.runID && !l.seenAt.IsZero() {
		if silent := time.Since(l.seenAt); silent >= time.Second {
			h.Who += fmt.Sprintf(", no heartbeat seen for %s", silent.Round(time.Second))
		}
	}
	return h
}

// try makes one attempt at the lease on conn: taken, or the holder.
func (l *lease) try(ctx context.Context, conn *sql.Conn) (bool, *schema.LockHolder, error) {
	q := l.ed.Quote
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, nil, fmt.Errorf("migrations: claim the migration lease: %w", err)
	}
	var r holderRow
	err = tx.QueryRowContext(ctx, "SELECT "+q("run_id")+", "+q("owner")+", "+q("node")+", "+q("beat")+", "+q("lease_ms")+", "+q("since")+", "+q("heartbeat")+
		" FROM "+q(LockTable)+" WHERE "+q("name")+" = ? FOR UPDATE", leaseRow).
		Scan(&r.runID, &r.owner, &r.node, &r.beat, &r.leaseMS, &r.since, &r.heartbeat)
	if err != nil {
		_ = tx.Rollback()
		if certificationConflict(err) {
			return false, &schema.LockHolder{Who: "a run claiming it at the same moment"}, nil
		}
		return false, nil, fmt.Errorf("migrations: read the migration lease: %w", err)
	}
	var taken *schema.LockHolder
	if r.runID != "" {
		if r.runID != l.seenRun || r.beat != l.seenBeat || l.seenAt.IsZero() {
			l.seenRun, l.seenBeat, l.seenAt = r.runID, r.beat, time.Now()
		}
		silent := time.Since(l.seenAt)
		if silent < time.Duration(r.leaseMS)*time.Millisecond {
			_ = tx.Rollback()
			return false, l.holder(r, true), nil
		}
		taken, l.silent = l.holder(r, false), silent
	}
	res, err := tx.ExecContext(ctx, "UPDATE "+q(LockTable)+" SET "+q("run_id")+" = ?, "+q("owner")+" = ?, "+q("node")+" = ?, "+
		q("beat")+" = "+q("beat")+" + 1, "+q("lease_ms")+" = ?, "+q("since")+" = NOW(6), "+q("heartbeat")+" = NOW(6) WHERE "+
		q("name")+" = ? AND "+q("run_id")+" = ? AND "+q("beat")+" = ?",
		l.runID, l.owner, l.node, l.length.Milliseconds(), leaseRow, r.runID, r.beat)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err == nil && n == 1 {
		claimed := time.Now()
		err = tx.Commit()
		if err == nil {
			l.noteRenewed(claimed)
			l.taken = taken
			return true, nil, nil
		}
	} else {
		_ = tx.Rollback()
	}
	if err == nil || certificationConflict(err) {
		// Another run's claim (or heartbeat) certified first.
		return false, &schema.LockHolder{Who: "a run that claimed it at the same moment"}, nil
	}
	return false, nil, fmt.Errorf("migrations: claim the migration lease: %w", err)
}

// errLeaseLost is why a run stopped when it could no longer renew its lease.
var errLeaseLost = errors.New("migrations: this run lost the migration lease of the Galera cluster (it could not renew it in time, or another run took it over) " +
	"and stopped, so that two runs never work at once; run migrate again to see where it stopped")

// keep renews the lease on a connection of its own until release is
// called; when it cannot (the row taken, or no renewal for three quarters
// of the lease), it calls lost once. release gives up the lease.
func (l *lease) keep(ctx context.Context, lost func(error)) (release func() error, err error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: get a connection to renew the migration lease: %w", err)
	}
	q := l.ed.Quote
	renew := "UPDATE " + q(LockTable) + " SET " + q("beat") + " = " + q("beat") + " + 1, " + q("heartbeat") + " = NOW(6) WHERE " +
		q("name") + " = ? AND " + q("run_id") + " = ?"
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		last := time.Now()
		tick := time.NewTicker(l.length / 4)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.length/2)
			sent := time.Now()
			res, err := conn.ExecContext(bctx, renew, leaseRow, l.runID)
			cancel()
			var n int64
			if err == nil {
				n, err = res.RowsAffected()
			}
			switch {
			case err == nil && n == 1:
				// The lease runs from when the renewal was sent: a
				// waiter may have seen the old count until then.
				last = sent
				l.noteRenewed(sent)
				continue
			case err == nil || certificationConflict(err):
				lost(errLeaseLost)
				return
			}
			if time.Since(last) >= l.length*3/4 {
				lost(fmt.Errorf("%w: %w", errLeaseLost, err))
				return
			}
		}
	}()
	var once sync.Once
	release = func() error {
		var rerr error
		once.Do(func() {
			close(stop)
			<-done
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.length)
			defer cancel()
			_, err := conn.ExecContext(rctx, "UPDATE "+q(LockTable)+" SET "+q("run_id")+" = '', "+q("owner")+" = '', "+q("node")+" = '', "+
				q("beat")+" = "+q("beat")+" + 1, "+q("heartbeat")+" = NOW(6) WHERE "+q("name")+" = ? AND "+q("run_id")+" = ?", leaseRow, l.runID)
			if err != nil {
				rerr = fmt.Errorf("migrations: release the migration lease (it expires by itself after %s): %w", l.length, err)
			}
			if cerr := conn.Close(); cerr != nil && rerr == nil && !errors.Is(cerr, sql.ErrConnDone) {
				rerr = fmt.Errorf("migrations: release connection: %w", cerr)
			}
		})
		return rerr
	}
	return release, nil
}

// waitLease claims the lease on conn as waitLock takes a lock.
func (e *Executor) waitLease(ctx context.Context, conn *sql.Conn, l *lease, opts Options) error {
	return pollLock(ctx, opts, "lease", func() (bool, *schema.LockHolder, error) { return l.try(ctx, conn) })
}

// leaseLock takes the migration lease of a Galera cluster for a run on
// conn: the run's context (cancelled with errLeaseLost when the lease
// cannot be kept) and the function that releases it.
func (e *Executor) leaseLock(ctx context.Context, conn *sql.Conn, opts Options) (context.Context, func() error, *lease, error) {
	if err := galeraSession(ctx, conn); err != nil {
		return nil, nil, nil, err
	}
	l, err := e.newLease(ctx, conn, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := e.waitLease(ctx, conn, l, opts); err != nil {
		return nil, nil, nil, err
	}
	if l.taken != nil {
		opts.observer().LeaseTakenOver(*l.taken, l.silent)
	}
	run, cancel := context.WithCancelCause(ctx)
	release, err := l.keep(ctx, cancel)
	if err != nil {
		cancel(err)
		return nil, nil, nil, err
	}
	return run, func() error {
		err := release()
		cancel(nil)
		return err
	}, l, nil
}
