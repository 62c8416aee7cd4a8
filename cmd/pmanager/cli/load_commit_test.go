package cli

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// loadCase is a script, what database:load must print on stderr (a
// prefix and an ending), and the rows table t holds afterwards (it starts
// with 1, 2 and 3).
type loadCase struct {
	name      string
	script    string
	nonAtomic bool
	prefix    string
	suffix    string
	rows      int
}

// runLoadCases runs each case on a fresh table t of db.
func runLoadCases(t *testing.T, db *dbtest.DB, setup string, cases []loadCase) {
	t.Helper()
	ctx := context.Background()
	p := newProject(t, "default", db.URL)
	for _, tc := range cases {
		for _, q := range []string{"DROP TABLE IF EXISTS t", setup, "INSERT INTO t (id) VALUES (1), (2), (3)"} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %s: %v", tc.name, q, err)
			}
		}
		write(t, filepath.Join(p.dir, "load.sql"), tc.script)
		args := []string{"database:load", "load.sql"}
		if tc.nonAtomic {
			args = append(args, "--non-atomic")
		}
		r := p.run(appsOf(), registry(), "", args...)
		if tc.prefix == "" {
			if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "Loaded ") {
				t.Errorf("%s: exit %d, stdout %q, stderr %q", tc.name, r.code, r.stdout, r.stderr)
			}
		} else if r.code != 1 || !strings.HasPrefix(r.stderr, tc.prefix) || !strings.HasSuffix(r.stderr, tc.suffix) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q\nwant %q ... %q", tc.name, r.code, r.stderr, tc.prefix, tc.suffix)
		}
		if n := count(t, db, "t"); n != tc.rows {
			t.Errorf("%s: t holds %d rows afterwards, want %d (stderr %q)", tc.name, n, tc.rows, r.stderr)
		}
	}
}

