package schema

import (
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
