package lint

import (
	"regexp"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// PostgreSQL's lock levels, from its documentation of ALTER TABLE and
// CREATE INDEX: what each statement the editor renders takes on the table.

var (
	pgCreateIndexRe = regexp.MustCompile("^CREATE (?:UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?" + dq + " ON (?:ONLY )?" + dq)
	pgDropIndexRe   = regexp.MustCompile("^DROP INDEX (CONCURRENTLY )?(?:IF EXISTS )?" + dq)
	pgAlterTypeRe   = regexp.MustCompile("ALTER COLUMN " + dq + " TYPE ")
	pgSetNotNullRe  = regexp.MustCompile("ALTER COLUMN " + dq + " SET NOT NULL")
	pgAddFKRe       = regexp.MustCompile("ADD CONSTRAINT " + dq + " FOREIGN KEY .*? REFERENCES " + dq)
	pgAddCheckRe    = regexp.MustCompile("ADD CONSTRAINT " + dq + " CHECK ")
	pgAddUniqueRe   = regexp.MustCompile("ADD CONSTRAINT " + dq + " (UNIQUE|PRIMARY KEY) \\(")
	pgAddColumnRe   = regexp.MustCompile("^ALTER TABLE " + dq + " ADD COLUMN " + dq + " (.*)$")
	// pgVolatile are the volatile expressions pmanager renders as defaults.
	pgVolatile = []string{"gen_random_uuid()", "random()", "clock_timestamp()"}
)

func pgCreateIndex(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		m := pgCreateIndexRe.FindStringSubmatch(s)
		if m == nil || m[1] != "" || !in.existing(unquote(m[3])) {
			continue
		}
		out = append(out, "CREATE INDEX "+unquote(m[2])+" takes a SHARE lock on "+unquote(m[3])+" while it builds")
	}
	return out
}

func pgDropIndex(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		m := pgDropIndexRe.FindStringSubmatch(s)
		if m == nil || m[1] != "" {
			continue
		}
		out = append(out, "DROP INDEX "+unquote(m[2])+" takes ACCESS EXCLUSIVE on its table")
	}
	return out
}

func pgAlterType(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		table := alterTable(s, dq)
		if !in.existing(table) {
			continue
		}
		for _, loc := range pgAlterTypeRe.FindAllStringSubmatchIndex(s, -1) {
			col := unquote(s[loc[2]:loc[3]])
			clause, _, _ := strings.Cut(s[loc[1]:], ", ALTER COLUMN ")
			// The editor writes no USING for a binary-compatible change;
			// one written by hand (col::text) may still make the server
			// convert every row, so it counts as a rewrite.
			if of, nf := in.fieldPair(table, col); of != nil && nf != nil && pgBinaryCompatible(of, nf) && !strings.Contains(clause, " USING ") {
				continue
			}
			out = append(out, "ALTER COLUMN "+col+" TYPE rewrites "+table+" under ACCESS EXCLUSIVE")
		}
	}
	return out
}

// pgBinaryCompatible reports whether PostgreSQL changes of's column type
// into nf's without rewriting the table: a longer varchar, varchar to
// text, a numeric with more digits and the same scale, the same type.
func pgBinaryCompatible(of, nf *state.Field) bool {
	switch {
	case sameType(of, nf):
		return true
	case of.Kind == state.Char && nf.Kind == state.Char:
		return nf.MaxLength >= of.MaxLength
	case of.Kind == state.Char && nf.Kind == state.Text:
		return true
	case of.Kind == state.Decimal && nf.Kind == state.Decimal:
		return nf.DecimalPlaces == of.DecimalPlaces && nf.MaxDigits >= of.MaxDigits
	}
	return false
}

func pgSetNotNull(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		table := alterTable(s, dq)
		if !in.existing(table) {
			continue
		}
		for _, m := range pgSetNotNullRe.FindAllStringSubmatch(s, -1) {
			out = append(out, "SET NOT NULL on "+table+"."+unquote(m[1])+" scans it under ACCESS EXCLUSIVE")
		}
	}
	return out
}

func pgAddForeignKey(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		table := alterTable(s, dq)
		if !in.existing(table) || strings.HasSuffix(s, "NOT VALID") {
			continue
		}
		for _, m := range pgAddFKRe.FindAllStringSubmatch(s, -1) {
			out = append(out, "ADD FOREIGN KEY "+unquote(m[1])+" holds SHARE ROW EXCLUSIVE on "+table+" and "+unquote(m[2])+" while it checks every row")
		}
	}
	return out
}

func pgAddCheck(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		table := alterTable(s, dq)
		if !in.existing(table) || strings.HasSuffix(s, "NOT VALID") {
			continue
		}
		for _, m := range pgAddCheckRe.FindAllStringSubmatch(s, -1) {
			out = append(out, "ADD CHECK "+unquote(m[1])+" scans "+table+" under ACCESS EXCLUSIVE")
		}
	}
	return out
}

func pgAddUnique(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		table := alterTable(s, dq)
		if !in.existing(table) || strings.Contains(s, " USING INDEX ") {
			continue
		}
		for _, m := range pgAddUniqueRe.FindAllStringSubmatch(s, -1) {
			out = append(out, "ADD "+m[2]+" "+unquote(m[1])+" builds its index under ACCESS EXCLUSIVE on "+table)
		}
	}
	return out
}

func pgAddColumnRewrite(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		m := pgAddColumnRe.FindStringSubmatch(s)
		if m == nil || !in.existing(unquote(m[1])) {
			continue
		}
		table, col, spec := unquote(m[1]), unquote(m[2]), m[3]
		why := ""
		switch {
		case strings.Contains(spec, " AS IDENTITY"):
			why = "an identity"
		case !strings.Contains(spec, " DEFAULT "):
		case containsAny(spec, pgVolatile):
			why = "a volatile default"
		case !in.Target.Version.AtLeast(11, 0, 0):
			why = "a default before PostgreSQL 11"
		}
		if why != "" {
			out = append(out, "ADD COLUMN "+col+" with "+why+" rewrites "+table+" under ACCESS EXCLUSIVE")
		}
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
