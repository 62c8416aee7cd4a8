package postgres

import (
	"strconv"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// maxExactFloat is 2^53: integers beyond it do not all survive a double.
const maxExactFloat = "9007199254740992"

// PreflightSQL implements schema.PreflightRenderer.
func (e *Editor) PreflightSQL(p *state.Project, c schema.Preflight) (string, error) {
	return schema.RenderPreflight(e, "postgres", c, func(col string) (string, error) {
		return misfit(p, c.Model, c.From, c.To, col)
	})
}

// misfit returns a predicate, over col holding values of field from, that
// is true for the values that would not come out of a conversion to field
// to unchanged; "" when every value converts unchanged.
func misfit(p *state.Project, m *state.Model, from, to *state.Field, col string) (string, error) {
	oldSpec, err := resolveColumn(p, m, from)
	if err != nil {
		return "", err
	}
	newSpec, err := resolveColumn(p, m, to)
	if err != nil {
		return "", err
	}
	if oldSpec.typ == newSpec.typ {
		return "", nil
	}
	fk, tk := oldSpec.kind, newSpec.kind
	text := fk == state.Char || fk == state.Text
	numeric := schema.IsInteger(fk) || fk == state.Decimal || fk == state.Float
	var bad string
	switch {
	case tk == state.Text:
		return "", nil
	case tk == state.Char:
		n := strconv.Itoa(to.MaxLength)
		if text {
			bad = "char_length(" + col + ") > " + n
		} else {
			bad = "char_length(" + col + "::text) > " + n
		}
	case schema.IsInteger(tk):
		lo, hi, _ := schema.IntegerRange(tk)
		switch {
		case schema.IsInteger(fk):
			bad = col + " < " + lo + " OR " + col + " > " + hi
		case fk == state.Decimal || fk == state.Float:
			bad = col + " < " + lo + " OR " + col + " > " + hi + " OR " + col + " <> trunc(" + col + ")"
		case text:
			bad = "CASE WHEN " + col + " ~ '^(0|-?[1-9][0-9]{0,18})$' THEN " + col + "::numeric NOT BETWEEN " + lo + " AND " + hi + " ELSE true END"
		case fk == state.Boolean:
			return "", nil
		}
	case tk == state.Decimal:
		bound, s := schema.DecimalBound(to.MaxDigits, to.DecimalPlaces), strconv.Itoa(to.DecimalPlaces)
		fits := func(v string) string {
			return "abs(" + v + ") >= " + bound + " OR " + v + " <> round(" + v + ", " + s + ")"
		}
		switch {
		case numeric:
			bad = fits(col + "::numeric")
		case text:
			bad = "CASE WHEN " + col + " ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN " + fits(col+"::numeric") + " ELSE true END"
		}
	case tk == state.Float:
		switch {
		case schema.IsInteger(fk):
			bad = "abs(" + col + "::numeric) > " + maxExactFloat
		case fk == state.Decimal:
			bad = col + "::float8::numeric <> " + col
		}
	case tk == state.Date && fk == state.DateTime:
		bad = col + "::date::timestamptz <> " + col
	case tk == state.UUID && text:
		bad = col + " !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'"
	case tk == state.Boolean && schema.IsInteger(fk):
		bad = col + " NOT IN (0, 1)"
	case tk == state.JSON && text:
		// PostgreSQL 15 has no test for valid JSON that cannot fail: an
		// invalid document makes the query fail, which refuses just the
		// same; a valid one keeps its meaning (jsonb only re-spaces it).
		bad = col + "::jsonb IS NULL"
	}
	if bad == "" {
		// Any other change: the value must come back unchanged from the
		// new type. A value the new type cannot read at all makes the
		// query itself fail, which refuses just the same.
		bad = "CAST(CAST(" + col + " AS " + newSpec.typ + ") AS " + oldSpec.typ + ") IS DISTINCT FROM " + col
	}
	return col + " IS NOT NULL AND (" + bad + ")", nil
}

// guardedTypeSQL changes the type of d's column (d.Old becoming d.New)
// so that a value the new type cannot hold unchanged stops the
// statement instead of being cut or rounded. Where PostgreSQL assigns the
// old type to the new one without loss (plainAssignable) the statement
// has no USING: the server then skips the table rewrite for a longer
// varchar, varchar to text or a numeric with more digits, and a shorter
// varchar refuses a longer value (the assignment fails where an explicit
// cast would truncate). Other varchar and text targets get the text as it
// is (col::text, assigned the same way); the rest are converted only where
// misfit finds nothing, else the statement fails on purpose, naming the
// value.
func guardedTypeSQL(d *schema.ColumnDiff) (string, error) {
	oldSpec, err := resolveColumn(d.P, d.To, d.Old)
	if err != nil {
		return "", err
	}
	newSpec, err := resolveColumn(d.P, d.To, d.New)
	if err != nil {
		return "", err
	}
	table, column, typ := d.To.Table, d.New.ColumnName(), newSpec.typ
	plain := "ALTER TABLE " + quoteIdent(table) + " ALTER COLUMN " + quoteIdent(column) + " TYPE " + typ
	if plainAssignable(oldSpec, newSpec, d.Old, d.New) {
		return plain, nil
	}
	head := plain + " USING "
	col := quoteIdent(column)
	if newSpec.kind == state.SQL || d.Old.Kind == state.SQL {
		// Nothing is known of how a spelled type converts (inet's text
		// form is 10.0.0.1/32), so only NULLs are proven to keep: any
		// other value fails the statement, naming it, through a cast of
		// the refusal to integer that type-checks for every target.
		refuse := "(" + quoteLiteral("pmanager: refusing to change a value of "+table+"."+column+" converting to the spelled type "+typ+": ") +
			" || " + col + "::text)::integer::text::" + typ
		return head + "CASE WHEN " + col + " IS NULL THEN NULL ELSE " + refuse + " END", nil
	}
	if newSpec.kind == state.Char || newSpec.kind == state.Text {
		return head + col + "::text", nil
	}
	bad, err := misfit(d.P, d.To, d.Old, d.New, col)
	if err != nil || bad == "" || typ == "bytea" {
		// bytea would read the refusal text as bytes: no guard there.
		return head + col + "::" + typ, err
	}
	refuse := "(" + quoteLiteral("pmanager: refusing to change a value of "+table+"."+column+" converting to "+typ+": ") + " || " + col + "::text)::" + typ
	return head + "CASE WHEN " + bad + " THEN " + refuse + " ELSE " + col + "::" + typ + " END", nil
}

// plainAssignable reports whether ALTER COLUMN … TYPE without USING
// converts every value of a column of old (field from) into new (field to)
// unchanged or refuses it, as the guarded conversion would: the same type,
// varchar and text into each other (a value too long for a varchar makes
// the assignment fail, never truncates), and a numeric whose integer and
// fraction digits both hold the old ones. These are also the changes
// PostgreSQL can make without rewriting the table (a longer varchar,
// varchar to text, more digits at the same scale), which a USING
// expression would force.
func plainAssignable(old, new columnSpec, from, to *state.Field) bool {
	switch {
	case old.typ == new.typ:
		return true
	case isText(old.kind) && isText(new.kind):
		return true
	case from.Kind == state.Decimal && to.Kind == state.Decimal:
		return decimalHolds(from, to)
	}
	return false
}

// isText reports whether a column of kind k is varchar or text.
func isText(k state.Kind) bool { return k == state.Char || k == state.Text }

// decimalHolds reports whether numeric(to) holds every value of
// numeric(from) exactly: as many integer digits and decimal places or more.
func decimalHolds(from, to *state.Field) bool {
	return to.DecimalPlaces >= from.DecimalPlaces && to.MaxDigits-to.DecimalPlaces >= from.MaxDigits-from.DecimalPlaces
}
