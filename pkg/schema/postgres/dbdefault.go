package postgres

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// dbDefaults (read-only) are the expressions PostgreSQL evaluates for a db_default:
// now() for a timestamp (the transaction's start), CURRENT_DATE and
// LOCALTIME for a date and a time, gen_random_uuid() (built in since
// PostgreSQL 13) for a uuid.
var dbDefaults = schema.DBDefaults{Timestamp: "now()", Date: "CURRENT_DATE", Time: "LOCALTIME", UUID: "gen_random_uuid()"}

// dbDefaultSQL is the expression of f's db_default.
func dbDefaultSQL(m *state.Model, f *state.Field) (string, error) {
	expr, err := dbDefaults.SQL(f)
	if err != nil {
		return "", fmt.Errorf("postgres: %s.%s: %w", m.Label(), f.Name, err)
	}
	return expr, nil
}

// dbDefaultOf recognises a default expression as read back by
// pg_get_expr as one of the db_defaults, "" when it is none of them.
func dbDefaultOf(expr string) state.DBDefault {
	switch strings.ToLower(strings.TrimSpace(expr)) {
	case "now()", "current_timestamp", "current_date", "localtime", "current_time", "localtimestamp":
		return state.DBNow
	case "gen_random_uuid()":
		return state.DBUUID
	}
	return ""
}
