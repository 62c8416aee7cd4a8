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

// KeepsComments says MySQL keeps the comments of tables and columns.
func (expectation) KeepsComments() bool { return true }

// ExpectedColumn is the column CreateTable makes for f: the default
// canonicalised as MySQL reports it back.
func (expectation) ExpectedColumn(p *state.Project, m *state.Model, f *state.Field) (schema.Column, error) {
	typ, err := columnType(p, m, f)
	if err != nil {
		return schema.Column{}, err
	}
	if _, vf, err := valueField(p, m, f); err == nil && vf.Kind == state.SQL {
		typ = canonicalSQLType(typ)
	}
	col := schema.Column{
		Name:          f.ColumnName(),
		Type:          typ,
		Nullable:      f.Null && !f.PrimaryKey,
		AutoIncrement: f.Kind.IsAuto(),
		DBDefault:     string(f.DBDefault),
		Comment:       f.Comment,
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

// fkSpec is one foreign key constraint the editor creates.
type fkSpec = schema.ForeignKey

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
