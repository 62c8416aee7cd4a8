package sqlite

import (
	"sort"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Expected lists the tables CreateModel makes for every managed model of p,
// automatic join tables included, in Inspect's vocabulary and sorted by name.
func (Inspector) Expected(p *state.Project) ([]schema.Table, error) {
	return schema.ExpectedTables(p, expectedTable)
}

// expectedTable is the normalised shape of the table the editor creates for m.
func expectedTable(p *state.Project, m *state.Model) (schema.Table, error) {
	if _, err := createTableSQL(p, m, m.Table); err != nil {
		return schema.Table{}, err
	}
	t := schema.Table{Name: m.Table}
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		typ, err := columnType(p, m, f)
		if err != nil {
			return schema.Table{}, err
		}
		def, err := expectedDefault(p, m, f)
		if err != nil {
			return schema.Table{}, err
		}
		col := f.ColumnName()
		t.Columns = append(t.Columns, schema.Column{
			Name: col, Type: typ, Nullable: f.Null, Default: def, DBDefault: string(f.DBDefault), AutoIncrement: f.Kind.IsAuto(),
		})
		if f.PrimaryKey {
			t.PrimaryKey = append(t.PrimaryKey, col)
		}
		if schema.NeedsForeignKey(f) {
			target, err := relationTarget(p, m, f)
			if err != nil {
				return schema.Table{}, err
			}
			tf, err := targetField(m, f, target)
			if err != nil {
				return schema.Table{}, err
			}
			t.ForeignKeys = append(t.ForeignKeys, schema.ForeignKey{
				Column: col, RefTable: target.Table, RefColumn: tf.ColumnName(),
				OnDelete: schema.OnDeleteSQL(f.Relation.OnDelete),
			})
		}
	}
	defs, err := indexDefs(m)
	if err != nil {
		return schema.Table{}, err
	}
	for _, d := range defs {
		if d.Unique {
			t.Uniques = append(t.Uniques, schema.Unique{Name: d.Name, Columns: d.Columns, Partial: d.Where != ""})
		} else {
			t.Indexes = append(t.Indexes, schema.Index{Name: d.Name, Columns: d.Columns, Partial: d.Where != ""})
		}
	}
	for _, c := range m.Constraints {
		if c.Kind == state.CheckConstraint {
			t.Checks = append(t.Checks, c.Name)
		}
	}
	sortTable(&t)
	return t, nil
}

// sortTable puts a table's named parts in the order Expected and Inspect
// share: by name (foreign keys, unnamed on SQLite, then by column).
func sortTable(t *schema.Table) {
	sort.Slice(t.Uniques, func(i, j int) bool { return t.Uniques[i].Name < t.Uniques[j].Name })
	sort.Slice(t.Indexes, func(i, j int) bool { return t.Indexes[i].Name < t.Indexes[j].Name })
	sort.Slice(t.ForeignKeys, func(i, j int) bool {
		a, b := t.ForeignKeys[i], t.ForeignKeys[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Column < b.Column
	})
	sort.Strings(t.Checks)
}
