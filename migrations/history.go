package migrations

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Applied is one row of the history table: a migration that ran, when, and
// the checksum of its operations at the time.
type Applied struct {
	Key       Key
	AppliedAt time.Time
	Checksum  string
}

// History reads and writes the history table (schema.HistoryTable), where
// pmanager records which migrations ran: Django's recorder.
type History struct {
	db schema.ExecQuerier
	ed schema.Editor
}

// NewHistory returns the history of the database db, written in ed's dialect.
func NewHistory(db schema.ExecQuerier, ed schema.Editor) *History {
	return &History{db: db, ed: ed}
}

// Ensure creates the history table when it does not exist yet, and adds
// the progress columns to a table that an earlier release created without
// them (its rows stay, as applied migrations).
func (h *History) Ensure(ctx context.Context) error {
	have, err := h.columns(ctx)
	if err != nil {
		return err
	}
	// A table that is there is not created again: on a Galera cluster
	// even CREATE TABLE IF NOT EXISTS runs in Total Order Isolation and
	// pauses the whole cluster's writes. SQLite's statements also make
	// sure of its unique index, and cost nothing.
	if len(have) == 0 || h.ed.Dialect() == schema.SQLite {
		stmts, err := h.createSQL()
		if err != nil {
			return err
		}
		for _, stmt := range stmts {
			if _, err := h.db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrations: create history table %s: %w", schema.HistoryTable, err)
			}
		}
		if have, err = h.columns(ctx); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(have))
	for n := range have {
		names = append(names, n)
	}
	if err := checkLayout(names); err != nil {
		return err
	}
	for _, c := range progressColumns {
		if have[c.name] {
			continue
		}
		stmt := "ALTER TABLE " + h.ed.Quote(schema.HistoryTable) + " ADD COLUMN " + h.ed.Quote(c.name) + " " + c.def
		if _, err := h.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrations: add column %s to history table %s: %w", c.name, schema.HistoryTable, err)
		}
		if c.name == "statement_started" {
			// A release that did not note starts left the statement after
			// the recorded position of a part-way row in doubt.
			stmt := fmt.Sprintf("UPDATE %s SET %s = 1 WHERE %s <> '%s'", h.ed.Quote(schema.HistoryTable), h.ed.Quote(c.name), h.ed.Quote("state"), stateApplied)
			if _, err := h.db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrations: upgrade history table %s: %w", schema.HistoryTable, err)
			}
		}
	}
	return nil
}

// progressColumns are the history table's columns that follow a migration
// while it runs outside a transaction (always on MySQL, whose DDL commits
// itself, and for migrations marked NonAtomic): its state, how far it got
// and the error that stopped it, and whether the statement after the
// recorded position was started (statement_started = 1: it was sent to the
// server and may have taken effect; 0: it never began, or nothing of it
// committed). A finished migration's row has state "applied", no progress
// and no error.
var progressColumns = []struct{ name, def string }{
	{"state", "varchar(16) NOT NULL DEFAULT 'applied'"},
	{"ops_done", "integer NOT NULL DEFAULT 0"},
	{"statements_done", "integer NOT NULL DEFAULT 0"},
	{"error", "varchar(2000) NOT NULL DEFAULT ''"},
	{"statement_started", "integer NOT NULL DEFAULT 0"},
}

// The values of the state column.
const (
	stateApplied    = "applied"
	stateApplying   = "applying"
	stateUnapplying = "unapplying"
)

// maxErrorLen bounds the error kept in the history (the column's width).
const maxErrorLen = 2000

