package models

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
)

// Model is embedded in every model struct: it marks the struct as a model
// and contributes the implicit `id` big auto-increment primary key, which is
// dropped when the struct declares a primary key of its own.
type Model struct {
	ID int64 `db:"id"`
}

// Meta holds the table-level settings a model returns from its optional
// value-receiver method `func (T) Meta() models.Meta`.
type Meta struct {
	// Table names the database table; empty means snake_case of the type name.
	Table string
	// Abstract makes the struct a base whose fields are copied into the
	// models that embed it; it has no table of its own.
	Abstract bool
	// Unmanaged keeps the model in the migration state only: no DDL is ever
	// emitted for it (a view, or a table another tool owns).
	Unmanaged bool
	// UniqueTogether lists groups of fields whose values are unique together.
	UniqueTogether [][]string
	// Indexes are extra, possibly multi-column, partial or descending indexes.
	Indexes []Index
	// Constraints are named Unique and Check constraints.
	Constraints []Constraint
	// Ordering is the default ordering ("-" prefix: descending); state only.
	Ordering []string
	// VerboseName is a human name for the model; state only.
	VerboseName string
	// Comment is the table's comment in the database (COMMENT ON TABLE,
	// MySQL's COMMENT=); state only on SQLite.
	Comment string
	// Was is the Go type name the model had before a rename, in the same
	// app. makemigrations then writes a RenameModel without asking; the
	// hint is ignored once no model of that name is left in the migrations.
	Was string
}

// Index describes one index of Meta.Indexes: fields by name (a "-" prefix
// makes that part descending), and an optional SQL Condition over column
// names that makes it partial.
type Index struct {
	Name      string
	Fields    []string
	Condition string
}

// Constraint is a table constraint of Meta.Constraints; only Unique and Check
// implement it, so the set of constraint kinds stays closed.
type Constraint interface {
	constraint()
}

// Unique is a named unique constraint over fields, partial when Condition (an
// SQL predicate over column names) is set.
type Unique struct {
	Name      string
	Fields    []string
	Condition string
}

// Check is a named check constraint with an SQL boolean expression over
// column names.
type Check struct {
	Name string
	SQL  string
}

func (Unique) constraint() {}
func (Check) constraint()  {}

// App names one app for Load: its label and a zero value of every exported
// struct type of its models package (the generated loader lists them all;
// types that are not models are skipped). pmanager's own static reader
// puts type descriptions read from source there instead (see TypeOf).
type App struct {
	Label string
	Types []any
}

// Decimal is a decimal number kept exactly as its text ("12.50"), so money
// never passes through a float. It is the Go type of Decimal fields and
// implements sql.Scanner and driver.Valuer. The zero value "" is sent as 0.
// SQLite stores decimals with numeric affinity, so values read back from it
// are only as exact as its storage.
type Decimal string

// Decimal must stay usable directly with database/sql.
var (
	_ sql.Scanner   = (*Decimal)(nil)
	_ driver.Valuer = Decimal("")
)

// Scan reads a decimal column. Text is kept as the database wrote it;
// integers and floats (SQLite) are formatted in plain notation. NULL is an
// error: use *Decimal for a nullable column.
func (d *Decimal) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		return fmt.Errorf("models: cannot scan NULL into Decimal; use *models.Decimal for a nullable column")
	case string:
		*d = Decimal(v)
	case []byte:
		*d = Decimal(v)
	case int64:
		*d = Decimal(strconv.FormatInt(v, 10))
	case float64:
		*d = Decimal(strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return fmt.Errorf("models: cannot scan %T into Decimal", src)
	}
	return nil
}

// Value sends the decimal as text, after checking it is a plain decimal
// literal (an optional sign, digits, an optional fraction and exponent), so a
// malformed value fails here rather than as a database error.
func (d Decimal) Value() (driver.Value, error) {
	if d == "" {
		return "0", nil
	}
	if !isDecimalLiteral(string(d), true) {
		return nil, fmt.Errorf("models: Decimal %q is not a decimal number", string(d))
	}
	return string(d), nil
}

// isDecimalLiteral reports whether s is [+-]digits[.digits] (either side of
// the point may be empty, not both), followed by [eE][+-]digits when
// exponent is allowed.
func isDecimalLiteral(s string, exponent bool) bool {
	intDigits, fracDigits, exp, ok := splitNumber(s)
	if !ok || intDigits+fracDigits == 0 {
		return false
	}
	return exponent || !exp
}

// splitNumber scans a numeric literal and counts the digits before and after
// the decimal point; exp reports an exponent part.
func splitNumber(s string) (intDigits, fracDigits int, exp, ok bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for i < len(s) && isDigit(s[i]) {
		i++
		intDigits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			fracDigits++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		exp = true
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return 0, 0, false, false
		}
	}
	return intDigits, fracDigits, exp, i == len(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
