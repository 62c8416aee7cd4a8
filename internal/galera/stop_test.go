package galera

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// pauseEnv, in a child, names a folder and adds the migration pause makes
// after the chain.
const pauseEnv = "PMANAGER_GALERA_PAUSE"

// pause is migration i: it creates table t<i>; a Go step writes the file
// "ready" in dir and waits, without heeding the run's context, until the
// file "go" appears there; a last statement inserts a row into t<i>. A run
// stopped (SIGSTOP) in the Go step and resumed after losing its lease
// must not run that insert.
func pause(i int, dir string) *migrations.Migration {
	table := fmt.Sprintf("t%d", i)
	wait := func(ctx context.Context, _ schema.ExecQuerier) error {
		if err := os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644); err != nil {
			return fmt.Errorf("pause: signal: %w", err)
		}
		for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, "go")); err == nil {
				return nil
			}
		}
		return fmt.Errorf("pause: no go file in %s within 5 minutes", dir)
	}
	return &migrations.Migration{
		App:          "main",
		Name:         fmt.Sprintf("%04d_pause", i),
		Dependencies: []migrations.Key{{App: "main", Name: fmt.Sprintf("%04d_t%d", i-1, i-1)}},
		Operations: []operations.Operation{
			operations.CreateModel{Name: fmt.Sprintf("T%d", i), Table: table, Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "name", Kind: state.Char, MaxLength: 30},
			}},
			operations.RunGo{Forward: wait, Reverse: operations.Noop},
			operations.RunSQL{
				SQL:     []string{fmt.Sprintf("INSERT INTO %s (name) VALUES ('after the pause')", table)},
				Reverse: []string{fmt.Sprintf("DELETE FROM %s", table)},
			},
		},
	}
}

// TestStoppedHolderFenced stops (SIGSTOP) a run holding the lease on node
// 1 in the middle of a migration, so its heartbeat stops with it. A run
// on node 2 takes the lease over after the lease time and reports it.
// When the stopped run resumes, its Go step returns at once; the run must
// see that its lease is gone before it commits that step or runs the
// migration's next statement, and stop saying so: the row that statement
// inserts is never there. migrate --resume on node 3 then completes the
// migration, once.
func TestStoppedHolderFenced(t *testing.T) {
	const n = 2
	const lease = 3 * time.Second
	p := newProject(t, n)
	dir := t.TempDir()
	p.env = []string{pauseEnv + "=" + dir}

	holder := p.start(0, nil, "migrate", "--lease", lease.String())
	holder.reaches(filepath.Join(dir, "ready"), "its pause")
	if err := holder.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()

	waiter := p.command(1, "migrate", "--lease", lease.String(), "--lock-timeout", "1m")
	var wout, werr bytes.Buffer
	waiter.Stdout, waiter.Stderr = &wout, &werr
	if err := waiter.Run(); err == nil {
		t.Fatalf("the waiter ended well; want it to stop at the stopped run's part-way migration\nstdout:\n%s\nstderr:\n%s", &wout, &werr)
	}
	if !strings.Contains(werr.String(), "took over the migration lease") || !strings.Contains(werr.String(), "0003_pause was left part-way") {
		t.Fatalf("the waiter does not report the takeover and the part-way migration:\n%s", &werr)
	}
	if took := time.Since(stopped); took < lease {
		t.Errorf("the waiter was done %s after the holder stopped; it may take over only after the lease, %s", took, lease)
	}

	// The Go step returns as soon as the holder runs again.
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := holder.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	holder.losesLease("the resumed holder")
	for node := range p.c.Nodes {
		var rows int
		if err := p.c.Nodes[node].QueryRow("SELECT COUNT(*) FROM t3").Scan(&rows); err != nil {
			t.Fatalf("node %d: %v", node+1, err)
		}
		if rows != 0 {
			t.Fatalf("node %d: t3 holds %d rows: the resumed holder ran a statement after losing its lease\nstderr:\n%s", node+1, rows, &holder.err)
		}
	}

	out := p.run(2, "migrate", "--resume")
	if !strings.Contains(out, "Resuming main.0003_pause... OK") {
		t.Errorf("migrate --resume on node 3 did not resume the paused migration:\n%s", out)
	}
	var rows int
	if err := p.c.Nodes[0].QueryRow("SELECT COUNT(*) FROM t3").Scan(&rows); err != nil || rows != 1 {
		t.Errorf("after --resume, t3 holds %d rows (err %v); want the one row of its insert", rows, err)
	}
	p.n++
	p.checkSlowComplete()
	t.Logf("lease %s; the stopped holder said:\n%s", lease, &holder.err)
}
