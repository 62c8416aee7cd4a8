package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// Post is the model of the blog app of the routing tests.
type Post struct {
	models.Model
	Title string `pm:"max_length=80"`
}

// routedProject has two apps on two SQLite files: main on the default
// connection, blog bound to connection "blog".
func routedProject(t *testing.T) (*project, func() ([]modelsApps, *migrations.Registry)) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "pmanager.toml"), `default_connection = "default"
[connections.default]
url = "sqlite://main.db"
[connections.blog]
url = "sqlite://blog.db"
[apps.main]
models = "models"
migrations = "migrations"
[apps.blog]
models = "blog/models"
migrations = "blog/migrations"
connection = "blog"
`)
	m1, _ := migrationSet(t)
	blogApps := []models.App{{Label: "blog", Types: []any{Post{}}}}
	to, err := models.Load(blogApps...)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := autodetect.Detect(state.NewProject(), to, autodetect.NonInteractive())
	if err != nil {
		t.Fatal(err)
	}
	b1 := &migrations.Migration{App: "blog", Name: "0001_initial", Initial: true, Operations: ch.Ops["blog"]}
	apps := []models.App{{Label: "blog", Types: []any{Post{}}}, {Label: "main", Types: []any{Manufacturer{}}}}
	return &project{t: t, dir: dir}, func() ([]modelsApps, *migrations.Registry) { return apps, registry(m1, b1) }
}

// tablesOf lists the tables of an SQLite file of the project, nil when
// the file does not exist.
func tablesOf(t *testing.T, path string) []string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	target, err := connect.Parse("sqlite://"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	db, ed, err := target.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := ed.Inspect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	return names
}

// TestRouting checks the one routing rule and the "Database:" line of
// every command that acts on a database: each app goes to its own
// connection, --database or a <conn> argument wins, the environment
// replaces the default connection, and the line says which and why.
func TestRouting(t *testing.T) {
	t.Parallel()
	p, apps := routedProject(t)
	mainDB, blogDB := filepath.Join(p.dir, "main.db"), filepath.Join(p.dir, "blog.db")
	onMain := "Database: sqlite://" + mainDB + " (pmanager.toml [connections.default])"
	onBlog := "Database: sqlite://" + blogDB + " (app blog: pmanager.toml [connections.blog])"
	run := func(args ...string) result {
		t.Helper()
		a, reg := apps()
		return p.run(a, reg, "", args...)
	}
	check := func(r result, name string, where ...string) {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
		if diff := cmp.Diff(where, r.where); diff != "" {
			t.Errorf("%s: Database lines (-want +got):\n%s", name, diff)
		}
	}

	// Plain migrate: each app on its own connection, each said first.
	check(run("migrate"), "migrate", onMain, onBlog)
	if diff := cmp.Diff([]string{"manufacturer", "pmanager_migrations"}, tablesOf(t, mainDB)); diff != "" {
		t.Errorf("main.db (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pmanager_migrations", "post"}, tablesOf(t, blogDB)); diff != "" {
		t.Errorf("blog.db (-want +got):\n%s", diff)
	}
	r := run("showmigrations")
	check(r, "showmigrations", onMain, onBlog)
	if diff := cmp.Diff([]string{"main", " [X] 0001_initial", "blog", " [X] 0001_initial"}, lines(r.stdout)); diff != "" {
		t.Errorf("showmigrations (-want +got):\n%s", diff)
	}

	// A named app runs on its connection.
	check(run("migrate", "blog", "zero"), "migrate blog zero", onBlog)
	if diff := cmp.Diff([]string{"pmanager_migrations"}, tablesOf(t, blogDB)); diff != "" {
		t.Errorf("blog.db after migrate blog zero (-want +got):\n%s", diff)
	}
	check(run("showmigrations", "blog"), "showmigrations blog", onBlog)

	// --database wins, for the apps that run there.
	check(run("migrate", "--database", "blog"), "migrate --database blog",
		"Database: sqlite://"+blogDB+" (--database blog: pmanager.toml [connections.blog])")
	if diff := cmp.Diff([]string{"pmanager_migrations", "post"}, tablesOf(t, blogDB)); diff != "" {
		t.Errorf("blog.db after migrate --database blog (-want +got):\n%s", diff)
	}

	// The connection commands (database:*, migration:*) route by their <conn>.
	check(run("migration:list", "blog"), "migration:list blog", "Database: sqlite://"+blogDB+" (pmanager.toml [connections.blog])")
	check(run("migration:down", "blog"), "migration:down blog", "Database: sqlite://"+blogDB+" (pmanager.toml [connections.blog])")
	check(run("migration:up", "blog"), "migration:up blog", "Database: sqlite://"+blogDB+" (pmanager.toml [connections.blog])")

	// sqlmigrate renders for the app's database and stays pure SQL.
	r = run("sqlmigrate", "blog", "0001")
	check(r, "sqlmigrate")
	if !strings.Contains(r.stdout, `CREATE TABLE "post"`) {
		t.Errorf("sqlmigrate blog 0001: %q", r.stdout)
	}

	// The environment replaces the default connection, and says so.
	envDB := filepath.Join(p.dir, "env.db")
	p.env = map[string]string{"PMANAGER_DATABASE_URL": "sqlite://env.db"}
	check(run("migrate", "main"), "migrate main with PMANAGER_DATABASE_URL",
		"Database: sqlite://"+envDB+" (environment PMANAGER_DATABASE_URL)")
	if diff := cmp.Diff([]string{"manufacturer", "pmanager_migrations"}, tablesOf(t, envDB)); diff != "" {
		t.Errorf("env.db (-want +got):\n%s", diff)
	}
}

