package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// lockedMigrations are two migrations: the first creates table t1, the
// second adds a column to it, which needs a lock on t1 that any open
// transaction that read t1 holds back.
func lockedMigrations() []*Migration {
	m1 := &Migration{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
		operations.CreateModel{Name: "T1", Table: "t1", Fields: []*state.Field{
			{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
			{Name: "name", Kind: state.Char, MaxLength: 30},
		}},
		operations.RunSQL{SQL: []string{"INSERT INTO t1 (name) VALUES ('a')"}, Reverse: []string{"DELETE FROM t1"}},
	}}
	m2 := &Migration{App: "main", Name: "0002_extra", Dependencies: []Key{m1.Key()}, Operations: []operations.Operation{
		operations.AddField{Model: "T1", Field: &state.Field{Name: "extra", Kind: state.Integer, Null: true}},
	}}
	return []*Migration{m1, m2}
}

// serverDialects are the dialects whose servers keep running a statement
// after its client has gone.
var serverDialects = []schema.Dialect{schema.Postgres, schema.MySQL}

// blocker opens a transaction on db that reads t1, so it holds a lock a
// change of t1 must wait for, and returns its session id and the end of
// the transaction.
func blocker(t *testing.T, db *dbtest.DB, ed schema.Editor) (int64, func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := ed.(schema.SessionController).SessionID(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM t1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	end := func() {
		once.Do(func() {
			if err := tx.Rollback(); err != nil {
				t.Errorf("end the blocking transaction: %v", err)
			}
			conn.Close()
		})
	}
	t.Cleanup(end)
	return id, end
}

// alterWaiting waits until a session of db's database other than skip runs
// an ALTER that waits for a lock, and returns its id.
func alterWaiting(t *testing.T, db *dbtest.DB, ed schema.Editor, returned <-chan error) int64 {
	t.Helper()
	query := `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'
AND wait_event_type = 'Lock' AND query ILIKE 'ALTER TABLE%'`
	if db.Dialect == schema.MySQL {
		query = `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND <> 'Sleep'
AND STATE LIKE 'Waiting for%lock%' AND INFO LIKE 'ALTER TABLE%'`
	}
	for range 3000 {
		var id int64
		err := db.QueryRow(query).Scan(&id)
		if err == nil {
			return id
		}
		if !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		select {
		case err := <-returned:
			t.Fatalf("migrate returned before its ALTER waited for the lock: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("the ALTER never waited for the lock")
	return 0
}

// running counts the sessions of db's database that still run an ALTER.
func running(t *testing.T, db *dbtest.DB) int {
	t.Helper()
	query := `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query ILIKE 'ALTER TABLE%'`
	if db.Dialect == schema.MySQL {
		query = `SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND <> 'Sleep' AND INFO LIKE 'ALTER TABLE%'`
	}
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkReadable reads t1 on a new session that gives up a lock wait after
// a second: a change of t1 still queued would hold the read back.
func checkReadable(t *testing.T, db *dbtest.DB) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	set := "SET lock_timeout = '1s'"
	if db.Dialect == schema.MySQL {
		set = "SET SESSION lock_wait_timeout = 1"
	}
	if _, err := conn.ExecContext(ctx, set); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM t1").Scan(&n); err != nil {
		t.Errorf("t1 cannot be read after the run stopped: %v", err)
	}
}

// checkLockFree takes the migration lock on a new session and gives it back.
func checkLockFree(t *testing.T, db *dbtest.DB, ed schema.Editor) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	release, holder, err := ed.(schema.Locker).TryLock(ctx, conn, schema.HistoryTable)
	if err != nil {
		t.Fatal(err)
	}
	if release == nil {
		t.Errorf("the migration lock is still %s after the run stopped", holder)
		return
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
}

// checkNotApplied checks that 0002 is neither applied nor part-way.
func checkNotApplied(t *testing.T, ex *Executor) {
	t.Helper()
	ctx := context.Background()
	applied, err := ex.History().Applied(ctx)
	if err != nil {
		t.Fatal(err)
	}
	partials, err := ex.History().Partials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := applied[Key{App: "main", Name: "0002_extra"}]; ok || len(partials) != 0 {
		t.Errorf("history: applied %v, part-way %+v; want 0002 neither applied nor part-way", applied, partials)
	}
}

// startLocked applies 0001, opens a transaction that reads t1, and starts
// migrating to 0002 under ctx with opts; the result arrives on the channel.
func startLocked(t *testing.T, ctx context.Context, d schema.Dialect, opts Options) (*dbtest.DB, schema.Editor, *Executor, int64, func(), <-chan error) {
	t.Helper()
	db := dbtest.Open(t, d)
	ed := connect.EditorFor(d)
	ex, _ := newExecutor(t, db, ed, lockedMigrations())
	if _, err := ex.MigrateTo(context.Background(), []Target{{App: "main", Name: "0001"}}, Options{}); err != nil {
		t.Fatal(err)
	}
	id, end := blocker(t, db, ed)
	returned := make(chan error, 1)
	go func() {
		_, err := ex.MigrateTo(ctx, nil, opts)
		returned <- err
	}()
	return db, ed, ex, id, end, returned
}

// wait returns what migrate returned; a run still going after a minute
// is a hang.
func wait(t *testing.T, returned <-chan error) error {
	t.Helper()
	select {
	case err := <-returned:
		return err
	case <-time.After(time.Minute):
		t.Fatal("migrate still waits for the lock a minute later")
		return nil
	}
}

// TestInterruptCancelsOnServer interrupts migrate while its ALTER waits
// for a lock another transaction holds: when MigrateTo returns, the
// server no longer runs the ALTER, the migration lock is free, readers of
// the table are not queued behind it, and the history holds nothing of
// the migration. The pool is database/sql's plain one (a library user's),
// whose driver alone would only drop its connection.
func TestInterruptCancelsOnServer(t *testing.T) {
	for _, d := range serverDialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			db, ed, ex, _, end, returned := startLocked(t, ctx, d, Options{})
			alterWaiting(t, db, ed, returned)
			cancel()
			err := wait(t, returned)
			var me *MigrateError
			var ie *InterruptedError
			if !errors.As(err, &me) || !me.Interrupted() || !errors.As(err, &ie) {
				t.Fatalf("MigrateTo = %v; want an interrupted *MigrateError with the server's report", err)
			}
			if !strings.Contains(ie.Server, "the server cancelled the running statement") {
				t.Errorf("report %q; want it to say the server cancelled the statement", ie.Server)
			}
			if n := running(t, db); n != 0 {
				t.Errorf("%d sessions still run the ALTER after the run stopped", n)
			}
			checkLockFree(t, db, ed)
			checkReadable(t, db)
			checkNotApplied(t, ex)
			end()
			if _, err := ex.MigrateTo(context.Background(), nil, Options{}); err != nil {
				t.Fatalf("migrate after the interrupt: %v", err)
			}
		})
	}
}

