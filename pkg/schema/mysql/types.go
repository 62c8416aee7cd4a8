package mysql

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// columnType is the MySQL type of f's column as the editor writes it and as
// Inspect reports it. A relation column takes the type of the field it
// references, with auto-increment kinds mapped to their plain integer type.
func columnType(p *state.Project, m *state.Model, f *state.Field) (string, error) {
	vm, vf, err := valueField(p, m, f)
	if err != nil {
		return "", err
	}
	typ, err := types.Type(schema.MySQL, vf)
	if err != nil {
		return "", fmt.Errorf("mysql: %s.%s: %w", vm.Label(), vf.Name, err)
	}
	return typ, nil
}

// types (read-only) spells each plain field kind as MySQL writes and reports it.
var types = schema.TypeMap{
	state.BigAuto:      "bigint",
	state.BigInteger:   "bigint",
	state.Duration:     "bigint",
	state.Auto:         "int",
	state.Integer:      "int",
	state.SmallInteger: "smallint",
	state.Char:         "varchar(%d)",
	state.Text:         "longtext",
	state.Boolean:      "bool",
	state.Float:        "double",
	state.Decimal:      "decimal(%d,%d)",
	state.DateTime:     "datetime(6)",
	state.Date:         "date",
	state.Time:         "time(6)",
	state.Binary:       "longblob",
	state.JSON:         "json",
	state.UUID:         "char(32)",
}

// valueField follows relations from f to the field whose kind decides f's
// column type (f itself when it is not a relation).
func valueField(p *state.Project, m *state.Model, f *state.Field) (*state.Model, *state.Field, error) {
	vm, vf, err := schema.ValueField(p, m, f)
	if err != nil {
		return nil, nil, fmt.Errorf("mysql: %w", err)
	}
	return vm, vf, nil
}

// storedValue is how a default or one-off value for f's column is written:
// a UUID as the 32 lower-case hex digits char(32) holds (dashes and braces
// dropped, as Django stores it), anything else as given.
func storedValue(p *state.Project, m *state.Model, f *state.Field, value string) (string, error) {
	_, vf, err := valueField(p, m, f)
	if err != nil {
		return "", err
	}
	if vf.Kind != state.UUID {
		return value, nil
	}
	hex := strings.ToLower(strings.NewReplacer("-", "", "{", "", "}", "").Replace(strings.TrimSpace(value)))
	if len(hex) != 32 || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", fmt.Errorf("mysql: %s.%s: %q is not a UUID", m.Label(), f.Name, value)
	}
	return hex, nil
}

// baseType is a column type without its length or precision: "decimal" for
// "decimal(10,2)", "int" for "int unsigned".
func baseType(typ string) string {
	if i := strings.IndexAny(typ, "( "); i >= 0 {
		return typ[:i]
	}
	return typ
}

// isIntegerType reports whether typ holds whole numbers (bool excluded).
func isIntegerType(typ string) bool {
	switch baseType(typ) {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return true
	}
	return false
}

// isNumericType reports whether typ takes an unquoted number literal.
func isNumericType(typ string) bool {
	switch baseType(typ) {
	case "decimal", "numeric", "double", "float", "real":
		return true
	}
	return isIntegerType(typ)
}

// needsExpressionDefault reports whether MySQL 8 only accepts a default for
// typ written as an expression in parentheses (BLOB, TEXT and JSON columns).
func needsExpressionDefault(typ string) bool {
	switch baseType(typ) {
	case "tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob", "json":
		return true
	}
	return false
}

// literal renders value as an SQL literal for a column of type typ: a
// validated number unquoted, a boolean as 1 or 0, anything else as a quoted
// string with quotes doubled and backslashes escaped.
func literal(typ, value string) (string, error) {
	switch {
	case typ == "bool":
		b, err := parseBool(value)
		if err != nil {
			return "", err
		}
		if b {
			return "1", nil
		}
		return "0", nil
	case isIntegerType(typ):
		if !isInteger(value) {
			return "", fmt.Errorf("%q is not an integer", value)
		}
		return value, nil
	case isNumericType(typ):
		if !isNumber(value) {
			return "", fmt.Errorf("%q is not a number", value)
		}
		return value, nil
	}
	return quoteString(value), nil
}

// defaultClause renders value as the expression after DEFAULT for a column
// of type typ; text, blob and json columns get the parenthesised form that
// MySQL 8 requires and MariaDB accepts.
func defaultClause(typ, value string) (string, error) {
	lit, err := literal(typ, value)
	if err != nil {
		return "", err
	}
	if needsExpressionDefault(typ) {
		return "(" + lit + ")", nil
	}
	return lit, nil
}

// quoteString writes s as a single-quoted MySQL string literal. Backslashes
// are escaped too, because MySQL treats them as escapes by default.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

var errNotBool = errors.New("is not a boolean (want true, false, 1 or 0)")

// parseBool accepts the boolean spellings a default= may use: true, false, 1, 0.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q %w", v, errNotBool)
}

// isInteger reports whether s is an optionally signed run of decimal digits.
func isInteger(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isNumber reports whether s is a plain decimal number, optionally signed,
// with an optional fraction and exponent (no hex, no inf, no NaN).
func isNumber(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	mantissa, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp && !isInteger(exp) {
		return false
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	if whole == "" && frac == "" {
		return false
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return false
			}
		}
	}
	return true
}

// datetimeLayouts are the spellings a datetime default may be written in;
// MySQL stores them in the longest form, which canonicalDefault produces.
func datetimeLayouts() []string {
	return []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"}
}

// timeLayouts are the spellings a time default may be written in.
func timeLayouts() []string { return []string{"15:04:05.999999999", "15:04"} }

// canonicalDefault puts a default value into the one spelling both Expected
// and Inspect use for a column of type typ, so that 1.5 and the 1.50 MySQL
// reports for a decimal(10,2) compare equal: booleans as true/false, numbers
// re-formatted, datetimes and times with six fractional digits. A value that
// does not parse is returned unchanged.
func canonicalDefault(typ, v string) string {
	switch base := baseType(typ); {
	case typ == "bool" || typ == "tinyint(1)":
		if b, err := parseBool(v); err == nil {
			return strconv.FormatBool(b)
		}
	case isIntegerType(typ):
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
	case base == "decimal" || base == "numeric":
		if r, ok := new(big.Rat).SetString(v); ok && isNumber(v) {
			return r.FloatString(decimalScale(typ))
		}
	case base == "double" || base == "float" || base == "real":
		if x, err := strconv.ParseFloat(v, 64); err == nil && isNumber(v) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
	case base == "datetime" || base == "timestamp":
		if t, ok := parseLayouts(datetimeLayouts(), v); ok {
			return t.Format("2006-01-02 15:04:05.000000")
		}
	case base == "time":
		if t, ok := parseLayouts(timeLayouts(), v); ok {
			return t.Format("15:04:05.000000")
		}
	}
	return v
}

// decimalScale reads s out of "decimal(p,s)"; 0 when absent.
func decimalScale(typ string) int {
	_, args, ok := strings.Cut(typ, "(")
	if !ok {
		return 0
	}
	_, scale, ok := strings.Cut(strings.TrimSuffix(args, ")"), ",")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(scale))
	if err != nil {
		return 0
	}
	return n
}

// parseLayouts parses v with the first layout that fits.
func parseLayouts(layouts []string, v string) (time.Time, bool) {
	for _, layout := range layouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
