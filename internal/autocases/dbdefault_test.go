package autocases

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// migrateCase applies a case file's before state, its rows and then its
// forward migration on a fresh database of dialect d.
func migrateCase(t *testing.T, d schema.Dialect, name string) *dbtest.DB {
	t.Helper()
	p := prepare(t, readCase(t, filepath.Join(casesDir, name+".txtar")))
	db := dbtest.Open(t, d)
	ed := connect.EditorFor(d)
	g0, err := migrations.NewGraph(p.prior)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, migrations.NewExecutor(db.DB, ed, g0), nil)
	insertRows(t, ed, db, p.rows)
	apply(t, migrations.NewExecutor(db.DB, ed, p.graph), nil)
	return db
}

// column reads one column of every row of table, in id order, as text.
func column(t *testing.T, d schema.Dialect, db schema.ExecQuerier, table, col string) []string {
	t.Helper()
	ed := connect.EditorFor(d)
	q := "SELECT " + ed.Quote(col) + " FROM " + ed.Quote(table) + " ORDER BY " + ed.Quote("id")
	if d == schema.Postgres {
		q = "SELECT " + ed.Quote(col) + "::text FROM " + ed.Quote(table) + " ORDER BY " + ed.Quote("id")
	}
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v *string
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if v == nil {
			out = append(out, "NULL")
		} else {
			out = append(out, *v)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func exec(t *testing.T, d schema.Dialect, db schema.ExecQuerier, stmt string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// uuidText is a UUID as each dialect's column holds it: PostgreSQL's uuid
// prints with dashes, the char(32) of MySQL and SQLite holds the hex digits.
var uuidText = map[schema.Dialect]*regexp.Regexp{
	schema.Postgres: regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`),
	schema.MySQL:    regexp.MustCompile(`^[0-9a-f]{32}$`),
	schema.SQLite:   regexp.MustCompile(`^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$`),
}

var (
	dateText     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)
	datetimeText = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}`)
	timeText     = regexp.MustCompile(`^\d{2}:\d{2}:\d{2}`)
)

// checkAll fails unless every value matches re.
func checkAll(t *testing.T, what string, values []string, n int, re *regexp.Regexp) {
	t.Helper()
	if len(values) != n {
		t.Fatalf("%s: %d rows, want %d", what, len(values), n)
	}
	for i, v := range values {
		if !re.MatchString(v) {
			t.Errorf("%s: row %d holds %q, want a value matching %s", what, i+1, v, re)
		}
	}
}

// Adding db_default=now columns fills the existing rows with the current
// time, and later inserts get it too, on every dialect.
func TestDBDefaultNowFillsRows(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := migrateCase(t, d, "add_db_default_now")
			ed := connect.EditorFor(d)
			exec(t, d, db, "INSERT INTO "+ed.Quote("visit")+" ("+ed.Quote("name")+") VALUES ('Linus')")
			checkAll(t, "seen_at", column(t, d, db, "visit", "seen_at"), 3, datetimeText)
			checkAll(t, "day", column(t, d, db, "visit", "day"), 3, dateText)
			checkAll(t, "at", column(t, d, db, "visit", "at"), 3, timeText)
		})
	}
}

// Adding a db_default=uuid column gives each existing row its own UUID in
// the column's format, and later inserts a new one.
func TestDBDefaultUUIDFillsRows(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := migrateCase(t, d, "add_db_default_uuid")
			ed := connect.EditorFor(d)
			exec(t, d, db, "INSERT INTO "+ed.Quote("ticket")+" ("+ed.Quote("name")+") VALUES ('d')")
			tokens := column(t, d, db, "ticket", "token")
			checkAll(t, "token", tokens, 4, uuidText[d])
			seen := map[string]bool{}
			for _, tok := range tokens {
				if seen[tok] {
					t.Errorf("token %s given to two rows", tok)
				}
				seen[tok] = true
			}
		})
	}
}

// A nullable column becoming NOT NULL with db_default=now fills only its
// NULL rows; a value already there is kept.
func TestDBDefaultNowFillsNulls(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := migrateCase(t, d, "alter_to_db_default")
			got := column(t, d, db, "visit", "seen_at")
			checkAll(t, "seen_at", got, 2, datetimeText)
			if !regexp.MustCompile(`^2024-01-31[ T]10:00:00`).MatchString(got[0]) {
				t.Errorf("the row that had a value holds %q, want 2024-01-31 10:00:00 kept", got[0])
			}
			if strings.HasPrefix(got[1], "2024-01-31") {
				t.Errorf("the NULL row holds %q, want the time of the migration", got[1])
			}
		})
	}
}
