package lint

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// dialects are every dialect a rule can apply to.
var dialects = []schema.Dialect{schema.Postgres, schema.MySQL, schema.SQLite}

// ruleCase is a change and the rules it must trigger on each target: the
// rule ids found are compared as a whole, so a case also proves the rules
// it does not trigger.
type ruleCase struct {
	name   string
	before string
	// after is the models after; the operations are what the autodetector
	// makes of the change. ops, when set, are used instead.
	after string
	ops   []operations.Operation
	// want lists, per target, the ids expected. A target is a dialect
	// ("postgres"), or a dialect with a server version
	// ("mysql 8.0.12", "mariadb 10.3.2"): see target.
	want map[string][]string
}

const author = `
model main.Author
  name char max=100
  bio text null
  views integer default=0
`

var ruleCases = []ruleCase{
	{name: "drop table", before: author, after: "",
		want: all("pm.L001", "pm.L304")},
	{name: "drop column", before: author, after: `
model main.Author
  name char max=100
  views integer default=0
`, want: map[string][]string{
		"postgres":       {"pm.L002", "pm.L303"},
		"mysql":          {"pm.L002", "pm.L215", "pm.L303"},
		"mysql 8.0.29":   {"pm.L002", "pm.L303"},
		"mariadb 10.3.9": {"pm.L002", "pm.L215", "pm.L303"},
		"mariadb 10.4.0": {"pm.L002", "pm.L303"},
		"sqlite":         {"pm.L002", "pm.L303"},
	}},
	{name: "narrow a char", before: author, after: `
model main.Author
  name char max=50
  bio text null
  views integer default=0
`, want: map[string][]string{
		"postgres": {"pm.L003", "pm.L101", "pm.L202"},
		"mysql":    {"pm.L003", "pm.L101", "pm.L212"},
		"sqlite":   {"pm.L003", "pm.L101", "pm.L221"},
	}},
	{name: "widen an integer", before: author, after: `
model main.Author
  name char max=100
  bio text null
  views biginteger default=0
`, want: map[string][]string{
		"postgres": {"pm.L101", "pm.L202"},
		"mysql":    {"pm.L101", "pm.L212"},
		"sqlite":   {"pm.L101"},
	}},
	{name: "widen a short char within its length prefix", before: `
model main.Author
  name char max=20
`, after: `
model main.Author
  name char max=40
`, want: map[string][]string{
		// A longer varchar is binary-compatible: PostgreSQL keeps the table.
		"postgres": {},
		"mysql":    {},
		"sqlite":   {"pm.L221"},
	}},
	{name: "widen a char across the one-byte length prefix", before: `
model main.Author
  name char max=50
`, after: `
model main.Author
  name char max=100
`, want: map[string][]string{
		"postgres":        {},
		"mysql 8.0.35":    {"pm.L212"},
		"mariadb 10.4.2":  {"pm.L212"},
		"mariadb 10.11.6": {},
		"sqlite":          {"pm.L221"},
	}},
	{name: "add a nullable column", before: author, after: author + "  born date null\n",
		want: map[string][]string{
			"postgres":       {},
			"mysql":          {"pm.L211"},
			"mysql 8.0.11":   {"pm.L211"},
			"mysql 8.0.12":   {},
			"mariadb 10.3.1": {"pm.L211"},
			"mariadb 10.3.2": {},
			"sqlite":         {},
		}},
	{name: "add a NOT NULL column without a default", before: author,
		ops: []operations.Operation{operations.AddField{Model: "Author", Field: &state.Field{Name: "born", Kind: state.Date}}},
		want: map[string][]string{
			"postgres":     {"pm.L103", "pm.L305"},
			"mysql":        {"pm.L103", "pm.L211", "pm.L305"},
			"mysql 8.0.36": {"pm.L103", "pm.L305"},
			"sqlite":       {"pm.L103", "pm.L221", "pm.L305"},
		}},
	{name: "add a column with a constant default", before: author, after: author + "  rank integer default=1\n",
		want: map[string][]string{
			"postgres":      {},
			"postgres 10.0": {"pm.L206"},
			"postgres 11.0": {},
			"mysql":         {"pm.L211"},
			"sqlite":        {},
		}},
	{name: "add a column with a volatile default", before: author, after: author + "  token uuid db_default=uuid\n",
		want: map[string][]string{
			"postgres":     {"pm.L206"},
			"mysql 8.0.36": {},
			"sqlite":       {"pm.L221"},
		}},
	{name: "add an index", before: author, after: author + "  index author_name_idx name\n",
		want: map[string][]string{
			"postgres": {"pm.L201"},
			"mysql":    {},
			"sqlite":   {},
		}},
	{name: "hand-written CREATE INDEX", before: author,
		ops:  []operations.Operation{operations.RunSQL{SQL: []string{`CREATE INDEX "author_bio_idx" ON "author" ("bio")`}, Reverse: []string{}}},
		want: map[string][]string{"postgres": {"pm.L201"}}},
	{name: "hand-written CREATE INDEX CONCURRENTLY", before: author,
		ops:  []operations.Operation{operations.RunSQL{SQL: []string{`CREATE INDEX CONCURRENTLY "author_bio_idx" ON "author" ("bio")`}, Reverse: []string{}}},
		want: map[string][]string{"postgres": {}}},
	{name: "remove an index", before: author + "  index author_name_idx name\n", after: author,
		want: map[string][]string{
			"postgres": {"pm.L208"},
			"mysql":    {},
			"sqlite":   {},
		}},
	{name: "add a unique constraint", before: author, after: author + "  unique author_name_uniq name\n",
		want: map[string][]string{
			"postgres": {"pm.L104", "pm.L207"},
			"mysql":    {"pm.L104"},
			"sqlite":   {"pm.L104"},
		}},
	{name: "add a check constraint", before: author, after: author + "  check author_views_gte_0 views>=0\n",
		want: map[string][]string{
			"postgres": {"pm.L105", "pm.L204"},
			"mysql":    {"pm.L105", "pm.L216"},
			"sqlite":   {"pm.L105", "pm.L221"},
		}},
	{name: "a foreign key gets its constraint", before: `
model main.Publisher
  name char max=100
model main.Author
  publisher fk to=Publisher null on_delete=SET_NULL no_constraint
`, after: `
model main.Publisher
  name char max=100
model main.Author
  publisher fk to=Publisher null on_delete=SET_NULL
`, want: map[string][]string{
		"postgres": {"pm.L106", "pm.L203"},
		"mysql":    {"pm.L106", "pm.L214"},
		"sqlite":   {"pm.L106", "pm.L221"},
	}},
	{name: "a nullable column becomes NOT NULL", before: author,
		ops: []operations.Operation{operations.AlterField{Model: "Author", Name: "bio", Field: &state.Field{Name: "bio", Kind: state.Text}}},
		want: map[string][]string{
			"postgres": {"pm.L102", "pm.L205", "pm.L306"},
			"mysql":    {"pm.L102", "pm.L213", "pm.L306"},
			"sqlite":   {"pm.L102", "pm.L221", "pm.L306"},
		}},
	{name: "a NOT NULL column loses its default", before: author, after: `
model main.Author
  name char max=100
  bio text null
  views integer
`, want: map[string][]string{
		"postgres": {"pm.L307"},
		"mysql":    {"pm.L307"},
		"sqlite":   {"pm.L221", "pm.L307"},
	}},
	{name: "rename a column", before: author,
		ops:  []operations.Operation{operations.RenameField{Model: "Author", OldName: "bio", NewName: "about"}},
		want: all("pm.L301")},
	{name: "rename a field keeping its column", before: `
model main.Author
  bio text null column=bio
`, ops: []operations.Operation{operations.RenameField{Model: "Author", OldName: "bio", NewName: "about"}},
		want: all()},
	{name: "rename a table", before: author,
		ops:  []operations.Operation{operations.RenameModel{OldName: "Author", NewName: "Writer"}},
		want: all("pm.L302")},
	{name: "move a table", before: author,
		ops:  []operations.Operation{operations.AlterModelTable{Name: "Author", Table: "writers"}},
		want: all("pm.L302")},
	{name: "drop a many-to-many field", before: `
model main.Tag
  name char max=20
model main.Author
  tags m2m to=Tag
`, after: `
model main.Tag
  name char max=20
model main.Author
`, want: all("pm.L002")},
	{name: "create a table with indexes and checks", before: "", after: `
model main.Publisher
  name char max=100
model main.Author
  publisher fk to=Publisher
  views integer
  index author_views_idx views
  check author_views_gte_0 views>=0
`, want: all()},
	{name: "unmanaged models make nothing", before: `
model main.Author unmanaged
  name char max=100
`, after: "", want: all()},
}

