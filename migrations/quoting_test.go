package migrations

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// TestHostileNames migrates a model whose table, columns and index have
// names with quotes, spaces, unicode and SQL keywords, and a default that
// reads like an injection, on every dialect: the schema must be exactly
// what the state says, the default must arrive as a literal, and
// unapplying must leave nothing behind.
func TestHostileNames(t *testing.T) {
	const (
		table    = `we"ird 'tåble` + "`select"
		colKey   = "order"
		colQuote = `it's "col"`
		colUni   = "naïve 名前"
		hostile  = "it's; DROP TABLE x"
	)
	ms := []*Migration{
		{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
			operations.CreateModel{Name: "Weird", Table: table, Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "order", Kind: state.Char, MaxLength: 30, Column: colKey},
				{Name: "quoted", Kind: state.Char, MaxLength: 30, Column: colQuote, Default: state.Str(hostile)},
			}},
		}},
		{App: "main", Name: "0002_more", Dependencies: []Key{key("main.0001_initial")}, Operations: []operations.Operation{
			operations.AddField{Model: "Weird", Field: &state.Field{Name: "uni", Kind: state.Char, MaxLength: 40, Column: colUni, Default: state.Str(hostile)}},
			operations.AddIndex{Model: "Weird", Index: state.Index{Name: `weird "idx"`, Fields: []string{"order", "-uni"}}},
		}},
	}
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		e, g := newExecutor(t, db, ed, ms)
		if _, err := e.MigrateTo(ctx, nil, Options{}); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		checkSchema(t, db, ed, stateOf(t, g, "main.0001_initial", "main.0002_more"), "after migrating")
		q := ed.Quote
		if _, err := db.Exec("INSERT INTO " + q(table) + " (" + q(colKey) + ") VALUES ('a')"); err != nil {
			t.Fatalf("insert with defaults: %v", err)
		}
		var quoted, uni string
		if err := db.QueryRow("SELECT "+q(colQuote)+", "+q(colUni)+" FROM "+q(table)).Scan(&quoted, &uni); err != nil {
			t.Fatal(err)
		}
		if quoted != hostile || uni != hostile {
			t.Errorf("defaults read back as %q and %q; want %q", quoted, uni, hostile)
		}
		if _, err := e.MigrateTo(ctx, []Target{{App: "main", Name: Zero}}, Options{}); err != nil {
			t.Fatalf("unapply: %v", err)
		}
		if diff := cmp.Diff([]string{schema.HistoryTable}, tableNames(t, db, ed)); diff != "" {
			t.Errorf("tables after unapplying (-want +got):\n%s", diff)
		}
	})
}
