package faults

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// projectEnv makes the test binary the pmanager program of one of the
// bulk projects below (see bulkProject) instead of running tests.
const projectEnv = "PMANAGER_FAULTS_PROJECT"

var recoveryTrials = flag.Int("faults.recovery-trials", 30, "trials per kind of bulk fault and dialect, half SIGKILL and half SIGINT")

// Sizes of the bulk projects: large enough that a statement runs long
// after the client is gone, small enough that a trial takes a second or two.
const (
	// bulkInsertRows is what the NonAtomic PostgreSQL migration inserts.
	bulkInsertRows = 150000
	// bulkTableRows is what the MySQL child table holds when 0002 runs.
	bulkTableRows = 200000
)

// bulkProject returns the migrations of a bulk project:
//
//   - "insert" (PostgreSQL): 0002 is NonAtomic: a RunSQL inserting
//     bulkInsertRows rows, then CREATE INDEX CONCURRENTLY on them;
//   - "alter" (MySQL): 0002 changes a populated table with operations of
//     several statements each: a foreign key (column, index, constraint),
//     an index, a type change that copies the table.
func bulkProject(name string) []*migrations.Migration {
	id := func() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }
	switch name {
	case "insert":
		return []*migrations.Migration{
			{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
				operations.CreateModel{Name: "Big", Table: "big", Fields: []*state.Field{id(), {Name: "n", Kind: state.Integer}}},
			}},
			{App: "main", Name: "0002_fill", NonAtomic: true, Dependencies: []migrations.Key{{App: "main", Name: "0001_initial"}}, Operations: []operations.Operation{
				operations.RunSQL{
					SQL:     []string{fmt.Sprintf("INSERT INTO big (n) SELECT g FROM generate_series(1, %d) g", bulkInsertRows)},
					Reverse: []string{"DELETE FROM big"},
				},
				operations.RunSQL{
					SQL:     []string{"CREATE INDEX CONCURRENTLY big_n_cidx ON big (n)"},
					Reverse: []string{"DROP INDEX CONCURRENTLY big_n_cidx"},
				},
			}},
		}
	case "alter":
		return []*migrations.Migration{
			{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
				operations.CreateModel{Name: "Parent", Table: "parent", Fields: []*state.Field{id()}},
				operations.CreateModel{Name: "Child", Table: "child", Fields: []*state.Field{id(), {Name: "n", Kind: state.Integer}}},
			}},
			{App: "main", Name: "0002_link", Dependencies: []migrations.Key{{App: "main", Name: "0001_initial"}}, Operations: []operations.Operation{
				operations.AddField{Model: "Child", Field: &state.Field{Name: "parent", Kind: state.ForeignKey, Null: true,
					Relation: &state.Relation{To: "main.Parent", OnDelete: "CASCADE"}}},
				operations.AddIndex{Model: "Child", Index: state.Index{Name: "child_n_idx", Fields: []string{"n"}}},
				operations.AlterField{Model: "Child", Name: "n", Field: &state.Field{Name: "n", Kind: state.BigInteger}},
			}},
		}
	}
	return nil
}

// bulk is one database with a bulk project, the table contents each trial
// starts from, and a clean run's schema to compare with.
type bulk struct {
	*target
	project string
	// tables are the project's tables, dropped by each reset.
	tables []string
	// keep are tables that are not the project's and stay (a template,
	// unrelated tables).
	keep []string
	want []schema.Table
}

