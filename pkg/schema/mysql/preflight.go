package mysql

import (
	"strconv"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// maxExactFloat is 2^53: integers beyond it do not all survive a double.
const maxExactFloat = "9007199254740992"

// PreflightSQL implements schema.PreflightRenderer. MySQL commits DDL as
// it goes, so these queries are what keeps a migration from stopping
// half-way on a value the new column cannot hold.
func (e *Editor) PreflightSQL(p *state.Project, c schema.Preflight) (string, error) {
	return schema.RenderPreflight(e, "mysql", c, func(col string) (string, error) {
		return e.misfit(p, c.Model, c.From, c.To, col)
	})
}

// misfit returns a predicate, over col holding values of field from, that
// is true for the values that would not come out of a conversion to field
// to unchanged; "" when every value converts unchanged or MySQL offers no
// test (its own conversion then refuses, in strict mode, or keeps the value).
func (e *Editor) misfit(p *state.Project, m *state.Model, from, to *state.Field, col string) (string, error) {
	oldType, err := columnType(p, m, from)
	if err != nil {
		return "", err
	}
	newType, err := columnType(p, m, to)
	if err != nil {
		return "", err
	}
	if oldType == newType {
		return "", nil
	}
	_, fv, err := valueField(p, m, from)
	if err != nil {
		return "", err
	}
	_, tv, err := valueField(p, m, to)
	if err != nil {
		return "", err
	}
	fk, tk := fv.Kind, tv.Kind
	text := fk == state.Char || fk == state.Text
	numeric := schema.IsInteger(fk) || fk == state.Decimal || fk == state.Float || fk == state.Boolean
	var bad string
	switch {
	case tk == state.Text:
		return "", nil
	case tk == state.Char || tk == state.UUID:
		n := strconv.Itoa(tv.MaxLength)
		if tk == state.UUID {
			n = "32"
		}
		if text {
			bad = "CHAR_LENGTH(" + col + ") > " + n
		} else {
			bad = "CHAR_LENGTH(CAST(" + col + " AS CHAR)) > " + n
		}
		if tk == state.UUID {
			bad += " OR " + col + " NOT REGEXP '^[0-9a-f]{32}$'"
		}
	case schema.IsInteger(tk):
		lo, hi, _ := schema.IntegerRange(tk)
		switch {
		case schema.IsInteger(fk) || fk == state.Boolean:
			bad = col + " < " + lo + " OR " + col + " > " + hi
		case fk == state.Decimal || fk == state.Float:
			bad = col + " < " + lo + " OR " + col + " > " + hi + " OR " + col + " <> TRUNCATE(" + col + ", 0)"
		case text:
			bad = "CASE WHEN " + col + " REGEXP '^(0|-?[1-9][0-9]{0,18})$' THEN CAST(" + col + " AS DECIMAL(65,0)) NOT BETWEEN " + lo + " AND " + hi + " ELSE TRUE END"
		}
	case tk == state.Decimal:
		bound, s := schema.DecimalBound(tv.MaxDigits, tv.DecimalPlaces), strconv.Itoa(tv.DecimalPlaces)
		fits := func(v string) string {
			return "ABS(" + v + ") >= " + bound + " OR " + v + " <> ROUND(" + v + ", " + s + ")"
		}
		switch {
		case fk == state.Float:
			bad = fits("CAST(" + col + " AS DECIMAL(65,30))")
		case numeric:
			bad = fits(col)
		case text:
			bad = "CASE WHEN " + col + " REGEXP '^-?[0-9]{1,65}(\\\\.[0-9]{1,30})?$' THEN " + fits("CAST("+col+" AS DECIMAL(65,30))") + " ELSE TRUE END"
		}
	case tk == state.Float:
		switch {
		case schema.IsInteger(fk):
			bad = "ABS(" + col + ") > " + maxExactFloat
		case fk == state.Decimal:
			bad = "CAST(" + col + " + 0E0 AS DECIMAL(65,30)) <> " + col
		}
	case tk == state.Boolean && schema.IsInteger(fk):
		bad = col + " NOT IN (0, 1)"
	case tk == state.Date && fk == state.DateTime:
		bad = "CAST(CAST(" + col + " AS DATE) AS DATETIME(6)) <> " + col
	case tk == state.JSON && text:
		bad = "NOT JSON_VALID(" + col + ")"
	}
	if bad == "" {
		return "", nil
	}
	return col + " IS NOT NULL AND (" + bad + ")", nil
}
