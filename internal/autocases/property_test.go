package autocases

import (
	"context"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

var (
	seedFlag  = flag.Int64("autocases.seed", 0, "run TestLiveEdits with this one seed instead of the default ones")
	stepsFlag = flag.Int("autocases.steps", 150, "model edits per TestLiveEdits sequence")
)

// defaultSeeds are the sequences every run migrates on each dialect; with
// the default 150 steps that is 450 edits per dialect, each migrated,
// unapplied and migrated again.
var defaultSeeds = []int64{1, 2, 3}

// TestLiveEdits is the property test on live databases: seeded random
// sequences of model edits, each one detected, turned into a migration,
// rendered as a Go file that parses and applied by the executor; after every step the
// database must hold exactly what the state implies, and detecting again
// from the migrations' state must find nothing. Now and then the step is
// unapplied and applied again, checking the schema both times.
func TestLiveEdits(t *testing.T) {
	t.Parallel()
	seeds := defaultSeeds
	if *seedFlag != 0 {
		seeds = []int64{*seedFlag}
	}
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			seen := &kindCounter{counts: map[string]int{}}
			t.Run("seeds", func(t *testing.T) {
				for _, seed := range seeds {
					t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
						t.Parallel()
						runSequence(t, d, seed, *stepsFlag, seen)
					})
				}
			})
			if t.Failed() || *seedFlag != 0 {
				return
			}
			for _, kind := range editKinds {
				if seen.counts[kind] == 0 {
					t.Errorf("no %q edit was migrated; the generator is not covering it", kind)
				}
			}
			t.Logf("%s: migrated edits by kind: %v", d, seen.counts)
		})
	}
}

// TestLiveEditsGalera runs the same seeded sequences as TestLiveEdits, as
// many edits each, on the Galera cluster of $PMANAGER_TEST_GALERA: each
// seed in a database of its own, migrated through one node and checked
// through the next, the seeds spread over the nodes and run at once. The
// cluster must hold what the state implies after every edit, as one
// MariaDB does.
func TestLiveEditsGalera(t *testing.T) {
	t.Parallel()
	seeds := defaultSeeds
	if *seedFlag != 0 {
		seeds = []int64{*seedFlag}
	}
	dbtest.GaleraURLs(t) // skips, saying why, without a cluster
	seen := &kindCounter{counts: map[string]int{}}
	t.Run("seeds", func(t *testing.T) {
		for i, seed := range seeds {
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				c := dbtest.OpenGalera(t)
				apply := i % len(c.Nodes)
				runSequenceRead(t, c.Nodes[apply], c.Nodes[(apply+1)%len(c.Nodes)], seed, *stepsFlag, seen)
			})
		}
	})
	if !t.Failed() {
		t.Logf("galera: migrated edits by kind: %v", seen.counts)
	}
}

// TestLiveEditsRegressions replays sequences that once found a bug, on the
// dialect where it showed: unapplying a migration while another app's later
// migration, which renamed or rebuilt a table, stays applied.
func TestLiveEditsRegressions(t *testing.T) {
	t.Parallel()
	if *seedFlag != 0 {
		t.Skip("a single seed was asked for")
	}
	for _, r := range []struct {
		d     schema.Dialect
		seed  int64
		steps int
	}{
		{schema.SQLite, 4, 72},
		{schema.Postgres, 7, 66},
	} {
		t.Run(fmt.Sprintf("%s/seed=%d", r.d, r.seed), func(t *testing.T) {
			t.Parallel()
			runSequence(t, r.d, r.seed, r.steps, &kindCounter{counts: map[string]int{}})
		})
	}
}

// kindCounter tallies the edits migrated across a dialect's sequences.
type kindCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (k *kindCounter) add(kind string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.counts[kind]++
}

// sequence is one seeded run of edits on one database.
type sequence struct {
	t    *testing.T
	d    schema.Dialect
	seed int64
	db   *dbtest.DB
	// read is the database the schema is checked through: db, or
	// another node of db's cluster.
	read    *dbtest.DB
	ed      schema.Editor
	applied []*migrations.Migration
	// replayed is the state the applied migrations build.
	replayed *state.Project
}

func runSequence(t *testing.T, d schema.Dialect, seed int64, steps int, seen *kindCounter) {
	db := dbtest.Open(t, d)
	runSequenceRead(t, db, db, seed, steps, seen)
}

