package mysql

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
)

// FuzzQuote creates a temporary table and column named by any identifier
// MySQL can hold, written with Quote, and reads both names back: the table
// from SHOW CREATE TABLE, the column from a query's result. Temporary
// tables live in the fuzzing session only, so nothing is left on the
// server.
func FuzzQuote(f *testing.F) {
	for _, seed := range []string{"user", "order", "a`b", "``", "Mixed Case", "名前", "a.b", "x'y; DROP TABLE t; --", "a/b\\c", `"`, strings.Repeat("n", 64), "\t", "a\r"} {
		f.Add(seed)
	}
	conn := serverConn(f)
	ctx := context.Background()
	e := New()
	f.Fuzz(func(t *testing.T, name string) {
		if !holdable(name) {
			return
		}
		q := e.Quote(name)
		if _, err := conn.ExecContext(ctx, "CREATE TEMPORARY TABLE "+q+" ("+q+" integer)"); err != nil {
			t.Fatalf("create table %s: %v", q, err)
		}
		defer func() {
			if _, err := conn.ExecContext(ctx, "DROP TEMPORARY TABLE "+q); err != nil {
				t.Fatalf("drop table %s: %v", q, err)
			}
		}()
		var table, ddl string
		if err := conn.QueryRowContext(ctx, "SHOW CREATE TABLE "+q).Scan(&table, &ddl); err != nil {
			t.Fatalf("show create table %s: %v", q, err)
		}
		if table != name {
			t.Fatalf("created table %s; the server calls it %q", q, table)
		}
		rows, err := conn.QueryContext(ctx, "SELECT "+q+" FROM "+q)
		if err != nil {
			t.Fatalf("select from %s: %v", q, err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) != 1 || cols[0] != name {
			t.Fatalf("created column %s; the server calls it %q", q, cols)
		}
	})
}

// holdable reports whether MySQL keeps name as an identifier, quoted: not
// empty, at most 64 characters of the Basic Multilingual Plane, no NUL,
// and not ending in ASCII white space (the server refuses a trailing space,
// tab, newline, vertical tab, form feed or carriage return).
func holdable(name string) bool {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 64 || strings.TrimRight(name, " \t\n\v\f\r") != name {
		return false
	}
	for _, r := range name {
		if r == 0 || r > 0xFFFF {
			return false
		}
	}
	return true
}

// serverConn opens one session on the test server's own database, for
// tests that create only temporary objects.
func serverConn(f *testing.F) *sql.Conn {
	raw := os.Getenv(dbtest.MySQLEnv)
	if raw == "" {
		if os.Getenv(dbtest.RequireEnv) != "" {
			f.Fatalf("%s is not set but %s says every database test must run", dbtest.MySQLEnv, dbtest.RequireEnv)
		}
		f.Skipf("%s is not set; set it to a MySQL URL to fuzz quoting against the server", dbtest.MySQLEnv)
	}
	u, err := url.Parse(raw)
	if err != nil {
		f.Fatal(err)
	}
	db, err := sql.Open("mysql", dsn.MySQL(u))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { conn.Close() })
	return conn
}