// newBulk creates the database of a bulk project on d, with unrelated
// tables beside it when unrelated is set, and records a clean run's schema.
func newBulk(t *testing.T, d schema.Dialect, project string, unrelated bool) *bulk {
	t.Helper()
	tg := newTarget(t, d, 0)
	tg.ms = bulkProject(project)
	tg.n = len(tg.ms)
	tg.env = []string{projectEnv + "=" + project}
	b := &bulk{target: tg, project: project}
	switch project {
	case "insert":
		b.tables = []string{"big"}
	case "alter":
		b.tables = []string{"child", "parent"}
		b.keep = []string{"child_template"}
		b.exec("CREATE TABLE child_template (id bigint NOT NULL PRIMARY KEY, n integer NOT NULL)")
		b.exec(fmt.Sprintf("INSERT INTO child_template (id, n) SELECT seq, seq %% 1000 FROM seq_1_to_%d", bulkTableRows))
	}
	if unrelated {
		b.keep = append(b.keep, "unrelated_a", "unrelated_b")
		b.exec("CREATE TABLE unrelated_a (id integer NOT NULL PRIMARY KEY, note varchar(20))")
		b.exec("CREATE INDEX unrelated_a_note ON unrelated_a (note)")
		b.exec("CREATE TABLE unrelated_b (id integer NOT NULL PRIMARY KEY, a_id integer REFERENCES unrelated_a (id))")
	}
	b.prepare()
	if o := b.run("migrate"); o.code != 0 {
		t.Fatalf("clean run: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	b.want = b.projectSchema()
	b.checkDone("clean run")
	return b
}

// exec runs a statement of the test's own.
func (b *bulk) exec(stmt string) {
	b.t.Helper()
	if _, err := b.db.Exec(stmt); err != nil {
		b.t.Fatalf("%s: %v", stmt, err)
	}
}

// prepare empties the database down to the kept tables and brings it to
// where each trial starts: 0001 applied and, for "alter", the child table
// filled from the template.
func (b *bulk) prepare() {
	b.t.Helper()
	for _, table := range append([]string{schema.HistoryTable}, b.tables...) {
		b.exec("DROP TABLE IF EXISTS " + b.ed.Quote(table))
	}
	// In this process: a child program here would double a trial's time.
	g, err := migrations.NewGraph(b.ms)
	if err != nil {
		b.t.Fatal(err)
	}
	ex := migrations.NewExecutor(b.db.DB, b.ed, g)
	if _, err := ex.MigrateTo(context.Background(), []migrations.Target{{App: "main", Name: "0001_initial"}}, migrations.Options{}); err != nil {
		b.t.Fatalf("migrate to 0001: %v", err)
	}
	if b.project == "alter" {
		b.exec("INSERT INTO child (id, n) SELECT id, n FROM child_template")
	}
}

// projectSchema inspects the project's own tables.
func (b *bulk) projectSchema() []schema.Table {
	b.t.Helper()
	tables, err := b.ed.Inspect(context.Background(), b.db)
	if err != nil {
		b.t.Fatalf("inspect: %v", err)
	}
	var out []schema.Table
	for _, t := range tables {
		if slices.Contains(b.tables, t.Name) {
			out = append(out, t)
		}
	}
	return out
}

// checkDone checks the end every trial must reach: both migrations
// recorded, none part-way, the clean run's schema, every row once, and no
// session left on the server but the test's own.
func (b *bulk) checkDone(when string) (lost, duplicated int) {
	b.t.Helper()
	applied, partials := b.history()
	if len(applied) != b.n || len(partials) != 0 {
		b.t.Errorf("%s: history has %d applied and %d partial migrations; want %d and 0", when, len(applied), len(partials), b.n)
	}
	if b.want != nil {
		if diff := cmp.Diff(b.want, b.projectSchema(), cmpopts.EquateEmpty()); diff != "" {
			b.t.Errorf("%s: schema differs from a clean run's (-want +got):\n%s", when, diff)
		}
	}
	table, want := "big", bulkInsertRows
	if b.project == "alter" {
		table, want = "child", bulkTableRows
	}
	var n, distinct int
	if err := b.db.QueryRow("SELECT count(*), count(DISTINCT id) FROM "+table).Scan(&n, &distinct); err != nil {
		b.t.Fatalf("%s: count rows of %s: %v", when, table, err)
	}
	if n < want {
		lost = want - n
		b.t.Errorf("%s: %s holds %d rows; want %d", when, table, n, want)
	}
	if distinct != n {
		b.t.Errorf("%s: %s holds %d rows but %d distinct ids", when, table, n, distinct)
	}
	if n > want {
		duplicated = n - want
		b.t.Errorf("%s: %s holds %d rows; want %d: a data step ran twice", when, table, n, want)
	}
	if left := b.sessions(); left != "" {
		b.t.Errorf("%s: sessions of pmanager are still on the server: %s", when, left)
	}
	for _, k := range b.keep {
		var c int
		if err := b.db.QueryRow("SELECT count(*) FROM " + k).Scan(&c); err != nil {
			b.t.Errorf("%s: table %s that is no migration's: %v", when, k, err)
		}
	}
	return lost, duplicated
}

// sessions describes the server sessions on this database other than the
// test's own pool's idle ones: what a pmanager run that ended would leave.
func (b *bulk) sessions() string {
	b.t.Helper()
	q := "SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
	if b.ed.Dialect() == schema.MySQL {
		q = "SELECT id, command, COALESCE(info, '') FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID() AND command <> 'Sleep'"
	}
	rows, err := b.db.Query(q)
	if err != nil {
		b.t.Fatalf("list sessions: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		var st, query sql.NullString
		if err := rows.Scan(&id, &st, &query); err != nil {
			b.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s %q", id, st.String, query.String))
	}
	return strings.Join(out, "; ")
}

// recoveryStats counts what the trials of one kind and dialect saw.
type recoveryStats struct {
	trials, killed, interrupted, finished int
	// stopped: plain migrate stopped and asked for a word; rolledBack:
	// recovered by --rollback-partial then migrate; resumed: by --resume.
	stopped, resumed, rolledBack, forgotten int
	lost, duplicated                        int
}

// TestBulkFaults kills (SIGKILL) or interrupts (SIGINT) migrate at seeded
// moments of long statements the server finishes after the client died:
// (a) a RunSQL insert of a NonAtomic PostgreSQL migration, (b) operations
// of several statements over a populated MySQL table, (c) the same with
// tables beside it that no migration knows. After each, plain migrate
// completes or stops asking for a word; the recovery it suggests
// (alternately --resume and --rollback-partial) completes; no row is lost
// or written twice; the schema is a clean run's; no session is left.
func TestBulkFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk fault trials start hundreds of processes; skipped with -short")
	}
	for _, c := range []struct {
		kind      string
		d         schema.Dialect
		project   string
		unrelated bool
	}{
		{"a-nonatomic-insert", schema.Postgres, "insert", false},
		{"b-multistatement", schema.MySQL, "alter", false},
		{"c-unrelated-tables", schema.MySQL, "alter", true},
	} {
		t.Run(c.kind+"/"+string(c.d), func(t *testing.T) {
			b := newBulk(t, c.d, c.project, c.unrelated)
			var spans []time.Duration
			for range 3 {
				b.prepare()
				start := time.Now()
				if o := b.run("migrate"); o.code != 0 {
					t.Fatalf("clean run: exit %d\n%s%s", o.code, o.stdout, o.stderr)
				}
				spans = append(spans, time.Since(start))
			}
			slices.Sort(spans)
			span := spans[1]
			h := fnv.New64a()
			h.Write([]byte(c.kind + string(c.d)))
			rng := rand.New(rand.NewPCG(*killSeed, h.Sum64()))
			var st recoveryStats
			began := time.Now()
			for i := range *recoveryTrials {
				delay := time.Duration(rng.Int64N(int64(span)))
				sig := syscall.SIGKILL
				if i%2 == 1 {
					sig = syscall.SIGINT
				}
				rollback := (i/2)%2 == 1
				t.Run(fmt.Sprintf("trial%02d", i), func(t *testing.T) {
					b.t = t
					bulkTrial(t, b, sig, delay, rollback, &st)
				})
			}
			t.Logf("%s %s: %d trials in %s (a clean run takes %s): %d SIGKILL and %d SIGINT mid-run, %d finished first; "+
				"plain migrate stopped asking for a word %d times (%d resumed, %d rolled back), forgot %d attempts of which nothing committed; rows lost %d, duplicated %d",
				c.kind, c.d, st.trials, time.Since(began).Round(time.Millisecond), span.Round(time.Millisecond), st.killed, st.interrupted, st.finished,
				st.stopped, st.resumed, st.rolledBack, st.forgotten, st.lost, st.duplicated)
		})
	}
}

// bulkTrial runs migrate from 0001, signals it after delay, and recovers.
func bulkTrial(t *testing.T, b *bulk, sig syscall.Signal, delay time.Duration, rollback bool, st *recoveryStats) {
	b.prepare()
	st.trials++
	switch {
	case !runAndSignal(t, b.command("migrate"), sig, delay):
		st.finished++
	case sig == syscall.SIGKILL:
		st.killed++
	default:
		st.interrupted++
	}
	b.settle()
	_, partials := b.history()
	o := b.run("migrate")
	if o.code != 0 {
		if !strings.Contains(o.stderr, "--resume") && !strings.Contains(o.stderr, "--assume-") {
			t.Fatalf("migrate after the fault: exit %d without asking for a word\n%s%s", o.code, o.stdout, o.stderr)
		}
		st.stopped++
		if rollback {
			st.rolledBack++
			if o = b.run("migrate", "--rollback-partial"); o.code != 0 {
				t.Fatalf("migrate --rollback-partial after the fault: exit %d\n%s%s", o.code, o.stdout, o.stderr)
			}
		} else {
			st.resumed++
			if o = b.run("migrate", "--resume"); o.code != 0 {
				t.Fatalf("migrate --resume after the fault: exit %d\n%s%s", o.code, o.stdout, o.stderr)
			}
		}
	} else if len(partials) > 0 {
		st.forgotten++
	}
	lost, dup := b.checkDone("after recovering")
	st.lost += lost
	st.duplicated += dup
}