// runSequenceRead is runSequence on a database of its own, db, with the
// schema checked through read (another node of db's cluster, or db).
func runSequenceRead(t *testing.T, db, read *dbtest.DB, seed int64, steps int, seen *kindCounter) {
	d := db.Dialect
	s := &sequence{t: t, d: d, seed: seed, db: db, read: read, ed: connect.EditorFor(d), replayed: state.NewProject()}
	r := rand.New(rand.NewSource(seed))
	gen := &editor{r: r, dialect: d}
	cur := state.NewProject()
	for step := 1; step <= steps; step++ {
		next, kind := gen.edit(cur)
		// Every step is undone and redone; the draw stays so that a seed
		// still names the sequence it always did.
		_ = r.Intn(5)
		if s.step(step, kind, cur, next, true) {
			seen.add(kind)
		}
		cur = next
	}
}

// step migrates the edit from cur to next and checks the database; it
// reports whether the edit needed a migration.
func (s *sequence) step(n int, kind string, cur, next *state.Project, roundTrip bool) bool {
	ctx := context.Background()
	fail := func(format string, args ...any) {
		s.t.Helper()
		run := "TestLiveEdits/" + string(s.d) + "/"
		if s.read != s.db {
			run = "TestLiveEditsGalera"
		}
		s.t.Fatalf("seed %d, step %d (%s): %s\nrerun: go test -run '%s' ./internal/autocases/ -autocases.seed=%d -autocases.steps=%d\nstate before:\n%s\nstate after:\n%s",
			s.seed, n, kind, fmt.Sprintf(format, args...), run, s.seed, n, dsl(cur), dsl(next))
	}
	ch, err := autodetect.Detect(cur, next, filler{next})
	if err != nil {
		fail("detect: %v", err)
	}
	if ch.Empty() {
		return false
	}
	added := Next(s.applied, ch, fmt.Sprintf("step%d", n))
	for _, m := range added {
		src, err := migrations.WriteSource(m, "migrations", "test", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		if err == nil {
			_, err = parser.ParseFile(token.NewFileSet(), m.Name+".go", src, parser.AllErrors)
		}
		if err != nil {
			fail("render %s as Go: %v\noperations: %s", m.Key(), err, strings.Join(describe(ch), "; "))
		}
	}
	all := append(append([]*migrations.Migration(nil), s.applied...), added...)
	g, err := migrations.NewGraph(all)
	if err != nil {
		fail("graph: %v", err)
	}
	ex := migrations.NewExecutor(s.db.DB, s.ed, g)
	migrate := func(targets []migrations.Target, want *state.Project, when string) {
		plan, err := ex.Plan(ctx, targets)
		if err == nil {
			err = ex.Migrate(ctx, plan, migrations.Options{})
		}
		if err != nil {
			fail("%s: %v\noperations: %s", when, err, strings.Join(describe(ch), "; "))
		}
		if diff := s.schemaDiff(want); diff != "" {
			fail("%s: the database differs from the state (-want +got):\n%s\noperations: %s", when, diff, strings.Join(describe(ch), "; "))
		}
	}
	// The database must hold what the migration files build; that state
	// must in turn be the edited one (detecting again finds nothing),
	// though its fields may stand in another order.
	replayed, err := g.State()
	if err != nil {
		fail("replay: %v", err)
	}
	again, err := autodetect.Detect(replayed, next, filler{next})
	if err != nil || !again.Empty() {
		fail("detecting again after migrating finds %v (err %v)", describe(again), err)
	}
	migrate(nil, replayed, "migrate")
	if roundTrip {
		migrate(Targets(s.applied, added), s.replayed, "unapply")
		migrate(nil, replayed, "apply again")
	}
	s.applied, s.replayed = all, replayed
	return true
}

// schemaDiff compares the database with what p implies.
func (s *sequence) schemaDiff(p *state.Project) string {
	want, err := s.ed.Expected(p)
	if err != nil {
		return "Expected: " + err.Error()
	}
	got, err := UserTables(context.Background(), s.ed, s.read)
	if err != nil {
		return err.Error()
	}
	return SchemaDiff(s.d, want, got)
}

// dsl prints a state for a failure message.
func dsl(p *state.Project) string {
	text, err := statedsl.Format(p)
	if err != nil {
		return err.Error()
	}
	return text
}

// filler answers every one-off question with a value of the field's kind,
// as a developer filling existing rows would.
type filler struct{ to *state.Project }

// AskFill implements autodetect.Questioner.
func (f filler) AskFill(model, field string, alteration bool) (*string, error) {
	for _, m := range f.to.Models {
		if m.Name != model {
			continue
		}
		if fl := m.Field(field); fl != nil {
			if fl.Kind.IsRelation() {
				return state.Str("1"), nil
			}
			return defaultFor(fl.Kind), nil
		}
	}
	return nil, fmt.Errorf("autocases: question about %s.%s, which the target state lacks", model, field)
}