// TestLoadMySQLImplicitCommits loads scripts whose statements commit by
// themselves on MariaDB: without --non-atomic each is refused before
// anything runs (running it twice changes nothing either time); with it,
// the report says exactly which statements stay, and the table shows that
// report is true.
func TestLoadMySQLImplicitCommits(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.MySQL)
	const refused = "pmanager: load.sql cannot be loaded in one transaction: "
	const failed = "pmanager: load failed at load.sql:3: INSERT INTO nosuch VALUES (1): "
	stay := func(n, last int, stmt string) string {
		if n == 1 {
			return "; the statement on line 1 (" + stmt + ") stays committed and everything after it was rolled back; take it out of the file before loading it again\n"
		}
		return "; the first " + itoa(n) + " statements, lines 1 to " + itoa(last) + " (up to " + stmt + "), stay committed and everything after them was rolled back; take them out of the file before loading it again\n"
	}
	fails := "\nINSERT INTO nosuch VALUES (1);\n"
	var cases []loadCase
	for _, c := range []struct{ stmt, why string }{
		{"ANALYZE TABLE t", "ANALYZE TABLE commits implicitly"},
		{"SET autocommit=1", "SET autocommit = 1 commits and ends the transaction"},
		{"LOCK TABLES t WRITE", "LOCK TABLES commits implicitly"},
		{"UNLOCK TABLES", "UNLOCK TABLES commits implicitly"}, // (not when no table is locked; see below)
		{"/*!40000 ALTER TABLE t DISABLE KEYS */", "DDL commits implicitly"},
		{"OPTIMIZE TABLE t", "OPTIMIZE TABLE commits implicitly"},
		{"FLUSH TABLES", "FLUSH commits implicitly"},
		{"CREATE INDEX t_x ON t (id)", "DDL commits implicitly"},
	} {
		script := "DELETE FROM t;\n" + c.stmt + ";" + fails
		list := "1 statement commits by itself on MySQL/MariaDB, with everything before it: line 2 " + c.stmt + " (" + c.why + "); nothing was loaded; "
		cases = append(cases,
			loadCase{name: c.stmt + " refused", script: script, prefix: refused + list, suffix: "--non-atomic to run the file in steps (a failure then names the statements that stay)\n", rows: 3},
			loadCase{name: c.stmt + " refused again", script: script, prefix: refused + list, suffix: "\n", rows: 3},
		)
		if c.stmt != "UNLOCK TABLES" {
			cases = append(cases, loadCase{name: c.stmt + " in steps", script: script, nonAtomic: true, prefix: failed, suffix: stay(2, 2, c.stmt), rows: 0})
		}
	}
	cases = append(cases,
		// Finding: INSERT, then a statement that commits, then a failure.
		// Loaded again, the rows must not double.
		loadCase{name: "insert then analyze", script: "INSERT INTO t (id) VALUES (4);\nANALYZE TABLE t;" + fails, prefix: refused, suffix: "\n", rows: 3},
		loadCase{name: "insert then analyze, again", script: "INSERT INTO t (id) VALUES (4);\nANALYZE TABLE t;" + fails, prefix: refused, suffix: "\n", rows: 3},
		// UNLOCK TABLES commits only when tables were locked: the server
		// is asked, and nothing stays here.
		loadCase{name: "UNLOCK TABLES without a lock", script: "DELETE FROM t;\nUNLOCK TABLES;" + fails, nonAtomic: true, prefix: failed, suffix: "; nothing was loaded\n", rows: 3},
		loadCase{name: "LOCK and UNLOCK TABLES", script: "LOCK TABLES t WRITE;\nDELETE FROM t WHERE id = 2;\nUNLOCK TABLES;\nINSERT INTO nosuch VALUES (1);\n", nonAtomic: true,
			prefix: "pmanager: load failed at load.sql:4: INSERT INTO nosuch VALUES (1): ", suffix: stay(3, 3, "UNLOCK TABLES"), rows: 2},
		// After SET autocommit = 1 every statement commits by itself.
		loadCase{name: "autocommit on", script: "SET autocommit = 1;\nDELETE FROM t WHERE id = 1;\nINSERT INTO nosuch VALUES (1);\n", nonAtomic: true, prefix: failed, suffix: stay(2, 2, "DELETE FROM t WHERE id = 1"), rows: 2},
		// and after SET autocommit = 0 they wait for the commit again.
		loadCase{name: "autocommit on and off", script: "SET autocommit = 1;\nSET autocommit = 0;\nDELETE FROM t WHERE id = 1;\nINSERT INTO nosuch VALUES (1);\n", nonAtomic: true,
			prefix: "pmanager: load failed at load.sql:4: INSERT INTO nosuch VALUES (1): ", suffix: stay(2, 2, "SET autocommit = 0"), rows: 3},
		// A statement that commits implicitly and then fails has committed
		// what came before it; the server says so.
		loadCase{name: "failing DDL", script: "DELETE FROM t WHERE id = 1;\nCREATE TABLE t (id int);\n", nonAtomic: true,
			prefix: "pmanager: load failed at load.sql:2: CREATE TABLE t (id int): ", suffix: stay(1, 1, "DELETE FROM t WHERE id = 1"), rows: 2},
		// A syntax error stops it before it commits anything.
		loadCase{name: "DDL syntax error", script: "DELETE FROM t WHERE id = 1;\nCREATE TABLE (id int);\n", nonAtomic: true,
			prefix: "pmanager: load failed at load.sql:2: CREATE TABLE (id int): ", suffix: "; nothing was loaded\n", rows: 3},
		// Temporary tables do not commit, so this stays one transaction.
		loadCase{name: "temporary table", script: "DELETE FROM t;\nCREATE TEMPORARY TABLE tmp (id int);" + fails,
			prefix: failed, suffix: "; nothing was loaded\n", rows: 3},
		loadCase{name: "in steps, success", script: "DELETE FROM t WHERE id = 3;\nANALYZE TABLE t;\nINSERT INTO t (id) VALUES (9), (10);\n", nonAtomic: true, rows: 4},
	)
	runLoadCases(t, db, "CREATE TABLE t (id int PRIMARY KEY) ENGINE=InnoDB", cases)
}

