package faults

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
)

var (
	killTrials = flag.Int("faults.trials", 30, "SIGKILL trials per dialect")
	killSeed   = flag.Uint64("faults.seed", 1, "seed of the random kill moments")
)

// killMigrations is the chain the kill trials run: short, so thirty
// trials per dialect stay fast, and long enough that most kills land
// inside a migration.
const killMigrations = 5

// killStats counts what the trials of one dialect saw.
type killStats struct {
	trials, killed, finished      int
	partial, doubts, resumed      int
	lost, duplicated, halfApplied int
}

// TestKilledMigrate kills migrate with SIGKILL at random moments of its
// run (seeded: -faults.seed, -faults.trials) and checks what it leaves:
// on PostgreSQL and SQLite the history and the schema agree (nothing half
// applied); on MySQL at most one migration is part-way and the history
// says exactly how far it got. Then migrate (with --resume when it says
// so) must complete, with the schema of a clean run and no row lost or
// written twice.
func TestKilledMigrate(t *testing.T) {
	if testing.Short() {
		t.Skip("SIGKILL trials start hundreds of processes; skipped with -short")
	}
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			// Clean runs measure how long a whole run takes (the median of
			// three), so the kills spread over all of it. The trials reuse its database, emptied
			// each time: creating a PostgreSQL database takes longer than a
			// trial.
			ref := newTarget(t, d, killMigrations)
			var spans []time.Duration
			for range 3 {
				ref.reset()
				start := time.Now()
				if o := ref.run("migrate"); o.code != 0 {
					t.Fatalf("clean run: exit %d\n%s%s", o.code, o.stdout, o.stderr)
				}
				spans = append(spans, time.Since(start))
				ref.checkComplete("clean run")
			}
			slices.Sort(spans)
			span := spans[1]
			h := fnv.New64a()
			h.Write([]byte(d))
			rng := rand.New(rand.NewPCG(*killSeed, h.Sum64()))
			var st killStats
			began := time.Now()
			for i := range *killTrials {
				delay := time.Duration(rng.Int64N(int64(span)))
				t.Run(fmt.Sprintf("trial%02d", i), func(t *testing.T) {
					killTrial(t, ref, d, delay, &st)
				})
			}
			t.Logf("%s: %d trials in %s (a clean run takes %s): %d killed mid-run, %d finished before the kill; "+
				"%d left a migration part-way (%d with a statement in doubt), %d resumed; half-applied %d, rows lost %d, duplicated %d",
				d, st.trials, time.Since(began).Round(time.Millisecond), span.Round(time.Millisecond), st.killed, st.finished,
				st.partial, st.doubts, st.resumed, st.halfApplied, st.lost, st.duplicated)
		})
	}
}

// killTrial starts migrate on the emptied database of tg, kills it after delay,
// checks what it left and recovers.
func killTrial(t *testing.T, tg *target, d schema.Dialect, delay time.Duration, st *killStats) {
	tg.t = t
	tg.reset()
	st.trials++
	if runAndSignal(t, tg.command("migrate"), syscall.SIGKILL, delay) {
		st.killed++
	} else {
		st.finished++
	}
	tg.settle()
	applied, partials := tg.history()
	switch {
	case len(partials) > 1:
		t.Fatalf("after the kill %d migrations are part-way; one run has at most one", len(partials))
	case len(partials) == 1:
		if d != schema.MySQL {
			st.halfApplied++
			t.Errorf("after the kill %s is part-way on %s, where each migration is one transaction", partials[0].Key, d)
		}
		checkPartial(t, tg, applied, partials[0], st)
	default:
		if diff := tg.schemaDiff(tg.stateOf(applied, nil, 0)); diff != "" {
			st.halfApplied++
			t.Errorf("after the kill the schema is not what the history records (-want +got):\n%s", diff)
		}
	}
	o := tg.run("migrate")
	if len(partials) > 0 && !nothingCommitted(partials[0]) {
		if o.code != 1 || !strings.Contains(o.stderr, "was left part-way") || !strings.Contains(o.stderr, "--resume") {
			t.Fatalf("migrate after a kill that left %s part-way: exit %d, want 1 and the way on\n%s", partials[0].Key, o.code, o.stderr)
		}
		o = tg.run("migrate", "--resume")
		st.resumed++
	}
	if o.code != 0 {
		t.Fatalf("migrate after the kill: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	lost, dup := tg.checkComplete("after recovering")
	st.lost += lost
	st.duplicated += dup
}

// nothingCommitted reports whether p is a migration whose start is
// recorded and nothing else: killed inside its first statement's
// transaction. The next migrate forgets it and applies it afresh.
func nothingCommitted(p migrations.Partial) bool {
	return p.OpsDone == 0 && p.StatementsDone == 0 && !p.Started && p.Error == ""
}

// checkPartial checks that a migration left part-way is exactly what the
// history says: the operations it records as done are in the schema, and
// the next one at most in doubt (killed between a DDL statement, which
// commits itself, and its record).
func checkPartial(t *testing.T, tg *target, applied map[migrations.Key]migrations.Applied, p migrations.Partial, st *killStats) {
	st.partial++
	var m *migrations.Migration
	for _, c := range tg.ms {
		if c.Key() == p.Key {
			m = c
		}
	}
	if m == nil || p.Backwards {
		t.Fatalf("part-way migration %+v is not a forward run of the chain", p)
	}
	exact := tg.schemaDiff(tg.stateOf(applied, m, p.OpsDone))
	if exact == "" {
		return
	}
	if p.Error == "" && p.StatementsDone == 0 && p.OpsDone < len(m.Operations) {
		if tg.schemaDiff(tg.stateOf(applied, m, p.OpsDone+1)) == "" {
			st.doubts++
			return
		}
	}
	st.halfApplied++
	t.Errorf("%s is recorded with %d operations done, but the schema differs (-want +got):\n%s", p.Key, p.OpsDone, exact)
}
