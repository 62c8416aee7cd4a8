package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/internal/sqlsplit"
	"github.com/pmanager/pmanager/internal/staticload"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// The commands of the inspectdb scripts (testdata/script/walkthrough/
// inspectdb_*.txtar): Django creates a schema, pmanager inspectdb writes
// models for it, makemigrations and migrate build it again in a second
// database, and schemacmp compares the two.

// djangoPython is the interpreter whose Django (Debian's python3-django)
// creates the contrib apps' schema.
const djangoPython = "/usr/bin/python3"

// cmdSQLFile runs the SQL script FILE, statement by statement, on the
// database whose URL is in the variable URLVAR.
func cmdSQLFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sqlfile URLVAR FILE")
	}
	t, err := connect.Parse(ts.Getenv(args[0]), ts.MkAbs("."))
	ts.Check(err)
	src, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	stmts, err := sqlsplit.Split(string(src), t.Dialect)
	ts.Check(err)
	db, _, err := t.Open()
	ts.Check(err)
	defer db.Close()
	for _, st := range stmts {
		if _, err := db.Exec(st.Text); err != nil {
			ts.Fatalf("%s line %d: %v", args[1], st.Line, err)
		}
	}
}

// djangoDriver is the Python module Django needs for each dialect, and
// the Debian package that has it.
var djangoDriver = map[schema.Dialect][2]string{
	schema.Postgres: {"psycopg2", "python3-psycopg2"},
	schema.MySQL:    {"MySQLdb", "python3-mysqldb"},
	schema.SQLite:   {"sqlite3", "python3"},
}

// hasDjango is the [django] condition: Django imports in djangoPython.
func hasDjango() bool {
	return exec.Command(djangoPython, "-c", "import django").Run() == nil
}

// djangoSettings is the settings module of a Django project with the
// contrib apps whose schema the test adopts; %s is the DATABASES entry.
const djangoSettings = `SECRET_KEY = "inspectdb-test"
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.admin",
    "django.contrib.sessions", "django.contrib.sites", "django.contrib.flatpages",
    "django.contrib.redirects", "django.contrib.messages",
]
# The admin's template and middleware checks concern serving pages, not the schema.
SILENCED_SYSTEM_CHECKS = ["admin.E403", "admin.E408", "admin.E409", "admin.E410"]
SITE_ID = 1
USE_TZ = True
DATABASES = {"default": %s}
`

// cmdDjangoMigrate runs Django's migrate for the contrib apps against the
// database whose URL is in the variable args[0].
func cmdDjangoMigrate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: djangomigrate URLVAR")
	}
	t, err := connect.Parse(ts.Getenv(args[0]), ts.MkAbs("."))
	ts.Check(err)
	driver := djangoDriver[t.Dialect]
	if out, err := exec.Command(djangoPython, "-c", "import "+driver[0]).CombinedOutput(); err != nil {
		ts.Fatalf("Django needs the Python module %s for %s and it does not import (%v: %s); install %s (apt-get install -y %s)", driver[0], t.Dialect, err, strings.TrimSpace(string(out)), driver[1], driver[1])
	}
	entry, err := djangoDatabase(ts.Getenv(args[0]), t)
	ts.Check(err)
	dir := ts.MkAbs("django")
	ts.Check(os.MkdirAll(dir, 0o755))
	ts.Check(os.WriteFile(filepath.Join(dir, "pmtest_settings.py"), []byte(fmt.Sprintf(djangoSettings, entry)), 0o644))
	cmd := exec.Command(djangoPython, "-m", "django", "migrate", "--verbosity", "0")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "DJANGO_SETTINGS_MODULE=pmtest_settings")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		ts.Fatalf("django migrate: %v\n%s", err, out)
	}
}

