package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// preflightCase is one alteration over rows that cannot all survive it.
type preflightCase struct {
	name string
	// field is the column v of main.Item before the change.
	field *state.Field
	// rows are SQL literals for v, inserted with ids 1, 2, ...
	rows []string
	// op changes Item; want is the start of the refusal's line for it.
	op   operations.Operation
	want string
	// unsupported lists dialects that cannot express the change at all.
	unsupported []schema.Dialect
	// guardedByPreflight lists dialects whose own conversion would change
	// a value (MySQL rounds decimals in every sql_mode; SQLite reads a
	// numeric text as a number): there the pre-flight alone stands guard.
	guardedByPreflight []schema.Dialect
}

// has reports whether d is among ds.
func has(ds []schema.Dialect, d schema.Dialect) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// itemModel creates main.Item (id, v) and main.Other (id).
func itemModel(v *state.Field) []operations.Operation {
	return []operations.Operation{
		operations.CreateModel{Name: "Other", Table: "main_other", Fields: []*state.Field{
			{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		}},
		operations.CreateModel{Name: "Item", Table: "main_item", Fields: []*state.Field{
			{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
			v,
		}},
	}
}

// inetTypes spells an address column per dialect (a spelled SQL type).
var inetTypes = []state.SQLType{{Dialect: "postgres", Type: "inet"}, {Dialect: "mysql", Type: "varchar(45)"}, {Dialect: "sqlite", Type: "text"}}

func preflightCases() []preflightCase {
	forty := "'" + strings.Repeat("é", 40) + "'"
	return []preflightCase{
		{name: "varchar narrowed under a longer value",
			field: &state.Field{Name: "v", Kind: state.Char, MaxLength: 50},
			rows:  []string{"'short'", forty},
			op:    operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.Char, MaxLength: 30}},
			want:  "operation 1 (Alter Field v On Item): Item.v: 1 row holds a value that char(max_length=30) cannot keep unchanged (id=2)"},
		{name: "decimal scale narrowed",
			field:              &state.Field{Name: "v", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2},
			rows:               []string{"1.25", "1.20", "3.35"},
			op:                 operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.Decimal, MaxDigits: 5, DecimalPlaces: 1}},
			want:               "operation 1 (Alter Field v On Item): Item.v: 2 rows hold values that decimal(max_digits=5, decimal_places=1) cannot keep unchanged (id=1; id=3)",
			guardedByPreflight: []schema.Dialect{schema.MySQL}},
		{name: "decimal precision narrowed",
			field: &state.Field{Name: "v", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2},
			rows:  []string{"12345.00", "9999.99"},
			op:    operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.Decimal, MaxDigits: 6, DecimalPlaces: 2}},
			want:  "Item.v: 1 row holds a value that decimal(max_digits=6, decimal_places=2) cannot keep unchanged (id=1)"},
		{name: "integer narrowed",
			field: &state.Field{Name: "v", Kind: state.Integer},
			rows:  []string{"32767", "32768", "-32769"},
			op:    operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.SmallInteger}},
			want:  "Item.v: 2 rows hold values that smallinteger cannot keep unchanged (id=2; id=3)"},
		{name: "text to integer",
			field:              &state.Field{Name: "v", Kind: state.Text},
			rows:               []string{"'12'", "'007'", "'x'"},
			op:                 operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.Integer}},
			want:               "Item.v: 2 rows hold values that integer cannot keep unchanged (id=2; id=3)",
			guardedByPreflight: []schema.Dialect{schema.SQLite}},
		{name: "NULL to NOT NULL without a default",
			field: &state.Field{Name: "v", Kind: state.Integer, Null: true},
			rows:  []string{"1", "NULL"},
			op:    operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.Integer}},
			want:  "Item.v: 1 row holds NULL (id=2)"},
		{name: "new unique over duplicates",
			field: &state.Field{Name: "v", Kind: state.Integer, Null: true},
			rows:  []string{"1", "1", "NULL", "NULL", "2"},
			op:    operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.Integer, Null: true, Unique: true}},
			want:  "Item.v: 2 rows share their values with another row (id=1; id=2)"},
		{name: "unique_together over duplicates",
			field: &state.Field{Name: "v", Kind: state.Integer},
			rows:  []string{"5", "5"},
			op:    operations.AlterUniqueTogether{Name: "Item", UniqueTogether: [][]string{{"id", "v"}, {"v"}}},
			want:  "Item(v): 2 rows share their values with another row (id=1; id=2)"},
		{name: "conditional unique over duplicates",
			field: &state.Field{Name: "v", Kind: state.Integer},
			rows:  []string{"5", "5", "-1", "-1"},
			op: operations.AddConstraint{Model: "Item", Constraint: state.Constraint{Kind: state.UniqueConstraint,
				Name: "item_v_positive_uniq", Fields: []string{"v"}, Condition: "v < 0"}},
			want:        "Item(v): 2 rows share their values with another row (id=3; id=4)",
			unsupported: []schema.Dialect{schema.MySQL}},
		{name: "check constraint",
			field: &state.Field{Name: "v", Kind: state.Integer, Null: true},
			rows:  []string{"1", "-4", "NULL"},
			op: operations.AddConstraint{Model: "Item", Constraint: state.Constraint{Kind: state.CheckConstraint,
				Name: "item_v_positive", Check: "v >= 0"}},
			want: "Item check item_v_positive: 1 row fails the check v >= 0 (id=2)"},
		{name: "integer becomes a foreign key over orphans",
			field: &state.Field{Name: "v", Kind: state.BigInteger, Null: true, Column: "v"},
			rows:  []string{"1", "42", "NULL"},
			op: operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.ForeignKey, Null: true, Column: "v",
				Relation: &state.Relation{To: "main.Other", OnDelete: "CASCADE"}}},
			want: "Item.v: 1 row points at no row of Other (id=2)"},
		{name: "text becomes a spelled SQL type",
			field: &state.Field{Name: "v", Kind: state.Text, Null: true},
			rows:  []string{"'10.0.0.1'", "NULL"},
			op:    operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.SQL, Null: true, SQLTypes: inetTypes}},
			want:  "Item.v: 1 row holds a value that"},
		{name: "a spelled SQL type becomes text",
			field: &state.Field{Name: "v", Kind: state.SQL, Null: true, SQLTypes: inetTypes},
			rows:  []string{"'10.0.0.1'"},
			op:    operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.Text, Null: true}},
			want:  "Item.v: 1 row holds a value that"},
		{name: "a spelled SQL type spelled anew",
			field: &state.Field{Name: "v", Kind: state.SQL, Null: true, SQLTypes: inetTypes},
			rows:  []string{"NULL", "'10.0.0.1'"},
			op: operations.AlterField{Model: "Item", Name: "v", Field: &state.Field{Kind: state.SQL, Null: true, SQLTypes: []state.SQLType{
				{Dialect: "postgres", Type: "varchar(64)"}, {Dialect: "mysql", Type: "varchar(64)"}, {Dialect: "sqlite", Type: "varchar(64)"}}}},
			want: "Item.v: 1 row holds a value that"},
		{name: "NOT NULL column added to a table with rows",
			field: &state.Field{Name: "v", Kind: state.Integer},
			rows:  []string{"1"},
			op:    operations.AddField{Model: "Item", Field: &state.Field{Name: "w", Kind: state.Integer}},
			want:  "Item.w: 1 row exists and would get no value for the new NOT NULL column (id=1)"},
	}
}

