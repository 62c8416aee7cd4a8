package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// target is one fresh database with a project folder pointing at it, and
// the chain of n migrations the child programs carry.
type target struct {
	t   testing.TB
	db  *dbtest.DB
	ed  schema.Editor
	dir string
	n   int
	ms  []*migrations.Migration
	// env is added to the children's environment.
	env []string
}

// newTarget creates a fresh database of dialect d and a project for it.
func newTarget(t testing.TB, d schema.Dialect, n int) *target {
	t.Helper()
	db := dbtest.Open(t, d)
	dir := t.TempDir()
	toml := "[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\n"
	if err := os.WriteFile(filepath.Join(dir, "pmanager.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return &target{t: t, db: db, ed: connect.EditorFor(d), dir: dir, n: n, ms: chain(n)}
}

// command returns a child pmanager run of args in the project.
func (tg *target) command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-C", tg.dir}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(tg.n), "PMANAGER_DATABASE_URL="+tg.db.URL)
	cmd.Env = append(cmd.Env, tg.env...)
	return cmd
}

// outcome is what a finished child printed and returned.
type outcome struct {
	code           int
	stdout, stderr string
}

// run runs a child to its end.
func (tg *target) run(args ...string) outcome {
	tg.t.Helper()
	cmd := tg.command(args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	o := outcome{stdout: out.String(), stderr: errOut.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			tg.t.Fatalf("run pmanager %v: %v", args, err)
		}
		o.code = ee.ExitCode()
	}
	return o
}

// reset drops every table the chain and the history create.
func (tg *target) reset() {
	tg.t.Helper()
	tables := []string{schema.HistoryTable}
	for i := len(tg.ms); i >= 1; i-- {
		tables = append(tables, fmt.Sprintf("t%d", i))
	}
	for _, table := range tables {
		if _, err := tg.db.Exec("DROP TABLE IF EXISTS " + tg.ed.Quote(table)); err != nil {
			tg.t.Fatalf("reset: drop %s: %v", table, err)
		}
	}
}

// settle waits until the killed run's session has ended: the server goes
// on with a statement whose client died, and holds the migration lock
// until it ends, so taking the lock (and releasing it) proves nothing of
// the killed run is still running.
func (tg *target) settle() {
	tg.t.Helper()
	ctx := context.Background()
	conn, err := tg.db.Conn(ctx)
	if err != nil {
		tg.t.Fatal(err)
	}
	defer conn.Close()
	locker := tg.ed.(schema.Locker)
	deadline := time.Now().Add(time.Minute)
	for {
		release, _, err := locker.TryLock(ctx, conn, schema.HistoryTable)
		if err != nil {
			tg.t.Fatalf("take the migration lock: %v", err)
		}
		if release != nil {
			if err := release(); err != nil {
				tg.t.Fatal(err)
			}
			return
		}
		if time.Now().After(deadline) {
			tg.t.Fatal("the killed run's session still holds the migration lock after a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// history reads what the database records.
func (tg *target) history() (map[migrations.Key]migrations.Applied, []migrations.Partial) {
	tg.t.Helper()
	h := migrations.NewHistory(tg.db, tg.ed)
	applied, err := h.Applied(context.Background())
	if err != nil {
		tg.t.Fatalf("read history: %v", err)
	}
	partials, err := h.Partials(context.Background())
	if err != nil {
		tg.t.Fatalf("read partial migrations: %v", err)
	}
	return applied, partials
}

// stateOf replays the applied migrations of the chain, then the first
// extra operations of the next one.
func (tg *target) stateOf(applied map[migrations.Key]migrations.Applied, next *migrations.Migration, extra int) *state.Project {
	tg.t.Helper()
	p := state.NewProject()
	for _, m := range tg.ms {
		if _, ok := applied[m.Key()]; ok {
			if err := operations.Apply(m.App, m.Operations, p); err != nil {
				tg.t.Fatal(err)
			}
		}
	}
	if next != nil {
		if err := operations.Apply(next.App, next.Operations[:extra], p); err != nil {
			tg.t.Fatal(err)
		}
	}
	return p
}

// schemaDiff compares the live tables (the history table left out) with
// what state p implies; "" when they are the same.
func (tg *target) schemaDiff(p *state.Project) string {
	tg.t.Helper()
	want, err := tg.ed.Expected(p)
	if err != nil {
		tg.t.Fatal(err)
	}
	tables, err := tg.ed.Inspect(context.Background(), tg.db)
	if err != nil {
		tg.t.Fatalf("inspect: %v", err)
	}
	var have []schema.Table
	for _, tb := range tables {
		if tb.Name != schema.HistoryTable {
			have = append(have, tb)
		}
	}
	return cmp.Diff(want, have, cmpopts.EquateEmpty())
}

// rowCounts returns how many rows each t<i> of the applied migrations holds.
func (tg *target) rowCounts(applied map[migrations.Key]migrations.Applied) map[string]int {
	tg.t.Helper()
	out := map[string]int{}
	for i, m := range tg.ms {
		if _, ok := applied[m.Key()]; !ok {
			continue
		}
		table := fmt.Sprintf("t%d", i+1)
		var n int
		if err := tg.db.QueryRow("SELECT count(*) FROM " + tg.ed.Quote(table)).Scan(&n); err != nil {
			tg.t.Fatalf("count rows of %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// checkCompleteSchema checks that every migration is recorded once, none
// is part-way, and the schema is the whole chain's.
func (tg *target) checkCompleteSchema(when string) {
	tg.t.Helper()
	applied, partials := tg.history()
	if len(applied) != tg.n || len(partials) != 0 {
		tg.t.Errorf("%s: history has %d applied and %d partial migrations; want %d and 0", when, len(applied), len(partials), tg.n)
	}
	if diff := tg.schemaDiff(tg.stateOf(applied, nil, 0)); diff != "" {
		tg.t.Errorf("%s: schema differs from the chain's (-want +got):\n%s", when, diff)
	}
}

// checkComplete checks the end state every run must reach: every migration
// recorded once, none part-way, the schema of the whole chain, one row per
// table. It returns the rows lost (tables with no row) and duplicated.
func (tg *target) checkComplete(when string) (lost, duplicated int) {
	tg.t.Helper()
	applied, partials := tg.history()
	if len(applied) != tg.n || len(partials) != 0 {
		tg.t.Errorf("%s: history has %d applied and %d partial migrations; want %d and 0", when, len(applied), len(partials), tg.n)
	}
	for _, m := range tg.ms {
		if _, ok := applied[m.Key()]; !ok {
			tg.t.Errorf("%s: %s is not recorded", when, m.Key())
		}
	}
	if diff := tg.schemaDiff(tg.stateOf(applied, nil, 0)); diff != "" {
		tg.t.Errorf("%s: schema differs from the chain's (-want +got):\n%s", when, diff)
	}
	for table, n := range tg.rowCounts(applied) {
		switch {
		case n == 0:
			lost++
			tg.t.Errorf("%s: table %s lost its row", when, table)
		case n > 1:
			duplicated += n - 1
			tg.t.Errorf("%s: table %s has %d rows; its insert ran more than once", when, table, n)
		}
	}
	return lost, duplicated
}

// runAndSignal starts cmd and sends it sig after delay, unless it has ended
// by then, and waits for it to end: after SIGINT for up to a minute (a
// second signal would end it at once; one is what a user sends). It
// reports whether the signal reached a running process; a run that ends
// just as the delay runs out counts as one that finished first.
func runAndSignal(t *testing.T, cmd *exec.Cmd, sig syscall.Signal, delay time.Duration) bool {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
		return false
	case <-time.After(delay):
	}
	err := cmd.Process.Signal(sig)
	if sig == syscall.SIGINT {
		select {
		case <-exited:
		case <-time.After(time.Minute):
			t.Fatal("migrate did not end within a minute of SIGINT")
		}
	} else {
		<-exited
	}
	switch {
	case errors.Is(err, os.ErrProcessDone):
		return false
	case err != nil:
		t.Fatal(err)
	}
	return true
}
