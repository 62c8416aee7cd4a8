package fleet

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
)

// helperEnv, set, makes the test binary a fleet run that the kill test
// kills: TestHelperFleetRun migrates the URLs the variable lists.
const helperEnv = "PMANAGER_FLEET_HELPER_URLS"

// TestHelperFleetRun is not a test: run by killMidFleet in a process of
// its own, it migrates the fleet and prints a line per migration done.
func TestHelperFleetRun(t *testing.T) {
	urls := os.Getenv(helperEnv)
	if urls == "" {
		t.Skip("run by the kill test")
	}
	ts, err := FromURLs(strings.Split(urls, " "), "")
	if err != nil {
		t.Fatal(err)
	}
	Migrate(context.Background(), ts, shop(), Options{Parallel: 4, Events: func(e Event) {
		if e.Kind == MigrationDone {
			fmt.Printf("done %s %s\n", e.Target.Name, e.Step.Migration.Key())
		}
	}})
}

// killMidFleet kills (SIGKILL) a fleet run once half its migrations are
// done, then runs the fleet again with --resume: every target ends exact,
// its history the same as its schema.
func killMidFleet(t *testing.T, d schema.Dialect, n int) {
	s := newServer(t, d)
	s.create(t, n)
	var urls []string
	for i := 0; i < n; i++ {
		urls = append(urls, s.url(fmt.Sprintf("%s%02d", s.prefix, i)))
	}
	ts, err := FromURLs(urls, "")
	if err != nil {
		t.Fatal(err)
	}
	g := shop()
	half := n * len(g.Order()) / 2
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFleetRun$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"="+strings.Join(urls, " "))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := 0
	sc := bufio.NewScanner(out)
	for done < half && sc.Scan() {
		if strings.HasPrefix(sc.Text(), "done ") {
			done++
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // killed: its status says so
	if done < half {
		t.Fatalf("the run ended after %d migrations, before it could be killed at %d", done, half)
	}
	var partial, pending int
	for _, st := range Statuses(context.Background(), ts, g, 4) {
		partial += len(st.Partial)
		pending += len(st.Pending)
	}
	t.Logf("killed after %d of %d migrations: %d pending, %d left part-way", done, n*len(g.Order()), pending, partial)
	// The server may hold a killed session's lock for a moment: the
	// rerun waits for it.
	results := Migrate(context.Background(), ts, g, Options{Parallel: 4, Migrate: migrations.Options{Resume: true, LockTimeout: 30 * time.Second}})
	if err := Failed(results); err != nil {
		t.Fatalf("rerun after the kill: %v", err)
	}
	checkAll(t, ts, g)
}

func TestKillPostgres(t *testing.T) {
	t.Parallel()
	killMidFleet(t, schema.Postgres, 20)
}

func TestKillMySQL(t *testing.T) {
	t.Parallel()
	killMidFleet(t, schema.MySQL, 20)
}
