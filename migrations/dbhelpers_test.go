package migrations

import (
	"context"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// forEachDialect runs body once per dialect, each on a fresh database with
// its editor. SQLite gets one connection, as connect.Open configures it,
// so a query that needs a second connection while one is held would hang
// the test instead of passing by luck.
func forEachDialect(t *testing.T, body func(t *testing.T, db *dbtest.DB, ed schema.Editor)) {
	t.Helper()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			if d == schema.SQLite {
				db.SetMaxOpenConns(1)
			}
			body(t, db, connect.EditorFor(d))
		})
	}
}

// userTables introspects db without the history table.
func userTables(t *testing.T, db schema.ExecQuerier, ed schema.Editor) []schema.Table {
	t.Helper()
	tables, err := ed.Inspect(context.Background(), db)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	var out []schema.Table
	for _, tb := range tables {
		if tb.Name != schema.HistoryTable {
			out = append(out, tb)
		}
	}
	return out
}

// tableNames lists every table of db, the history table included.
func tableNames(t *testing.T, db schema.ExecQuerier, ed schema.Editor) []string {
	t.Helper()
	tables, err := ed.Inspect(context.Background(), db)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	out := []string{}
	for _, tb := range tables {
		out = append(out, tb.Name)
	}
	return out
}

// checkSchema compares the live tables with what p implies.
func checkSchema(t *testing.T, db schema.ExecQuerier, ed schema.Editor, p *state.Project, when string) {
	t.Helper()
	want, err := ed.Expected(p)
	if err != nil {
		t.Fatalf("Expected: %v", err)
	}
	for _, d := range schema.Compare(want, userTables(t, db, ed), schema.CompareOptions{ColumnOrder: true}) {
		t.Errorf("%s: schema differs from the state: %s: %s", when, d.Table, d)
	}
}

// appliedKeys reads the history as sorted "app.name" strings.
func appliedKeys(t *testing.T, h *History) []string {
	t.Helper()
	applied, err := h.Applied(context.Background())
	if err != nil {
		t.Fatalf("Applied: %v", err)
	}
	ks := make([]Key, 0, len(applied))
	for k := range applied {
		ks = append(ks, k)
	}
	sortKeys(ks)
	return strs(ks)
}
