package schema

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// PreflightKind names what a pre-flight makes sure of before an operation
// touches a table that may hold rows.
type PreflightKind string

// The pre-flight kinds. Each one finds the rows the operation would reject
// or change; a migration runs only when none of its pre-flights finds any.
const (
	// PreflightConvert: every value of a column keeps its meaning in the
	// column's new type (no truncation, rounding, overflow or re-reading).
	PreflightConvert PreflightKind = "convert"
	// PreflightNotNull: a column that becomes NOT NULL holds no NULL.
	PreflightNotNull PreflightKind = "not-null"
	// PreflightNoRows: the table is empty, for a new NOT NULL column that
	// has neither a default nor a one-off value for the rows already there.
	PreflightNoRows PreflightKind = "no-rows"
	// PreflightUnique: no two rows share the values of Columns (rows with a
	// NULL among them never clash; Condition, when set, limits the rows).
	PreflightUnique PreflightKind = "unique"
	// PreflightCheck: no row makes the check expression false.
	PreflightCheck PreflightKind = "check"
	// PreflightReference: every non-NULL value of the column exists in the
	// column the new foreign key points at.
	PreflightReference PreflightKind = "reference"
)

// Preflight describes, without any SQL, one read-only check an operation
// needs on the live table before it runs. Operations say what to check;
// each dialect's editor renders the query (PreflightRenderer).
type Preflight struct {
	Kind PreflightKind
	// Model is the model as the live table is now (its table, key and columns).
	Model *state.Model
	// Label names what is checked for people: "Car.name" or "Car(a, b)".
	Label string
	// Columns are the live column names concerned.
	Columns []string
	// From and To are the field before and after, for PreflightConvert.
	From, To *state.Field
	// Condition limits a unique check to some rows; for a check constraint
	// it is the expression every row must satisfy.
	Condition string
	// Target and TargetColumn are the table and column a new foreign key
	// points at, for PreflightReference.
	Target       *state.Model
	TargetColumn string
}

// PreflightRenderer is implemented by editors that can render pre-flights:
// PreflightSQL returns one SELECT whose rows are the offending rows' key
// columns followed by the count of all offending rows, at most three rows,
// ordered by key; no row means the check passed. p is the project before
// the operation.
type PreflightRenderer interface {
	PreflightSQL(p *state.Project, c Preflight) (string, error)
}

// ErrNoPreflight is returned by PreflightSQL when a dialect has no way to
// test a conversion ahead of time; the conversion itself must then fail
// rather than change a value.
var ErrNoPreflight = errors.New("no pre-flight query for this conversion")

// PreflightDialect is what the shared query shapes need of a dialect.
type PreflightDialect interface {
	Quote(name string) string
}

// KeyColumns returns the primary key columns of m, the keys a refusal
// names; an empty result means the model has no key and the checked
// columns stand in for it.
func KeyColumns(m *state.Model) []string {
	var out []string
	for _, f := range m.Fields {
		if f.PrimaryKey && f.HasColumn() {
			out = append(out, f.ColumnName())
		}
	}
	return out
}

// OffendingRowsSQL is the shape every pre-flight query shares: the key
// columns of the first three rows of table matching bad, each with the
// number of all matching rows.
func OffendingRowsSQL(d PreflightDialect, m *state.Model, columns []string, bad string) string {
	keys := keyList(d, m, columns)
	return "SELECT " + keys + ", COUNT(*) OVER () FROM " + d.Quote(m.Table) + " WHERE " + bad +
		" ORDER BY " + keys + " LIMIT 3"
}

// keyList quotes the key columns of m (or columns, when m has no key).
func keyList(d PreflightDialect, m *state.Model, columns []string) string {
	keys := KeyColumns(m)
	if len(keys) == 0 {
		keys = columns
	}
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = d.Quote(k)
	}
	return strings.Join(q, ", ")
}

// RenderPreflight is an editor's PreflightSQL: the kinds every dialect
// writes alike, then for a conversion of one column the dialect's own
// predicate, misfit, over the quoted column, true for the values the new
// column would not keep unchanged ("" when every value converts
// unchanged, and then ErrNoPreflight). name names the dialect in errors.
func RenderPreflight(d PreflightDialect, name string, c Preflight, misfit func(col string) (string, error)) (string, error) {
	if sql, ok, err := CommonPreflightSQL(d, c); ok {
		return sql, err
	}
	if c.Kind != PreflightConvert || c.From == nil || c.To == nil || len(c.Columns) != 1 {
		return "", fmt.Errorf("%s: pre-flight %s for %s is not supported", name, c.Kind, c.Label)
	}
	if c.From.Kind == state.SQL || c.To.Kind == state.SQL {
		return sqlTypePreflight(d, name, c)
	}
	bad, err := misfit(d.Quote(c.Columns[0]))
	if err != nil {
		return "", err
	}
	if bad == "" {
		return "", ErrNoPreflight
	}
	return OffendingRowsSQL(d, c.Model, c.Columns, bad), nil
}

