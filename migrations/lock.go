package migrations

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// DefaultLockTimeout is how long a run waits for another run's migration
// lock when Options.LockTimeout is zero.
const DefaultLockTimeout = 60 * time.Second

// lockPoll bounds the pause between two attempts at a held lock.
const (
	lockPollMin = 20 * time.Millisecond
	lockPollMax = 500 * time.Millisecond
)

// lock takes the database-wide migration lock (two runs must never
// apply a migration twice) on a connection of its own, waiting up to the
// timeout of opts for another run to release it. The run uses that
// connection for everything, so the database keeps the lock until the
// run's last statement ends, even when the process was killed mid-way. The
// returned function releases the lock and the connection. An editor that
// cannot lock (none of pmanager's) runs unlocked on the connection.
func (e *Executor) lock(ctx context.Context, opts Options) (*sql.Conn, func() error, error) {
	_, conn, done, _, err := e.lockRun(ctx, opts)
	return conn, done, err
}

// lockRun is lock for a run: it also returns the context the run works
// under, which a Galera lease cancels when it cannot be kept, and the
// lease (nil off Galera). On a Galera node the lock is the replicated
// lease of lease.go, since GET_LOCK there is node-local.
func (e *Executor) lockRun(ctx context.Context, opts Options) (context.Context, *sql.Conn, func() error, *lease, error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("migrations: get a connection: %w", err)
	}
	galera, err := e.isGalera(ctx, conn)
	if err != nil {
		return nil, nil, nil, nil, errors.Join(err, conn.Close())
	}
	runCtx := ctx
	var release func() error
	var l *lease
	if galera {
		runCtx, release, l, err = e.leaseLock(ctx, conn, opts)
	} else {
		release, err = e.waitLock(ctx, conn, opts)
	}
	if err != nil {
		return nil, nil, nil, nil, errors.Join(err, conn.Close())
	}
	done := func() error {
		uerr := release()
		if uerr != nil {
			// A connection that could not unlock is not given back to
			// the pool: closing it ends the session, and the lock with it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		if cerr := conn.Close(); cerr != nil && uerr == nil && !errors.Is(cerr, sql.ErrConnDone) {
			return fmt.Errorf("migrations: release connection: %w", cerr)
		}
		if uerr != nil && ctx.Err() == nil {
			return uerr
		}
		return nil
	}
	return runCtx, conn, done, l, nil
}

// waitLock tries the lock on conn until it is taken, the timeout passes or
// ctx is cancelled, telling Observer.WaitingForLock once when it has to wait (a
// negative timeout does not wait, and does not tell it).
func (e *Executor) waitLock(ctx context.Context, conn *sql.Conn, opts Options) (func() error, error) {
	locker, ok := e.ed.(schema.Locker)
	if !ok {
		return func() error { return nil }, nil
	}
	var release func() error
	err := pollLock(ctx, opts, "lock", func() (bool, *schema.LockHolder, error) {
		r, holder, err := locker.TryLock(ctx, conn, schema.HistoryTable)
		if err != nil {
			return false, nil, fmt.Errorf("migrations: %w", err)
		}
		release = r
		return r != nil, holder, nil
	})
	if err != nil {
		return nil, err
	}
	return release, nil
}

// pollLock tries to take the migration lock (or lease: what names it)
// until try succeeds, the lock timeout passes or ctx is cancelled, backing
// off between tries and telling Observer.WaitingForLock once when it has to wait (a
// negative timeout does not wait, and does not tell it).
func pollLock(ctx context.Context, opts Options, what string, try func() (bool, *schema.LockHolder, error)) error {
	timeout := opts.LockTimeout
	if timeout == 0 {
		timeout = DefaultLockTimeout
	}
	interrupted := func() error {
		return fmt.Errorf("migrations: interrupted while waiting for the migration %s; nothing was changed: %w", what, ctx.Err())
	}
	start := time.Now()
	pause := lockPollMin
	told := false
	for {
		taken, holder, err := try()
		if err != nil {
			if ctx.Err() != nil {
				return interrupted()
			}
			return err
		}
		if taken {
			return nil
		}
		if !told && timeout > 0 {
			opts.observer().WaitingForLock(*holder)
		}
		told = true
		waited := time.Since(start)
		if waited >= timeout {
			return &LockError{Holder: *holder, Waited: waited}
		}
		t := time.NewTimer(min(pause, timeout-waited))
		select {
		case <-ctx.Done():
			t.Stop()
			return interrupted()
		case <-t.C:
		}
		pause = min(2*pause, lockPollMax)
	}
}
