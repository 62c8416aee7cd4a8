package sqlite

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// indexDef is one index the editor creates for a model: a unique column,
// an indexed column, a unique_together group, a Meta index or a unique
// constraint. Columns prefixed "-" are descending; Where makes it partial.
type indexDef struct {
	Name    string
	Unique  bool
	Columns []string
	Where   string
}

// create is the CREATE INDEX statement for the index on table.
func (d indexDef) create(table string) string {
	cols := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		if name, ok := strings.CutPrefix(c, "-"); ok {
			cols[i] = quoteIdent(name) + " DESC"
		} else {
			cols[i] = quoteIdent(c)
		}
	}
	kind := "INDEX"
	if d.Unique {
		kind = "UNIQUE INDEX"
	}
	stmt := "CREATE " + kind + " " + quoteIdent(d.Name) + " ON " + quoteIdent(table) + " (" + strings.Join(cols, ", ") + ")"
	if d.Where != "" {
		stmt += " WHERE " + d.Where
	}
	return stmt
}

// signature identifies the index's whole definition except its table, so
// two models' indexes can be compared.
func (d indexDef) signature() string {
	return fmt.Sprintf("%q %t %q %q", d.Name, d.Unique, d.Columns, d.Where)
}

func dropIndex(name string) string { return "DROP INDEX " + quoteIdent(name) }

// indexDefs lists every index the editor creates for m, in a fixed order:
// per field (unique, then plain index), unique_together groups, Meta
// indexes, unique constraints. A name used twice is an error.
func indexDefs(m *state.Model) ([]indexDef, error) {
	var defs []indexDef
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		col := f.ColumnName()
		if (f.Unique || f.Kind == state.OneToOne) && !f.PrimaryKey {
			defs = append(defs, indexDef{Name: schema.FieldUniqueName(m.Table, col), Unique: true, Columns: []string{col}})
		}
		if schema.NeedsIndex(f) {
			defs = append(defs, indexDef{Name: schema.FieldIndexName(m.Table, col), Columns: []string{col}})
		}
	}
	groups, err := uniqueTogetherDefs(m)
	if err != nil {
		return nil, err
	}
	defs = append(defs, groups...)
	for _, idx := range m.Indexes {
		d, err := metaIndexDef(m, idx)
		if err != nil {
			return nil, err
		}
		defs = append(defs, d)
	}
	for _, c := range m.Constraints {
		if c.Kind != state.UniqueConstraint {
			continue
		}
		d, err := uniqueConstraintDef(m, c)
		if err != nil {
			return nil, err
		}
		defs = append(defs, d)
	}
	seen := map[string]bool{}
	for _, d := range defs {
		if seen[d.Name] {
			return nil, fmt.Errorf("sqlite: %s: index or constraint name %q is used twice", m.Label(), d.Name)
		}
		seen[d.Name] = true
	}
	return defs, nil
}

// uniqueTogetherDefs lists the unique indexes of m's unique_together groups.
func uniqueTogetherDefs(m *state.Model) ([]indexDef, error) {
	var defs []indexDef
	for _, group := range schema.UniqueGroups(m) {
		cols, err := m.Columns(group)
		if err != nil {
			return nil, fmt.Errorf("sqlite: unique_together of %s: %w", m.Label(), err)
		}
		defs = append(defs, indexDef{Name: schema.UniqueTogetherName(m.Table, cols), Unique: true, Columns: cols})
	}
	return defs, nil
}

// metaIndexDef turns a Meta index of m into its definition.
func metaIndexDef(m *state.Model, idx state.Index) (indexDef, error) {
	if idx.Name == "" || len(idx.Fields) == 0 {
		return indexDef{}, fmt.Errorf("sqlite: index on %s needs a name and at least one field", m.Label())
	}
	cols, err := m.Columns(idx.Fields)
	if err != nil {
		return indexDef{}, fmt.Errorf("sqlite: index %q: %w", idx.Name, err)
	}
	return indexDef{Name: idx.Name, Columns: cols, Where: idx.Condition}, nil
}

// uniqueConstraintDef turns a unique constraint of m into a unique index.
func uniqueConstraintDef(m *state.Model, c state.Constraint) (indexDef, error) {
	if c.Name == "" || len(c.Fields) == 0 {
		return indexDef{}, fmt.Errorf("sqlite: unique constraint on %s needs a name and at least one field", m.Label())
	}
	cols, err := m.Columns(c.Fields)
	if err != nil {
		return indexDef{}, fmt.Errorf("sqlite: constraint %q: %w", c.Name, err)
	}
	return indexDef{Name: c.Name, Unique: true, Columns: cols, Where: c.Condition}, nil
}

// diffIndexes drops the indexes of old that now lacks (or defines
// differently) and then creates those of now that old lacks.
func diffIndexes(table string, old, now []indexDef) []string {
	oldSet := map[string]bool{}
	for _, d := range old {
		oldSet[d.signature()] = true
	}
	nowSet := map[string]bool{}
	for _, d := range now {
		nowSet[d.signature()] = true
	}
	var stmts []string
	for _, d := range old {
		if !nowSet[d.signature()] {
			stmts = append(stmts, dropIndex(d.Name))
		}
	}
	for _, d := range now {
		if !oldSet[d.signature()] {
			stmts = append(stmts, d.create(table))
		}
	}
	return stmts
}

// diffModelIndexes is diffIndexes over every index of two versions of a model.
func diffModelIndexes(from, to *state.Model) ([]string, error) {
	old, err := indexDefs(from)
	if err != nil {
		return nil, err
	}
	now, err := indexDefs(to)
	if err != nil {
		return nil, err
	}
	return diffIndexes(to.Table, old, now), nil
}
