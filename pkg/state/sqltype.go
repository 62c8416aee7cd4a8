package state

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// SQLType is one dialect's spelling of a SQL field's column type: the
// escape hatch for a type no field kind says (inet, citext, mediumtext).
type SQLType struct {
	// Dialect is "postgres", "mysql" or "sqlite".
	Dialect string
	// Type is the column type as written in CREATE TABLE, verbatim.
	Type string
}

// SQLDialects are the dialect names a SQLType may carry, in the order
// SortSQLTypes puts them.
var SQLDialects = []string{"postgres", "mysql", "sqlite"}

// SQLTypeFor returns the type f spells for dialect, false when it spells
// none.
func (f *Field) SQLTypeFor(dialect string) (string, bool) {
	for _, t := range f.SQLTypes {
		if t.Dialect == dialect {
			return t.Type, true
		}
	}
	return "", false
}

// SortSQLTypes puts spellings in SQLDialects order, so that two fields
// spelling the same types compare and write alike.
func SortSQLTypes(ts []SQLType) {
	rank := func(d string) int {
		for i, n := range SQLDialects {
			if n == d {
				return i
			}
		}
		return len(SQLDialects)
	}
	sort.SliceStable(ts, func(i, j int) bool { return rank(ts[i].Dialect) < rank(ts[j].Dialect) })
}

// CheckSQLTypes reports a SQL field without spellings, a spelling for an
// unknown dialect or given twice, and a type CheckSQLTypeSpelling refuses;
// a non-SQL field must spell none. Every stage that accepts or renders a
// field relies on this one rule.
func (f *Field) CheckSQLTypes() error {
	if f.Kind != SQL {
		if len(f.SQLTypes) > 0 {
			return fmt.Errorf("a %s field spells no SQL types (SQLTypes is only for kind sql)", f.Kind)
		}
		return nil
	}
	if f.Default != nil || f.DBDefault != "" {
		return errors.New("a sql field takes no default (its literal cannot be checked against a spelled type); set the value in code, or use RunSQL")
	}
	if len(f.SQLTypes) == 0 {
		return errors.New("a sql field needs a type for at least one dialect, e.g. type=postgres:inet")
	}
	seen := map[string]bool{}
	for _, t := range f.SQLTypes {
		known := false
		for _, d := range SQLDialects {
			known = known || d == t.Dialect
		}
		if !known {
			return fmt.Errorf("unknown dialect %q in a SQL type; use postgres (or pg), mysql or sqlite", t.Dialect)
		}
		if seen[t.Dialect] {
			return fmt.Errorf("the %s type is given twice; keep one", t.Dialect)
		}
		seen[t.Dialect] = true
		if err := CheckSQLTypeSpelling(t.Type); err != nil {
			return fmt.Errorf("%s type %q: %w", t.Dialect, t.Type, err)
		}
	}
	return nil
}

// CheckSQLTypeSpelling holds a spelled column type to a conservative
// shape, since it is written into DDL verbatim: it starts with a letter,
// has only letters, digits, spaces, _ , . ( ) [ ], and balanced
// parentheses and brackets; so no ; no quote and no comment can slip in.
func CheckSQLTypeSpelling(typ string) error {
	if typ == "" || strings.TrimSpace(typ) != typ {
		return errors.New("a type must be non-empty, with no leading or trailing space")
	}
	c := typ[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return errors.New("a type must start with a letter")
	}
	depth, brackets := 0, 0
	for _, r := range typ {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', r == '_', r == ',', r == '.':
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == '[':
			brackets++
		case r == ']':
			brackets--
		default:
			return fmt.Errorf("%q is not allowed in a type; use letters, digits, spaces, _ , . ( ) [ ]", r)
		}
		if depth < 0 || brackets < 0 {
			return errors.New("a closing parenthesis or bracket has no opening one")
		}
	}
	if depth != 0 || brackets != 0 {
		return errors.New("parentheses or brackets are not balanced")
	}
	return nil
}
