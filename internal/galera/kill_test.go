package galera

import (
	"bytes"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKilledHolderLeaseTakenOver kills (-9) a run that holds the lease on
// node 1 in the middle of a migration. A run waiting on node 2 must not
// take the lease while the holder is alive, however long it runs; after
// the kill it takes it over once the lease time has passed, says so, and
// reports the killed run's migration as left part-way by a run that is
// not running any more. A run with --resume on node 3 then finishes it,
// and the history ends complete and the same on every node.
func TestKilledHolderLeaseTakenOver(t *testing.T) {
	const n = 5
	const lease = 3 * time.Second
	p := newProject(t, n)
	p.env = []string{slowEnv + "=1"}
	blockFile := filepath.Join(t.TempDir(), "blocking")

	holder := p.start(0, []string{blockEnv + "=" + blockFile}, "migrate", "--lease", lease.String())
	holder.reaches(blockFile, "its blocking migration")

	waiter := p.command(1, "migrate", "--lease", lease.String(), "--lock-timeout", "1m")
	var wout, werr bytes.Buffer
	waiter.Stdout, waiter.Stderr = &wout, &werr
	if err := waiter.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- waiter.Wait() }()
	// The holder is alive, blocked in its migration, for three lease times:
	// the waiter must still be waiting.
	select {
	case err := <-waited:
		t.Fatalf("the waiter ended (%v) while the holder was alive\nstdout:\n%s\nstderr:\n%s", err, &wout, &werr)
	case <-time.After(3 * lease):
	}
	if !strings.Contains(werr.String(), "waiting for another migrate on ") || !strings.Contains(werr.String(), "through Galera node node1") {
		t.Errorf("the waiter does not say whom it waits for, and through which node:\n%s", &werr)
	}
	killed := time.Now()
	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = holder.Wait()

	var err error
	select {
	case err = <-waited:
	case <-time.After(time.Minute):
		t.Fatalf("the waiter did not end within a minute of the kill\nstdout:\n%s\nstderr:\n%s", &wout, &werr)
	}
	took := time.Since(killed)
	if err == nil {
		t.Fatalf("the waiter ended well; want it to stop at the killed run's part-way migration\nstdout:\n%s\nstderr:\n%s", &wout, &werr)
	}
	stderr := werr.String()
	if !strings.Contains(stderr, "took over the migration lease") {
		t.Errorf("the waiter does not report the takeover:\n%s", stderr)
	}
	if !strings.Contains(stderr, "0006_slow was left part-way") || !strings.Contains(stderr, "is not running any more") {
		t.Errorf("the waiter does not report the killed run's migration as left by a dead run:\n%s", stderr)
	}
	if took < lease*3/4 {
		t.Errorf("the waiter took over %s after the kill; the lease is %s", took, lease)
	}
	t.Logf("lease %s: the waiter took over and stopped %s after the kill", lease, took.Round(time.Millisecond))

	out := p.run(2, "migrate", "--resume")
	if !strings.Contains(out, "Resuming main.0006_slow... OK") {
		t.Errorf("migrate --resume on node 3 did not resume the slow migration:\n%s", out)
	}
	p.n++ // the slow migration is applied too now
	p.checkSlowComplete()
}

// TestLostLeaseStopsRun takes the lease away from a live run (as a
// takeover would, by rewriting the row through another node): the run's
// next renewal finds the row no longer names it, and the run stops its
// statement and exits with an error that says it lost the lease.
func TestLostLeaseStopsRun(t *testing.T) {
	const lease = 2 * time.Second
	p := newProject(t, 1)
	p.env = []string{slowEnv + "=1"}
	blockFile := filepath.Join(t.TempDir(), "blocking")
	holder := p.start(0, []string{blockEnv + "=" + blockFile}, "migrate", "--lease", lease.String())
	holder.reaches(blockFile, "its blocking migration")
	if _, err := p.c.Nodes[2].Exec("UPDATE pmanager_migrations_lock SET run_id = 'intruder', beat = beat + 1 WHERE name = 'migrate'"); err != nil {
		t.Fatal(err)
	}
	holder.losesLease("the run")
}
