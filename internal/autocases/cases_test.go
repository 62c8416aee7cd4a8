package autocases

import (
	"context"
	"flag"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/casefile"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

var update = flag.Bool("update", false, "rewrite the SQL sections of the live cases in "+casesDir)

// casesDir is the one home of the autodetector's data cases; those with
// golden SQL sections are the live ones this package migrates.
var casesDir = filepath.Join("..", "..", "pkg", "autodetect", "testdata", "cases")

// minCases keeps the suite from quietly shrinking.
const minCases = 140

// TestCases runs every live case (one with golden SQL): the detected
// operations and the SQL of each dialect against the goldens, then the
// migration itself on each live database, forwards and backwards.
// pkg/autodetect's own test checks the operations of every case, live or
// not.
func TestCases(t *testing.T) {
	t.Parallel()
	cases := liveCases(t)
	if len(cases) < minCases {
		t.Fatalf("found %d live cases in %s, want at least %d", len(cases), casesDir, minCases)
	}
	for _, file := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runCase(t, file)
		})
	}
}

// liveCases lists the case files that hold golden SQL.
func liveCases(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(casesDir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var live []string
	for _, file := range files {
		if readCase(t, file).Live() {
			live = append(live, file)
		}
	}
	return live
}

// readCase parses one case file.
func readCase(t *testing.T, file string) *casefile.Case {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := casefile.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return c
}

// prepared is a case with its states and migrations worked out.
type prepared struct {
	before, after *state.Project
	rows          []string
	untouched     []string
	prior, added  []*migrations.Migration
	graph         *migrations.Graph
}

func runCase(t *testing.T, file string) {
	c := readCase(t, file)
	p := prepare(t, c)
	got := renderedSQL(p)
	got["forward"] = detectLines(t, p.before, p.after, c)
	got["backward"] = detectLines(t, p.after, p.before, c)
	checkGoldens(t, file, c, got)
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			migrateLive(t, d, p, strings.Contains(got[casefile.UpSection(string(d))], "\nerror: "))
		})
	}
	t.Run("galera", func(t *testing.T) {
		t.Parallel()
		c := dbtest.OpenGalera(t)
		// Migrated through one node, read back through the next: what
		// Galera replicated is what is checked.
		apply, read := galeraNodes(file, len(c.Nodes))
		migrateLiveOn(t, c.Nodes[apply], c.Nodes[read], p, strings.Contains(got[casefile.UpSection(string(schema.MySQL))], "\nerror: "))
	})
}

// renderedSQL renders the SQL of every dialect's editor for p, up and
// down, keyed by the case's section names; no database is needed.
func renderedSQL(p *prepared) map[string]string {
	got := map[string]string{}
	for _, d := range dbtest.Dialects {
		ed := connect.EditorFor(d)
		got[casefile.UpSection(string(d))] = RenderSQL(p.graph, p.added, ed, false)
		got[casefile.DownSection(string(d))] = RenderSQL(p.graph, p.added, ed, true)
	}
	return got
}

