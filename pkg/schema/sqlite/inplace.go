package sqlite

import (
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// The SQLite linked into pmanager (modernc.org/sqlite, 3.54 at the time of
// writing; TestLinkedSQLiteVersion keeps the floor honest) has ALTER TABLE
// RENAME COLUMN (3.25) and DROP COLUMN (3.35). Both change only the
// schema text, so on a large table they take a moment where a rebuild
// copies every row under a write lock; the editor uses them wherever
// SQLite allows and falls back to the rebuild elsewhere.

// renameOnly reports whether the only change from of (of from) to nf (of
// to) is the column's name, so ALTER TABLE RENAME COLUMN does all of it.
// SQLite then rewrites the indexes, triggers, views and foreign keys that
// name the column by itself.
func renameOnly(p *state.Project, from, to *state.Model, of, nf *state.Field) (bool, error) {
	if from.Table != to.Table || of.ColumnName() == nf.ColumnName() {
		return false, nil
	}
	oldCol, err := columnSQL(p, from, of)
	if err != nil {
		return false, err
	}
	same := nf.Clone()
	same.Column = of.ColumnName()
	newCol, err := columnSQL(p, to, same)
	if err != nil {
		return false, err
	}
	return oldCol == newCol, nil
}

// renameColumn renames of's column to nf's in place, then moves the
// indexes whose generated names follow the column.
func renameColumn(from, to *state.Model, of, nf *state.Field) ([]string, error) {
	stmts := []string{"ALTER TABLE " + quoteIdent(to.Table) + " RENAME COLUMN " +
		quoteIdent(of.ColumnName()) + " TO " + quoteIdent(nf.ColumnName())}
	// After the rename the old indexes already cover the new column;
	// compare them with it in place of the old one, so only the indexes
	// whose names follow the column are moved.
	old, err := indexDefs(from)
	if err != nil {
		return nil, err
	}
	now, err := indexDefs(to)
	if err != nil {
		return nil, err
	}
	for i, d := range old {
		cols := make([]string, len(d.Columns))
		for j, c := range d.Columns {
			name, desc := strings.CutPrefix(c, "-")
			if name == of.ColumnName() {
				name = nf.ColumnName()
			}
			if desc {
				name = "-" + name
			}
			cols[j] = name
		}
		old[i].Columns = cols
	}
	return append(stmts, diffIndexes(to.Table, old, now)...), nil
}

// canAddInPlace reports whether ALTER TABLE ADD COLUMN can add f as the
// state wants it: last in field order (ADD COLUMN appends), not a key,
// with a constant default or nullable (a NOT NULL column without a
// default needs a value for existing rows, and a one-off fill kept as the
// column's DEFAULT would outlive the migration, since SQLite cannot drop a
// default in place), no db_default (SQLite refuses a non-constant default
// there), and a foreign key only without a default (SQLite refuses
// REFERENCES with a non-NULL default).
func canAddInPlace(to *state.Model, f *state.Field) bool {
	switch {
	case f.PrimaryKey, f.Kind.IsAuto(), f.DBDefault != "", !lastColumn(to, f.Name):
		return false
	case !f.Null && f.Default == nil:
		return false
	case schema.NeedsForeignKey(f) && f.Default != nil:
		return false
	}
	return true
}

// canDropInPlace reports whether ALTER TABLE DROP COLUMN can remove f:
// SQLite refuses a key, unique or indexed column, one with or under a
// foreign key, and one named by a check constraint or a partial index's
// condition; those are rebuilt. A trigger or view that names the column
// makes SQLite refuse with its name, as the rebuild would.
func canDropInPlace(p *state.Project, from *state.Model, f *state.Field) (bool, error) {
	if f.PrimaryKey || f.IsUnique() || schema.NeedsIndex(f) || schema.NeedsForeignKey(f) ||
		f.Kind.IsRelation() || schema.MayBeReferenced(p, from, f.Name) {
		return false, nil
	}
	col := strings.ToLower(f.ColumnName())
	names := map[string]bool{col: true}
	defs, err := indexDefs(from)
	if err != nil {
		return false, err
	}
	for _, d := range defs {
		for _, c := range d.Columns {
			if strings.ToLower(strings.TrimPrefix(c, "-")) == col {
				return false, nil
			}
		}
		if d.Where != "" && refersTo(d.Where, names) {
			return false, nil
		}
	}
	for _, c := range from.Constraints {
		if c.Kind == state.CheckConstraint && refersTo(c.Check, names) {
			return false, nil
		}
	}
	return true, nil
}