// all expects ids on each dialect.
func all(ids ...string) map[string][]string {
	return map[string][]string{"postgres": ids, "mysql": ids, "sqlite": ids}
}

// target reads a case's target: "postgres" is the offline assumption,
// "mysql 8.0.12" a MySQL server, "mariadb 10.3.2" a MariaDB one.
func target(t *testing.T, s string) Target {
	t.Helper()
	name, ver, ok := strings.Cut(s, " ")
	d := schema.Dialect(name)
	if name == "mariadb" {
		d = schema.MySQL
	}
	if !ok {
		return Offline(d)
	}
	v, err := ParseVersion(ver)
	if err != nil {
		t.Fatal(err)
	}
	v.MariaDB = name == "mariadb"
	return Target{Dialect: d, Version: v}
}

// caseOps returns the states and the operations of a case.
func caseOps(t *testing.T, c ruleCase) (*state.Project, []operations.Operation) {
	t.Helper()
	before, err := statedsl.Parse(c.before)
	if err != nil {
		t.Fatal(err)
	}
	if c.ops != nil {
		return before, c.ops
	}
	after, err := statedsl.Parse(c.after)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := autodetect.Detect(before, after, fillNothing{})
	if err != nil {
		t.Fatal(err)
	}
	return before, changes.Ops["main"]
}

