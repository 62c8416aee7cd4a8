package autocases

import (
	"context"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// keepMigrations creates an author table, then (hand-written RunSQL) an
// audit table filled by a trigger on author, a view over author, a view
// over that view and a trigger of the audit table that writes to author.
func keepMigrations() []*migrations.Migration {
	initial := &migrations.Migration{App: "main", Name: "0001_initial", Operations: []operations.Operation{
		operations.CreateModel{Name: "Author", Table: "author", Fields: []*state.Field{
			{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
			{Name: "name", Kind: state.Char, MaxLength: 50, Index: true},
			{Name: "score", Kind: state.Integer, Default: state.Str("0")},
		}},
	}}
	audit := &migrations.Migration{App: "main", Name: "0002_audit",
		Dependencies: []migrations.Key{{App: "main", Name: "0001_initial"}},
		Operations: []operations.Operation{operations.RunSQL{
			SQL: []string{
				`CREATE TABLE audit (id integer PRIMARY KEY, author_id integer, name text)`,
				`CREATE TRIGGER author_audit AFTER INSERT ON author BEGIN INSERT INTO audit (author_id, name) VALUES (new.id, new.name); END`,
				`CREATE VIEW author_names AS SELECT id, name FROM "author"`,
				`CREATE VIEW long_names AS SELECT name FROM author_names WHERE length(name) > 3`,
				`CREATE TRIGGER audit_scores AFTER INSERT ON audit BEGIN UPDATE author SET score = score + 1 WHERE id = new.author_id; END`,
			},
			Reverse: []string{
				`DROP TRIGGER audit_scores`, `DROP VIEW long_names`, `DROP VIEW author_names`,
				`DROP TRIGGER author_audit`, `DROP TABLE audit`,
			},
		}},
	}
	return []*migrations.Migration{initial, audit}
}

// migrateSQLite migrates a fresh SQLite database through ms.
func migrateSQLite(t *testing.T, db *dbtest.DB, ms []*migrations.Migration) error {
	t.Helper()
	g, err := migrations.NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	ex := migrations.NewExecutor(db.DB, connect.EditorFor(schema.SQLite), g)
	plan, err := ex.Plan(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ex.Migrate(context.Background(), plan, migrations.Options{})
}

// sqliteObjects lists the triggers and views of the database by name.
func sqliteObjects(t *testing.T, db schema.ExecQuerier) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT type || ' ' || name FROM sqlite_schema WHERE type IN ('trigger', 'view') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func queryOne(t *testing.T, db *dbtest.DB, q string) string {
	t.Helper()
	var s string
	if err := db.QueryRowContext(context.Background(), q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// A table rebuild (an AlterField that changes the column's definition)
// keeps the triggers and views a RunSQL migration made: new inserts still
// write audit rows and the views still select.
func TestSQLiteRebuildKeepsTriggersAndViews(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	ms := keepMigrations()
	if err := migrateSQLite(t, db, ms); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), `INSERT INTO author (name) VALUES ('Ada Lovelace')`); err != nil {
		t.Fatal(err)
	}
	before := sqliteObjects(t, db)
	widen := &migrations.Migration{App: "main", Name: "0003_widen",
		Dependencies: []migrations.Key{{App: "main", Name: "0002_audit"}},
		Operations: []operations.Operation{operations.AlterField{Model: "Author", Name: "name",
			Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 200, Null: true, Index: true}}},
	}
	if err := migrateSQLite(t, db, append(ms, widen)); err != nil {
		t.Fatalf("the rebuild failed: %v", err)
	}
	if after := sqliteObjects(t, db); after != before {
		t.Fatalf("triggers and views after the rebuild: %s; want %s", after, before)
	}
	if _, err := db.ExecContext(context.Background(), `INSERT INTO author (name) VALUES ('Grace Hopper')`); err != nil {
		t.Fatal(err)
	}
	if got := queryOne(t, db, `SELECT group_concat(name, '|') FROM (SELECT name FROM audit ORDER BY id)`); got != "Ada Lovelace|Grace Hopper" {
		t.Errorf("audit rows: %q, want both inserts audited", got)
	}
	if got := queryOne(t, db, `SELECT group_concat(name || ':' || score, '|') FROM (SELECT a.name, a.score FROM author a JOIN author_names n ON n.id = a.id ORDER BY a.id)`); got != "Ada Lovelace:1|Grace Hopper:1" {
		t.Errorf("authors through the view: %q, want both with score 1 (the audit trigger's update)", got)
	}
	if got := queryOne(t, db, `SELECT count(*) FROM long_names`); got != "2" {
		t.Errorf("the view over the view selects %s rows, want 2", got)
	}
}

// Removing a column that a view or trigger uses stops with its name and
// leaves the database as it was: by the rebuild's own check for an indexed
// column (SQLite resolves a view only when it is used), by SQLite's DROP
// COLUMN for a plain one.
func TestSQLiteRemovalRefusesBrokenDependents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ field, names string }{
		{"name", "author_names"},  // indexed: rebuilt, the view no longer fits
		{"score", "audit_scores"}, // plain: DROP COLUMN, which SQLite refuses
	} {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, schema.SQLite)
			ms := keepMigrations()
			if err := migrateSQLite(t, db, ms); err != nil {
				t.Fatal(err)
			}
			before := sqliteObjects(t, db)
			drop := &migrations.Migration{App: "main", Name: "0003_drop",
				Dependencies: []migrations.Key{{App: "main", Name: "0002_audit"}},
				Operations:   []operations.Operation{operations.RemoveField{Model: "Author", Name: tc.field}},
			}
			err := migrateSQLite(t, db, append(ms, drop))
			if err == nil {
				t.Fatalf("removing %s, which a view or trigger uses, succeeded", tc.field)
			}
			if !strings.Contains(err.Error(), tc.names) {
				t.Errorf("error %q does not name %s", err, tc.names)
			}
			if after := sqliteObjects(t, db); after != before {
				t.Errorf("triggers and views after the refusal: %s; want %s", after, before)
			}
			if got := queryOne(t, db, `SELECT count(*) FROM pragma_table_info('author') WHERE name = '`+tc.field+`'`); got != "1" {
				t.Errorf("the column %s is gone after the refusal", tc.field)
			}
		})
	}
}
