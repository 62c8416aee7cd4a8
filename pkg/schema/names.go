package schema

import (
	"fmt"
	"slices"

	"github.com/pmanager/pmanager/pkg/state"
)

// FieldUniqueName names the unique constraint of a unique column.
func FieldUniqueName(table, column string) string {
	return state.ObjectName(table, []string{column}, state.SuffixUnique)
}

// FieldIndexName names the index of an indexed (or foreign key) column.
func FieldIndexName(table, column string) string {
	return state.ObjectName(table, []string{column}, state.SuffixIndex)
}

// ForeignKeyName names the foreign key constraint of a relation column.
func ForeignKeyName(table, column string) string {
	return state.ObjectName(table, []string{column}, state.SuffixFK)
}

// UniqueTogetherName names the constraint of one unique_together group.
func UniqueTogetherName(table string, columns []string) string {
	return state.ObjectName(table, columns, state.SuffixUnique)
}

// NeedsIndex reports whether a column gets a plain index of its own: asked
// for with `index`, or a foreign key, unless a unique constraint already
// indexes it.
func NeedsIndex(f *state.Field) bool {
	if !f.HasColumn() || f.IsUnique() {
		return false
	}
	return f.Index || f.Kind == state.ForeignKey
}

// NeedsForeignKey reports whether a relation column gets a database constraint.
func NeedsForeignKey(f *state.Field) bool {
	return (f.Kind == state.ForeignKey || f.Kind == state.OneToOne) && f.Relation != nil && !f.Relation.NoConstraint
}

// OnDeleteSQL maps an on_delete option to the SQL action; PROTECT and
// DO_NOTHING become RESTRICT and NO ACTION, the nearest database behaviour.
func OnDeleteSQL(onDelete string) string {
	switch onDelete {
	case "CASCADE":
		return "CASCADE"
	case "SET_NULL":
		return "SET NULL"
	case "SET_DEFAULT":
		return "SET DEFAULT"
	case "PROTECT", "RESTRICT":
		return "RESTRICT"
	default:
		return "NO ACTION"
	}
}

// GroupOwnedByField reports whether a unique_together group is one column
// whose field is itself unique. Both would be named FieldUniqueName, so a
// table holds one constraint for the two: the field owns it, and the group
// makes none of its own. When the field stops being unique the group takes
// the constraint over, and the other way round, without a drop and a create
// of the same name in between.
func GroupOwnedByField(m *state.Model, group []string) bool {
	if len(group) != 1 {
		return false
	}
	f := m.Field(group[0])
	return f != nil && f.HasColumn() && f.IsUnique() && !f.PrimaryKey
}

// HasOwnUniqueGroup reports whether m has a one-column unique_together group
// over field, the group that holds the column's unique constraint while the
// field itself is not unique.
func HasOwnUniqueGroup(m *state.Model, field string) bool {
	for _, g := range m.UniqueTogether {
		if len(g) == 1 && g[0] == field {
			return true
		}
	}
	return false
}

// UniqueGroups lists m's unique_together groups that make a constraint of
// their own (GroupOwnedByField leaves the others to their field).
func UniqueGroups(m *state.Model) [][]string {
	var out [][]string
	for _, g := range m.UniqueTogether {
		if !GroupOwnedByField(m, g) {
			out = append(out, g)
		}
	}
	return out
}

// ColumnUniqueExists reports whether the table of m holds the one-column
// unique constraint named FieldUniqueName for field f, whoever owns it: the
// field, being unique, or a one-column unique_together group over it.
// AlterField compares it before and after, so a constraint that only passes
// from the group to the field (or back) is neither dropped nor created.
func ColumnUniqueExists(m *state.Model, f *state.Field) bool {
	if !f.HasColumn() || f.PrimaryKey {
		return false
	}
	return f.IsUnique() || HasOwnUniqueGroup(m, f.Name)
}

// RenamedGroups pairs the constraint name of each unique_together group of
// from with its name in to, where a renamed table or column changed it;
// rename maps a field name of from to its name in to. Groups come in
// from's order, which a rename keeps.
func RenamedGroups(from, to *state.Model, rename func(string) string) ([][2]string, error) {
	var out [][2]string
	groups := UniqueGroups(to)
	for _, group := range UniqueGroups(from) {
		moved := make([]string, len(group))
		for i, name := range group {
			moved[i] = rename(name)
		}
		if !slices.ContainsFunc(groups, func(g []string) bool { return slices.Equal(g, moved) }) {
			continue
		}
		oldCols, err := from.Columns(group)
		if err != nil {
			return nil, fmt.Errorf("unique_together of %s: %w", from.Label(), err)
		}
		newCols, err := to.Columns(moved)
		if err != nil {
			return nil, fmt.Errorf("unique_together of %s: %w", to.Label(), err)
		}
		if o, n := UniqueTogetherName(from.Table, oldCols), UniqueTogetherName(to.Table, newCols); o != n {
			out = append(out, [2]string{o, n})
		}
	}
	return out, nil
}
