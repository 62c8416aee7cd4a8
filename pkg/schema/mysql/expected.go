package mysql

import (
	"fmt"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Expected lists the tables CreateModel would have made for every managed
// model of p, automatic join tables included, sorted by name, in the
// vocabulary Inspect reports.
func (Inspector) Expected(p *state.Project) ([]schema.Table, error) {
	return schema.ExpectedTables(p, expectation{}, ddl{}.Capabilities())
}

// expectation is how this dialect spells a column and a foreign key, for
// the expected-table skeleton every dialect shares (schema.ExpectedTables).
type expectation struct{}

// Dialect says the expectation is MySQL's.
func (expectation) Dialect() schema.Dialect { return schema.MySQL }

// ExpectedColumn is the column CreateTable makes for f: the default
// canonicalised as MySQL reports it back.
func (expectation) ExpectedColumn(p *state.Project, m *state.Model, f *state.Field) (schema.Column, error) {
	typ, err := columnType(p, m, f)
	if err != nil {
		return schema.Column{}, err
	}
	col := schema.Column{
		Name:          f.ColumnName(),
		Type:          typ,
		Nullable:      f.Null && !f.PrimaryKey,
		AutoIncrement: f.Kind.IsAuto(),
		DBDefault:     string(f.DBDefault),
	}
	if f.Default != nil {
		v, err := storedValue(p, m, f, *f.Default)
		if err != nil {
			return col, err
		}
		if _, err := literal(typ, v); err != nil {
			return col, fmt.Errorf("mysql: default of %s.%s: %w", m.Label(), f.Name, err)
		}
		d := canonicalDefault(typ, v)
		col.Default = &d
	}
	return col, nil
}

// ExpectedForeignKey is the constraint CreateTable adds for relation column f.
func (expectation) ExpectedForeignKey(p *state.Project, m *state.Model, f *state.Field) (schema.ForeignKey, bool, error) {
	return fieldForeignKey(p, m, f)
}

// uniqueSpec is one unique constraint the editor creates: a unique field,
// a unique_together group or a Meta unique constraint.
type uniqueSpec struct {
	name string
	cols []string
}

// indexSpec is one non-unique index the editor creates: an indexed (or
// foreign key) field or a Meta index. A column prefixed "-" is descending.
type indexSpec struct {
	name string
	cols []string
}

// fkSpec is one foreign key constraint the editor creates.
type fkSpec = schema.ForeignKey

// fieldUnique is the unique constraint of a unique column (not the primary key).
func fieldUnique(m *state.Model, f *state.Field) (uniqueSpec, bool) {
	if !f.HasColumn() || !f.IsUnique() || f.PrimaryKey {
		return uniqueSpec{}, false
	}
	col := f.ColumnName()
	return uniqueSpec{name: schema.FieldUniqueName(m.Table, col), cols: []string{col}}, true
}

// fieldIndex is the plain index of an indexed or foreign key column.
func fieldIndex(m *state.Model, f *state.Field) (indexSpec, bool) {
	if !schema.NeedsIndex(f) {
		return indexSpec{}, false
	}
	col := f.ColumnName()
	return indexSpec{name: schema.FieldIndexName(m.Table, col), cols: []string{col}}, true
}

// togetherUniques are the constraints of m's unique_together groups.
func togetherUniques(m *state.Model) ([]uniqueSpec, error) {
	var out []uniqueSpec
	for _, group := range schema.UniqueGroups(m) {
		cols, err := m.Columns(group)
		if err != nil {
			return nil, fmt.Errorf("mysql: unique_together of %s: %w", m.Label(), err)
		}
		out = append(out, uniqueSpec{name: schema.UniqueTogetherName(m.Table, cols), cols: cols})
	}
	return out, nil
}

// modelUniques lists every unique constraint of m's table, primary key excluded.
func modelUniques(m *state.Model) ([]uniqueSpec, error) {
	var out []uniqueSpec
	for _, f := range m.Fields {
		if u, ok := fieldUnique(m, f); ok {
			out = append(out, u)
		}
	}
	together, err := togetherUniques(m)
	if err != nil {
		return nil, err
	}
	out = append(out, together...)
	for _, c := range m.Constraints {
		if c.Kind != state.UniqueConstraint {
			continue
		}
		u, err := constraintUnique(m, c)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// constraintUnique is the unique constraint of a Meta unique constraint; a
// condition is an error because MySQL has no partial indexes.
func constraintUnique(m *state.Model, c state.Constraint) (uniqueSpec, error) {
	if c.Condition != "" {
		return uniqueSpec{}, fmt.Errorf("mysql: unique constraint %q of %s has a condition: MySQL does not support conditional unique constraints (partial indexes)", c.Name, m.Label())
	}
	cols, err := m.Columns(c.Fields)
	if err != nil {
		return uniqueSpec{}, fmt.Errorf("mysql: unique constraint %q: %w", c.Name, err)
	}
	return uniqueSpec{name: c.Name, cols: cols}, nil
}

// modelIndexes lists every non-unique index of m's table.
func modelIndexes(m *state.Model) ([]indexSpec, error) {
	var out []indexSpec
	for _, f := range m.Fields {
		if idx, ok := fieldIndex(m, f); ok {
			out = append(out, idx)
		}
	}
	for _, idx := range m.Indexes {
		spec, err := metaIndex(m, idx)
		if err != nil {
			return nil, err
		}
		out = append(out, spec)
	}
	return out, nil
}

// metaIndex is the index of a Meta index; a condition is an error because
// MySQL has no partial indexes.
func metaIndex(m *state.Model, idx state.Index) (indexSpec, error) {
	if idx.Condition != "" {
		return indexSpec{}, fmt.Errorf("mysql: index %q of %s has a condition: MySQL does not support partial indexes", idx.Name, m.Label())
	}
	cols, err := m.Columns(idx.Fields)
	if err != nil {
		return indexSpec{}, fmt.Errorf("mysql: index %q: %w", idx.Name, err)
	}
	return indexSpec{name: idx.Name, cols: cols}, nil
}

// fieldForeignKey is the foreign key constraint of a relation column;
// on_delete=SET_DEFAULT is an error, InnoDB has no such action.
func fieldForeignKey(p *state.Project, m *state.Model, f *state.Field) (fkSpec, bool, error) {
	fk, ok, err := schema.ForeignKeyOf(p, m, f)
	if err != nil {
		return fkSpec{}, false, fmt.Errorf("mysql: %w", err)
	}
	if ok && f.Relation.OnDelete == "SET_DEFAULT" {
		return fkSpec{}, false, fmt.Errorf("mysql: %s.%s: on_delete=SET_DEFAULT is not supported by MySQL (InnoDB rejects ON DELETE SET DEFAULT); use SET_NULL, CASCADE, PROTECT, RESTRICT or DO_NOTHING", m.Label(), f.Name)
	}
	return fk, ok, nil
}

// modelForeignKeys lists every foreign key constraint of m's table.
func modelForeignKeys(p *state.Project, m *state.Model) ([]fkSpec, error) {
	var out []fkSpec
	for _, f := range m.Fields {
		fk, ok, err := fieldForeignKey(p, m, f)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, fk)
		}
	}
	return out, nil
}