// TestPreflightRefuses runs each case on every dialect: migrate must refuse
// before the migration's first statement, naming the rows, and leave the
// schema, the rows and the history as they were.
func TestPreflightRefuses(t *testing.T) {
	for _, tc := range preflightCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
				if has(tc.unsupported, db.Dialect) {
					t.Skipf("%s cannot express this change", db.Dialect)
				}
				ctx := context.Background()
				m1 := &Migration{App: "main", Name: "0001_initial", Initial: true, Operations: itemModel(tc.field.Clone())}
				m2 := &Migration{App: "main", Name: "0002_change", Dependencies: []Key{m1.Key()}, Operations: []operations.Operation{tc.op}}
				e, g := newExecutor(t, db, ed, []*Migration{m1, m2})
				migrateTo(t, e, []Target{{App: "main", Name: "0001"}}, []string{"Apply main.0001_initial"}, Options{})
				mustExec(t, db, ed, "INSERT INTO "+ed.Quote("main_other")+" ("+ed.Quote("id")+") VALUES (1)")
				for i, v := range tc.rows {
					mustExec(t, db, ed, fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES (%d, %s)", ed.Quote("main_item"), ed.Quote("id"), ed.Quote("v"), i+1, v))
				}
				before := readColumn(t, db, ed)

				_, err := e.MigrateTo(ctx, nil, Options{})
				var pe *PreflightError
				if !errors.As(err, &pe) {
					t.Fatalf("migrate: got %v, want a *PreflightError", err)
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, "migrations: refusing to apply main.0002_change: ") || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "fix: ") {
					t.Errorf("refusal:\n%s\nwant a line containing %q and a fix", msg, tc.want)
				}
				if got := appliedKeys(t, e.History()); strings.Join(got, ",") != "main.0001_initial" {
					t.Errorf("history after the refusal: %v", got)
				}
				checkSchema(t, db, ed, stateOf(t, g, "main.0001_initial"), "after the refusal")
				if got := readColumn(t, db, ed); got != before {
					t.Errorf("rows changed by a refused migration:\n got %s\nwant %s", got, before)
				}
			})
		})
	}
}