// djangoDatabase writes the DATABASES entry (a Python dict) for a URL.
func djangoDatabase(raw string, t *connect.Target) (string, error) {
	if t.Dialect == schema.SQLite {
		return fmt.Sprintf(`{"ENGINE": "django.db.backends.sqlite3", "NAME": %q}`, t.Database), nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	engine := "django.db.backends.postgresql"
	if t.Dialect == schema.MySQL {
		engine = "django.db.backends.mysql"
	}
	password, _ := u.User.Password()
	return fmt.Sprintf(`{"ENGINE": %q, "NAME": %q, "USER": %q, "PASSWORD": %q, "HOST": %q, "PORT": %q}`,
		engine, strings.TrimPrefix(u.Path, "/"), u.User.Username(), password, u.Hostname(), u.Port()), nil
}

// cmdFreshDB puts in the variable args[0] the URL of a new empty database
// of the script's dialect (an SQLite file in the script's folder, or a
// database on the server, dropped when the script ends).
func cmdFreshDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freshdb VAR")
	}
	d := schema.Dialect(ts.Getenv("DIALECT"))
	dir := ts.MkAbs(strings.ToLower(args[0]))
	ts.Check(os.MkdirAll(dir, 0o755))
	url, drop, err := dbtest.Create(d, dir)
	ts.Check(err)
	ts.Defer(func() {
		if err := drop(); err != nil {
			ts.Logf("drop database: %v", err)
		}
	})
	ts.Setenv(args[0], url)
}

// liveTables inspects the database whose URL is in the variable name,
// leaving out pmanager's history table.
func liveTables(ts *testscript.TestScript, name string) []schema.Table {
	t, err := connect.Parse(ts.Getenv(name), ts.MkAbs("."))
	ts.Check(err)
	db, ed, err := t.Open()
	ts.Check(err)
	defer db.Close()
	tables, err := ed.Inspect(context.Background(), db)
	ts.Check(err)
	var out []schema.Table
	for _, tb := range tables {
		if tb.Name != schema.HistoryTable {
			out = append(out, tb)
		}
	}
	return out
}

// cmdSchemaSave writes the live schema of the database in the variable
// args[0] to the file args[1], as JSON.
func cmdSchemaSave(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: schemasave URLVAR FILE")
	}
	data, err := json.MarshalIndent(liveTables(ts, args[0]), "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), data, 0o644))
}

// cmdSchemaCmp compares the schema saved in the file FILE with the live
// schema of the database in the variable URLVAR, table by table, and fails
// with every difference. -names allows the differences of names a model
// cannot give (acceptNames says which, and why); -missing t1,t2 names the
// tables inspectdb wrote Unmanaged, which the live database must lack (the
// script says why each is Unmanaged, and checks inspectdb said so).
func cmdSchemaCmp(ts *testscript.TestScript, neg bool, args []string) {
	names, missing := false, []string(nil)
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch {
		case args[0] == "-names":
			names = true
		case args[0] == "-missing" && len(args) > 1:
			missing = strings.Split(args[1], ",")
			args = args[1:]
		default:
			ts.Fatalf("usage: schemacmp [-names] [-missing t1,t2] FILE URLVAR")
		}
		args = args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: schemacmp [-names] [-missing t1,t2] FILE URLVAR")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var want []schema.Table
	ts.Check(json.Unmarshal(data, &want))
	got := liveTables(ts, args[1])
	d := schema.Dialect(ts.Getenv("DIALECT"))
	if names {
		want, got = acceptNames(d, want), acceptNames(d, got)
	}
	got = addMissing(want, got, missing)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		ts.Fatalf("schemas differ (-%s +%s):\n%s", args[0], args[1], diff)
	}
}

