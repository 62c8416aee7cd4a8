package operations

import "github.com/pmanager/pmanager/pkg/state"

// Rename is a table or a column that an operation gives a new name on the
// database, so a review can warn that code still running reads the old one.
type Rename struct {
	// Table is the table as it was named before the operation.
	Table string
	// Column is the column as it was named; "" when the table itself is
	// renamed.
	Column string
	// NewName is the table's or the column's name after the operation.
	NewName string
}

// Renamer is an operation that can rename a table or a column on the
// database. Without it an operation renames nothing.
type Renamer interface {
	// Renames lists what running the operation forwards from from to to
	// renames in app; tables of unmanaged models are never renamed.
	Renames(app string, from, to *state.Project) []Rename
}

// managedPair returns the model before and after an operation, both
// managed, or nils: pmanager makes no DDL for an unmanaged model.
func managedPair(app string, from, to *state.Project, old, new string) (*state.Model, *state.Model) {
	m, tm := from.Model(app, old), to.Model(app, new)
	if m == nil || tm == nil || m.Unmanaged || tm.Unmanaged {
		return nil, nil
	}
	return m, tm
}

// columnRename is the rename of field old of m to field new of tm, when
// both have a column and its name changes.
func columnRename(m, tm *state.Model, old, new string) []Rename {
	if m == nil {
		return nil
	}
	of, nf := m.Field(old), tm.Field(new)
	if of == nil || nf == nil || !of.HasColumn() || !nf.HasColumn() || of.ColumnName() == nf.ColumnName() {
		return nil
	}
	return []Rename{{Table: m.Table, Column: of.ColumnName(), NewName: nf.ColumnName()}}
}

// tableRename is the rename of m's table to tm's, when its name changes.
func tableRename(m, tm *state.Model) []Rename {
	if m == nil || m.Table == tm.Table {
		return nil
	}
	return []Rename{{Table: m.Table, NewName: tm.Table}}
}

// Renames implements Renamer: the field's column, when its name changes.
func (o RenameField) Renames(app string, from, to *state.Project) []Rename {
	m, tm := managedPair(app, from, to, o.Model, o.Model)
	return columnRename(m, tm, o.OldName, o.NewName)
}

// Renames implements Renamer: the column, when a new db_column renames it.
func (o AlterField) Renames(app string, from, to *state.Project) []Rename {
	m, tm := managedPair(app, from, to, o.Model, o.Model)
	return columnRename(m, tm, o.Name, o.Name)
}

// Renames implements Renamer: the model's table, unless Meta.Table keeps it.
func (o RenameModel) Renames(app string, from, to *state.Project) []Rename {
	return tableRename(managedPair(app, from, to, o.OldName, o.NewName))
}

// Renames implements Renamer: the model's table.
func (o AlterModelTable) Renames(app string, from, to *state.Project) []Rename {
	return tableRename(managedPair(app, from, to, o.Name, o.Name))
}
