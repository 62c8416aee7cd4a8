package faults

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

var lockTrials = flag.Int("faults.locktrials", 30, "trials per dialect of a migrate stopped while blocked on a lock")

// lockEnv adds a last migration that changes t1 (alterT1), which waits
// for any transaction that read t1.
const lockEnv = "PMANAGER_FAULTS_LOCKWAIT"

// alterT1 is migration i: a column and an index added to t1, two
// statements that each need a lock on t1.
func alterT1(i int) *migrations.Migration {
	return &migrations.Migration{
		App:          "main",
		Name:         fmt.Sprintf("%04d_alter", i),
		Dependencies: []migrations.Key{{App: "main", Name: fmt.Sprintf("%04d_t%d", i-1, i-1)}},
		Operations: []operations.Operation{
			operations.AddField{Model: "T1", Field: &state.Field{Name: "more", Kind: state.Integer, Null: true}},
			operations.AddIndex{Model: "T1", Index: state.Index{Name: "t1_more_idx", Fields: []string{"more"}}},
		},
	}
}

// lockDialects are the dialects whose servers queue a statement for a lock.
var lockDialects = []schema.Dialect{schema.Postgres, schema.MySQL}

// newLockTarget is a database where the children carry t1 and alterT1.
func newLockTarget(t *testing.T, d schema.Dialect) *target {
	t.Helper()
	tg := newTarget(t, d, 1)
	tg.env = []string{lockEnv + "=1"}
	return tg
}

// whole is the target as the checks see it: t1 and alterT1 both part of
// the chain.
func (tg *target) whole() *target {
	w := *tg
	w.ms = append(chain(1), alterT1(2))
	w.n = 2
	return &w
}

