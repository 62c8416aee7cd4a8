package postgres

import (
	"fmt"
	"sort"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Expected lists the tables the editor creates for every managed model of p,
// with their automatic join tables, in the vocabulary Inspect reports.
func (Inspector) Expected(p *state.Project) ([]schema.Table, error) {
	return schema.ExpectedTables(p, expectedTable)
}

// expectedTable is the table CreateModel makes for m.
func expectedTable(p *state.Project, m *state.Model) (schema.Table, error) {
	t := schema.Table{Name: m.Table}
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		spec, err := resolveColumn(p, m, f)
		if err != nil {
			return t, err
		}
		col := schema.Column{Name: f.ColumnName(), Type: spec.typ, Nullable: nullable(f, spec), AutoIncrement: spec.identity}
		if _, err := defaultOf(m, f, spec); err != nil {
			return t, err
		}
		col.DBDefault = string(f.DBDefault)
		if f.Default != nil {
			v, err := canonicalLiteral(spec.kind, *f.Default)
			if err != nil {
				return t, fmt.Errorf("postgres: %s.%s: %w", m.Label(), f.Name, err)
			}
			col.Default = &v
		}
		t.Columns = append(t.Columns, col)
		obj, err := objectsOf(p, m, f)
		if err != nil {
			return t, err
		}
		if obj.pk {
			t.PrimaryKey = append(t.PrimaryKey, col.Name)
		}
		if obj.unique != "" {
			t.Uniques = append(t.Uniques, schema.Unique{Name: obj.unique, Columns: []string{col.Name}})
		}
		if obj.index != "" {
			t.Indexes = append(t.Indexes, schema.Index{Name: obj.index, Columns: []string{col.Name}})
		}
		if obj.fk != nil {
			t.ForeignKeys = append(t.ForeignKeys, *obj.fk)
		}
	}
	for _, group := range schema.UniqueGroups(m) {
		cols, err := m.Columns(group)
		if err != nil {
			return t, fmt.Errorf("postgres: unique_together: %w", err)
		}
		name := schema.UniqueTogetherName(m.Table, cols)
		if !hasUnique(t.Uniques, name) {
			t.Uniques = append(t.Uniques, schema.Unique{Name: name, Columns: cols})
		}
	}
	for _, idx := range m.Indexes {
		cols, err := m.Columns(idx.Fields)
		if err != nil {
			return t, fmt.Errorf("postgres: index %s: %w", idx.Name, err)
		}
		t.Indexes = append(t.Indexes, schema.Index{Name: idx.Name, Columns: cols, Partial: idx.Condition != ""})
	}
	for _, c := range m.Constraints {
		switch c.Kind {
		case state.UniqueConstraint:
			cols, err := m.Columns(c.Fields)
			if err != nil {
				return t, fmt.Errorf("postgres: constraint %s: %w", c.Name, err)
			}
			t.Uniques = append(t.Uniques, schema.Unique{Name: c.Name, Columns: cols, Partial: c.Condition != ""})
		case state.CheckConstraint:
			t.Checks = append(t.Checks, c.Name)
		default:
			return t, fmt.Errorf("postgres: %s: constraint %s has unknown kind %q", m.Label(), c.Name, c.Kind)
		}
	}
	sortTable(&t)
	return t, nil
}

func hasUnique(us []schema.Unique, name string) bool {
	for _, u := range us {
		if u.Name == name {
			return true
		}
	}
	return false
}

// sortTable orders a table's named objects by name, as Inspect and Expected promise.
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
