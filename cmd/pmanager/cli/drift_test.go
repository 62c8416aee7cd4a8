package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// openSQLite opens an SQLite file of a test project for body.
func openSQLite(t *testing.T, path string, body func(*sql.DB, schema.Editor)) {
	t.Helper()
	target, err := connect.Parse("sqlite://"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	db, ed, err := target.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	body(db, ed)
}

// execSQLite runs statements on an SQLite file of a test project.
func execSQLite(t *testing.T, path string, stmts ...string) {
	t.Helper()
	openSQLite(t, path, func(db *sql.DB, _ schema.Editor) {
		for _, q := range stmts {
			if _, err := db.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	})
}

// TestDriftCommand runs drift on the two-database project of the routing
// tests: each app is compared on the database pmanager.toml binds it to,
// each database is named first, a change by hand is printed under its
// table and exits 1, --json prints one document, and a database that
// cannot be read is one line and exit 1.
func TestDriftCommand(t *testing.T) {
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

	// Before anything is migrated, the SQLite files do not exist: an
	// error, and nothing is created.
	r := run("drift")
	if want := "pmanager: the SQLite database " + mainDB + " does not exist; check the connection's path (drift creates nothing)\n"; r.code != 1 || r.stderr != want {
		t.Errorf("drift before migrate: exit %d, stderr %q, want %q", r.code, r.stderr, want)
	}
	if tablesOf(t, mainDB) != nil {
		t.Error("drift created main.db")
	}

	if r := run("migrate"); r.code != 0 {
		t.Fatalf("migrate: %s", r.stderr)
	}
	r = run("drift")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("drift after migrate: exit %d, stderr %q", r.code, r.stderr)
	}
	if diff := cmp.Diff([]string{onMain, onBlog}, r.where); diff != "" {
		t.Errorf("Database lines (-want +got):\n%s", diff)
	}
	want := []string{
		"No drift: 1 table matches the applied migrations.",
		"No drift: 1 table matches the applied migrations.",
	}
	if diff := cmp.Diff(want, lines(r.stdout)); diff != "" {
		t.Errorf("drift after migrate (-want +got):\n%s", diff)
	}

	// A program `pmanager build` compiled runs it too, on a server without Go.
	p.binary = true
	if r := run("drift"); r.code != 0 || len(r.where) != 2 {
		t.Errorf("drift in a built program: exit %d, where %q, stderr %q", r.code, r.where, r.stderr)
	}
	p.binary = false

	// Drift by hand in blog's database, and a table of no model beside it.
	execSQLite(t, blogDB, `ALTER TABLE post ADD COLUMN subtitle text`, `CREATE INDEX post_title_idx ON post (title)`,
		`CREATE TABLE hand_made (id integer)`)
	r = run("drift")
	if r.code != 1 {
		t.Errorf("drift with a change: exit %d, stderr %q", r.code, r.stderr)
	}
	want = []string{
		"No drift: 1 table matches the applied migrations.",
		"post",
		`  extra column "subtitle": text`,
		`  extra index "post_title_idx": INDEX (title)`,
		"Drift: 2 differences in 1 of the 1 table the applied migrations own.",
	}
	if diff := cmp.Diff(want, lines(r.stdout)); diff != "" {
		t.Errorf("drift with a change (-want +got):\n%s", diff)
	}
	r = run("drift", "main")
	if r.code != 0 || len(r.where) != 1 || r.where[0] != onMain {
		t.Errorf("drift main: exit %d, where %q, stderr %q", r.code, r.where, r.stderr)
	}

	// --json: one document on stdout, the Database lines on stderr.
	r = run("drift", "blog", "--json")
	if r.code != 1 || len(r.where) != 0 || r.stderr != onBlog+"\n" {
		t.Errorf("drift blog --json: exit %d, where %q, stderr %q", r.code, r.where, r.stderr)
	}
	var doc DriftReport
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("drift --json is not JSON: %v\n%s", err, r.stdout)
	}
	wantDoc := DriftReport{Command: "drift", Databases: []DriftDatabase{{
		Database: "sqlite://" + blogDB, Apps: []string{"blog"}, Applied: []string{"blog.0001_initial"}, Tables: []string{"post"},
		Differences: []DriftDifference{
			{Table: "post", Kind: "extra_column", Object: "subtitle", Actual: "text", Message: `extra column "subtitle": text`},
			{Table: "post", Kind: "extra_index", Object: "post_title_idx", Actual: "INDEX (title)", Message: `extra index "post_title_idx": INDEX (title)`},
		},
		Edited: []string{}, Unknown: []string{},
	}}}
	if diff := cmp.Diff(wantDoc, doc); diff != "" {
		t.Errorf("drift --json (-want +got):\n%s", diff)
	}

	// A migration left part-way: no state to hold the tables to, so
	// drift says so, and how to finish or undo it, instead of guessing.
	openSQLite(t, blogDB, func(db *sql.DB, ed schema.Editor) {
		if err := migrations.NewHistory(db, ed).Begin(context.Background(), db, migrations.Key{App: "blog", Name: "0002_more"}, "x", false); err != nil {
			t.Fatal(err)
		}
	})
	r = run("drift", "blog")
	wantErr := []string{
		"pmanager: drift on sqlite://" + blogDB + " cannot be told while a migration is left part-way: the schema it should have is not known",
		"pmanager: blog.0002_more was left part-way while being applied (started ",
		"pmanager: run `pmanager migrate --resume` to run the rest once the cause is fixed, or `pmanager migrate --rollback-partial` to undo what ran",
	}
	if got := lines(r.stderr); r.code != 1 || len(got) != 3 || got[0] != wantErr[0] || !strings.HasPrefix(got[1], wantErr[1]) || got[2] != wantErr[2] {
		t.Errorf("drift with a migration part-way: exit %d, stderr %q, want lines starting %q", r.code, r.stderr, wantErr)
	}

	// A database that cannot be read: one line, exit 1.
	p.env = map[string]string{"PMANAGER_DATABASE_URL": "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=2"}
	r = run("drift", "main")
	if r.code != 1 || len(lines(r.stderr)) != 1 || !strings.HasPrefix(r.stderr, "pmanager: cannot connect to postgres://nobody:xxxxx@127.0.0.1:1/none") || strings.Contains(r.stderr, "secret") {
		t.Errorf("drift on a server that does not answer: exit %d, stderr %q", r.code, r.stderr)
	}
}
