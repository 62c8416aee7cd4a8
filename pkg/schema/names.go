package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// MaxNameLength is the longest identifier every dialect accepts (PostgreSQL: 63).
const MaxNameLength = 63

// ObjectName builds a deterministic name for an index or constraint that the
// user did not name: table_col1_col2_suffix, shortened with a hash when it
// would be longer than MaxNameLength, so later migrations can drop it by name.
func ObjectName(table string, columns []string, suffix string) string {
	parts := append([]string{table}, columns...)
	name := strings.Join(parts, "_") + "_" + suffix
	name = strings.ReplaceAll(name, "-", "")
	if len(name) <= MaxNameLength {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	hash := hex.EncodeToString(sum[:4])
	keep := MaxNameLength - len(hash) - len(suffix) - 2
	return name[:keep] + "_" + hash + "_" + suffix
}

// Name suffixes of the objects editors create for fields and unique_together.
const (
	SuffixIndex  = "idx"
	SuffixUnique = "uniq"
	SuffixFK     = "fk"
	SuffixCheck  = "check"
)

// FieldUniqueName names the unique constraint of a unique column.
func FieldUniqueName(table, column string) string {
	return ObjectName(table, []string{column}, SuffixUnique)
}

// FieldIndexName names the index of an indexed (or foreign key) column.
func FieldIndexName(table, column string) string {
	return ObjectName(table, []string{column}, SuffixIndex)
}

// ForeignKeyName names the foreign key constraint of a relation column.
func ForeignKeyName(table, column string) string {
	return ObjectName(table, []string{column}, SuffixFK)
}

// UniqueTogetherName names the constraint of one unique_together group.
func UniqueTogetherName(table string, columns []string) string {
	return ObjectName(table, columns, SuffixUnique)
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