// TestLoadPostgresOutsideTransaction loads scripts with statements that
// PostgreSQL refuses inside a transaction block.
func TestLoadPostgresOutsideTransaction(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.Postgres)
	const refused = "pmanager: load.sql cannot be loaded in one transaction: 1 statement cannot run inside a transaction: line 2 "
	runLoadCases(t, db, "CREATE TABLE t (id int PRIMARY KEY)", []loadCase{
		{name: "concurrent index refused", script: "DELETE FROM t;\nCREATE INDEX CONCURRENTLY t_x ON t (id);\nINSERT INTO nosuch VALUES (1);\n",
			prefix: refused + "CREATE INDEX CONCURRENTLY t_x ON t (id) (CREATE INDEX CONCURRENTLY cannot run inside a transaction block); nothing was loaded; ", suffix: "\n", rows: 3},
		{name: "concurrent index in steps", script: "DELETE FROM t;\nCREATE INDEX CONCURRENTLY t_x ON t (id);\nINSERT INTO nosuch VALUES (1);\n", nonAtomic: true,
			prefix: "pmanager: load failed at load.sql:3: INSERT INTO nosuch VALUES (1): ",
			suffix: "; the first 2 statements, lines 1 to 2 (up to CREATE INDEX CONCURRENTLY t_x ON t (id)), stay committed and everything after them was rolled back; take them out of the file before loading it again\n", rows: 0},
		{name: "vacuum in steps", script: "DELETE FROM t WHERE id = 1;\nVACUUM t;\nINSERT INTO t VALUES (7);\n", nonAtomic: true, rows: 3},
		{name: "own commit refused", script: "DELETE FROM t;\nCOMMIT;\n", prefix: "pmanager: load.sql:2: COMMIT: database:load runs the whole file in one transaction", suffix: "\n", rows: 3},
		{name: "own begin refused in steps", script: "BEGIN;\nDELETE FROM t;\n", nonAtomic: true, prefix: "pmanager: load.sql:1: BEGIN: database:load --non-atomic begins and commits", suffix: "\n", rows: 3},
		{name: "byte order mark", script: "\uFEFFDELETE FROM t WHERE id = 2;\n", rows: 2},
		// COPY data: loaded through the copy protocol, a bad line named by
		// its line in the file, an unended block refused before anything runs.
		{name: "copy data", script: "COPY t (id) FROM stdin;\n10\n11\n\\.\n", rows: 5},
		{name: "copy bad line", script: "DELETE FROM t;\nCOPY t (id) FROM stdin;\n20\nnot a number\n\\.\n",
			prefix: "pmanager: load failed at load.sql:4: the data of COPY t (id) FROM stdin (line 2): ", suffix: "; nothing was loaded\n", rows: 3},
		{name: "copy without end", script: "DELETE FROM t;\nCOPY t (id) FROM stdin;\n20\n",
			prefix: "pmanager: load.sql: line 2: the data of this COPY ... FROM stdin never ends; end it with a line holding only \\.; nothing was loaded", suffix: "\n", rows: 3},
		{name: "copy to stdout refused", script: "COPY t TO STDOUT;\n", prefix: "pmanager: load.sql:1: COPY t TO STDOUT: COPY ... TO sends rows to the client", suffix: "\n", rows: 3},
		{name: "psql meta-command refused", script: "DELETE FROM t;\n\\connect other\n", prefix: "pmanager: load.sql:2: \\connect: a psql meta-command, not SQL", suffix: "\n", rows: 3},
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestLoadFixtureBOM loads a JSON fixture that starts with a UTF-8 byte
// order mark.
func TestLoadFixtureBOM(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	execAll(t, db.DB, "CREATE TABLE t (id integer PRIMARY KEY, name text)")
	p := newProject(t, "default", db.URL)
	write(t, filepath.Join(p.dir, "t.json"), "\uFEFF{\"t\": [{\"id\": 1, \"name\": \"ü\"}]}")
	r := p.run(appsOf(), registry(), "", "database:load", "t.json")
	if r.code != 0 || r.stdout != "Loaded 1 row into 1 table from t.json\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "t"); n != 1 {
		t.Errorf("t holds %d rows, want 1", n)
	}
}

// TestLoadSQLiteOutsideTransaction loads scripts with statements SQLite
// refuses or ignores inside a transaction.
func TestLoadSQLiteOutsideTransaction(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	runLoadCases(t, db, "CREATE TABLE t (id integer PRIMARY KEY)", []loadCase{
		{name: "vacuum refused", script: "DELETE FROM t;\nVACUUM;\nINSERT INTO nosuch VALUES (1);\n",
			prefix: "pmanager: load.sql cannot be loaded in one transaction: 1 statement cannot run inside a transaction: line 2 VACUUM (VACUUM cannot run inside a transaction); nothing was loaded; ", suffix: "\n", rows: 3},
		{name: "vacuum in steps", script: "DELETE FROM t;\nVACUUM;\nINSERT INTO nosuch VALUES (1);\n", nonAtomic: true,
			prefix: "pmanager: load failed at load.sql:3: INSERT INTO nosuch VALUES (1): ",
			suffix: "; the first 2 statements, lines 1 to 2 (up to VACUUM), stay committed and everything after them was rolled back; take them out of the file before loading it again\n", rows: 0},
		{name: "pragma refused", script: "PRAGMA foreign_keys = OFF;\nDELETE FROM t;\n", prefix: "pmanager: load.sql cannot be loaded in one transaction: 1 statement cannot run inside a transaction: line 1 PRAGMA foreign_keys = OFF (PRAGMA foreign_keys has no effect inside a transaction)", suffix: "\n", rows: 3},
	})
}
