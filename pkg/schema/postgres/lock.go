package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"

	"github.com/pmanager/pmanager/pkg/schema"
)

// lockKey turns the lock's name into the bigint key of a session advisory
// lock. Advisory locks belong to the current database, so one key serves
// every database of a server. The history table lives in the current
// schema, so a run in another schema than public (a schema per tenant)
// locks that schema alone; public keeps the key it always had, so runs of
// older and newer pmanager versions still exclude each other.
func lockKey(currentSchema, name string) int64 {
	if currentSchema != "" && currentSchema != "public" {
		name = currentSchema + "." + name
	}
	h := fnv.New64a()
	h.Write([]byte("pmanager:" + name))
	return int64(h.Sum64())
}

// TryLock takes the session advisory lock for name in the current schema
// on conn (pg_try_advisory_lock). The server releases it when that session
// ends, so a killed run never leaves the lock behind.
func (*Editor) TryLock(ctx context.Context, conn *sql.Conn, name string) (func() error, *schema.LockHolder, error) {
	var current sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&current); err != nil {
		return nil, nil, fmt.Errorf("postgres: take the migration lock: %w", err)
	}
	key := lockKey(current.String, name)
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		return nil, nil, fmt.Errorf("postgres: take the migration lock: %w", err)
	}
	if !ok {
		holder, err := lockHolder(ctx, conn, key)
		return nil, holder, err
	}
	release := func() error {
		var released bool
		err := conn.QueryRowContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key).Scan(&released)
		if err != nil {
			return fmt.Errorf("postgres: release the migration lock: %w", err)
		}
		return nil
	}
	return release, nil, nil
}

// lockHolder finds the session holding the advisory lock key. The holder's
// connection stays idle after taking the lock, so the time its state last
// changed is when it took it.
func lockHolder(ctx context.Context, db schema.ExecQuerier, key int64) (*schema.LockHolder, error) {
	const query = `SELECT a.pid, a.state_change FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
AND l.classid::bigint = $1 AND l.objid::bigint = $2`
	u := uint64(key)
	rows, err := db.QueryContext(ctx, query, int64(u>>32), int64(u&0xffffffff))
	if err != nil {
		return nil, fmt.Errorf("postgres: look up the migration lock's holder: %w", err)
	}
	defer rows.Close()
	h := &schema.LockHolder{}
	if rows.Next() {
		var pid int64
		var since sql.NullTime
		if err := rows.Scan(&pid, &since); err != nil {
			return nil, fmt.Errorf("postgres: look up the migration lock's holder: %w", err)
		}
		h.Who = fmt.Sprintf("server process %d", pid)
		if since.Valid {
			h.Since = since.Time
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: look up the migration lock's holder: %w", err)
	}
	return h, nil
}

// LockHolder returns the session holding the migration lock of the
// current schema, or nil when nobody holds it.
func (*Editor) LockHolder(ctx context.Context, conn *sql.Conn, name string) (*schema.LockHolder, error) {
	var current sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&current); err != nil {
		return nil, fmt.Errorf("postgres: look up the migration lock's holder: %w", err)
	}
	h, err := lockHolder(ctx, conn, lockKey(current.String, name))
	if err != nil || h.Who == "" {
		return nil, err
	}
	return h, nil
}
