package galera

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// applyingLine is a migration's success line.
var applyingLine = regexp.MustCompile(`(?m)^  Applying (main\.\S+)\.\.\. OK( \([^)]*\))?$`)

// TestConcurrentMigrateAcrossNodes starts eight migrate processes at once,
// spread over the three nodes, on a project of forty small migrations:
// GET_LOCK would let one run per node in; the replicated lease lets one
// run in the whole cluster. Every migration is applied exactly once, every
// process ends well, and the history is the same through every node.
func TestConcurrentMigrateAcrossNodes(t *testing.T) {
	const runs, n = 8, 40
	p := newProject(t, n)
	cmds := make([]*exec.Cmd, runs)
	outs := make([]*bytes.Buffer, runs)
	errs := make([]*bytes.Buffer, runs)
	for i := range cmds {
		cmds[i] = p.command(i%len(p.c.Nodes), "migrate", "--lock-timeout", "2m")
		outs[i], errs[i] = &bytes.Buffer{}, &bytes.Buffer{}
		cmds[i].Stdout, cmds[i].Stderr = outs[i], errs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	applied := map[string]int{}
	waited := 0
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d (node %d): %v\nstdout:\n%s\nstderr:\n%s", i, i%len(p.c.Nodes)+1, err, outs[i], errs[i])
		}
		if strings.Contains(errs[i].String(), "waiting for another migrate on ") {
			waited++
			if !strings.Contains(errs[i].String(), "through Galera node ") {
				t.Errorf("process %d waited without saying through which node the holder runs:\n%s", i, errs[i])
			}
		}
		if strings.Contains(errs[i].String(), "left part-way") {
			t.Errorf("process %d took another node's run in progress for a dead one:\n%s", i, errs[i])
		}
		for _, m := range applyingLine.FindAllStringSubmatch(outs[i].String(), -1) {
			applied[m[1]]++
		}
	}
	for _, m := range chain(n) {
		if c := applied[m.Key().String()]; c != 1 {
			t.Errorf("%s was applied %d times by the %d processes; want once", m.Key(), c, runs)
		}
	}
	p.checkComplete("after the concurrent runs")
	t.Logf("%d processes over %d nodes, %d migrations: %d said they waited for the lease", runs, len(p.c.Nodes), n, waited)
}
