package migrations

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// secondHandle opens another pool on db's database, as another process
// would have.
func secondHandle(t *testing.T, db *dbtest.DB) *sql.DB {
	t.Helper()
	target, err := connect.Parse(db.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := target.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

func TestMigrationLock(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		ms := carMigrations()[:2]
		holder, g := newExecutor(t, db, ed, ms)
		before := time.Now().Add(-time.Second)
		conn, unlock, err := holder.lock(ctx, Options{})
		if err != nil {
			t.Fatalf("take the lock: %v", err)
		}
		other := NewExecutor(secondHandle(t, db), ed, g)

		// Held: a run that does not wait is refused at once, one that
		// waits says so once and gives up after its timeout.
		var waits []schema.LockHolder
		for _, timeout := range []time.Duration{-1, 150 * time.Millisecond} {
			_, err = other.MigrateTo(ctx, nil, Options{LockTimeout: timeout, Observer: hooks{waitingForLock: func(h schema.LockHolder) { waits = append(waits, h) }}})
			var le *LockError
			if !errors.Is(err, ErrLocked) || !errors.As(err, &le) {
				t.Fatalf("MigrateTo while locked (timeout %s) = %v; want ErrLocked", timeout, err)
			}
			if le.Holder.Since.Before(before) || le.Holder.Since.After(time.Now()) || le.Holder.Who == "" {
				t.Errorf("holder = %+v; want who holds it and a time since %s", le.Holder, before)
			}
			if !strings.Contains(err.Error(), "another migrate run holds the migration lock of this database (held since ") ||
				!strings.Contains(err.Error(), "Options.LockTimeout") {
				t.Errorf("lock error %q does not say who holds it and how to wait longer", err)
			}
			if timeout > 0 && le.Waited < timeout {
				t.Errorf("gave up after %s; want at least %s", le.Waited, timeout)
			}
		}
		if len(waits) != 1 {
			t.Errorf("LockWait called %d times; want once, by the run that waits", len(waits))
		}
		if diff := cmp.Diff([]string{}, tableNames(t, conn, ed)); diff != "" {
			t.Errorf("a refused run changed the database (-want +got):\n%s", diff)
		}

		// A run that waits goes on once the holder releases the lock,
		// and plans from the history as it is then.
		done := make(chan error, 1)
		waiting := make(chan struct{})
		var ran []Step
		go func() {
			var err error
			ran, err = other.MigrateTo(ctx, nil, Options{LockTimeout: time.Minute, Observer: hooks{waitingForLock: func(schema.LockHolder) { close(waiting) }}})
			done <- err
		}()
		<-waiting
		if _, err := holder.runner(conn, Options{}).migrate(ctx, func(g *Graph, a map[Key]Applied) ([]Step, error) {
			return plan(g, a, []Target{{App: "main", Name: "0001_initial"}})
		}); err != nil {
			t.Fatal(err)
		}
		if err := unlock(); err != nil {
			t.Fatalf("release the lock: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatalf("the waiting run: %v", err)
		}
		if diff := cmp.Diff([]string{"Apply main.0002_car_manufacturer"}, planOf(ran)); diff != "" {
			t.Errorf("the waiting run's plan (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"main.0001_initial", "main.0002_car_manufacturer"}, appliedKeys(t, holder.History())); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}

// TestLockInterrupted: a run interrupted while it waits changes nothing.
func TestLockInterrupted(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		holder, g := newExecutor(t, db, ed, carMigrations()[:1])
		_, unlock, err := holder.lock(context.Background(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		ctx, cancel := context.WithCancel(context.Background())
		_, err = NewExecutor(secondHandle(t, db), ed, g).MigrateTo(ctx, nil, Options{Observer: hooks{waitingForLock: func(schema.LockHolder) { cancel() }}})
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted while waiting for the migration lock; nothing was changed") {
			t.Errorf("interrupted wait = %v", err)
		}
	})
}

// TestRunInProgressLock: while a run holds the ordinary migration lock,
// RunInProgress, asked through another pool as showmigrations would,
// names the session that holds it; once released, it finds no run. SQLite
// cannot tell without taking its lock file, and says nothing.
func TestRunInProgressLock(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		holder, _ := newExecutor(t, db, ed, carMigrations()[:1])
		other := secondHandle(t, db)
		before := time.Now().Add(-time.Second)
		_, unlock, err := holder.lock(ctx, Options{})
		if err != nil {
			t.Fatalf("take the lock: %v", err)
		}
		running, err := RunInProgress(ctx, other, ed)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case ed.Dialect() == schema.SQLite:
			if running != nil {
				t.Errorf("RunInProgress on SQLite = %+v; want nil (it cannot tell)", running)
			}
		case running == nil:
			t.Fatal("RunInProgress = nil while a run holds the lock")
		case running.Holder.Who == "" || running.Holder.Since.Before(before) || running.Holder.Since.After(time.Now()) || running.Lease != 0:
			t.Errorf("RunInProgress = %+v; want the holding session, since when, and no lease", running)
		}
		if err := unlock(); err != nil {
			t.Fatal(err)
		}
		if running, err = RunInProgress(ctx, other, ed); err != nil || running != nil {
			t.Errorf("after the release RunInProgress = %+v, %v; want nil", running, err)
		}
	})
}
