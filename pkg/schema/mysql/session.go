package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/pmanager/pmanager/pkg/schema"
)

var _ schema.SessionController = (*Editor)(nil)

// Server error numbers the session control recognises.
const (
	errLockWaitTimeout = 1205 // ER_LOCK_WAIT_TIMEOUT: lock_wait_timeout or innodb_lock_wait_timeout passed
	errLockNowait      = 3572 // ER_LOCK_NOWAIT (MySQL 8): a NOWAIT statement found the lock taken
	errNoSuchThread    = 1094 // ER_NO_SUCH_THREAD: KILL of a connection that has ended
)

// SessionID returns conn's connection id.
func (*Editor) SessionID(ctx context.Context, conn *sql.Conn) (int64, error) {
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return 0, fmt.Errorf("mysql: read the connection id: %w", err)
	}
	return id, nil
}

// sessionQuery reads a connection's processlist row and its InnoDB
// transaction, if it has one open. Ages come from the server's own clock.
const sessionQuery = `SELECT p.ID, coalesce(p.USER, ''), coalesce(p.COMMAND, ''), coalesce(p.STATE, ''), coalesce(p.TIME, 0),
coalesce(p.INFO, ''), coalesce(t.trx_state, ''), coalesce(TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), -1)
FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID
WHERE p.ID = ?`

// Session reads the processlist row of connection id.
func (*Editor) Session(ctx context.Context, db *sql.DB, id int64) (schema.Session, error) {
	s, _, err := session(ctx, db, id)
	return s, err
}

// session is Session, also returning the InnoDB state of its transaction
// ("" without one).
func session(ctx context.Context, db *sql.DB, id int64) (schema.Session, string, error) {
	s := schema.Session{ID: id}
	var command, state, trxState string
	var secs, trxSecs int64
	err := db.QueryRowContext(ctx, sessionQuery, id).Scan(&s.ID, &s.User, &command, &state, &secs, &s.Query, &trxState, &trxSecs)
	if errors.Is(err, sql.ErrNoRows) {
		return schema.Session{ID: id, Gone: true}, "", nil
	}
	if err != nil {
		return s, "", fmt.Errorf("mysql: look up connection %d: %w", id, err)
	}
	now := time.Now()
	switch {
	case command == "Sleep" && trxState != "":
		s.State = "idle in transaction"
		if trxSecs >= 0 {
			s.Since = now.Add(-time.Duration(trxSecs) * time.Second)
		}
	case command == "Sleep":
		s.State = "idle"
	default:
		s.Running = true
		s.State = "running"
		if state != "" {
			s.State += " (" + state + ")"
		}
		s.Since = now.Add(-time.Duration(secs) * time.Second)
		s.WaitingForLock = trxState == "LOCK WAIT" ||
			(strings.HasPrefix(state, "Waiting for") && strings.Contains(state, "lock"))
	}
	return s, trxState, nil
}

// kill runs KILL [QUERY] id; a connection that has ended already is no error.
func kill(ctx context.Context, db *sql.DB, what string, id int64) error {
	_, err := db.ExecContext(ctx, fmt.Sprintf("KILL %s%d", what, id))
	var me *driver.MySQLError
	if errors.As(err, &me) && me.Number == errNoSuchThread {
		return nil
	}
	return err
}

// CancelStatement stops the statement connection id runs (KILL QUERY): the
// server answers it with "Query execution was interrupted".
func (*Editor) CancelStatement(ctx context.Context, db *sql.DB, id int64) error {
	if err := kill(ctx, db, "QUERY ", id); err != nil {
		return fmt.Errorf("mysql: cancel the statement of connection %d: %w", id, err)
	}
	return nil
}

// EndSession ends connection id (KILL CONNECTION): its transaction rolls
// back and its locks, GET_LOCK's included, are released.
func (*Editor) EndSession(ctx context.Context, db *sql.DB, id int64) error {
	if err := kill(ctx, db, "CONNECTION ", id); err != nil {
		return fmt.Errorf("mysql: end connection %d: %w", id, err)
	}
	return nil
}

// Blockers returns the connections that hold what connection id waits
// for. A row lock's holder comes from InnoDB's lock waits. A table
// (metadata) lock's holders come from the metadata_lock_info plugin
// (MariaDB) or performance_schema.metadata_locks (MySQL) when either is
// there: the other connections holding a lock on a table the waiting
// statement names. Without them the server cannot say, and the answer is
// every other connection with a transaction open, with a note saying so.
func (*Editor) Blockers(ctx context.Context, db *sql.DB, id int64) ([]schema.Session, string, error) {
	s, trxState, err := session(ctx, db, id)
	if err != nil || !s.WaitingForLock {
		return nil, "", err
	}
	var ids []int64
	note := ""
	if trxState == "LOCK WAIT" {
		ids, err = rowLockBlockers(ctx, db, id)
	} else {
		var ok bool
		ids, ok, err = tableLockBlockers(ctx, db, id, s.Query)
		if err == nil && !ok {
			note = "without MariaDB's metadata_lock_info plugin or MySQL's performance_schema the server does not say " +
				"who holds a table lock, so these are the sessions with a transaction open, one of which holds it"
			ids, err = openTransactions(ctx, db, id)
		}
	}
	if err != nil {
		return nil, "", fmt.Errorf("mysql: look up what connection %d waits for: %w", id, err)
	}
	var out []schema.Session
	for _, b := range ids {
		bs, _, err := session(ctx, db, b)
		if err != nil {
			return nil, "", err
		}
		if !bs.Gone {
			out = append(out, bs)
		}
	}
	return out, note, nil
}

