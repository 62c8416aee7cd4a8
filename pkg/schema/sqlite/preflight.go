package sqlite

import (
	"strconv"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// maxExactFloat is 2^53: integers beyond it do not all survive a REAL.
const maxExactFloat = "9007199254740992"

// PreflightSQL implements schema.PreflightRenderer. SQLite itself enforces
// neither lengths nor precisions, and a rebuild copies values as they are
// (only a text that reads as a number becomes one), so these queries hold
// the rows to what the model declares, as the other dialects do.
func (e *Editor) PreflightSQL(p *state.Project, c schema.Preflight) (string, error) {
	return schema.RenderPreflight(e, "sqlite", c, func(col string) (string, error) {
		return misfit(p, c.Model, c.From, c.To, col)
	})
}

// misfit returns a predicate, over col holding values of field from, that
// is true for the values that do not fit field to as declared, or that the
// copy into the new column's affinity would change; "" when none can.
func misfit(p *state.Project, m *state.Model, from, to *state.Field, col string) (string, error) {
	_, fv, err := valueField(p, m, from)
	if err != nil {
		return "", err
	}
	_, tv, err := valueField(p, m, to)
	if err != nil {
		return "", err
	}
	fk, tk := fv.Kind, tv.Kind
	if fk == tk && fv.MaxLength == tv.MaxLength && fv.MaxDigits == tv.MaxDigits && fv.DecimalPlaces == tv.DecimalPlaces {
		return "", nil
	}
	text := fk == state.Char || fk == state.Text || fk == state.JSON
	var bad string
	switch {
	case tk == state.Text:
		return "", nil
	case tk == state.Char:
		bad = "length(" + col + ") > " + strconv.Itoa(tv.MaxLength)
	case tk == state.UUID:
		bad = "length(" + col + ") <> 32 OR " + col + " GLOB '*[^0-9a-f]*'"
	case tk == state.JSON:
		bad = "NOT json_valid(" + col + ")"
	case schema.IsInteger(tk):
		lo, hi, _ := schema.IntegerRange(tk)
		n := "CAST(" + col + " AS INTEGER)"
		bad = notSame(n, col, text) + " OR " + n + " < " + lo + " OR " + n + " > " + hi
	case tk == state.Decimal:
		bound, s := schema.DecimalBound(tv.MaxDigits, tv.DecimalPlaces), strconv.Itoa(tv.DecimalPlaces)
		n := col
		if text {
			n = "CAST(" + col + " AS NUMERIC)"
			bad = notSame(n, col, true) + " OR "
		}
		bad += "abs(" + n + ") >= " + bound + " OR round(" + n + ", " + s + ") <> " + n
	case tk == state.Float:
		if text {
			bad = notSame("CAST("+col+" AS REAL)", col, true)
		} else {
			bad = "abs(" + col + ") > " + maxExactFloat
		}
	case tk == state.Boolean:
		bad = col + " NOT IN (0, 1)"
	case tk == state.Date && fk == state.DateTime:
		bad = "date(" + col + ") IS NOT " + col
	}
	if bad == "" {
		return "", nil
	}
	return col + " IS NOT NULL AND (" + bad + ")", nil
}

// notSame is a predicate true when converted, an expression over col, is not
// the value col holds. A text is compared as text, so '007' read as the
// number 7 counts as changed (a CAST to a number compares by number).
func notSame(converted, col string, text bool) string {
	if text {
		return "CAST(" + converted + " AS TEXT) IS NOT " + col
	}
	return converted + " IS NOT " + col
}