// checkGoldens compares the sections in got with the case's goldens, after
// rewriting the SQL ones in file when -update is set.
func checkGoldens(t *testing.T, file string, c *casefile.Case, got map[string]string) {
	t.Helper()
	if *update {
		for _, name := range casefile.Sections() {
			if v, ok := got[name]; ok && !isDetectSection(name) {
				c.Set(name, v)
			}
		}
		if err := os.WriteFile(file, c.Format(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range casefile.Sections() {
		want, ok := got[name]
		if !ok {
			continue
		}
		fix := "go test -update rewrites it"
		if isDetectSection(name) {
			fix = "go test ./pkg/autodetect -update rewrites it"
		}
		if diff := cmp.Diff(c.Lines(name), casefile.Lines(want), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-golden +now; %s):\n%s", name, fix, diff)
		}
	}
}

// galeraNodes chooses, for the case in file, the node of a cluster of n
// that migrates it and the other node its result is read through: the
// cases spread over every node, the same way every run.
func galeraNodes(file string, n int) (apply, read int) {
	h := fnv.New32a()
	h.Write([]byte(filepath.Base(file)))
	apply = int(h.Sum32() % uint32(n))
	return apply, (apply + 1) % n
}

// prepare parses the states and builds the migration of before (from
// nothing) and the one of the forward change on top of it.
func prepare(t *testing.T, c *casefile.Case) *prepared {
	t.Helper()
	p := &prepared{rows: c.Lines("rows"), untouched: c.Lines("untouched")}
	var err error
	if p.before, err = statedsl.Parse(c.Section("before")); err != nil {
		t.Fatalf("before: %v", err)
	}
	if p.after, err = statedsl.Parse(c.Section("after")); err != nil {
		t.Fatalf("after: %v", err)
	}
	answers := answersOf(t, c)
	initial, err := autodetect.Detect(state.NewProject(), p.before, answers)
	if err != nil {
		t.Fatalf("detect the before state from nothing: %v", err)
	}
	p.prior = Next(nil, initial, "before")
	forward, err := autodetect.Detect(p.before, p.after, answers)
	if err != nil {
		t.Fatalf("detect forward: %v", err)
	}
	p.added = Next(p.prior, forward, "after")
	if len(p.added) == 0 {
		t.Fatal("the case changes nothing: before and after detect no operations")
	}
	if p.graph, err = migrations.NewGraph(append(append([]*migrations.Migration(nil), p.prior...), p.added...)); err != nil {
		t.Fatalf("graph: %v", err)
	}
	replayed, err := p.graph.State()
	if err != nil {
		t.Fatal(err)
	}
	again, err := autodetect.Detect(replayed, p.after, answers)
	if err != nil || !again.Empty() {
		t.Fatalf("after replaying the migrations, Detect still finds %v (err %v)", describe(again), err)
	}
	return p
}

// detectLines renders Detect(from, to) as "app: Describe" lines, or the
// error it returns as one "error: ..." line.
func detectLines(t *testing.T, from, to *state.Project, c *casefile.Case) string {
	t.Helper()
	ch, err := autodetect.Detect(from, to, answersOf(t, c))
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	return strings.Join(describe(ch), "\n") + "\n"
}

func describe(ch *autodetect.Changes) []string {
	if ch == nil {
		return nil
	}
	var out []string
	for _, app := range sortedApps(ch) {
		for _, op := range ch.Ops[app] {
			out = append(out, app+": "+casefile.Operation(op))
		}
	}
	return out
}

// isDetectSection says whether a section holds what Detect finds, which
// pkg/autodetect's test owns and rewrites; this package rewrites only SQL.
func isDetectSection(name string) bool { return name == "forward" || name == "backward" }

// answersOf reads a case's answers as the questioner the live run uses.
func answersOf(t *testing.T, c *casefile.Case) Answers {
	t.Helper()
	a, err := c.Answers()
	if err != nil {
		t.Fatal(err)
	}
	return Answers(a)
}

func sortedApps(ch *autodetect.Changes) []string {
	var apps []string
	for app := range ch.Ops {
		apps = append(apps, app)
	}
	sort.Strings(apps)
	return apps
}

// migrateLive applies the case on a fresh database of dialect d and checks
// the schema and the rows after each direction. refused says the forward
// SQL could not be rendered on d, so migrating must fail and change nothing.
func migrateLive(t *testing.T, d schema.Dialect, p *prepared, refused bool) {
	db := dbtest.Open(t, d)
	migrateLiveOn(t, db, db, p, refused)
}

// migrateLiveOn is migrateLive on a database of its own: migrated through
// db, its schema and rows read through read (another node of a cluster,
// or db).
func migrateLiveOn(t *testing.T, db, read *dbtest.DB, p *prepared, refused bool) {
	ctx := context.Background()
	ed := connect.EditorFor(db.Dialect)
	g0, err := migrations.NewGraph(p.prior)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, migrations.NewExecutor(db.DB, ed, g0), nil)
	checkSchema(t, ed, read, p.untouched, p.before, "after migrating before")
	checkDrift(t, ed, read, g0, p.before, p.untouched, "after migrating before")
	counts := insertRows(t, ed, read, p.rows)

	ex := migrations.NewExecutor(db.DB, ed, p.graph)
	plan, err := ex.Plan(ctx, nil)
	if err != nil {
		t.Fatalf("plan forwards: %v", err)
	}
	if err := ex.Migrate(ctx, plan, migrations.Options{}); err != nil {
		if !refused {
			t.Fatalf("migrate forwards: %v", err)
		}
		checkSchema(t, ed, read, p.untouched, p.before, "after the refused migration")
		return
	}
	if refused {
		t.Fatal("migrating forwards succeeded though its SQL could not be rendered")
	}
	checkSchema(t, ed, read, p.untouched, p.after, "forwards")
	checkDrift(t, ed, read, p.graph, p.after, p.untouched, "forwards")
	checkRows(t, ed, read, Survivors(p.before, p.after, counts), counts, "forwards")

	back, err := ex.Plan(ctx, Targets(p.prior, p.added))
	if err != nil {
		t.Fatalf("plan backwards: %v", err)
	}
	if err := ex.Migrate(ctx, back, migrations.Options{}); err != nil {
		t.Fatalf("migrate backwards: %v", err)
	}
	checkSchema(t, ed, read, p.untouched, p.before, "backwards")
	checkDrift(t, ed, read, p.graph, p.before, p.untouched, "backwards")
	kept := map[string]string{}
	for table := range Survivors(p.before, p.after, counts) {
		kept[table] = table
	}
	checkRows(t, ed, read, kept, counts, "backwards")
}

// apply migrates ex's graph to targets (nil: every leaf).
func apply(t *testing.T, ex *migrations.Executor, targets []migrations.Target) {
	t.Helper()
	ctx := context.Background()
	plan, err := ex.Plan(ctx, targets)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if err := ex.Migrate(ctx, plan, migrations.Options{}); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

// checkSchema compares what the database holds with what p implies.
func checkSchema(t *testing.T, ed schema.Editor, db schema.ExecQuerier, untouched []string, p *state.Project, when string) {
	t.Helper()
	want, err := ed.Expected(p)
	if err != nil {
		t.Fatalf("%s: Expected: %v", when, err)
	}
	got, err := UserTables(context.Background(), ed, db)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	if diff := SchemaDiff(ed.Dialect(), without(want, untouched), without(got, untouched)); diff != "" {
		t.Errorf("%s: the database differs from the state:\n%s", when, diff)
	}
}

// checkDrift asks migrations.Drift, as the drift command does, whether
// the database holds what the migrations its history records build: a
// database pmanager just migrated must show no drift, whatever the
// dialect reports of types, defaults and names. The tables the case
// leaves alone on purpose (a model made managed creates no table) are
// left out. It compares every table of p, the state the history stands
// for.
func checkDrift(t *testing.T, ed schema.Editor, db schema.ExecQuerier, g *migrations.Graph, p *state.Project, untouched []string, when string) {
	t.Helper()
	r, err := migrations.Drift(context.Background(), db, ed, g, nil)
	if err != nil {
		t.Fatalf("%s: Drift: %v", when, err)
	}
	want, err := ed.Expected(p)
	if err != nil {
		t.Fatalf("%s: Expected: %v", when, err)
	}
	var names []string
	for _, tb := range want {
		names = append(names, tb.Name)
	}
	if diff := cmp.Diff(names, r.Tables); diff != "" {
		t.Errorf("%s: Drift compared other tables than the state's (-want +got):\n%s", when, diff)
	}
	for _, d := range r.Differences {
		if !contains(untouched, d.Table) {
			t.Errorf("%s: drift in a freshly migrated database: %s: %s", when, d.Table, d)
		}
	}
	if len(r.Edited) > 0 || len(r.Unknown) > 0 {
		t.Errorf("%s: Drift reports edited %v and unknown %v migrations in a history it wrote itself", when, r.Edited, r.Unknown)
	}
}

var insertTable = regexp.MustCompile(`(?i)^INSERT\s+INTO\s+(\w+)`)

// insertRows runs a case's rows section (quoting its table names for the
// dialect) and returns how many rows each table then holds.
func insertRows(t *testing.T, ed schema.Editor, db schema.ExecQuerier, rows []string) map[string]int {
	t.Helper()
	ctx := context.Background()
	counts := map[string]int{}
	for _, stmt := range rows {
		m := insertTable.FindStringSubmatch(stmt)
		if m == nil {
			t.Fatalf("rows: want INSERT INTO table ..., got %q", stmt)
		}
		quoted := stmt[:len(m[0])-len(m[1])] + ed.Quote(m[1]) + stmt[len(m[0]):]
		if _, err := db.ExecContext(ctx, quoted); err != nil {
			t.Fatalf("rows: %s: %v", stmt, err)
		}
		counts[m[1]] = 0
	}
	for table := range counts {
		n, err := CountRows(ctx, ed, db, table)
		if err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

// checkRows checks every table of moved (old table → table now) still
// holds the rows counted before.
func checkRows(t *testing.T, ed schema.Editor, db schema.ExecQuerier, moved map[string]string, counts map[string]int, when string) {
	t.Helper()
	for old, now := range moved {
		n, err := CountRows(context.Background(), ed, db, now)
		if err != nil {
			t.Errorf("%s: %v", when, err)
			continue
		}
		if n != counts[old] {
			t.Errorf("%s: table %s holds %d rows, want the %d of %s", when, now, n, counts[old], old)
		}
	}
}

// without leaves the named tables out of tables.
func without(tables []schema.Table, names []string) []schema.Table {
	var out []schema.Table
	for _, t := range tables {
		if !contains(names, t.Name) {
			out = append(out, t)
		}
	}
	return out
}
