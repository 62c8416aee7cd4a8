package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// count returns the number of rows of table.
func count(t *testing.T, db *dbtest.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// hasTable reports whether the live database has table.
func hasTable(t *testing.T, db *dbtest.DB, table string) bool {
	t.Helper()
	tables, err := connectEditor(db.Dialect).Inspect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Name == table {
			return true
		}
	}
	return false
}

// TestLoad loads good and bad SQL scripts and JSON fixtures into a
// migrated database of every dialect: what succeeds is all there, what
// fails names the statement or row and leaves nothing behind (on MySQL,
// DDL that ran before the failure stays, and the message says so).
func TestLoad(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			p := newProject(t, "default", db.URL)
			m1, m2 := migrationSet(t)
			apps := appsOf(Manufacturer{}, Car{})
			run := func(args ...string) result { return p.run(apps, registry(m1, m2), "", args...) }
			if r := run("migrate"); r.code != 0 {
				t.Fatalf("migrate: %s", r.stderr)
			}

			write(t, filepath.Join(p.dir, "fixtures", "cars.json"), `{
  "manufacturer": [
    {"id": 1, "name": "VW; \"the people's car\"", "country": "DE"},
    {"id": 2, "name": "Fiat", "country": "IT"}
  ],
  "car": [{"name": "Beetle", "manufacturer_id": 1}]
}`)
			r := run("database:load", "default", "fixtures/cars.json")
			if r.code != 0 || r.stdout != "Loaded 3 rows into 2 tables from fixtures/cars.json\n" {
				t.Fatalf("load json: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			if count(t, db, "manufacturer") != 2 || count(t, db, "car") != 1 {
				t.Fatalf("after the fixture: %d manufacturers, %d cars", count(t, db, "manufacturer"), count(t, db, "car"))
			}
			// The next id the database hands out is past the fixture's ids.
			if _, err := db.ExecContext(context.Background(), "INSERT INTO manufacturer (name, country) VALUES ('Seat', 'ES')"); err != nil {
				t.Fatalf("insert after the fixture: %v", err)
			}

			write(t, filepath.Join(p.dir, "bad.json"), `{"manufacturer": [{"name": "Opel", "country": "DE"}, {"name": "Fiat", "country": "IT"}]}`)
			r = run("db:load", "bad.json")
			if r.code != 1 || !strings.HasPrefix(r.stderr, `pmanager: load failed at bad.json: table "manufacturer", row 2: `) ||
				!strings.HasSuffix(r.stderr, "; nothing was loaded\n") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("bad fixture: exit %d, stderr %q", r.code, r.stderr)
			}
			if n := count(t, db, "manufacturer"); n != 3 {
				t.Errorf("a failed fixture left %d manufacturers, want 3", n)
			}

			// A car of a maker that does not exist: PostgreSQL and SQLite
			// check their deferred foreign keys at the end, MySQL at the row.
			write(t, filepath.Join(p.dir, "orphan.json"), `{"car": [{"name": "Ghost", "manufacturer_id": 99}]}`)
			r = run("db:load", "orphan.json")
			want := "pmanager: load failed at orphan.json: the foreign key checks at the end found: "
			if d == schema.MySQL {
				want = `pmanager: load failed at orphan.json: table "car", row 1: `
			}
			if r.code != 1 || !strings.HasPrefix(r.stderr, want) || !strings.HasSuffix(r.stderr, "; nothing was loaded\n") {
				t.Errorf("orphan fixture: exit %d, stderr %q, want %q...", r.code, r.stderr, want)
			}
			if n := count(t, db, "car"); n != 1 {
				t.Errorf("a failed fixture left %d cars, want 1", n)
			}

			write(t, filepath.Join(p.dir, "good.sql"), "-- More makers.\nINSERT INTO manufacturer (name, country)\n  VALUES ('A; b', 'GB');\n/* and one more */\nINSERT INTO manufacturer (name, country) VALUES ('C''d', 'FR');\n")
			r = run("database:load", "good.sql")
			if r.code != 0 || r.stdout != "Loaded 2 statements from good.sql\n" {
				t.Fatalf("load sql: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}

			write(t, filepath.Join(p.dir, "bad.sql"), "CREATE TABLE extra (id integer);\nINSERT INTO manufacturer (name, country) VALUES ('E', 'ES');\n\nINSERT INTO nosuch\n  VALUES (1);\n")
			r = run("database:load", "bad.sql")
			wantStart := "pmanager: load failed at bad.sql:4: INSERT INTO nosuch: "
			wantEnd := "; nothing was loaded\n"
			if d == schema.MySQL {
				// CREATE TABLE commits by itself: refused before anything runs.
				wantStart = "pmanager: bad.sql cannot be loaded in one transaction: 1 statement commits by itself on MySQL/MariaDB, with everything before it: line 1 CREATE TABLE extra (id integer) (DDL commits implicitly); nothing was loaded; "
				wantEnd = "pass --non-atomic to run the file in steps (a failure then names the statements that stay)\n"
			}
			if r.code != 1 || !strings.HasPrefix(r.stderr, wantStart) || !strings.HasSuffix(r.stderr, wantEnd) {
				t.Errorf("bad sql: exit %d, stderr %q, want %q ... %q", r.code, r.stderr, wantStart, wantEnd)
			}
			if n := count(t, db, "manufacturer"); n != 5 {
				t.Errorf("a failed script left %d manufacturers, want 5", n)
			}
			if hasTable(t, db, "extra") {
				t.Errorf("table extra exists after the refused or failed script")
			}

			// In steps, the report names what stays: on MySQL the CREATE
			// TABLE, not the INSERT after it.
			r = run("database:load", "--non-atomic", "bad.sql")
			wantEnd = "; nothing was loaded\n"
			if d == schema.MySQL {
				wantEnd = "; the statement on line 1 (CREATE TABLE extra (id integer)) stays committed and everything after it was rolled back; take it out of the file before loading it again\n"
			}
			if r.code != 1 || !strings.HasPrefix(r.stderr, "pmanager: load failed at bad.sql:4: INSERT INTO nosuch: ") || !strings.HasSuffix(r.stderr, wantEnd) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("bad sql --non-atomic: exit %d, stderr %q, want ... %q", r.code, r.stderr, wantEnd)
			}
			if n := count(t, db, "manufacturer"); n != 5 {
				t.Errorf("a failed script left %d manufacturers, want 5", n)
			}
			if got, want := hasTable(t, db, "extra"), d == schema.MySQL; got != want {
				t.Errorf("table extra exists = %v after the failed script, want %v", got, want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	p := newProject(t, "default", db.URL)
	files := map[string]string{
		"open.sql":    "SELECT 1;\nSELECT 'x;\n",
		"list.json":   `[{"a": 1}]`,
		"rows.json":   `{"t": {"a": 1}}`,
		"row.json":    `{"t": [1]}`,
		"short.json":  `{"t": [{"a": 1}`,
		"trail.json":  `{"t": []} {}`,
		"notes.txt":   "hello",
		"broken.json": `{"t": [{"a": 1,}]}`,
		"tx.sql":      "CREATE TABLE t (id integer);\nBEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\n",
	}
	for name, content := range files {
		write(t, filepath.Join(p.dir, name), content)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"database:load"}, "pmanager: database:load takes a connection and a file: pmanager database:load [conn] <file.sql|file.json>\n"},
		{[]string{"database:load", "notes.txt"}, "pmanager: notes.txt is neither an .sql script nor a .json fixture; database:load reads those two\n"},
		{[]string{"database:load", "missing.sql"}, "pmanager: cannot read missing.sql: no such file or directory\n"},
		{[]string{"database:load", "nowhere", "open.sql"}, "pmanager: " + filepath.Join(p.dir, "pmanager.toml") + ": unknown connection \"nowhere\"; add [connections.nowhere] with a url to pmanager.toml, or use one of: default\n"},
		{[]string{"database:load", "open.sql"}, "pmanager: open.sql: line 2: quote ' is never closed; close it, or double it ('') inside the text; nothing was loaded\n"},
		{[]string{"database:load", "list.json"}, "pmanager: list.json: the fixture must be a JSON object of tables; nothing was loaded\n"},
		{[]string{"database:load", "rows.json"}, "pmanager: rows.json: table \"t\" must be a list of rows; nothing was loaded\n"},
		{[]string{"database:load", "row.json"}, "pmanager: row.json: table \"t\", row 1: a row must be an object of column values; nothing was loaded\n"},
		{[]string{"database:load", "short.json"}, "pmanager: short.json: the JSON ends too early; close every [ and {; nothing was loaded\n"},
		{[]string{"database:load", "trail.json"}, "pmanager: trail.json: unexpected data after the fixture's closing }; nothing was loaded\n"},
		{[]string{"database:load", "tx.sql"}, "pmanager: tx.sql:2: BEGIN: database:load runs the whole file in one transaction; take the file's own transaction statements out; nothing was loaded\n"},
		{[]string{"database:load", "broken.json"}, "pmanager: broken.json: not valid JSON: invalid character '}' looking for beginning of object key string; nothing was loaded\n"},
	}
	for _, tt := range tests {
		r := p.run(appsOf(), registry(), "", tt.args...)
		if r.code != 1 || r.stderr != tt.want {
			t.Errorf("%v: exit %d, stderr %q\nwant %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	if hasTable(t, db, "t") {
		t.Errorf("a refused script created its table")
	}
}
