package faults

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// TestInterruptedMigrate sends SIGINT to migrate while a migration's RunGo
// step runs: the step's context is cancelled, the transaction rolled back
// (MySQL: the DDL before it stays, recorded as such), the lock released,
// and the message says what was rolled back and what stayed.
func TestInterruptedMigrate(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, d := range dbtest.Dialects {
			t.Run(sig.String()+"/"+string(d), func(t *testing.T) {
				tg := newTarget(t, d, 2)
				tg.env = []string{slowEnv + "=1"}
				blocking := filepath.Join(t.TempDir(), "blocking")
				cmd := tg.command("migrate")
				cmd.Env = append(cmd.Env, blockEnv+"="+blocking)
				var out, errOut bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errOut
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				exited := make(chan error, 1)
				go func() { exited <- cmd.Wait() }()
				// The signal goes once the RunGo step blocks.
				for {
					if _, err := os.Stat(blocking); err == nil {
						break
					}
					select {
					case err := <-exited:
						t.Fatalf("migrate ended before the slow step: %v\n%s%s", err, out.String(), errOut.String())
					case <-time.After(5 * time.Millisecond):
					}
				}
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				err := <-exited
				if err == nil || cmd.ProcessState.ExitCode() != 1 {
					t.Fatalf("interrupted migrate: %v, want exit status 1\n%s%s", err, out.String(), errOut.String())
				}
				if !strings.HasSuffix(out.String(), "  Applying main.0003_slow... FAILED\n") {
					t.Errorf("stdout:\n%s\nwant the slow migration marked FAILED", out.String())
				}
				want := "pmanager: interrupted: applying main.0003_slow stopped at operation 2 (Raw Go Operation); " +
					"nothing of main.0003_slow was kept; main.0001_t1, main.0002_t2 stayed applied\n"
				if d == schema.MySQL {
					want = "pmanager: interrupted: applying main.0003_slow stopped at operation 2 (Raw Go Operation); " +
						"this database cannot roll back DDL, so what ran before the failure stays in place, and the history records how far main.0003_slow got: " +
						"run `pmanager migrate --resume` to run the rest once the cause is fixed, or `pmanager migrate --rollback-partial` to undo what ran; " +
						"main.0001_t1, main.0002_t2 stayed applied\n"
				}
				// What the server said follows, on the dialects with a
				// server: the run's session was idle in the Go step, and
				// either rolled back or, when the driver gave up the
				// connection over the cancelled context, ended.
				server := regexp.MustCompile(`; (no statement was running on the server; session \d+ is idle( in transaction)?; the migration lock is released|` +
					`session \d+ has ended, and the migration lock with it)\n$`)
				if d != schema.SQLite {
					if !server.MatchString(errOut.String()) {
						t.Errorf("stderr:\n%s\nwant it to end with what the server said: %s", errOut.String(), server)
					}
					want = strings.TrimSuffix(want, "\n")
				}
				if got := server.ReplaceAllString(errOut.String(), ""); got != want {
					t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
				}
				applied, partials := tg.history()
				if len(applied) != 2 {
					t.Errorf("%d migrations recorded as applied; want 2", len(applied))
				}
				args := []string{"migrate"}
				if d == schema.MySQL {
					if len(partials) != 1 || partials[0].OpsDone != 1 || partials[0].Error != "" {
						t.Errorf("partials = %+v; want 0003 with its first operation done and no error recorded", partials)
					}
					args = append(args, "--resume")
				} else if len(partials) != 0 {
					t.Errorf("partials = %+v; want none", partials)
				}
				o := tg.run(append(args, "--lock-timeout", "0")...)
				if o.code != 0 {
					t.Fatalf("migrate after the interrupt: exit %d (the lock must be free)\n%s%s", o.code, o.stdout, o.stderr)
				}
				tg.n++
				tg.ms = append(tg.ms, slow(3))
				tg.checkCompleteSchema("after the interrupted run")
			})
		}
	}
}