// TestEmittedConversionsKeepValues runs the statements of each alteration
// directly, without the pre-flight: they must fail, or keep every value,
// but never truncate or round one.
func TestEmittedConversionsKeepValues(t *testing.T) {
	for _, tc := range preflightCases() {
		if _, ok := tc.op.(operations.AlterField); !ok {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
				if has(tc.unsupported, db.Dialect) || has(tc.guardedByPreflight, db.Dialect) {
					t.Skipf("on %s only the pre-flight keeps these values (TestPreflightRefuses)", db.Dialect)
				}
				ctx := context.Background()
				m1 := &Migration{App: "main", Name: "0001_initial", Initial: true, Operations: itemModel(tc.field.Clone())}
				m2 := &Migration{App: "main", Name: "0002_change", Dependencies: []Key{m1.Key()}, Operations: []operations.Operation{tc.op}}
				e, _ := newExecutor(t, db, ed, []*Migration{m1, m2})
				migrateTo(t, e, []Target{{App: "main", Name: "0001"}}, []string{"Apply main.0001_initial"}, Options{})
				mustExec(t, db, ed, "INSERT INTO "+ed.Quote("main_other")+" ("+ed.Quote("id")+") VALUES (1)")
				for i, v := range tc.rows {
					mustExec(t, db, ed, fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES (%d, %s)", ed.Quote("main_item"), ed.Quote("id"), ed.Quote("v"), i+1, v))
				}
				before := readColumn(t, db, ed)
				steps, err := e.Statements(m2, false)
				if err != nil {
					t.Fatal(err)
				}
				conn, err := db.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				if p, ok := ed.(schema.Preparer); ok {
					if err := p.Prepare(ctx, conn); err != nil {
						t.Fatal(err)
					}
					defer p.Restore(ctx, conn)
				}
				var failed error
				for _, st := range steps {
					if failed = schema.Exec(ctx, ed, conn, st.SQL); failed != nil {
						break
					}
				}
				after := readColumn(t, conn, ed)
				if failed == nil && after != before {
					t.Errorf("the conversion changed values silently:\n got %s\nwant %s", after, before)
				}
				if failed != nil && after != before {
					t.Errorf("a failed conversion changed values (%v):\n got %s\nwant %s", failed, after, before)
				}
			})
		})
	}
}

// mustExec runs one statement.
func mustExec(t *testing.T, db *dbtest.DB, ed schema.Editor, stmt string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// readColumn reads main_item's v as text, in id order, for comparison.
func readColumn(t *testing.T, db schema.ExecQuerier, ed schema.Editor) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT "+ed.Quote("id")+", "+ed.Quote("v")+" FROM "+ed.Quote("main_item")+" ORDER BY 1")
	if err != nil {
		t.Fatalf("read main_item: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		var v any
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		out = append(out, fmt.Sprintf("%d=%v", id, v))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

// TestPreflightsInSQLScript: sqlmigrate's script lists the pre-flight
// queries as comments before the statements, in each dialect's words.
func TestPreflightsInSQLScript(t *testing.T) {
	tc := preflightCases()[0]
	m1 := &Migration{App: "main", Name: "0001_initial", Initial: true, Operations: itemModel(tc.field.Clone())}
	m2 := &Migration{App: "main", Name: "0002_change", Dependencies: []Key{m1.Key()}, Operations: []operations.Operation{tc.op}}
	before := state.NewProject()
	if err := operations.Apply("main", m1.Operations, before); err != nil {
		t.Fatal(err)
	}
	want := map[schema.Dialect]string{
		schema.Postgres: `-- Alter Field v On Item: SELECT "id", COUNT(*) OVER () FROM "main_item" WHERE "v" IS NOT NULL AND (char_length("v") > 30) ORDER BY "id" LIMIT 3`,
		schema.MySQL:    "-- Alter Field v On Item: SELECT `id`, COUNT(*) OVER () FROM `main_item` WHERE `v` IS NOT NULL AND (CHAR_LENGTH(`v`) > 30) ORDER BY `id` LIMIT 3",
		schema.SQLite:   `-- Alter Field v On Item: SELECT "id", COUNT(*) OVER () FROM "main_item" WHERE "v" IS NOT NULL AND (length("v") > 30) ORDER BY "id" LIMIT 3`,
	}
	for d, line := range want {
		var b strings.Builder
		if err := RenderSQL(&b, m2, connect.EditorFor(d), before, false); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.HasPrefix(out, "-- Pre-flight: ") || !strings.Contains(out, line+"\n") {
			t.Errorf("%s: script\n%s\nwant it to start with the pre-flight comment and contain\n%s", d, out, line)
		}
		b.Reset()
		if err := RenderSQL(&b, m2, connect.EditorFor(d), before, true); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "Pre-flight") {
			t.Errorf("%s: widening back needs no pre-flight, got\n%s", d, b.String())
		}
	}
}