// sessionIDs lists the client sessions of the target's database, the
// asking one left out.
func (tg *target) sessionIDs() map[int64]bool {
	tg.t.Helper()
	query := `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`
	if tg.db.Dialect == schema.MySQL {
		query = `SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()`
	}
	rows, err := tg.db.Query(query)
	if err != nil {
		tg.t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tg.t.Fatal(err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		tg.t.Fatal(err)
	}
	return out
}

// newSessions returns the sessions of the database not in before.
func (tg *target) newSessions(before map[int64]bool) []int64 {
	var out []int64
	for id := range tg.sessionIDs() {
		if !before[id] {
			out = append(out, id)
		}
	}
	return out
}

// alterRunning counts the sessions of the database that run (or wait to
// run) an ALTER.
func (tg *target) alterRunning() int {
	tg.t.Helper()
	query := `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query ILIKE 'ALTER TABLE%'`
	if tg.db.Dialect == schema.MySQL {
		query = `SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND <> 'Sleep' AND INFO LIKE 'ALTER TABLE%'`
	}
	var n int
	if err := tg.db.QueryRow(query).Scan(&n); err != nil {
		tg.t.Fatal(err)
	}
	return n
}

// alterWaits reports whether a session of the database waits for a lock
// in an ALTER.
func (tg *target) alterWaits() bool {
	tg.t.Helper()
	query := `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'
AND wait_event_type = 'Lock' AND query ILIKE 'ALTER TABLE%'`
	if tg.db.Dialect == schema.MySQL {
		query = `SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND <> 'Sleep'
AND STATE LIKE 'Waiting for%lock%' AND INFO LIKE 'ALTER TABLE%'`
	}
	var n int
	if err := tg.db.QueryRow(query).Scan(&n); err != nil {
		tg.t.Fatal(err)
	}
	return n > 0
}

// blockT1 opens a transaction that read t1 and returns its session id and
// its end.
func (tg *target) blockT1() (int64, func()) {
	tg.t.Helper()
	ctx := context.Background()
	conn, err := tg.db.Conn(ctx)
	if err != nil {
		tg.t.Fatal(err)
	}
	id, err := tg.ed.(schema.SessionController).SessionID(ctx, conn)
	if err != nil {
		tg.t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		tg.t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM t1").Scan(&n); err != nil {
		tg.t.Fatal(err)
	}
	done := false
	end := func() {
		if done {
			return
		}
		done = true
		if err := tx.Rollback(); err != nil {
			tg.t.Errorf("end the blocking transaction: %v", err)
		}
		conn.Close()
	}
	tg.t.Cleanup(end)
	return id, end
}

// readable reads t1 on a session that gives up a lock wait after a second.
func (tg *target) readable() error {
	ctx := context.Background()
	conn, err := tg.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	set := "SET lock_timeout = '1s'"
	if tg.db.Dialect == schema.MySQL {
		set = "SET SESSION lock_wait_timeout = 1"
	}
	if _, err := conn.ExecContext(ctx, set); err != nil {
		return err
	}
	var n int
	return conn.QueryRowContext(ctx, "SELECT count(*) FROM t1").Scan(&n)
}

// lockFree reports whether the migration lock can be taken now.
func (tg *target) lockFree() bool {
	tg.t.Helper()
	ctx := context.Background()
	conn, err := tg.db.Conn(ctx)
	if err != nil {
		tg.t.Fatal(err)
	}
	defer conn.Close()
	release, _, err := tg.ed.(schema.Locker).TryLock(ctx, conn, schema.HistoryTable)
	if err != nil {
		tg.t.Fatal(err)
	}
	if release == nil {
		return false
	}
	if err := release(); err != nil {
		tg.t.Fatal(err)
	}
	return true
}

// started is a child migrate running in the background.
type started struct {
	cmd         *exec.Cmd
	out, errOut bytes.Buffer
	exited      chan error
}

// start starts a child migrate with args.
func (tg *target) start(args ...string) *started {
	tg.t.Helper()
	s := &started{cmd: tg.command(args...), exited: make(chan error, 1)}
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.errOut
	if err := s.cmd.Start(); err != nil {
		tg.t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	return s
}

// waitBlocked waits until the child's ALTER waits for the lock.
func (tg *target) waitBlocked(s *started) {
	tg.t.Helper()
	for range 2000 {
		if tg.alterWaits() {
			return
		}
		select {
		case err := <-s.exited:
			tg.t.Fatalf("migrate ended before its ALTER waited for the lock: %v\n%s%s", err, s.out.String(), s.errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	tg.t.Fatal("migrate's ALTER never waited for the lock")
}

// waitGone waits, up to bound, until none of the sessions the child
// opened is left, and returns those still there.
func (tg *target) waitGone(before map[int64]bool, bound time.Duration) []int64 {
	deadline := time.Now().Add(bound)
	for {
		left := tg.newSessions(before)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLockWaitNamesBlocker runs the real program against a table another
// transaction holds: it says once, after a while, that it waits and on
// whom, gives up after --lock-timeout with one message naming the
// blocking session, and leaves nothing of the migration behind.
func TestLockWaitNamesBlocker(t *testing.T) {
	for _, d := range lockDialects {
		t.Run(string(d), func(t *testing.T) {
			tg := newLockTarget(t, d)
			if o := tg.run("migrate", "main", "0001"); o.code != 0 {
				t.Fatalf("migrate main 0001: exit %d\n%s%s", o.code, o.stdout, o.stderr)
			}
			id, end := tg.blockT1()
			o := tg.run("migrate", "--lock-timeout", "3s")
			if o.code != 1 {
				t.Fatalf("migrate against a held table: exit %d; want 1\n%s%s", o.code, o.stdout, o.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(o.stderr, "\n"), "\n")
			who := fmt.Sprintf(`session %d \(user \w+, idle in transaction, since \d\d:\d\d:\d\d UTC`, id)
			waiting := regexp.MustCompile(`^pmanager: waiting \d+s for a lock held by ` + who + `.*; giving up after 3s \(--lock-timeout\)$`)
			failed := regexp.MustCompile(`^pmanager: applying main.0002_alter failed at operation 1 \(Add Field more To T1\): ` +
				`gave up waiting for a lock after 3s \(.*\); it is held by ` + who + `.*--lock-retries; (nothing of main.0002_alter was kept|no statement of main.0002_alter ran in this attempt, and it is not recorded)$`)
			if len(lines) != 2 || !waiting.MatchString(lines[0]) || !failed.MatchString(lines[1]) {
				t.Errorf("stderr:\n%s\nwant one line matching\n%s\nand one matching\n%s", o.stderr, waiting, failed)
			}
			if !strings.HasSuffix(o.stdout, "  Applying main.0002_alter... FAILED\n") {
				t.Errorf("stdout:\n%s\nwant 0002 marked FAILED", o.stdout)
			}
			applied, partials := tg.history()
			if len(applied) != 1 || len(partials) != 0 {
				t.Errorf("history: %d applied, part-way %+v; want 0001 alone, nothing applying", len(applied), partials)
			}
			if n := tg.alterRunning(); n != 0 {
				t.Errorf("%d sessions still run the ALTER", n)
			}
			end()
			if o := tg.run("migrate"); o.code != 0 {
				t.Fatalf("migrate once the table is free: exit %d\n%s%s", o.code, o.stdout, o.stderr)
			}
			tg.whole().checkCompleteSchema("after the lock was free")
		})
	}
}

// lockStats counts what the blocked-run trials of one dialect saw.
type lockStats struct {
	trials, interrupted, killed        int
	resumed, leftSessions, lockHeld    int
	unreadable, stillRunning, mismatch int
	duplicated, lost                   int
	slowestGone                        time.Duration
}

// TestBlockedMigrateStopped stops migrate with SIGINT or SIGKILL (seeded:
// -faults.seed, -faults.locktrials) at a random moment while its ALTER
// waits for a lock another transaction holds. After SIGINT, as soon as
// the program has exited, the server runs nothing of it, the migration
// lock is free and t1 can be read; after SIGKILL, which nothing can
// catch, the server gives the orphaned statement up within --lock-timeout
// and its session goes. Then, the blocking transaction ended, plain
// migrate completes (after --resume when it says the history is in
// doubt), with the schema of a clean run and t1's row once.
func TestBlockedMigrateStopped(t *testing.T) {
	if testing.Short() {
		t.Skip("blocked-run trials start hundreds of processes; skipped with -short")
	}
	const lockTimeout = 2 * time.Second
	for _, d := range lockDialects {
		t.Run(string(d), func(t *testing.T) {
			tg := newLockTarget(t, d)
			h := fnv.New64a()
			h.Write([]byte("lockwait/" + d))
			rng := rand.New(rand.NewPCG(*killSeed, h.Sum64()))
			var st lockStats
			began := time.Now()
			for i := range *lockTrials {
				// The signals alternate, so each gets half the trials.
				sig := syscall.SIGINT
				if i%2 == 1 {
					sig = syscall.SIGKILL
				}
				delay := time.Duration(rng.Int64N(int64(lockTimeout * 3 / 4)))
				t.Run(fmt.Sprintf("trial%02d", i), func(t *testing.T) {
					tg.t = t
					lockTrial(tg, sig, delay, lockTimeout, &st)
				})
			}
			t.Logf("%s: %d trials in %s: %d SIGINT, %d SIGKILL; sessions left %d, lock held %d, table unreadable %d, "+
				"ALTER still running at exit %d; recovered with --resume %d; schema differs %d, rows lost %d, duplicated %d; "+
				"slowest orphan gone after SIGKILL %s (--lock-timeout %s)",
				d, st.trials, time.Since(began).Round(time.Second), st.interrupted, st.killed, st.leftSessions, st.lockHeld,
				st.unreadable, st.stillRunning, st.resumed, st.mismatch, st.lost, st.duplicated,
				st.slowestGone.Round(10*time.Millisecond), lockTimeout)
		})
	}
}

// lockTrial is one trial of TestBlockedMigrateStopped.
func lockTrial(tg *target, sig syscall.Signal, delay, lockTimeout time.Duration, st *lockStats) {
	t := tg.t
	st.trials++
	tg.reset()
	if o := tg.run("migrate", "main", "0001"); o.code != 0 {
		t.Fatalf("migrate main 0001: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	_, end := tg.blockT1()
	before := tg.sessionIDs()
	s := tg.start("migrate", "--lock-timeout", lockTimeout.String())
	tg.waitBlocked(s)
	time.Sleep(delay)
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := <-s.exited
	if sig == syscall.SIGINT {
		st.interrupted++
		// Checked at once: the program waits for the server before it exits.
		if n := tg.alterRunning(); n != 0 {
			st.stillRunning++
			t.Errorf("%d sessions still run the ALTER once the interrupted program exited", n)
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("interrupted migrate: %v; want exit status 1\n%s%s", err, s.out.String(), s.errOut.String())
		}
		if !strings.Contains(s.errOut.String(), "pmanager: interrupted: applying main.0002_alter stopped at operation 1") ||
			!strings.Contains(s.errOut.String(), "the server cancelled the running statement") {
			t.Errorf("stderr:\n%s\nwant the interruption and the server's cancel", s.errOut.String())
		}
		if !tg.lockFree() {
			st.lockHeld++
			t.Error("the migration lock is held once the interrupted program exited")
		}
		if err := tg.readable(); err != nil {
			st.unreadable++
			t.Errorf("t1 cannot be read once the interrupted program exited: %v", err)
		}
		if left := tg.waitGone(before, 5*time.Second); len(left) > 0 {
			st.leftSessions++
			t.Errorf("sessions %v of the interrupted program are still on the server", left)
		}
	} else {
		st.killed++
		// Nothing can stop the statement of a killed client: the server
		// gives it up after the lock timeout, and the session goes.
		start := time.Now()
		if left := tg.waitGone(before, lockTimeout+10*time.Second); len(left) > 0 {
			st.leftSessions++
			t.Errorf("sessions %v of the killed program are still on the server %s after the kill", left, time.Since(start).Round(time.Millisecond))
		}
		st.slowestGone = max(st.slowestGone, time.Since(start))
		if !tg.lockFree() {
			st.lockHeld++
			t.Error("the migration lock is held once the killed program's sessions are gone")
		}
	}
	end()
	o := tg.run("migrate")
	if o.code != 0 && strings.Contains(o.stderr, "--resume") {
		t.Logf("plain migrate after the trial asks for --resume: %s", o.stderr)
		st.resumed++
		o = tg.run("migrate", "--resume")
	}
	if o.code != 0 {
		t.Fatalf("migrate after the trial: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	w := tg.whole()
	applied, _ := w.history()
	if diff := w.schemaDiff(w.stateOf(applied, nil, 0)); diff != "" || len(applied) != 2 {
		st.mismatch++
	}
	w.checkCompleteSchema("after the trial")
	var n int
	if err := tg.db.QueryRow("SELECT count(*) FROM t1").Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	switch {
	case n == 0:
		st.lost++
		t.Error("t1 lost its row")
	case n > 1:
		st.duplicated += n - 1
		t.Errorf("t1 has %d rows; its insert ran more than once", n)
	}
}