// addMissing puts back into got the tables of want named in missing,
// after checking that got lacks each of them: an Unmanaged model makes no
// table, and a table that appears anyway is a difference.
func addMissing(want, got []schema.Table, missing []string) []schema.Table {
	has := map[string]bool{}
	for _, t := range got {
		has[t.Name] = true
	}
	for _, name := range missing {
		if has[name] {
			continue // the comparison reports it
		}
		for _, t := range want {
			if t.Name == name {
				got = append(got, t)
			}
		}
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
	return got
}

// acceptNames rewrites a schema so that the differences between a
// database made by other tools (Django's migrations, a published SQL
// script) and the one pmanager makes from the written models compare
// equal; each rule is a difference a model cannot avoid:
//
//   - Foreign key constraint names: Django's are
//     <table>_<column>_<hash>_fk_<target>_<target column> (Chinook's
//     FK_<Table><Column> or <table>_<column>_fkey), pmanager's
//     <table>_<column>_fk, and a model has no option to name one. The
//     names are blanked.
//   - The index of a foreign key column: Django names it
//     <table>_<column>_<hash> (on MySQL it is the index InnoDB makes for
//     the constraint, named after it; Chinook's is IFK_<Table><Column>),
//     pmanager <table>_<column>_idx, and a model cannot name it either.
//     Such an index is renamed fk-index:<column>.
//   - MySQL: InnoDB lets a foreign key use a unique index that starts
//     with its column, so Django's table has no index of its own for
//     content_type_id (in (content_type_id, codename)) and the like; a
//     model's foreign key always gets one. An fk-index is dropped where a
//     unique or index of more columns starts with its column.
//   - SQLite: an inline UNIQUE column is an index named
//     sqlite_autoindex_<table>_<n>, a name no CREATE INDEX may use;
//     pmanager's unique field is <table>_<column>_uniq. One-column unique
//     indexes are renamed unique:<column>.
//
// Check expressions are not compared (Inspect reads checks by name), nor
// PostgreSQL's operator classes: Django's <column>_like indexes use
// varchar_pattern_ops, which a model index does not say; pmanager's copy
// is a plain index of the same name and column.
func acceptNames(d schema.Dialect, tables []schema.Table) []schema.Table {
	out := make([]schema.Table, len(tables))
	for i, t := range tables {
		fkCols := map[string]bool{}
		for j := range t.ForeignKeys {
			fkCols[t.ForeignKeys[j].Column] = true
		}
		t.ForeignKeys = append([]schema.ForeignKey(nil), t.ForeignKeys...)
		for j := range t.ForeignKeys {
			t.ForeignKeys[j].Name = ""
		}
		var idx []schema.Index
		for _, x := range t.Indexes {
			if len(x.Columns) == 1 && fkCols[x.Columns[0]] && !strings.HasSuffix(x.Name, "_like") {
				if d == schema.MySQL && coveredBy(t, x.Columns[0]) {
					continue
				}
				x.Name = "fk-index:" + x.Columns[0]
			}
			idx = append(idx, x)
		}
		t.Indexes = idx
		if d == schema.SQLite {
			t.Uniques = append([]schema.Unique(nil), t.Uniques...)
			for j, u := range t.Uniques {
				if len(u.Columns) == 1 {
					t.Uniques[j].Name = "unique:" + u.Columns[0]
				}
			}
		}
		schema.SortTable(&t)
		sort.SliceStable(t.ForeignKeys, func(a, b int) bool { return t.ForeignKeys[a].Column < t.ForeignKeys[b].Column })
		out[i] = t
	}
	return out
}

// coveredBy reports whether a unique or index of several columns of t
// starts with column.
func coveredBy(t schema.Table, column string) bool {
	for _, u := range t.Uniques {
		if len(u.Columns) > 1 && u.Columns[0] == column {
			return true
		}
	}
	for _, x := range t.Indexes {
		if len(x.Columns) > 1 && x.Columns[0] == column {
			return true
		}
	}
	return false
}

// cmdStateCmp compares the live schema of the database in the variable
// URLVAR with the schema the project's models (app main, models/, read as
// makemigrations reads them) imply on it, over the tables the models
// manage: what a drift check reports after adoption. -names allows the
// name differences of acceptNames.
func cmdStateCmp(ts *testscript.TestScript, neg bool, args []string) {
	names := len(args) == 2 && args[0] == "-names"
	if names {
		args = args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: statecmp [-names] URLVAR")
	}
	gomod, err := os.ReadFile(ts.MkAbs("go.mod"))
	ts.Check(err)
	path, _, _ := strings.Cut(strings.TrimPrefix(string(gomod), "module "), "\n")
	apps, err := staticload.Models(staticload.Module{Path: strings.TrimSpace(path), Dir: ts.MkAbs(".")},
		[]staticload.App{{Label: "main", ModelsDir: ts.MkAbs("models"), MigrationsDir: ts.MkAbs("migrations")}})
	ts.Check(err)
	p, err := models.Load(apps...)
	ts.Check(err)
	d := schema.Dialect(ts.Getenv("DIALECT"))
	want, err := connect.EditorFor(d).Expected(p)
	ts.Check(err)
	managed := map[string]bool{}
	for _, t := range want {
		managed[t.Name] = true
	}
	var got []schema.Table
	for _, t := range liveTables(ts, args[0]) {
		if managed[t.Name] {
			got = append(got, t)
		}
	}
	if names {
		want, got = acceptNames(d, want), acceptNames(d, got)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		ts.Fatalf("the live schema differs from the models' (-models +%s):\n%s", args[0], diff)
	}
}
