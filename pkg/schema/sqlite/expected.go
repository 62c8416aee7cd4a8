package sqlite

import (
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Expected lists the tables CreateModel makes for every managed model of p,
// automatic join tables included, in Inspect's vocabulary and sorted by name.
func (Inspector) Expected(p *state.Project) ([]schema.Table, error) {
	return schema.ExpectedTables(p, expectation{}, ddl{}.Capabilities())
}

// expectation is how this dialect spells a column and a foreign key, for
// the expected-table skeleton every dialect shares (schema.ExpectedTables).
type expectation struct{}

// Dialect says the expectation is SQLite's.
func (expectation) Dialect() schema.Dialect { return schema.SQLite }

// CheckTable refuses a model whose CREATE TABLE or indexes the editor
// would refuse.
func (expectation) CheckTable(p *state.Project, m *state.Model) error {
	if _, err := createTableSQL(p, m, m.Table); err != nil {
		return err
	}
	_, err := indexDefs(m)
	return err
}

// ExpectedColumn is the column CreateTable makes for f.
func (expectation) ExpectedColumn(p *state.Project, m *state.Model, f *state.Field) (schema.Column, error) {
	typ, err := columnType(p, m, f)
	if err != nil {
		return schema.Column{}, err
	}
	if _, vf, err := valueField(p, m, f); err == nil && vf.Kind == state.SQL {
		typ = canonicalSQLType(typ)
	}
	def, err := expectedDefault(p, m, f)
	if err != nil {
		return schema.Column{}, err
	}
	return schema.Column{
		Name: f.ColumnName(), Type: typ, Nullable: f.Null, Default: def, DBDefault: string(f.DBDefault), AutoIncrement: f.Kind.IsAuto(),
	}, nil
}

// ExpectedForeignKey is the REFERENCES clause of relation column f, which
// SQLite reports unnamed.
func (expectation) ExpectedForeignKey(p *state.Project, m *state.Model, f *state.Field) (schema.ForeignKey, bool, error) {
	if !schema.NeedsForeignKey(f) {
		return schema.ForeignKey{}, false, nil
	}
	target, err := relationTarget(p, m, f)
	if err != nil {
		return schema.ForeignKey{}, false, err
	}
	tf, err := targetField(m, f, target)
	if err != nil {
		return schema.ForeignKey{}, false, err
	}
	return schema.ForeignKey{
		Column: f.ColumnName(), RefTable: target.Table, RefColumn: tf.ColumnName(),
		OnDelete: schema.OnDeleteSQL(f.Relation.OnDelete),
	}, true, nil
}