// fillNothing answers the autodetector's questions with no value.
type fillNothing struct{}

func (fillNothing) AskFill(string, string, bool) (*string, error) { return nil, nil }

// ids returns the sorted rule ids of the findings.
func ids(fss [][]Finding) []string {
	out := []string{}
	for _, fs := range fss {
		for _, f := range fs {
			if !slices.Contains(out, f.Rule) {
				out = append(out, f.Rule)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestRules(t *testing.T) {
	t.Parallel()
	for _, c := range ruleCases {
		t.Run(c.name, func(t *testing.T) {
			before, ops := caseOps(t, c)
			if len(ops) == 0 {
				t.Fatal("the case makes no operation")
			}
			for ts, want := range c.want {
				got, err := Analyze("main", ops, before, []Target{target(t, ts)})
				if err != nil {
					t.Fatalf("%s: %v", ts, err)
				}
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(ids(got), want) {
					t.Errorf("%s: rules %v, want %v\n%s", ts, ids(got), want, describe(ops, got))
				}
			}
		})
	}
}

// describe lists the operations and their findings for a failure.
func describe(ops []operations.Operation, fss [][]Finding) string {
	var b strings.Builder
	for i, op := range ops {
		fmt.Fprintf(&b, "  - %s\n", op.Describe())
		for _, f := range fss[i] {
			fmt.Fprintf(&b, "      ! %s\n", f)
		}
	}
	return b.String()
}

// TestEveryRuleTested: each rule is triggered by a case on every dialect
// it applies to, and never on one it does not.
func TestEveryRuleTested(t *testing.T) {
	t.Parallel()
	seen := map[string]map[schema.Dialect]bool{}
	for _, c := range ruleCases {
		for ts, want := range c.want {
			d := target(t, ts).Dialect
			for _, id := range want {
				if seen[id] == nil {
					seen[id] = map[schema.Dialect]bool{}
				}
				seen[id][d] = true
			}
		}
	}
	if n := len(Rules()); n < 20 {
		t.Errorf("%d rules, want at least 20", n)
	}
	for _, r := range Rules() {
		for _, d := range dialects {
			if r.AppliesTo(d) != seen[r.ID][d] {
				t.Errorf("%s on %s: applies %v, triggered by a case %v", r.ID, d, r.AppliesTo(d), seen[r.ID][d])
			}
		}
		if r.Means == "" || r.Instead == "" || r.check == nil {
			t.Errorf("%s lacks its meaning, its alternative or its check", r.ID)
		}
	}
}

// TestFindingsMerge: a finding that holds on several targets is one
// finding naming them; one that holds on every dialect names none.
func TestFindingsMerge(t *testing.T) {
	t.Parallel()
	before, err := statedsl.Parse(author)
	if err != nil {
		t.Fatal(err)
	}
	ops := []operations.Operation{operations.AlterField{Model: "Author", Name: "bio", Field: &state.Field{Name: "bio", Kind: state.Text}}}
	targets := []Target{Offline(schema.Postgres), Offline(schema.SQLite), {Dialect: schema.Postgres, Version: Version{Major: 16}}}
	got, err := Analyze("main", ops, before, targets)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range got[0] {
		lines = append(lines, f.String())
	}
	want := []string{
		"pm.L102 may refuse on existing rows: author.bio must hold no NULL",
		"pm.L205 blocks writes (postgres): SET NOT NULL on author.bio scans it under ACCESS EXCLUSIVE",
		"pm.L221 rewrites the table (sqlite): rebuilds author, copying every row under the database's write lock",
		"pm.L306 breaks code still running: makes author.bio NOT NULL without a default",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Version{
		"15.5 (Debian 15.5-0+deb12u1)": {Major: 15, Minor: 5},
		"16beta1":                      {},
		"8.0.36":                       {Major: 8, Minor: 0, Patch: 36},
		"10.11.6-MariaDB-0+deb12u1":    {MariaDB: true, Major: 10, Minor: 11, Patch: 6},
		"3.46.0":                       {Major: 3, Minor: 46},
	} {
		got, err := ParseVersion(in)
		if in == "16beta1" {
			if err == nil {
				t.Errorf("ParseVersion(%q) = %v, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