// CommonPreflightSQL renders the kinds whose SQL is the same on every
// dialect (all but PreflightConvert); ok is false for a kind it leaves to
// the dialect.
func CommonPreflightSQL(d PreflightDialect, c Preflight) (sql string, ok bool, err error) {
	if c.Model == nil {
		return "", true, fmt.Errorf("pre-flight %s for %s: no model", c.Kind, c.Label)
	}
	quoted := make([]string, len(c.Columns))
	for i, col := range c.Columns {
		quoted[i] = d.Quote(col)
	}
	switch c.Kind {
	case PreflightNotNull:
		return OffendingRowsSQL(d, c.Model, c.Columns, quoted[0]+" IS NULL"), true, nil
	case PreflightNoRows:
		return OffendingRowsSQL(d, c.Model, c.Columns, "1 = 1"), true, nil
	case PreflightCheck:
		return OffendingRowsSQL(d, c.Model, c.Columns, "NOT ("+c.Condition+")"), true, nil
	case PreflightReference:
		if c.Target == nil {
			return "", true, fmt.Errorf("pre-flight %s for %s: no target", c.Kind, c.Label)
		}
		bad := quoted[0] + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + d.Quote(c.Target.Table) + " pm_target WHERE pm_target." +
			d.Quote(c.TargetColumn) + " = " + d.Quote(c.Model.Table) + "." + quoted[0] + ")"
		return OffendingRowsSQL(d, c.Model, c.Columns, bad), true, nil
	case PreflightUnique:
		return uniqueSQL(d, c, quoted), true, nil
	}
	return "", false, nil
}

// uniqueSQL finds the rows that share their values of the columns with
// another row; rows with a NULL among them never clash, as in a unique
// constraint.
func uniqueSQL(d PreflightDialect, c Preflight, quoted []string) string {
	keys := KeyColumns(c.Model)
	if len(keys) == 0 {
		keys = c.Columns
	}
	qk := make([]string, len(keys))
	for i, k := range keys {
		qk[i] = d.Quote(k)
	}
	where := make([]string, len(quoted))
	for i, q := range quoted {
		where[i] = q + " IS NOT NULL"
	}
	if c.Condition != "" {
		where = append(where, "("+c.Condition+")")
	}
	list := strings.Join(qk, ", ")
	return "SELECT " + list + ", COUNT(*) OVER () FROM (SELECT " + list + ", COUNT(*) OVER (PARTITION BY " +
		strings.Join(quoted, ", ") + ") AS pm_n FROM " + d.Quote(c.Model.Table) + " WHERE " + strings.Join(where, " AND ") +
		") pm_rows WHERE pm_n > 1 ORDER BY " + list + " LIMIT 3"
}

// IntegerRange is the range of values an integer kind holds on every
// dialect pmanager writes for; ok is false for other kinds.
func IntegerRange(k state.Kind) (lo, hi string, ok bool) {
	switch k {
	case state.SmallInteger:
		return "-32768", "32767", true
	case state.Integer, state.Auto:
		return "-2147483648", "2147483647", true
	case state.BigInteger, state.BigAuto:
		return "-9223372036854775808", "9223372036854775807", true
	}
	return "", "", false
}

// IsInteger reports whether k stores whole numbers.
func IsInteger(k state.Kind) bool {
	_, _, ok := IntegerRange(k)
	return ok
}

// DecimalBound is 10^(digits-places): the smallest absolute value that no
// longer fits decimal(digits, places).
func DecimalBound(digits, places int) string {
	return "1" + strings.Repeat("0", digits-places)
}

// sqlTypePreflight is the conversion check of a column whose type is
// spelled (a SQL field) before or after: nothing is known of how values
// convert between a spelled type and another, so any row with a value
// refuses the change, unless the dialect's spelling stays the same.
func sqlTypePreflight(d PreflightDialect, name string, c Preflight) (string, error) {
	if c.From.Kind == state.SQL && c.To.Kind == state.SQL {
		from, _ := c.From.SQLTypeFor(name)
		to, _ := c.To.SQLTypeFor(name)
		if from == to {
			return "", ErrNoPreflight
		}
	}
	return OffendingRowsSQL(d, c.Model, c.Columns, d.Quote(c.Columns[0])+" IS NOT NULL"), nil
}
