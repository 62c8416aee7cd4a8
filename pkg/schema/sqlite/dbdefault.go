package sqlite

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// uuidExpr makes a random version 4 UUID as the 32 lower-case hex digits a
// uuid column holds: random bytes, with the version nibble 4 and the
// variant nibble one of 8, 9, a, b, as RFC 9562 lays them out.
const uuidExpr = "(lower(hex(randomblob(4)) || hex(randomblob(2)) || '4' || substr(hex(randomblob(2)), 2) || " +
	"substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || hex(randomblob(6))))"

// dbDefaults (read-only) are the expressions SQLite evaluates for a db_default:
// CURRENT_TIMESTAMP, CURRENT_DATE or CURRENT_TIME (UTC, in the text forms
// the driver reads back as times), or uuidExpr.
var dbDefaults = schema.DBDefaults{Timestamp: "CURRENT_TIMESTAMP", Date: "CURRENT_DATE", Time: "CURRENT_TIME", UUID: uuidExpr}

// dbDefaultSQL is the expression of f's db_default.
func dbDefaultSQL(m *state.Model, f *state.Field) (string, error) {
	expr, err := dbDefaults.SQL(f)
	if err != nil {
		return "", fmt.Errorf("sqlite: %s.%s: %w", m.Label(), f.Name, err)
	}
	return expr, nil
}

// dbDefaultOf recognises a dflt_value (the default's text as written) as
// one of the expressions dbDefaultSQL writes, "" for none.
func dbDefaultOf(raw string) state.DBDefault {
	switch squeeze(raw) {
	case "current_timestamp", "current_date", "current_time":
		return state.DBNow
	case squeeze(uuidExpr), squeeze(uuidExpr[1 : len(uuidExpr)-1]):
		return state.DBUUID
	}
	return ""
}

// squeeze lowers s and removes its white space, so spellings of one
// expression compare equal.
func squeeze(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
