package mysql

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// dbDefaultSQL is the expression MySQL and MariaDB evaluate for a
// db_default. A datetime(6) takes CURRENT_TIMESTAMP(6), which every
// supported server accepts; a date, a time(6) and a uuid need an expression
// default in parentheses, which MariaDB accepts from 10.2 and MySQL from
// 8.0.13. UUID() gives 36 characters with dashes and the uuid column is
// char(32) holding the 32 hex digits, so the dashes are removed. Both
// servers' UUID() is a version 1 (time-based) UUID.
func dbDefaultSQL(m *state.Model, f *state.Field) (string, error) {
	expr, err := dbDefaults.SQL(f)
	if err != nil {
		return "", fmt.Errorf("mysql: %s.%s: %w", m.Label(), f.Name, err)
	}
	return expr, nil
}

// dbDefaults (read-only) are the expressions of dbDefaultSQL.
var dbDefaults = schema.DBDefaults{
	Timestamp: "CURRENT_TIMESTAMP(6)", Date: "(CURRENT_DATE)", Time: "(CURRENT_TIME(6))", UUID: "(REPLACE(UUID(),'-',''))",
}

// introducer matches a character set introducer (_utf8mb4) before a
// string literal, as MySQL 8 writes literals inside expression defaults.
var introducer = regexp.MustCompile(`_[a-z0-9]+'`)

// dbDefaultOf recognises a COLUMN_DEFAULT as one of the expressions
// dbDefaultSQL writes, in the spelling MariaDB or MySQL reads it back
// (curdate(), replace(uuid(),_utf8mb4\'-\',_utf8mb4\'\')), "" for none.
func dbDefaultOf(def string) state.DBDefault {
	v := strings.ToLower(strings.Join(strings.Fields(def), ""))
	v = strings.ReplaceAll(v, `\'`, `'`)
	v = introducer.ReplaceAllStringFunc(v, func(string) string { return "'" })
	switch unwrap(v) {
	case "current_timestamp(6)", "current_timestamp", "current_timestamp()", "now(6)", "now()",
		"curdate()", "current_date", "current_date()", "curtime(6)", "current_time(6)":
		return state.DBNow
	case "replace(uuid(),'-','')":
		return state.DBUUID
	}
	return ""
}

// unwrap removes parentheses that enclose the whole of v.
func unwrap(v string) string {
	for strings.HasPrefix(v, "(") && strings.HasSuffix(v, ")") {
		depth := 0
		for i, c := range v {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 && i < len(v)-1 {
				return v // the first parenthesis closes before the end
			}
		}
		v = v[1 : len(v)-1]
	}
	return v
}
