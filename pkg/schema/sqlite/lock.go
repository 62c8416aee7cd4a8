package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// LockSuffix is added to the database file's path to name the lock file
// that migrate holds for its whole run. A transaction cannot be the lock on
// SQLite: each migration runs in a transaction of its own on the one
// connection pmanager uses. The operating system drops the file lock when
// the process ends, however it ends; the file itself stays, empty of
// meaning, between runs.
const LockSuffix = ".lock"

// TryLock takes an exclusive lock on the lock file beside the database file
// that conn is on, without waiting, and writes the holder's process id and
// start time into it for runs that have to wait. The lock belongs to the
// process: SQLite runs in it, so no statement outlives it. An in-memory
// database needs no lock.
func (*Editor) TryLock(ctx context.Context, conn *sql.Conn, name string) (func() error, *schema.LockHolder, error) {
	path, err := databaseFile(ctx, conn)
	if err != nil {
		return nil, nil, err
	}
	if path == "" {
		return func() error { return nil }, nil, nil
	}
	f, err := os.OpenFile(path+LockSuffix, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: open the migration lock file: %w", err)
	}
	ok, err := tryLockFile(f)
	if err != nil || !ok {
		holder := readHolder(f)
		cerr := f.Close()
		if err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return nil, nil, fmt.Errorf("sqlite: take the migration lock %s: %w", path+LockSuffix, err)
		}
		return nil, holder, nil
	}
	if err := writeHolder(f); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("sqlite: write the migration lock file: %w", err), unlockFile(f), f.Close())
	}
	release := func() error {
		if err := errors.Join(unlockFile(f), f.Close()); err != nil {
			return fmt.Errorf("sqlite: release the migration lock: %w", err)
		}
		return nil
	}
	return release, nil, nil
}

// databaseFile returns the path of the main database file ("" in memory).
func databaseFile(ctx context.Context, db *sql.Conn) (string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA database_list")
	if err != nil {
		return "", fmt.Errorf("sqlite: find the database file: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name string
		var file sql.NullString
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", fmt.Errorf("sqlite: find the database file: %w", err)
		}
		if name == "main" {
			return file.String, rows.Err()
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("sqlite: find the database file: %w", err)
	}
	return "", nil
}

// writeHolder replaces the lock file's content with "<pid> <unix nanos>".
func writeHolder(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(fmt.Sprintf("%d %d\n", os.Getpid(), time.Now().UnixNano())), 0)
	return err
}

// readHolder reads what the holder wrote; a file it has not written yet
// gives a holder with nothing known.
func readHolder(f *os.File) *schema.LockHolder {
	h := &schema.LockHolder{}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 64))
	if err != nil {
		return h
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 {
		return h
	}
	h.Who = "process " + fields[0]
	if ns, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
		h.Since = time.Unix(0, ns)
	}
	return h
}
