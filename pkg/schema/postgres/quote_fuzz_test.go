package postgres

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
// PostgreSQL can hold, written with Quote, and reads both names back from
// the catalog: quoting must never change a name, nor let it escape into
// the statement. Temporary tables live in the fuzzing session only, so
// nothing is left on the server.
func FuzzQuote(f *testing.F) {
	for _, seed := range []string{"user", "order", `a"b`, `""`, "Mixed Case", "trailing ", "名前", "a.b", "x'y; DROP TABLE t; --", "$1", strings.Repeat("n", 63)} {
		f.Add(seed)
	}
	conn := serverConn(f)
	ctx := context.Background()
	e := New()
	f.Fuzz(func(t *testing.T, name string) {
		if name == "" || strings.ContainsRune(name, 0) || !utf8.ValidString(name) || len(name) > 63 {
			return // PostgreSQL refuses these, or truncates them, quoted or not
		}
		if _, err := conn.ExecContext(ctx, "DISCARD TEMP"); err != nil {
			t.Fatal(err)
		}
		q := e.Quote(name)
		if _, err := conn.ExecContext(ctx, "CREATE TEMPORARY TABLE "+q+" ("+q+" integer)"); err != nil {
			t.Fatalf("create table %s: %v", q, err)
		}
		rows, err := conn.QueryContext(ctx, `SELECT c.relname, a.attname FROM pg_class c
			JOIN pg_attribute a ON a.attrelid = c.oid
			WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got [][2]string
		for rows.Next() {
			var table, column string
			if err := rows.Scan(&table, &column); err != nil {
				t.Fatal(err)
			}
			got = append(got, [2]string{table, column})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != [2]string{name, name} {
			t.Fatalf("created %s (%s); the catalog holds %q", q, q, got)
		}
		if _, err := conn.ExecContext(ctx, "DROP TABLE "+q); err != nil {
			t.Fatalf("drop table %s: %v", q, err)
		}
	})
}

// serverConn opens one session on the test server's own database, for
// tests that create only temporary objects.
func serverConn(f *testing.F) *sql.Conn {
	raw := os.Getenv(dbtest.PostgresEnv)
	if raw == "" {
		if os.Getenv(dbtest.RequireEnv) != "" {
			f.Fatalf("%s is not set but %s says every database test must run", dbtest.PostgresEnv, dbtest.RequireEnv)
		}
		f.Skipf("%s is not set; set it to a PostgreSQL URL to fuzz quoting against the server", dbtest.PostgresEnv)
	}
	u, err := url.Parse(raw)
	if err != nil {
		f.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn.Postgres(u))
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
