package schema

import (
	"fmt"
	"sort"

	"github.com/pmanager/pmanager/pkg/state"
)

// Expectation is what a dialect tells the shared expected-table skeleton
// (ExpectedTables): how it spells one column and one foreign key. The
// rest (which columns, the key, which unique constraints and indexes a
// model has and their names, the checks, the order) is the same for every
// dialect and lives here.
type Expectation interface {
	// Dialect says which database the expectation is for.
	Dialect() Dialect
	// ExpectedColumn is column field f of m as Inspect reports it.
	ExpectedColumn(p *state.Project, m *state.Model, f *state.Field) (Column, error)
	// ExpectedForeignKey is the constraint of relation column f of m as
	// Inspect reports it; false for a column without one.
	ExpectedForeignKey(p *state.Project, m *state.Model, f *state.Field) (ForeignKey, bool, error)
}

// CommentExpectation is the ability of an Expectation whose dialect keeps
// comments (Commenter): the expected table carries the model's
// Meta.Comment (its ExpectedColumn fills each column's).
type CommentExpectation interface {
	KeepsComments() bool
}

// TableChecker is the ability of an Expectation, or of a dialect's Hooks,
// to refuse a model its DDL would refuse beyond what the skeleton and
// Base check (SQLite: two indexes under one name); ExpectedTables and
// CREATE TABLE ask it first.
type TableChecker interface {
	CheckTable(p *state.Project, m *state.Model) error
}

// ExpectedTables is Expected for a dialect: every table of p (join
// tables included) as x's DDL creates it, sorted by name. caps says
// whether a partial index may be expected at all.
func ExpectedTables(p *state.Project, x Expectation, caps Capabilities) ([]Table, error) {
	models, err := Tables(p)
	if err != nil {
		return nil, err
	}
	out := make([]Table, 0, len(models))
	for _, m := range models {
		t, err := ExpectedTable(p, m, x, caps)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ExpectedTable is m's table as x's DDL creates it: its columns in field
// order, the key, the foreign keys, the unique constraints (unique
// fields, unique_together groups, Meta unique constraints), the indexes
// (indexed and foreign key fields, Meta indexes) and the checks.
func ExpectedTable(p *state.Project, m *state.Model, x Expectation, caps Capabilities) (Table, error) {
	if c, ok := x.(TableChecker); ok {
		if err := c.CheckTable(p, m); err != nil {
			return Table{}, err
		}
	}
	errorf := func(format string, args ...any) error {
		return fmt.Errorf(string(x.Dialect())+": "+format, args...)
	}
	t := Table{Name: m.Table}
	if c, ok := x.(CommentExpectation); ok && c.KeepsComments() {
		t.Comment = m.Options.Comment
	}
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		col, err := x.ExpectedColumn(p, m, f)
		if err != nil {
			return t, err
		}
		t.Columns = append(t.Columns, col)
		if f.PrimaryKey {
			t.PrimaryKey = append(t.PrimaryKey, col.Name)
		}
		if f.IsUnique() && !f.PrimaryKey {
			t.Uniques = append(t.Uniques, Unique{Name: FieldUniqueName(m.Table, col.Name), Columns: []string{col.Name}})
		}
		if NeedsIndex(f) {
			t.Indexes = append(t.Indexes, Index{Name: FieldIndexName(m.Table, col.Name), Columns: []string{col.Name}})
		}
		fk, ok, err := x.ExpectedForeignKey(p, m, f)
		if err != nil {
			return t, err
		}
		if ok {
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
	}
	for _, group := range UniqueGroups(m) {
		cols, err := m.Columns(group)
		if err != nil {
			return t, errorf("unique_together of %s: %w", m.Label(), err)
		}
		if name := UniqueTogetherName(m.Table, cols); !hasUnique(t.Uniques, name) {
			t.Uniques = append(t.Uniques, Unique{Name: name, Columns: cols})
		}
	}
	for _, idx := range m.Indexes {
		if idx.Condition != "" && !caps.PartialIndexes {
			return t, errorf("index %q of %s has a condition: %s does not support partial indexes", idx.Name, m.Label(), x.Dialect().Title())
		}
		cols, err := m.Columns(idx.Fields)
		if err != nil {
			return t, errorf("index %q: %w", idx.Name, err)
		}
		t.Indexes = append(t.Indexes, Index{Name: idx.Name, Columns: cols, Partial: idx.Condition != ""})
	}
	for _, c := range m.Constraints {
		switch c.Kind {
		case state.UniqueConstraint:
			if c.Condition != "" && !caps.PartialIndexes {
				return t, errorf("unique constraint %q of %s has a condition: %s does not support conditional unique constraints (partial indexes)", c.Name, m.Label(), x.Dialect().Title())
			}
			cols, err := m.Columns(c.Fields)
			if err != nil {
				return t, errorf("constraint %q: %w", c.Name, err)
			}
			t.Uniques = append(t.Uniques, Unique{Name: c.Name, Columns: cols, Partial: c.Condition != ""})
		case state.CheckConstraint:
			t.Checks = append(t.Checks, c.Name)
		default:
			return t, errorf("constraint %q of %s has unknown kind %q", c.Name, m.Label(), c.Kind)
		}
	}
	SortTable(&t)
	return t, nil
}

func hasUnique(us []Unique, name string) bool {
	for _, u := range us {
		if u.Name == name {
			return true
		}
	}
	return false
}

// SortTable orders a table's named objects by name (foreign keys, unnamed
// on SQLite, then by column), as Inspect and Expected promise.
func SortTable(t *Table) {
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