// TestLockTimeoutNamesBlocker gives migrate a short --lock-timeout while
// another transaction holds t1: the ALTER gives up after it, the error
// names the blocking session, nothing of 0002 is applied or left
// part-way, and a wait past LockWaitNotice was announced with the blocker.
func TestLockTimeoutNamesBlocker(t *testing.T) {
	for _, d := range serverDialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var waits []LockWait
			opts := Options{LockTimeout: LockWaitNotice + time.Second, Observer: hooks{statementWaiting: func(w LockWait) {
				mu.Lock()
				defer mu.Unlock()
				waits = append(waits, w)
			}}}
			db, ed, ex, id, _, returned := startLocked(t, context.Background(), d, opts)
			err := wait(t, returned)
			var me *MigrateError
			var le *LockTimeoutError
			if !errors.As(err, &me) || !errors.As(err, &le) || me.Partial {
				t.Fatalf("MigrateTo = %v; want a *MigrateError caused by a *LockTimeoutError, not partial", err)
			}
			who := fmt.Sprintf("session %d (", id)
			if !strings.Contains(err.Error(), "gave up waiting for a lock after 3s") || !strings.Contains(err.Error(), who) {
				t.Errorf("error %q; want it to give the timeout and name %s…)", err, who)
			}
			if len(le.Blockers) == 0 || le.Blockers[0].ID != id || le.Blockers[0].State != "idle in transaction" {
				t.Errorf("blockers = %+v; want session %d, idle in transaction", le.Blockers, id)
			}
			mu.Lock()
			if len(waits) != 1 || len(waits[0].Blockers) == 0 || waits[0].Blockers[0].ID != id {
				t.Errorf("waits announced = %+v; want one naming session %d", waits, id)
			}
			mu.Unlock()
			if n := running(t, db); n != 0 {
				t.Errorf("%d sessions still run the ALTER", n)
			}
			checkLockFree(t, db, ed)
			checkNotApplied(t, ex)
		})
	}
}

