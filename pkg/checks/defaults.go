package checks

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// A default= is a literal the column's DEFAULT is written from. The reader
// already refuses numbers, booleans, dates, times and datetimes that do not
// parse (and points CURRENT_TIMESTAMP at db_default=now); these checks
// cover the kinds it lets through, whose bad literals would otherwise
// surface only at migrate, differently on each database.

// nowExpressions are spellings of "the current time" in some SQL dialect.
var nowExpressions = regexp.MustCompile(`(?i)^(current_timestamp|current_date|current_time|localtimestamp|localtime|now|sysdate|utc_timestamp|getdate|transaction_timestamp|statement_timestamp|clock_timestamp)\s*(\(\s*\d*\s*\))?$`)

// uuidExpressions are spellings of "a new UUID" in some SQL dialect.
var uuidExpressions = regexp.MustCompile(`(?i)^(uuid|gen_random_uuid|uuid_generate_v[1-5]|newid|random_uuid|uuid_v4|sys_guid)\s*\(\s*\)$`)

// callExpression is anything that reads as an SQL function call.
var callExpression = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*\s*\(.*\)$`)

// zonedLayouts are the datetime spellings with a zone offset, which the
// reader accepts and MySQL's datetime does not.
var zonedLayouts = []string{"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999Z0700"}

func parses(layouts []string, v string) bool {
	for _, l := range layouts {
		if _, err := time.Parse(l, v); err == nil {
			return true
		}
	}
	return false
}

// checkDefaults runs pm.E003 to pm.E010 and pm.W002 over every managed field.
func (r *run) checkDefaults() {
	for _, m := range r.models {
		for _, f := range m.Fields {
			if !f.HasColumn() || f.Kind.IsRelation() {
				continue
			}
			obj := r.src.fieldObject(m, f)
			for _, c := range f.Choices {
				r.checkChoice(obj, f, c)
			}
			if f.Default == nil {
				continue
			}
			v := *f.Default
			if strings.ContainsRune(v, 0) {
				continue // pm.E011 says it
			}
			r.checkDefault(obj, f, v)
			if len(f.Choices) > 0 && !contains(f.Choices, v) {
				r.add("pm.E008", obj, fmt.Sprintf("default=%s is not one of its choices (%s)", v, strings.Join(f.Choices, "|")),
					"make the default one of the choices, or add it to choices=")
			}
		}
	}
}

// checkDefault checks one default literal against the field's kind.
func (r *run) checkDefault(obj string, f *state.Field, v string) {
	trimmed := strings.TrimSpace(v)
	switch f.Kind {
	case state.UUID:
		if uuidExpressions.MatchString(trimmed) || callExpression.MatchString(trimmed) {
			r.add("pm.E003", obj, fmt.Sprintf("default=%s is a database expression, but default= is a literal value", v),
				"use db_default=uuid for a new UUID per row, or write a literal UUID")
			return
		}
		if !isUUID(v) {
			r.add("pm.E005", obj, fmt.Sprintf("default=%s is not a UUID", v), "write 32 hexadecimal digits, with or without dashes, e.g. default=6f1c2a4e-0b7d-4c55-9a3e-2f4d8c1b0e9a")
		}
	case state.Char, state.Text:
		if nowExpressions.MatchString(trimmed) || uuidExpressions.MatchString(trimmed) {
			r.add("pm.W002", obj, fmt.Sprintf("default=%s is stored as that text, not evaluated by the database", v),
				"for the insert time use a time.Time field with db_default=now, for a new UUID a type=uuid field with db_default=uuid; silence pm.W002 if the text is meant")
		}
		if n := utf8.RuneCountInString(v); f.Kind == state.Char && n > f.MaxLength {
			r.add("pm.E009", obj, fmt.Sprintf("default=%s is %d characters long, more than max_length=%d", v, n, f.MaxLength),
				"shorten the default or raise max_length")
		}
	case state.DateTime:
		if mysql, ok := r.dialect(schema.MySQL); ok && parses(zonedLayouts, trimmed) {
			r.add("pm.E004", obj, fmt.Sprintf("default=%s has a time zone offset, which a datetime column cannot take %s", v, mysql.on()),
				"write the instant in UTC without an offset, e.g. default=2026-01-31 10:00:00")
		}
	case state.JSON:
		if !json.Valid([]byte(v)) {
			r.add("pm.E006", obj, fmt.Sprintf("default=%s is not JSON", v), `write a JSON value, e.g. default={} or default='[1, 2]' (quote a value with commas), or default='"text"' for a string`)
		}
	case state.Duration:
		r.checkDuration(obj, v)
	}
}

// checkDuration: MySQL/MariaDB and SQLite keep a duration as a bigint, so
// its default must be a whole number there.
func (r *run) checkDuration(obj, v string) {
	if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
		return
	}
	for _, d := range []schema.Dialect{schema.MySQL, schema.SQLite} {
		if dt, ok := r.dialect(d); ok {
			r.add("pm.E007", obj, fmt.Sprintf("default=%s is not a whole number, which a duration column needs %s (it is a bigint there)", v, dt.on()),
				"write the duration as a whole number, or drop the default")
			return
		}
	}
}

// checkChoice checks that a choice is a value the field can hold (pm.E010).
func (r *run) checkChoice(obj string, f *state.Field, c string) {
	if strings.ContainsRune(c, 0) {
		r.add("pm.E011", obj, fmt.Sprintf("choice %q holds a NUL byte, which PostgreSQL and SQLite cannot store in text", c), "remove the NUL byte")
		return
	}
	bad := ""
	switch f.Kind {
	case state.Char:
		if n := utf8.RuneCountInString(c); n > f.MaxLength {
			bad = fmt.Sprintf("is %d characters long, more than max_length=%d", n, f.MaxLength)
		}
	case state.BigInteger, state.Integer, state.SmallInteger:
		if _, err := strconv.ParseInt(c, 10, 64); err != nil {
			bad = "is not a whole number"
		}
	case state.Float, state.Decimal:
		if _, err := strconv.ParseFloat(c, 64); err != nil {
			bad = "is not a number"
		}
	case state.Text:
	default:
		bad = fmt.Sprintf("is given to a %s field, but choices apply to string and number fields", f.Kind)
	}
	if bad != "" {
		r.add("pm.E010", obj, fmt.Sprintf("choice %s %s", c, bad), "list values the field can hold, e.g. choices=draft|published on a string field")
	}
}

// isUUID accepts what the editors accept: 32 hex digits, dashes and braces aside.
func isUUID(v string) bool {
	hex := strings.ToLower(strings.NewReplacer("-", "", "{", "", "}", "").Replace(strings.TrimSpace(v)))
	return len(hex) == 32 && strings.Trim(hex, "0123456789abcdef") == ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
