package faults

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// sleepEnv adds a last migration whose second operation is a statement
// that sleeps on the server for a minute while the database the variable
// names holds a table pause, and not at all once it does not: the
// interrupted run and the rerun carry the same migration.
const sleepEnv = "PMANAGER_FAULTS_SLEEP_MARKER"

// sleepSQL is the sleeping statement of sleeper(_, marker).
func sleepSQL(marker string) string {
	return fmt.Sprintf("SELECT SLEEP(IF(EXISTS(SELECT 1 FROM information_schema.tables WHERE table_schema = '%s' AND table_name = 'pause'), 60, 0))", marker)
}

// sleeper is migration i: it creates table t<i>, then runs sleepSQL.
func sleeper(i int, marker string) *migrations.Migration {
	return &migrations.Migration{
		App:          "main",
		Name:         fmt.Sprintf("%04d_sleep", i),
		Dependencies: []migrations.Key{{App: "main", Name: fmt.Sprintf("%04d_t%d", i-1, i-1)}},
		Operations: []operations.Operation{
			operations.CreateModel{Name: fmt.Sprintf("T%d", i), Table: fmt.Sprintf("t%d", i), Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "name", Kind: state.Char, MaxLength: 30},
			}},
			operations.RunSQL{SQL: []string{sleepSQL(marker)}, Reverse: []string{"SELECT 1"}},
		},
	}
}

// TestInterruptedFleetMySQL sends SIGINT to `migrate --fleet` while each
// of three MariaDB/MySQL databases runs a long statement. A fleet's
// database has a pool of one connection, so the run stops each statement
// through a connection it opens only then: within two seconds of the
// process's exit the server runs no statement of the run, and a rerun
// completes every database exactly.
func TestInterruptedFleetMySQL(t *testing.T) {
	const n = 2
	marker := dbtest.Open(t, schema.MySQL)
	if _, err := marker.Exec("CREATE TABLE pause (id integer)"); err != nil {
		t.Fatal(err)
	}
	var tgs []*target
	var urls, names []string
	for i := 0; i < 3; i++ {
		tg := newTarget(t, schema.MySQL, n)
		tgs = append(tgs, tg)
		urls = append(urls, strconv.Quote(tg.db.URL))
		names = append(names, tg.db.Name)
	}
	dir := t.TempDir()
	toml := "[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\n[fleets.f]\nurls = [" + strings.Join(urls, ", ") + "]\n"
	if err := os.WriteFile(filepath.Join(dir, "pmanager.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	command := func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], append([]string{"-C", dir, "migrate", "--fleet", "f", "--parallel", "3"}, args...)...)
		cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(n), sleepEnv+"="+marker.Name)
		return cmd
	}
	// running counts the statements of the run the server still runs.
	sleep := sleepSQL(marker.Name)
	running := func() int {
		var count int
		q := "SELECT count(*) FROM information_schema.processlist WHERE command <> 'Sleep' AND info = ? AND db IN (?, ?, ?)"
		if err := marker.QueryRow(q, sleep, names[0], names[1], names[2]).Scan(&count); err != nil {
			t.Fatal(err)
		}
		return count
	}

	cmd := command()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// The signal goes once every database runs the statement.
	deadline := time.Now().Add(time.Minute)
	for running() < len(tgs) {
		if time.Now().After(deadline) {
			t.Fatalf("the databases did not all reach the sleeping statement within a minute\n%s%s", out.String(), errOut.String())
		}
		select {
		case err := <-exited:
			t.Fatalf("migrate --fleet ended before the sleeping statement: %v\n%s%s", err, out.String(), errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatal("migrate --fleet did not end within a minute of SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("interrupted migrate --fleet: exit status %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	t.Logf("interrupted run:\n%s%s", out.String(), errOut.String())
	left := running()
	for end := time.Now().Add(2 * time.Second); left > 0 && time.Now().Before(end); left = running() {
		time.Sleep(50 * time.Millisecond)
	}
	if left > 0 {
		t.Errorf("the server still runs %d statements of the interrupted run two seconds after it exited", left)
	}
	if got := strings.Count(errOut.String(), "the server cancelled the running statement"); got != len(tgs) {
		t.Errorf("stderr says %d times that the server cancelled the statement; want %d\n%s", got, len(tgs), errOut.String())
	}
	// Each target's progress line gives the same advice as the summary, in
	// flags: the library's option names are not the user's words.
	if got := strings.Count(out.String(), "run `pmanager migrate --fleet f --resume`"); got != len(tgs) || strings.Contains(out.String(), "Options.") {
		t.Errorf("stdout advises `pmanager migrate --fleet f --resume` %d times (want %d), or names a library option:\n%s", got, len(tgs), out.String())
	}

	// The rerun: the statement no longer sleeps, and every lock is free.
	if _, err := marker.Exec("DROP TABLE pause"); err != nil {
		t.Fatal(err)
	}
	rerun := command("--resume", "--lock-timeout", "0")
	var rout, rerr bytes.Buffer
	rerun.Stdout, rerun.Stderr = &rout, &rerr
	if err := rerun.Run(); err != nil {
		t.Fatalf("migrate --fleet --resume after the interrupt: %v\n%s%s", err, rout.String(), rerr.String())
	}
	for _, tg := range tgs {
		tg.n++
		tg.ms = append(tg.ms, sleeper(n+1, marker.Name))
		tg.checkCompleteSchema("after the rerun of " + tg.db.Name)
		applied, _ := tg.history()
		rows := tg.rowCounts(applied)
		if want := map[string]int{"t1": 1, "t2": 1, "t3": 0}; fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("%s: rows per table %v; want %v", tg.db.Name, rows, want)
		}
	}
}
