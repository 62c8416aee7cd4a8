package faults

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
)

// concurrentRuns is how many migrate processes start at once.
const concurrentRuns = 8

// concurrentMigrations is the length of the chain they race to apply.
const concurrentMigrations = 50

// applyingLine is a migration's success line, with the elapsed time migrate
// prints after OK when it measured one.
var applyingLine = regexp.MustCompile(`(?m)^  Applying (main\.\S+)\.\.\. OK( \([^)]*\))?$`)

// TestConcurrentMigrate starts eight migrate processes at once against
// one fresh database with fifty pending migrations: each migration must be
// applied exactly once, by one of them, and every process must end well
// (having waited for the lock) or with the lock message.
func TestConcurrentMigrate(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			tg := newTarget(t, d, concurrentMigrations)
			cmds := make([]*exec.Cmd, concurrentRuns)
			outs := make([]*bytes.Buffer, concurrentRuns)
			errs := make([]*bytes.Buffer, concurrentRuns)
			for i := range cmds {
				cmds[i] = tg.command("migrate", "--lock-timeout", "3m")
				outs[i], errs[i] = &bytes.Buffer{}, &bytes.Buffer{}
				cmds[i].Stdout, cmds[i].Stderr = outs[i], errs[i]
				if err := cmds[i].Start(); err != nil {
					t.Fatal(err)
				}
			}
			applied := map[string]int{}
			waited := 0
			for i, cmd := range cmds {
				err := cmd.Wait()
				var ee *exec.ExitError
				switch {
				case err == nil:
				case errors.As(err, &ee) && strings.Contains(errs[i].String(), "another migrate run holds the migration lock"):
				default:
					t.Errorf("process %d: %v\nstdout:\n%s\nstderr:\n%s", i, err, outs[i], errs[i])
				}
				if strings.Contains(errs[i].String(), "waiting for another migrate on ") {
					waited++
				}
				for _, m := range applyingLine.FindAllStringSubmatch(outs[i].String(), -1) {
					applied[m[1]]++
				}
			}
			for _, m := range tg.ms {
				if n := applied[m.Key().String()]; n != 1 {
					t.Errorf("%s was applied %d times by the %d processes; want once", m.Key(), n, concurrentRuns)
				}
			}
			if len(applied) != concurrentMigrations {
				t.Errorf("the processes applied %d distinct migrations; want %d", len(applied), concurrentMigrations)
			}
			lost, dup := tg.checkComplete("after the concurrent runs")
			t.Log(fmt.Sprintf("%s: %d processes, %d said they waited for the lock, rows lost %d, duplicated %d", d, concurrentRuns, waited, lost, dup))
		})
	}
}
