package sqlite

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// FuzzQuote creates a temporary table and column named by any identifier
// SQLite can hold, written with Quote, and reads both names back from the
// temporary schema: quoting must never change a name, nor let it escape
// into the statement.
func FuzzQuote(f *testing.F) {
	for _, seed := range []string{"user", "order", `a"b`, `""`, "Mixed Case", "trailing ", "名前", "a.b", "x'y; DROP TABLE t; --", "[x]", "`y`"} {
		f.Add(seed)
	}
	db := dbtest.Open(f, schema.SQLite)
	conn, err := db.Conn(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { conn.Close() })
	ctx := context.Background()
	e := New()
	f.Fuzz(func(t *testing.T, name string) {
		if name == "" || strings.ContainsRune(name, 0) || !utf8.ValidString(name) || strings.HasPrefix(strings.ToLower(name), "sqlite_") {
			return // SQLite refuses these, or keeps the sqlite_ prefix to itself
		}
		q := e.Quote(name)
		if _, err := conn.ExecContext(ctx, "CREATE TEMP TABLE "+q+" ("+q+" integer)"); err != nil {
			t.Fatalf("create table %s: %v", q, err)
		}
		defer func() {
			if _, err := conn.ExecContext(ctx, "DROP TABLE temp."+q); err != nil {
				t.Fatalf("drop table %s: %v", q, err)
			}
		}()
		var table string
		if err := conn.QueryRowContext(ctx, "SELECT name FROM sqlite_temp_master WHERE type = 'table'").Scan(&table); err != nil {
			t.Fatal(err)
		}
		if table != name {
			t.Fatalf("created table %s; the schema calls it %q", q, table)
		}
		var column string
		if err := conn.QueryRowContext(ctx, "SELECT name FROM pragma_table_info(?, 'temp')", name).Scan(&column); err != nil {
			t.Fatalf("columns of %s: %v", q, err)
		}
		if column != name {
			t.Fatalf("created column %s; the schema calls it %q", q, column)
		}
	})
}
