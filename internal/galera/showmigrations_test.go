package galera

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShowmigrationsSeesRunInProgress: while a run through node 1 holds
// the lease in the middle of a migration, showmigrations through node 2
// says a run is in progress, by whom and through which node, and lists
// that migration as in progress rather than as left part-way (with advice
// to --resume, which would run beside it). Once the run is killed and its
// lease has expired, showmigrations through node 3 says the run has most
// likely died, and the migration is part-way again.
func TestShowmigrationsSeesRunInProgress(t *testing.T) {
	const n = 2
	const lease = 3 * time.Second
	p := newProject(t, n)
	p.env = []string{slowEnv + "=1"}
	blockFile := filepath.Join(t.TempDir(), "blocking")
	holder := p.start(0, []string{blockEnv + "=" + blockFile}, "migrate", "--lease", lease.String())
	holder.reaches(blockFile, "its blocking migration")

	out := p.run(1, "showmigrations")
	for _, want := range []string{
		"Migrate run in progress: held since ",
		"through Galera node node1 (",
		"lease last renewed ",
		" [X] 0002_t2\n",
		" [ ] 0003_slow (applying: in progress in the migrate run that holds the lock, 1 operation done so far)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("showmigrations on node 2 during the run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "--resume") {
		t.Errorf("showmigrations on node 2 advises --resume for a run in progress:\n%s", out)
	}
	var report struct {
		Running *struct {
			Holder  string `json:"holder"`
			LeaseMS int64  `json:"lease_ms"`
			Expired bool   `json:"expired"`
		} `json:"running"`
		Migrations []struct {
			Name    string `json:"name"`
			Partial *struct {
				InProgress bool `json:"in_progress"`
			} `json:"partial"`
		} `json:"migrations"`
	}
	js := p.run(2, "showmigrations", "--json")
	if err := json.Unmarshal([]byte(js), &report); err != nil {
		t.Fatalf("showmigrations --json: %v\n%s", err, js)
	}
	if r := report.Running; r == nil || !strings.Contains(r.Holder, "through Galera node node1 (") || r.LeaseMS != lease.Milliseconds() || r.Expired {
		t.Errorf("showmigrations --json on node 3: running = %+v; want the holder through node1, its lease, not expired\n%s", r, js)
	}
	if last := report.Migrations[len(report.Migrations)-1]; last.Name != "0003_slow" || last.Partial == nil || !last.Partial.InProgress {
		t.Errorf("showmigrations --json on node 3 does not mark 0003_slow in progress:\n%s", js)
	}

	// The same through a fleet whose one database is this one, on node 2.
	toml := "\n[fleets.c]\nurls = [\"" + p.c.Nodes[1].URL + "\"]\n"
	f, err := os.OpenFile(filepath.Join(p.dir, "pmanager.toml"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(toml)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
	var fleetReport struct {
		Targets []struct {
			Status  string `json:"status"`
			Running string `json:"running"`
		} `json:"targets"`
	}
	js = p.run(1, "showmigrations", "--fleet", "c", "--json")
	if err := json.Unmarshal([]byte(js), &fleetReport); err != nil {
		t.Fatalf("showmigrations --fleet --json: %v\n%s", err, js)
	}
	if ts := fleetReport.Targets; len(ts) != 1 || ts[0].Status != "in progress" || !strings.Contains(ts[0].Running, "through Galera node node1 (") {
		t.Errorf("showmigrations --fleet --json during the run: want one target in progress, run through node1:\n%s", js)
	}

	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = holder.Wait()
	time.Sleep(lease + time.Second)
	out = p.run(2, "showmigrations")
	for _, want := range []string{
		"Migrate run: held since ",
		"the run has most likely died",
		" [ ] 0003_slow (applying stopped after 1 operation; run pmanager migrate --resume or --rollback-partial)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("showmigrations on node 3 after the kill lacks %q:\n%s", want, out)
		}
	}
}
