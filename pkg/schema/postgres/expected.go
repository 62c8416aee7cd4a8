package postgres

import (
	"fmt"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Expected lists the tables the editor creates for every managed model of p,
// with their automatic join tables, in the vocabulary Inspect reports.
func (Inspector) Expected(p *state.Project) ([]schema.Table, error) {
	return schema.ExpectedTables(p, expectation{}, ddl{}.Capabilities())
}

// expectation is how this dialect spells a column and a foreign key, for
// the expected-table skeleton every dialect shares (schema.ExpectedTables).
type expectation struct{}

// Dialect says the expectation is PostgreSQL's.
func (expectation) Dialect() schema.Dialect { return schema.Postgres }

// KeepsComments says PostgreSQL keeps the comments of tables and columns.
func (expectation) KeepsComments() bool { return true }

// ExpectedColumn is the column CreateTable makes for f: identity columns
// as AutoIncrement, the default as its canonical literal.
func (expectation) ExpectedColumn(p *state.Project, m *state.Model, f *state.Field) (schema.Column, error) {
	spec, err := resolveColumn(p, m, f)
	if err != nil {
		return schema.Column{}, err
	}
	col := schema.Column{Name: f.ColumnName(), Type: spec.typ, Nullable: nullable(f, spec), AutoIncrement: spec.identity, Comment: f.Comment}
	if spec.kind == state.SQL {
		col.Type = canonicalSQLType(spec.typ)
	}
	if _, err := defaultOf(m, f, spec); err != nil {
		return col, err
	}
	col.DBDefault = string(f.DBDefault)
	if f.Default != nil {
		v, err := canonicalLiteral(spec.kind, *f.Default)
		if err != nil {
			return col, fmt.Errorf("postgres: %s.%s: %w", m.Label(), f.Name, err)
		}
		col.Default = &v
	}
	return col, nil
}

// ExpectedForeignKey is the constraint CreateTable adds for relation column f.
func (expectation) ExpectedForeignKey(p *state.Project, m *state.Model, f *state.Field) (schema.ForeignKey, bool, error) {
	return ddl{}.ForeignKey(p, m, f)
}