// columns returns the names of the history table's columns.
func (h *History) columns(ctx context.Context) (map[string]bool, error) {
	var query string
	switch h.ed.Dialect() {
	case schema.Postgres:
		query = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1"
	case schema.MySQL:
		query = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?"
	default:
		query = "SELECT name FROM pragma_table_info(?)"
	}
	rows, err := h.db.QueryContext(ctx, query, schema.HistoryTable)
	if err != nil {
		return nil, fmt.Errorf("migrations: read the columns of history table %s: %w", schema.HistoryTable, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("migrations: read the columns of history table %s: %w", schema.HistoryTable, err)
		}
		out[strings.ToLower(name)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrations: read the columns of history table %s: %w", schema.HistoryTable, err)
	}
	return out, nil
}

// createSQL renders the statements that create the history table if it is
// missing. SQLite does not keep the names of table constraints, so there
// the unique constraint is a named unique index of its own.
func (h *History) createSQL() ([]string, error) {
	q := h.ed.Quote
	var id, appliedAt string
	switch h.ed.Dialect() {
	case schema.Postgres:
		id, appliedAt = "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "timestamp with time zone"
	case schema.MySQL:
		id, appliedAt = "bigint NOT NULL AUTO_INCREMENT PRIMARY KEY", "datetime(6)"
	case schema.SQLite:
		id, appliedAt = "integer NOT NULL PRIMARY KEY AUTOINCREMENT", "datetime"
	default:
		return nil, fmt.Errorf("migrations: history table: unknown dialect %q", h.ed.Dialect())
	}
	unique := q(schema.UniqueTogetherName(schema.HistoryTable, []string{"app", "name"}))
	keyCols := q("app") + ", " + q("name")
	cols := []string{
		q("id") + " " + id,
		q("app") + " varchar(255) NOT NULL",
		q("name") + " varchar(255) NOT NULL",
		q("applied_at") + " " + appliedAt + " NOT NULL",
		q("checksum") + " varchar(64) NOT NULL",
	}
	for _, c := range progressColumns {
		cols = append(cols, q(c.name)+" "+c.def)
	}
	table := q(schema.HistoryTable)
	if h.ed.Dialect() == schema.SQLite {
		return []string{
			"CREATE TABLE IF NOT EXISTS " + table + " (" + strings.Join(cols, ", ") + ")",
			"CREATE UNIQUE INDEX IF NOT EXISTS " + unique + " ON " + table + " (" + keyCols + ")",
		}, nil
	}
	cols = append(cols, "CONSTRAINT "+unique+" UNIQUE ("+keyCols+")")
	return []string{"CREATE TABLE IF NOT EXISTS " + table + " (" + strings.Join(cols, ", ") + ")"}, nil
}

// exists reports whether the history table is there.
func (h *History) exists(ctx context.Context) (bool, error) {
	var query string
	arg := schema.HistoryTable
	switch h.ed.Dialect() {
	case schema.Postgres:
		query, arg = "SELECT to_regclass($1) IS NOT NULL", h.ed.Quote(schema.HistoryTable)
	case schema.MySQL:
		query = "SELECT COUNT(*) > 0 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	case schema.SQLite:
		query = "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?"
	default:
		return false, fmt.Errorf("migrations: history table: unknown dialect %q", h.ed.Dialect())
	}
	rows, err := h.db.QueryContext(ctx, query, arg)
	if err != nil {
		return false, fmt.Errorf("migrations: look for history table %s: %w", schema.HistoryTable, err)
	}
	defer rows.Close()
	var found bool
	if rows.Next() {
		if err := rows.Scan(&found); err != nil {
			return false, fmt.Errorf("migrations: look for history table %s: %w", schema.HistoryTable, err)
		}
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("migrations: look for history table %s: %w", schema.HistoryTable, err)
	}
	return found, nil
}

// Applied returns every migration recorded as applied (one being unapplied
// part-way still counts); the map is empty when the history table does not
// exist yet. Migrations applied part-way are not in it: see Partials.
func (h *History) Applied(ctx context.Context) (map[Key]Applied, error) {
	rows, err := h.rows(ctx)
	if err != nil {
		return nil, err
	}
	out := map[Key]Applied{}
	for _, r := range rows {
		if r.state != stateApplying {
			out[r.Key] = r.Applied
		}
	}
	return out, nil
}

// Partial is a migration that a run left part-way, outside a transaction:
// the history says how far it got, so the next run can finish it or undo it.
type Partial struct {
	Key Key
	// Backwards is true when it was being unapplied.
	Backwards bool
	// OpsDone counts the operations that completed, in the order the
	// direction runs them (backwards: from the last one).
	OpsDone int
	// StatementsDone counts the statements of the next operation that
	// completed before the run stopped.
	StatementsDone int
	// Checksum is the checksum of the migration that ran.
	Checksum string
	// Error is the error that stopped the run; "" when the run was killed
	// before it could say, in which case the statement after the last one
	// recorded may or may not have taken effect.
	Error string
	// Since is when the run started applying the migration; for one being
	// unapplied, when it was applied.
	Since time.Time
	// Started is true when the statement after the recorded position was
	// sent to the server and its end is not recorded: it may have taken
	// effect, and recovery asks the database (or the user) whether it did.
	Started bool
}

// Partials returns the migrations that a run left part-way, in the order
// they were started.
func (h *History) Partials(ctx context.Context) ([]Partial, error) {
	rows, err := h.rows(ctx)
	if err != nil {
		return nil, err
	}
	var out []Partial
	for _, r := range rows {
		if r.state == stateApplied || r.state == "" {
			continue
		}
		out = append(out, Partial{Key: r.Key, Backwards: r.state == stateUnapplying, OpsDone: r.opsDone,
			StatementsDone: r.statementsDone, Checksum: r.Checksum, Error: r.err, Since: r.AppliedAt, Started: r.started})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out, nil
}

// historyRow is one row of the history table as stored.
type historyRow struct {
	Applied
	state                   string
	opsDone, statementsDone int
	started                 bool
	err                     string
}

// rows reads the whole history table. It selects every column and picks
// them by name, so a table created by an earlier release, without the
// progress columns, reads the same (every row applied). A row no run of
// pmanager writes (edited by hand, or a table of another tool under the
// same name) stops the read with one line naming the row and the fix.
func (h *History) rows(ctx context.Context) ([]historyRow, error) {
	ok, err := h.exists(ctx)
	if err != nil || !ok {
		return nil, err
	}
	rows, err := h.db.QueryContext(ctx, "SELECT * FROM "+h.ed.Quote(schema.HistoryTable))
	if err != nil {
		return nil, fmt.Errorf("migrations: read history table: %w", err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("migrations: read history table: %w", err)
	}
	if err := checkLayout(names); err != nil {
		return nil, err
	}
	var out []historyRow
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("migrations: read history table: %w", err)
		}
		r, err := parseRow(names, vals)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrations: read history table: %w", err)
	}
	return out, nil
}

// requiredColumns are the history columns every release of pmanager wrote.
var requiredColumns = []string{"app", "name", "applied_at", "checksum"}

// checkLayout refuses a table under the history's name that is not
// pmanager's: Django's django_migrations layout (app, name, applied) is
// named as such, since it is the likely one.
func checkLayout(names []string) error {
	have := map[string]bool{}
	for _, n := range names {
		have[strings.ToLower(n)] = true
	}
	var missing []string
	for _, c := range requiredColumns {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &HistoryTableError{Table: schema.HistoryTable, Missing: missing, Django: have["app"] && have["name"] && have["applied"]}
}

// parseRow reads one history row from the column names and the values a
// driver scanned. It refuses what no run writes: an unknown state, a
// negative or unreadable count, a missing name or applied_at.
func parseRow(names []string, vals []any) (historyRow, error) {
	r := historyRow{state: stateApplied}
	var at, rawState any = nil, stateApplied
	var bad []string
	count := func(name string, v any) int {
		n, ok := asInt(v)
		if !ok || n < 0 {
			bad = append(bad, fmt.Sprintf("%s = %s", name, shown(v)))
			return 0
		}
		return n
	}
	for i, name := range names {
		if i >= len(vals) {
			break
		}
		v := vals[i]
		switch strings.ToLower(name) {
		case "app":
			r.Key.App = asString(v)
		case "name":
			r.Key.Name = asString(v)
		case "checksum":
			r.Checksum = asString(v)
		case "applied_at":
			at = v
		case "state":
			r.state, rawState = asString(v), v
		case "ops_done":
			r.opsDone = count("ops_done", v)
		case "statements_done":
			r.statementsDone = count("statements_done", v)
		case "statement_started":
			r.started = count("statement_started", v) != 0
		case "error":
			r.err = asString(v)
		}
	}
	row := fmt.Sprintf("row %s of history table %s", shownKey(r.Key), schema.HistoryTable)
	if r.Key.App == "" || r.Key.Name == "" {
		return r, fmt.Errorf("migrations: history table %s has a row with app %s and name %s, which names no migration: delete that row",
			schema.HistoryTable, shown(r.Key.App), shown(r.Key.Name))
	}
	switch r.state {
	case stateApplied, stateApplying, stateUnapplying:
	default:
		return r, fmt.Errorf("migrations: %s has state %s, which pmanager never writes (it writes %s, %s or %s): "+
			"set it to '%s' if the migration ran completely, or delete the row if it never ran",
			row, shown(rawState), stateApplied, stateApplying, stateUnapplying, stateApplied)
	}
	if len(bad) > 0 && r.state != stateApplied {
		return r, fmt.Errorf("migrations: %s has %s, which pmanager never writes: put back the counts pmanager wrote "+
			"(ops_done: operations that completed; statements_done: statements of the next one that completed; both 0 or more), or delete the row if nothing of the migration ran",
			row, strings.Join(bad, " and "))
	}
	if r.state == stateApplied {
		r.opsDone, r.statementsDone, r.started = 0, 0, false
	}
	var err error
	if r.AppliedAt, err = parseTime(at); err != nil {
		return r, fmt.Errorf("migrations: %s has applied_at %s (%v): set it to the time the migration was applied", row, shown(at), err)
	}
	return r, nil
}

// shownKey spells k for a one-line message: as is, or quoted when it holds
// control characters (a hand-typed newline).
func shownKey(k Key) string {
	s := k.String()
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

// shown spells a scanned value for a message: text quoted, NULL as such.
func shown(v any) string {
	switch t := v.(type) {
	case nil:
		return "NULL"
	case string:
		return fmt.Sprintf("%q", t)
	case []byte:
		return fmt.Sprintf("%q", string(t))
	}
	return fmt.Sprint(v)
}

// asString reads a text column whatever Go type the driver chose.
func asString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []byte:
		return string(t)
	}
	return fmt.Sprint(v)
}

// asInt reads an integer column whatever Go type the driver chose; false
// when the value is not an integer that fits an int32 (the column's type).
func asInt(v any) (int, bool) {
	var n int64
	switch t := v.(type) {
	case int64:
		n = t
	case int32:
		n = int64(t)
	case int:
		n = int64(t)
	case []byte:
		var err error
		if n, err = strconv.ParseInt(string(t), 10, 32); err != nil {
			return 0, false
		}
	case string:
		var err error
		if n, err = strconv.ParseInt(t, 10, 32); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}

// timeLayouts are the spellings of applied_at that drivers hand back as text.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

// parseTime turns what a driver scanned from applied_at into a UTC time.
func parseTime(v any) (time.Time, error) {
	var s string
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		s = t
	case []byte:
		s = string(t)
	default:
		return time.Time{}, fmt.Errorf("unexpected %T value", v)
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// Record marks k as applied now, through q (the migration's transaction
// where the dialect has one), with the checksum of its operations.
func (h *History) Record(ctx context.Context, q schema.ExecQuerier, k Key, checksum string) error {
	quote := h.ed.Quote
	stmt := fmt.Sprintf("INSERT INTO %s (%s, %s, %s, %s) VALUES (%s)", quote(schema.HistoryTable),
		quote("app"), quote("name"), quote("applied_at"), quote("checksum"), h.placeholders(4))
	now := time.Now().UTC().Truncate(time.Microsecond)
	if _, err := q.ExecContext(ctx, stmt, k.App, k.Name, now, checksum); err != nil {
		return fmt.Errorf("migrations: record %s as applied: %w", k, err)
	}
	return nil
}

// Unrecord forgets that k was applied, through q.
func (h *History) Unrecord(ctx context.Context, q schema.ExecQuerier, k Key) error {
	quote := h.ed.Quote
	ph := strings.Split(h.placeholders(2), ", ")
	stmt := fmt.Sprintf("DELETE FROM %s WHERE %s = %s AND %s = %s", quote(schema.HistoryTable), quote("app"), ph[0], quote("name"), ph[1])
	if _, err := q.ExecContext(ctx, stmt, k.App, k.Name); err != nil {
		return fmt.Errorf("migrations: record %s as unapplied: %w", k, err)
	}
	return nil
}

// placeholders returns n bind parameters in the dialect's spelling.
func (h *History) placeholders(n int) string {
	ps := make([]string, n)
	for i := range ps {
		if h.ed.Dialect() == schema.Postgres {
			ps[i] = fmt.Sprintf("$%d", i+1)
		} else {
			ps[i] = "?"
		}
	}
	return strings.Join(ps, ", ")
}

// Begin notes, through q, that k starts to run outside a transaction: a
// row in state "applying" (forwards), or k's row turned "unapplying".
// Progress then follows each statement, and Finish or Abandon ends it.
func (h *History) Begin(ctx context.Context, q schema.ExecQuerier, k Key, checksum string, backwards bool) error {
	quote := h.ed.Quote
	if backwards {
		return h.update(ctx, q, k, "mark "+k.String()+" as being unapplied", map[string]any{
			"state": stateUnapplying, "ops_done": 0, "statements_done": 0, "error": "", "statement_started": 0})
	}
	stmt := fmt.Sprintf("INSERT INTO %s (%s, %s, %s, %s, %s) VALUES (%s)", quote(schema.HistoryTable),
		quote("app"), quote("name"), quote("applied_at"), quote("checksum"), quote("state"), h.placeholders(5))
	now := time.Now().UTC().Truncate(time.Microsecond)
	if _, err := q.ExecContext(ctx, stmt, k.App, k.Name, now, checksum, stateApplying); err != nil {
		return fmt.Errorf("migrations: mark %s as being applied: %w", k, err)
	}
	return nil
}

// Progress records, through q, that k has completed ops operations and
// statements statements of the next one.
func (h *History) Progress(ctx context.Context, q schema.ExecQuerier, k Key, ops, statements int) error {
	return h.update(ctx, q, k, "record the progress of "+k.String(), map[string]any{"ops_done": ops, "statements_done": statements, "statement_started": 0})
}

// Start notes, through q, that the statement after k's recorded position
// is about to be sent to the server (see Partial.Started). Written in the
// statement's own transaction, it commits only if something of the
// statement can commit without its record.
func (h *History) Start(ctx context.Context, q schema.ExecQuerier, k Key) error {
	return h.update(ctx, q, k, "record that a statement of "+k.String()+" starts", map[string]any{"statement_started": 1})
}

// Settle records, through q, that the statement in doubt after k's
// recorded position did not take effect (the database shows it, or the
// user says so), so it runs again.
func (h *History) Settle(ctx context.Context, q schema.ExecQuerier, k Key) error {
	return h.update(ctx, q, k, "record that a statement of "+k.String()+" did not take effect", map[string]any{"statement_started": 0})
}

// Fail records, through q, the error that stopped k part-way.
func (h *History) Fail(ctx context.Context, q schema.ExecQuerier, k Key, cause error) error {
	msg := cause.Error()
	if len(msg) > maxErrorLen {
		msg = msg[:maxErrorLen]
	}
	return h.update(ctx, q, k, "record the failure of "+k.String(), map[string]any{"error": msg})
}

// Finish records, through q, that k ran to its end: applied now
// (forwards), or forgotten with any migrations it replaces (backwards).
func (h *History) Finish(ctx context.Context, q schema.ExecQuerier, k Key, replaces []Key, backwards bool) error {
	if backwards {
		for _, r := range append([]Key{k}, replaces...) {
			if err := h.Unrecord(ctx, q, r); err != nil {
				return err
			}
		}
		return nil
	}
	return h.update(ctx, q, k, "record "+k.String()+" as applied", map[string]any{
		"state": stateApplied, "applied_at": time.Now().UTC().Truncate(time.Microsecond),
		"ops_done": 0, "statements_done": 0, "error": "", "statement_started": 0})
}

// Abandon records, through q, that what ran of a partial k was undone: a
// migration being applied is forgotten, one being unapplied is applied again.
func (h *History) Abandon(ctx context.Context, q schema.ExecQuerier, p Partial) error {
	if !p.Backwards {
		return h.Unrecord(ctx, q, p.Key)
	}
	return h.update(ctx, q, p.Key, "record "+p.Key.String()+" as applied again", map[string]any{
		"state": stateApplied, "ops_done": 0, "statements_done": 0, "error": "", "statement_started": 0})
}

// Accept records checksum as k's, through q: the user accepts that the
// applied migration k was edited.
func (h *History) Accept(ctx context.Context, q schema.ExecQuerier, k Key, checksum string) error {
	return h.update(ctx, q, k, "record the new checksum of "+k.String(), map[string]any{"checksum": checksum})
}

// update sets columns of k's row (in a fixed order, for readable SQL).
func (h *History) update(ctx context.Context, q schema.ExecQuerier, k Key, what string, set map[string]any) error {
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	ph := strings.Split(h.placeholders(len(names)+2), ", ")
	assign := make([]string, len(names))
	args := make([]any, 0, len(names)+2)
	for i, name := range names {
		assign[i] = h.ed.Quote(name) + " = " + ph[i]
		args = append(args, set[name])
	}
	args = append(args, k.App, k.Name)
	stmt := fmt.Sprintf("UPDATE %s SET %s WHERE %s = %s AND %s = %s", h.ed.Quote(schema.HistoryTable), strings.Join(assign, ", "),
		h.ed.Quote("app"), ph[len(names)], h.ed.Quote("name"), ph[len(names)+1])
	if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
		return fmt.Errorf("migrations: %s: %w", what, err)
	}
	return nil
}
