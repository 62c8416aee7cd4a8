package autocases

import (
	"context"
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// UserTables inspects db and leaves out the history table and the Galera
// lease table, which belong to no model, so the result compares with Expecter.Expected.
func UserTables(ctx context.Context, ed schema.Inspector, db schema.ExecQuerier) ([]schema.Table, error) {
	tables, err := ed.Inspect(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("autocases: inspect: %w", err)
	}
	out := tables[:0:0]
	for _, t := range tables {
		if t.Name != schema.HistoryTable && t.Name != migrations.LockTable {
			out = append(out, t)
		}
	}
	return out, nil
}

// SchemaDiff holds a database's tables (got) to the tables its state
// implies (want) with schema.Compare, the comparison the drift command
// makes: "" when they match, else one difference a line. Columns must
// be in the state's order, except on PostgreSQL, which can only append
// a column, so a column restored by undoing a removal comes last there
// while the state keeps its place.
func SchemaDiff(d schema.Dialect, want, got []schema.Table) string {
	var b strings.Builder
	for _, diff := range schema.Compare(want, got, schema.CompareOptions{ColumnOrder: d != schema.Postgres}) {
		fmt.Fprintf(&b, "%s: %s\n", diff.Table, diff)
	}
	return b.String()
}

// CountRows returns how many rows table holds.
func CountRows(ctx context.Context, ed schema.Editor, db schema.ExecQuerier, table string) (int, error) {
	rows, err := db.QueryContext(ctx, "SELECT COUNT(*) FROM "+ed.Quote(table))
	if err != nil {
		return 0, fmt.Errorf("autocases: count rows of %s: %w", table, err)
	}
	defer rows.Close()
	n := 0
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("autocases: count rows of %s: %w", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("autocases: count rows of %s: %w", table, err)
	}
	return n, nil
}

// RenderSQL writes what migrating the migrations added runs on ed's
// dialect, in the order the executor runs them (reversed for backwards),
// each under a "-- app.name" line, in sqlmigrate's format. A migration
// that cannot be rendered writes "error: ..." instead of its SQL, so the
// golden records the refusal.
func RenderSQL(g *migrations.Graph, added []*migrations.Migration, ed schema.Editor, backwards bool) string {
	var ordered []*migrations.Migration
	for _, m := range g.Order() {
		for _, a := range added {
			if a.Key() == m.Key() {
				ordered = append(ordered, m)
			}
		}
	}
	if backwards {
		for i, j := 0, len(ordered)-1; i < j; i, j = i+1, j-1 {
			ordered[i], ordered[j] = ordered[j], ordered[i]
		}
	}
	var b strings.Builder
	for _, m := range ordered {
		fmt.Fprintf(&b, "-- %s\n", m.Key())
		before, err := g.StateBefore(m.Key())
		if err == nil {
			err = migrations.RenderSQL(&b, m, ed, before, backwards)
		}
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
		}
	}
	return b.String()
}

// Survivors returns, for each model whose table holds rows, the table it
// has in to when it keeps a managed table there, so rows can be counted
// again after a migration; a dropped or unmanaged model keeps no rows.
func Survivors(from, to *state.Project, tables map[string]int) map[string]string {
	out := map[string]string{}
	for _, m := range from.Models {
		if _, ok := tables[m.Table]; !ok || m.Unmanaged {
			continue
		}
		if n := to.Models[m.Key()]; n != nil && !n.Unmanaged {
			out[m.Table] = n.Table
		}
	}
	return out
}
