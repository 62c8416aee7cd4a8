package lint

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// The statement rules read the SQL an operation's editor renders, so they
// judge what will run and nothing that will not (an AlterField that only
// changes choices renders nothing, and is judged so).

// ident matches one quoted identifier of PostgreSQL or SQLite ("a""b") or
// of MySQL (`a“b`), capturing its text.
const (
	dq = `"((?:[^"]|"")+)"`
	bq = "`((?:[^`]|``)+)`"
)

// unquote undoes the doubling of the quote inside an identifier.
func unquote(s string) string {
	return strings.NewReplacer(`""`, `"`, "``", "`").Replace(s)
}

var createTableRe = regexp.MustCompile("^CREATE TABLE (?:IF NOT EXISTS )?(?:" + dq + "|" + bq + ")")

// createdTables are the tables stmts create.
func createdTables(stmts []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range stmts {
		if m := createTableRe.FindStringSubmatch(s); m != nil {
			out[unquote(m[1]+m[2])] = true
		}
	}
	return out
}

// alterTableRe matches the start of an ALTER TABLE, by quoting.
var alterTableRe = map[string]*regexp.Regexp{
	dq: regexp.MustCompile("^ALTER TABLE " + dq),
	bq: regexp.MustCompile("^ALTER TABLE " + bq),
}

// alterTable returns the table an ALTER TABLE statement changes, "" for
// another statement; q is the dialect's quoted-identifier pattern.
func alterTable(stmt, q string) string {
	re := alterTableRe[q]
	m := re.FindStringSubmatch(stmt)
	if m == nil {
		return ""
	}
	return unquote(m[1])
}

// existing reports whether table was there before the operation: work on
// a table the operation itself creates blocks nobody.
func (in *Input) existing(table string) bool { return table != "" && !in.created[table] }

// modelOfTable returns the managed model whose table is table in p.
func modelOfTable(p *state.Project, table string) *state.Model {
	for _, m := range p.Models {
		if m.Table == table && !m.Unmanaged {
			return m
		}
	}
	return nil
}

// fieldPair returns the field of column col in table before and after the
// operation; either is nil when missing.
func (in *Input) fieldPair(table, col string) (*state.Field, *state.Field) {
	var of, nf *state.Field
	if m := modelOfTable(in.From, table); m != nil {
		of = m.FieldByColumn(col)
	}
	if m := modelOfTable(in.To, table); m != nil {
		nf = m.FieldByColumn(col)
	}
	return of, nf
}

// sameType reports whether of and nf have one column type.
func sameType(of, nf *state.Field) bool {
	return of.Kind == nf.Kind && of.MaxLength == nf.MaxLength && of.MaxDigits == nf.MaxDigits && of.DecimalPlaces == nf.DecimalPlaces
}

func itoa(n int) string { return strconv.Itoa(n) }
