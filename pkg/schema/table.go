package schema

import (
	"context"

	"github.com/pmanager/pmanager/pkg/state"
)

// Table is a database table as introspection sees it, normalised so that a
// live schema and the schema a state implies compare equal with go-cmp.
// Slices are sorted by name; nil and empty are the same (use cmpopts.EquateEmpty).
type Table struct {
	Name    string
	Columns []Column // in table order
	// PrimaryKey lists the key's columns in key order.
	PrimaryKey []string
	// Uniques are unique constraints and unique indexes alike, primary key excluded.
	Uniques []Unique
	// Indexes are the non-unique indexes.
	Indexes     []Index
	ForeignKeys []ForeignKey
	// Checks are compared by name only: databases rewrite the expression.
	Checks []string
	// Comment is the table's comment, "" for none (always on SQLite,
	// which keeps no comments).
	Comment string `json:",omitempty"`
}

// Column is one column: Type in the dialect's DDL spelling (lower case, as
// the editor writes it), Default the literal's value without quotes or casts
// (nil: no default), DBDefault the database-side default ("now", "uuid")
// recognised from the expression the editor writes for it.
type Column struct {
	Name          string
	Type          string
	Nullable      bool
	Default       *string
	DBDefault     string `json:",omitempty"`
	AutoIncrement bool
	// Comment is the column's comment, "" for none (always on SQLite).
	Comment string `json:",omitempty"`
}

// Unique is a unique constraint or unique index.
type Unique struct {
	Name    string
	Columns []string
	// Partial is true when a condition restricts it.
	Partial bool
}

// Index is a non-unique index; a column prefixed "-" is descending.
type Index struct {
	Name    string
	Columns []string
	Partial bool
}

// ForeignKey is one single-column foreign key constraint.
type ForeignKey struct {
	Name      string
	Column    string
	RefTable  string
	RefColumn string
	// OnDelete is the SQL action: CASCADE, RESTRICT, SET NULL, SET DEFAULT or NO ACTION.
	OnDelete string
}

// HistoryTable is the table where pmanager records applied migrations; it is
// not part of any model.
const HistoryTable = "pmanager_migrations"

// PlaceholderColumn is the column a table keeps while its model has none:
// between the removal of a table's last column and the arrival of the next
// inside one migration (a key replaced under a new name), where MySQL and
// SQLite refuse a table without columns. The first column added drops it.
const PlaceholderColumn = "pm_placeholder"

// HasColumns reports whether m has a field stored in a column of its table.
func HasColumns(m *state.Model) bool {
	for _, f := range m.Fields {
		if f.HasColumn() {
			return true
		}
	}
	return false
}

// CheckClause is one named check constraint with its expression as the
// database reports it back (without the CHECK keyword and its outer
// parentheses), for the commands that write models from a live schema.
type CheckClause struct {
	Table string
	Name  string
	SQL   string
}

// CheckReader is the optional ability of an Inspector to read the
// expressions of the named check constraints, which Inspect reports by
// name only; the inspectors of every dialect have it.
type CheckReader interface {
	InspectCheckClauses(ctx context.Context, db ExecQuerier) ([]CheckClause, error)
}

// Balanced reports whether the parentheses of an SQL expression pair up
// when read left to right outside quoted text, so "(a) and (b)" is
// balanced and "a) and (b" is not: only then may outer parentheses
// around it be taken off.
func Balanced(expr string) bool {
	depth := 0
	var quote byte
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0 && quote == 0
}

// IndexCondition is the predicate of one partial index (or partial unique
// index), as the database reports it back, without WHERE.
type IndexCondition struct {
	Table string
	Index string
	SQL   string
}

// ConditionReader is the optional ability of an Inspector to read the
// predicates of partial indexes, which Inspect reports only as Partial; the
// inspectors of the dialects with partial indexes (PostgreSQL, SQLite)
// have it.
type ConditionReader interface {
	InspectIndexConditions(ctx context.Context, db ExecQuerier) ([]IndexCondition, error)
}