// TestRoutingDefault: with nothing configured the pmanager command uses
// pmanager.db and says it is the default; a built program refuses, in one
// line, and creates nothing.
func TestRoutingDefault(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/app\n")
	m1, _ := migrationSet(t)
	apps := appsOf(Manufacturer{})

	built := &project{t: t, dir: dir, binary: true}
	r := built.run(apps, registry(m1), "", "migrate")
	want := "pmanager: no database configured, and this program migrates only a database it is told about; set PMANAGER_DATABASE_URL (or DATABASE_URL) to its URL, or run it beside a pmanager.toml that names a connection (-C <dir>)\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("built program, nothing configured: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "pmanager.db")); err == nil {
		t.Errorf("the built program created pmanager.db")
	}
	for _, args := range [][]string{{"showmigrations"}, {"migration:up", "default"}, {"migration:list", "default"}} {
		r = built.run(apps, registry(m1), "", args...)
		if r.code != 1 || r.stderr != want {
			t.Errorf("built program %s: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}

	// Told where, it migrates there.
	built.env = map[string]string{"DATABASE_URL": "sqlite://told.db"}
	r = built.run(apps, registry(m1), "", "migrate")
	if r.code != 0 || len(r.where) != 1 || r.where[0] != "Database: sqlite://"+filepath.Join(dir, "told.db")+" (environment DATABASE_URL)" {
		t.Errorf("built program told: exit %d, where %q, stderr %q", r.code, r.where, r.stderr)
	}

	p := &project{t: t, dir: dir}
	r = p.run(apps, registry(m1), "", "migrate")
	if r.code != 0 || len(r.where) != 1 || r.where[0] != "Database: sqlite://"+filepath.Join(dir, "pmanager.db")+" (default: nothing configured)" {
		t.Errorf("pmanager command, nothing configured: exit %d, where %q, stderr %q", r.code, r.where, r.stderr)
	}
	if diff := cmp.Diff([]string{"manufacturer", "pmanager_migrations"}, tablesOf(t, filepath.Join(dir, "pmanager.db"))); diff != "" {
		t.Errorf("pmanager.db (-want +got):\n%s", diff)
	}
}

// TestRecoveryAdviceKeepsContext: a run under --database that stops
// part-way suggests commands that, copied exactly, act on the same
// database and app; so does showmigrations.
func TestRecoveryAdviceKeepsContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := newProject(t, "default", "sqlite://"+filepath.Join(dir, "default.db"), "my", "sqlite://"+filepath.Join(dir, "my.db"))
	m1, m2 := migrationSet(t)
	m2.NonAtomic = true
	m2.Operations = append(m2.Operations, operations.RunSQL{SQL: []string{"INSERT INTO needed (x) VALUES (1)"}, Reverse: []string{}})
	apps, reg := appsOf(Manufacturer{}, Car{}), registry(m1, m2)
	r := p.run(apps, reg, "", "migrate", "main", "--database", "my")
	if r.code != 1 || !strings.Contains(r.stderr, "`pmanager migrate main --database my --resume`") ||
		!strings.Contains(r.stderr, "`pmanager migrate main --database my --rollback-partial`") {
		t.Errorf("failed run: exit %d, stderr %q", r.code, r.stderr)
	}
	r = p.run(apps, reg, "", "migrate", "--database", "my")
	if r.code != 1 || !strings.Contains(r.stderr, "`pmanager migrate --database my --resume`") {
		t.Errorf("next run: exit %d, stderr %q", r.code, r.stderr)
	}
	r = p.run(apps, reg, "", "showmigrations", "--database", "my")
	if r.code != 0 || !strings.Contains(r.stdout, "run pmanager migrate --database my --resume or --rollback-partial)") {
		t.Errorf("showmigrations: exit %d, stdout %q", r.code, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "default.db")); err == nil {
		t.Error("the default database was touched")
	}
}

// TestCommandLine checks the quoting of suggested commands.
func TestCommandLine(t *testing.T) {
	t.Parallel()
	got := commandLine("migrate", []string{"main", "0002"}, "--database", "my db", "--resume")
	if want := "pmanager migrate main 0002 --database 'my db' --resume"; got != want {
		t.Errorf("commandLine = %q, want %q", got, want)
	}
}

// TestDestructiveNeedsYes: off a terminal, unapplying on a database server
// (migrate app zero, migration:down, redo, refresh) stops with one line
// naming --yes, and nothing is done; with --yes it runs. SQLite is never
// asked about (the other tests unapply there freely).
func TestDestructiveNeedsYes(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.Postgres)
	p := newProject(t, "default", db.URL)
	m1, m2 := migrationSet(t)
	apps, reg := appsOf(Manufacturer{}, Car{}), registry(m1, m2)
	if r := p.run(apps, reg, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %s", r.stderr)
	}
	tables := func() int {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('car', 'manufacturer')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, args := range [][]string{
		{"migrate", "main", "zero"},
		{"migration:down", "default"},
		{"migration:redo", "default", "--steps", "2"},
		{"migration:refresh", "default"},
	} {
		r := p.run(apps, reg, "", args...)
		name := strings.Join(args, " ")
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "; nothing was done; not on a terminal, so confirm with --yes: pmanager "+name+" --yes\n") ||
			!strings.Contains(r.stderr, "would unapply ") {
			t.Errorf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
		if strings.Contains(r.stdout, "Unapplying") {
			t.Errorf("%s ran something: %q", name, r.stdout)
		}
		if n := tables(); n != 2 {
			t.Fatalf("after a refused %s: %d of the 2 tables left", name, n)
		}
	}
	r := p.run(apps, reg, "", "migrate", "main", "zero", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "Unapplying main.0001_initial... OK") {
		t.Errorf("migrate main zero --yes: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if n := tables(); n != 0 {
		t.Errorf("after migrate main zero --yes: %d tables left", n)
	}
	// Applying creates; it asks nothing.
	if r := p.run(apps, reg, "", "migrate"); r.code != 0 {
		t.Errorf("migrate after zero: exit %d, stderr %q", r.code, r.stderr)
	}
	// Applying a reviewed migration that drops a column asks nothing
	// either: deploys run migrate unattended.
	m3 := &migrations.Migration{App: "main", Name: "0003_remove_car_name", Dependencies: []migrations.Key{m2.Key()},
		Operations: []operations.Operation{operations.RemoveField{Model: "Car", Name: "name"}}}
	if r := p.run(apps, registry(m1, m2, m3), "", "migrate"); r.code != 0 || !strings.Contains(r.stdout, "Applying main.0003_remove_car_name... OK") {
		t.Errorf("migrate over a RemoveField: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
