package galera

import (
	"strings"
	"testing"
)

// TestHistoryIdenticalOnAllNodes migrates through node 1 and reads the
// result through each node: every migration recorded once, every table
// with its one row, the same history everywhere.
func TestHistoryIdenticalOnAllNodes(t *testing.T) {
	p := newProject(t, 20)
	p.run(0, "migrate")
	p.checkComplete("after migrate on node 1")
	out := p.run(2, "showmigrations")
	if want := "[X] 0020_t20"; !strings.Contains(out, want) {
		t.Errorf("showmigrations on node 3 does not show %q:\n%s", want, out)
	}
}
