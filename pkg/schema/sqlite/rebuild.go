package sqlite

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// rebuildPrefix starts the name of the temporary table a rebuild fills.
const rebuildPrefix = "new__"

// copyColumn says how a rebuild fills one column of the new table: expr is
// an SQL expression over the old table's columns (or a literal).
type copyColumn struct {
	column string
	expr   string
}

// rebuild recreates from's table as to's: CREATE TABLE "new__<table>" with
// to's definition, copy the rows (copies lists the filled columns; the rest
// take their defaults), drop the old table, rename the new one into place
// and create to's indexes. It needs foreign key enforcement off (Prepare):
// dropping a referenced table would otherwise cascade.
func rebuild(p *state.Project, from, to *state.Model, copies []copyColumn) ([]string, error) {
	tmp := rebuildPrefix + to.Table
	create, err := createTableSQL(p, to, tmp)
	if err != nil {
		return nil, err
	}
	defs, err := indexDefs(to)
	if err != nil {
		return nil, err
	}
	stmts := []string{create}
	switch {
	case len(copies) > 0:
	case !schema.HasColumns(to):
		// The new table holds only the placeholder column: keep the rows.
		copies = []copyColumn{{column: schema.PlaceholderColumn, expr: "NULL"}}
	case !schema.HasColumns(from):
		// The old table held only the placeholder column: keep its rows,
		// numbered by the new key where it counts up by itself.
		if pk := to.PrimaryKey(); pk != nil && pk.Kind.IsAuto() {
			copies = []copyColumn{{column: pk.ColumnName(), expr: "NULL"}}
		}
	}
	if len(copies) > 0 {
		cols := make([]string, len(copies))
		exprs := make([]string, len(copies))
		for i, c := range copies {
			cols[i], exprs[i] = quoteIdent(c.column), c.expr
		}
		stmts = append(stmts, "INSERT INTO "+quoteIdent(tmp)+" ("+strings.Join(cols, ", ")+") SELECT "+
			strings.Join(exprs, ", ")+" FROM "+quoteIdent(from.Table))
	}
	stmts = append(stmts,
		dropTable(from.Table),
		"ALTER TABLE "+quoteIdent(tmp)+" RENAME TO "+quoteIdent(to.Table))
	for _, d := range defs {
		stmts = append(stmts, d.create(to.Table))
	}
	return stmts, nil
}

// copyPlan says how each column of to is filled from from's table in a
// rebuild. A field keeps its old column (renamed maps a new field name to
// its old one); fill, for the field called fillField, fills a new column or
// replaces NULLs when the field becomes NOT NULL (so does the new default
// when there is no fill). A new column without fill takes its default.
func copyPlan(p *state.Project, from, to *state.Model, renamed map[string]string, fillField string, fill *string) ([]copyColumn, error) {
	var copies []copyColumn
	for _, tf := range to.Fields {
		if !tf.HasColumn() {
			continue
		}
		var value *string
		if tf.Name == fillField && fill != nil {
			value = fill
		}
		oldName := tf.Name
		if r, ok := renamed[tf.Name]; ok {
			oldName = r
		}
		ff := from.Field(oldName)
		if ff == nil || !ff.HasColumn() {
			if value == nil {
				continue
			}
			lit, err := fieldLiteral(p, to, tf, *value)
			if err != nil {
				return nil, err
			}
			copies = append(copies, copyColumn{column: tf.ColumnName(), expr: lit})
			continue
		}
		expr := quoteIdent(ff.ColumnName())
		if ff.Null && !tf.Null {
			if value == nil {
				value = tf.Default
			}
			if value != nil {
				lit, err := fieldLiteral(p, to, tf, *value)
				if err != nil {
					return nil, err
				}
				expr = fmt.Sprintf("COALESCE(%s, %s)", expr, lit)
			} else if tf.DBDefault != "" {
				dbExpr, err := dbDefaultSQL(to, tf)
				if err != nil {
					return nil, err
				}
				expr = fmt.Sprintf("COALESCE(%s, %s)", expr, dbExpr)
			}
		}
		copies = append(copies, copyColumn{column: tf.ColumnName(), expr: expr})
	}
	return copies, nil
}
