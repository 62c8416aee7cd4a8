package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// lockName is the GET_LOCK name for name in database. Named locks are
// server-wide, so the database is part of the name; hashing keeps it within
// the 64 characters MySQL allows.
func lockName(database, name string) string {
	sum := sha256.Sum256([]byte(database + "\x00" + name))
	return "pmanager_migrate_" + hex.EncodeToString(sum[:16])
}

// TryLock takes the named lock (GET_LOCK with no wait) of the current
// database on conn. The server releases it when that connection closes, so
// a killed run never leaves the lock behind.
func (*Editor) TryLock(ctx context.Context, conn *sql.Conn, name string) (func() error, *schema.LockHolder, error) {
	var database sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&database); err != nil {
		return nil, nil, fmt.Errorf("mysql: take the migration lock: %w", err)
	}
	lock := lockName(database.String, name)
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", lock).Scan(&got); err != nil {
		return nil, nil, fmt.Errorf("mysql: take the migration lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		holder, err := lockHolder(ctx, conn, lock)
		return nil, holder, err
	}
	release := func() error {
		var released sql.NullInt64
		if err := conn.QueryRowContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", lock).Scan(&released); err != nil {
			return fmt.Errorf("mysql: release the migration lock: %w", err)
		}
		return nil
	}
	return release, nil, nil
}

// lockHolder finds the connection holding lock. The holder's connection
// sleeps after taking the lock, so the seconds it has spent in its current
// state say since when it holds it.
func lockHolder(ctx context.Context, db *sql.Conn, lock string) (*schema.LockHolder, error) {
	var id sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", lock).Scan(&id); err != nil {
		return nil, fmt.Errorf("mysql: look up the migration lock's holder: %w", err)
	}
	h := &schema.LockHolder{}
	if !id.Valid {
		return h, nil // released meanwhile
	}
	h.Who = fmt.Sprintf("connection %d", id.Int64)
	var secs sql.NullInt64
	err := db.QueryRowContext(ctx, "SELECT TIME FROM information_schema.PROCESSLIST WHERE ID = ?", id.Int64).Scan(&secs)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("mysql: look up the migration lock's holder: %w", err)
	case secs.Valid:
		h.Since = time.Now().Add(-time.Duration(secs.Int64) * time.Second)
	}
	return h, nil
}

// LockHolder returns the connection holding the migration lock of the
// current database on conn's server, or nil when nobody holds it.
func (*Editor) LockHolder(ctx context.Context, conn *sql.Conn, name string) (*schema.LockHolder, error) {
	var database sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&database); err != nil {
		return nil, fmt.Errorf("mysql: look up the migration lock's holder: %w", err)
	}
	h, err := lockHolder(ctx, conn, lockName(database.String, name))
	if err != nil || h.Who == "" {
		return nil, err
	}
	return h, nil
}