// TestLockRetries lets the first attempt give up on the lock, ends the
// blocking transaction during the pause, and expects the retry to apply
// 0002.
func TestLockRetries(t *testing.T) {
	for _, d := range serverDialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			var retries []LockRetry
			var end func()
			ready := make(chan struct{})
			opts := Options{LockTimeout: time.Second, LockRetries: 3, Observer: hooks{retrying: func(r LockRetry) {
				<-ready
				retries = append(retries, r)
				end()
			}}}
			_, _, ex, _, e, returned := startLocked(t, context.Background(), d, opts)
			end = e
			close(ready)
			if err := wait(t, returned); err != nil {
				t.Fatalf("MigrateTo with retries: %v", err)
			}
			if len(retries) != 1 || retries[0].Attempt != 1 || retries[0].Retries != 3 || retries[0].Pause != time.Second {
				t.Errorf("retries = %+v; want one, the first of 3, after 1s", retries)
			}
			applied, err := ex.History().Applied(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := applied[Key{App: "main", Name: "0002_extra"}]; !ok {
				t.Errorf("0002 not applied after the retry: %v", applied)
			}
		})
	}
}

// TestLockTimeoutSQLite holds a write transaction on the database file
// from another connection: migrate's statement gives up after
// --lock-timeout (busy_timeout), says who holds the file, and records
// nothing of 0002.
func TestLockTimeoutSQLite(t *testing.T) {
	db := dbtest.Open(t, schema.SQLite)
	ed := connect.EditorFor(schema.SQLite)
	ex, _ := newExecutor(t, db, ed, lockedMigrations())
	ctx := context.Background()
	if _, err := ex.MigrateTo(ctx, []Target{{App: "main", Name: "0001"}}, Options{}); err != nil {
		t.Fatal(err)
	}
	tx, err := secondHandle(t, db).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO t1 (name) VALUES ('b')"); err != nil {
		t.Fatal(err)
	}
	_, err = ex.MigrateTo(ctx, nil, Options{LockTimeout: 300 * time.Millisecond})
	var le *LockTimeoutError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "gave up waiting for a lock after 300ms") ||
		!strings.Contains(err.Error(), "another connection to the database holds it in a write transaction") {
		t.Fatalf("MigrateTo while another connection writes = %v; want a lock timeout after 300ms saying who holds the file", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	checkNotApplied(t, ex)
	if _, err := ex.MigrateTo(ctx, nil, Options{}); err != nil {
		t.Fatalf("migrate once the file is free: %v", err)
	}
}

// TestInterruptCancelsRunningStatement interrupts migrate while a long
// statement of a RunSQL runs (no lock involved): when MigrateTo returns,
// the server no longer runs it and nothing of the migration is recorded.
// The same holds for an executor whose pool has one connection (a fleet's
// target), which stops the statement through the connection
// Options.OpenSpare opens once it is interrupted.
func TestInterruptCancelsRunningStatement(t *testing.T) {
	for _, d := range serverDialects {
		for _, single := range []bool{false, true} {
			name := string(d)
			if single {
				name += "/one-connection"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				interruptRunningStatement(t, d, single)
			})
		}
	}
}

// interruptRunningStatement is TestInterruptCancelsRunningStatement on
// dialect d, with the executor's pool limited to one connection when
// single.
func interruptRunningStatement(t *testing.T, d schema.Dialect, single bool) {
	sleep := "SELECT pg_sleep(60)"
	if d == schema.MySQL {
		sleep = "SELECT SLEEP(60)"
	}
	ms := lockedMigrations()
	ms[1].Operations = []operations.Operation{operations.RunSQL{SQL: []string{sleep}, Reverse: []string{"SELECT 1"}}}
	db := dbtest.Open(t, d)
	ed := connect.EditorFor(d)
	ex, g := newExecutor(t, db, ed, ms)
	var opts Options
	spares := 0
	if single {
		one := secondHandle(t, db)
		one.SetMaxOpenConns(1)
		ex = NewExecutor(one, ed, g)
		opts.OpenSpare = func() (*sql.DB, error) {
			spares++
			return secondHandle(t, db), nil
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan error, 1)
	go func() {
		_, err := ex.MigrateTo(ctx, nil, opts)
		returned <- err
	}()
	query := `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query = $1`
	if d == schema.MySQL {
		query = `SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND <> 'Sleep' AND INFO = ?`
	}
	count := func() int {
		var n int
		if err := db.QueryRow(query, sleep).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := 0; count() == 0; i++ {
		if i == 3000 {
			t.Fatal("the statement never ran")
		}
		select {
		case err := <-returned:
			t.Fatalf("migrate returned before its statement ran: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	err := wait(t, returned)
	var me *MigrateError
	var ie *InterruptedError
	if !errors.As(err, &me) || !me.Interrupted() || !errors.As(err, &ie) || !strings.Contains(ie.Server, "the server cancelled the running statement") {
		t.Fatalf("MigrateTo = %v; want an interrupted *MigrateError saying the server cancelled the statement", err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d sessions still run %q after the run stopped", n, sleep)
	}
	if single && spares != 1 {
		t.Errorf("the run opened %d spare pools; want 1, once interrupted", spares)
	}
	checkLockFree(t, db, ed)
	checkNotApplied(t, ex)
}