// ids reads a column of connection ids.
func ids(ctx context.Context, db *sql.DB, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	seen := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

// rowLockBlockers returns the connections whose InnoDB transactions hold
// the row lock connection id waits for.
func rowLockBlockers(ctx context.Context, db *sql.DB, id int64) ([]int64, error) {
	out, err := ids(ctx, db, `SELECT b.trx_mysql_thread_id FROM information_schema.INNODB_LOCK_WAITS w
JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id
WHERE r.trx_mysql_thread_id = ? ORDER BY 1`, id)
	if err == nil {
		return out, nil
	}
	// MySQL 8 moved the lock waits to performance_schema.
	return ids(ctx, db, `SELECT b.trx_mysql_thread_id FROM performance_schema.data_lock_waits w
JOIN information_schema.INNODB_TRX b ON b.trx_id = w.BLOCKING_ENGINE_TRANSACTION_ID
JOIN information_schema.INNODB_TRX r ON r.trx_id = w.REQUESTING_ENGINE_TRANSACTION_ID
WHERE r.trx_mysql_thread_id = ? ORDER BY 1`, id)
}

// tableLockBlockers returns the other connections holding a metadata lock
// on a table of the current database that query names; ok is false when
// the server keeps no such list.
func tableLockBlockers(ctx context.Context, db *sql.DB, id int64, query string) ([]int64, bool, error) {
	type holder struct {
		id    int64
		table string
	}
	read := func(q string) ([]holder, error) {
		rows, err := db.QueryContext(ctx, q, id)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []holder
		for rows.Next() {
			var h holder
			if err := rows.Scan(&h.id, &h.table); err != nil {
				return nil, err
			}
			out = append(out, h)
		}
		return out, rows.Err()
	}
	holders, err := read(`SELECT THREAD_ID, TABLE_NAME FROM information_schema.METADATA_LOCK_INFO
WHERE THREAD_ID <> ? AND TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> '' ORDER BY 1`)
	if err != nil {
		var on sql.NullInt64
		if perr := db.QueryRowContext(ctx, "SELECT @@performance_schema").Scan(&on); perr != nil || on.Int64 != 1 {
			return nil, false, nil
		}
		holders, err = read(`SELECT t.PROCESSLIST_ID, m.OBJECT_NAME FROM performance_schema.metadata_locks m
JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
WHERE t.PROCESSLIST_ID <> ? AND m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = DATABASE() AND m.LOCK_STATUS = 'GRANTED' ORDER BY 1`)
		if err != nil {
			return nil, false, nil
		}
	}
	q := strings.ToLower(query)
	var out []int64
	seen := map[int64]bool{}
	for _, h := range holders {
		if !seen[h.id] && strings.Contains(q, strings.ToLower(h.table)) {
			seen[h.id] = true
			out = append(out, h.id)
		}
	}
	return out, true, nil
}

// openTransactions returns the connections other than id (and the one
// asking) with an InnoDB transaction open: those on the same database when
// there are any, else all of them, oldest transaction first.
func openTransactions(ctx context.Context, db *sql.DB, id int64) ([]int64, error) {
	const query = `SELECT t.trx_mysql_thread_id FROM information_schema.INNODB_TRX t
JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
WHERE t.trx_mysql_thread_id NOT IN (?, CONNECTION_ID())`
	same, err := ids(ctx, db, query+" AND p.DB <=> DATABASE() ORDER BY t.trx_started, 1", id)
	if err != nil || len(same) > 0 {
		return same, err
	}
	return ids(ctx, db, query+" ORDER BY t.trx_started, 1", id)
}

// LimitLockWaits sets lock_wait_timeout (table locks) and
// innodb_lock_wait_timeout (row locks) for conn's session. Both count
// whole seconds: d is rounded up, to at least one.
func (*Editor) LimitLockWaits(ctx context.Context, conn *sql.Conn, d time.Duration) (func(context.Context) error, error) {
	var table, row string
	if err := conn.QueryRowContext(ctx, "SELECT @@SESSION.lock_wait_timeout, @@SESSION.innodb_lock_wait_timeout").Scan(&table, &row); err != nil {
		return nil, fmt.Errorf("mysql: read lock_wait_timeout: %w", err)
	}
	for _, v := range []string{table, row} {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("mysql: lock_wait_timeout %q is not a number", v)
		}
	}
	secs := max(1, int64((d+time.Second-1)/time.Second))
	set := "SET SESSION lock_wait_timeout = %s, SESSION innodb_lock_wait_timeout = %s"
	n := strconv.FormatInt(secs, 10)
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(set, n, n)); err != nil {
		return nil, fmt.Errorf("mysql: set lock_wait_timeout: %w", err)
	}
	return func(ctx context.Context) error {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(set, table, row)); err != nil {
			return fmt.Errorf("mysql: restore lock_wait_timeout: %w", err)
		}
		return nil
	}, nil
}

// IsLockTimeout reports whether err is a lock wait the server gave up.
func (*Editor) IsLockTimeout(err error) bool {
	var me *driver.MySQLError
	return errors.As(err, &me) && (me.Number == errLockWaitTimeout || me.Number == errLockNowait)
}
