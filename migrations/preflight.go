package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// PlannedPreflight is one pre-flight of a migration, rendered for a dialect.
type PlannedPreflight struct {
	// Operation is the operation's number in the migration (from 1).
	Operation   int
	Description string
	Check       schema.Preflight
	// SQL is the read-only query; empty when Skipped is set.
	SQL string
	// Skipped says why the check does not run before the migration, when
	// it does not: its table or column only comes into being within the
	// migration, or hand-written SQL or Go before it may change the rows.
	Skipped string
}

// Preflights renders the pre-flights of migrating m (backwards: unapplying
// it) from the state before, in the order its operations run. It runs
// nothing: migrate runs the queries, sqlmigrate and migrate --plan print them.
func Preflights(m *Migration, ed schema.Editor, before *state.Project, backwards bool) ([]PlannedPreflight, error) {
	pr, ok := ed.(schema.PreflightRenderer)
	if !ok {
		return nil, nil
	}
	if before == nil {
		before = state.NewProject()
	}
	snapshots := []*state.Project{before}
	for i, op := range m.Operations {
		next := snapshots[i].CloneShallow()
		if err := op.StateForwards(m.App, next); err != nil {
			return nil, &renderError{op: i + 1, desc: op.Describe(), err: err}
		}
		snapshots = append(snapshots, next)
	}
	// What exists when the migration starts: the state before it, or,
	// unapplying, the state after it.
	start := liveTables(before)
	if backwards {
		start = liveTables(snapshots[len(snapshots)-1])
	}
	var out []PlannedPreflight
	dataChanged := false
	for j := range m.Operations {
		i := j
		if backwards {
			i = len(m.Operations) - 1 - j
		}
		op := m.Operations[i]
		checks, err := operations.Preflights(m.App, op, snapshots[i], snapshots[i+1], backwards)
		if err != nil {
			return nil, &renderError{op: i + 1, desc: op.Describe(), err: err}
		}
		for _, c := range checks {
			pp := PlannedPreflight{Operation: i + 1, Description: op.Describe(), Check: c}
			p := snapshots[i]
			if backwards {
				p = snapshots[i+1]
			}
			switch {
			case dataChanged:
				pp.Skipped = "hand-written SQL or Go earlier in the migration may change the rows first"
			case !start.has(c):
				pp.Skipped = "the table or column is created or changed earlier within the migration"
			default:
				q, err := pr.PreflightSQL(p, c)
				if errors.Is(err, schema.ErrNoPreflight) {
					continue
				}
				if err != nil {
					return nil, &renderError{op: i + 1, desc: op.Describe(), err: err}
				}
				pp.SQL = q
			}
			out = append(out, pp)
		}
		if operations.ChangesData(op) {
			dataChanged = true
		}
	}
	return out, nil
}

// tableSet is the tables (and their columns) of a state, by table name.
type tableSet map[string]*state.Model

// liveTables lists the managed tables of p: what exists in the database
// when a migration starting from p begins.
func liveTables(p *state.Project) tableSet {
	out := tableSet{}
	for _, m := range p.Sorted() {
		if !m.Unmanaged {
			out[strings.ToLower(m.Table)] = m
		}
	}
	return out
}

// has reports whether every table and column c reads exists at the start.
func (s tableSet) has(c schema.Preflight) bool {
	hasColumns := func(m *state.Model, cols []string) bool {
		live := s[strings.ToLower(m.Table)]
		if live == nil || !sameColumns(live, m) {
			// An earlier operation of the migration reshapes the table:
			// the query would read a table that is not there yet.
			return false
		}
		for _, col := range cols {
			if live.FieldByColumn(col) == nil {
				return false
			}
		}
		return true
	}
	cols := c.Columns
	if c.Kind == schema.PreflightNoRows {
		cols = nil // the column is the one being added
	}
	if !hasColumns(c.Model, cols) {
		return false
	}
	if c.Kind == schema.PreflightReference {
		return hasColumns(c.Target, []string{c.TargetColumn})
	}
	return true
}

// sameColumns reports whether a and b have the same columns.
func sameColumns(a, b *state.Model) bool {
	cols := func(m *state.Model) string {
		var out []string
		for _, f := range m.Fields {
			if f.HasColumn() {
				out = append(out, f.ColumnName())
			}
		}
		return strings.Join(out, "\x00")
	}
	return cols(a) == cols(b)
}

// PreflightFailure is one pre-flight that found rows in the way (or could
// not be answered).
type PreflightFailure struct {
	Operation   int
	Description string
	Check       schema.Preflight
	// Rows is how many rows are in the way; Keys names up to three of them.
	Rows int64
	Keys []string
	// Err is set when the query itself failed: the database could not even
	// read the values as the new type.
	Err error
}

// PreflightError refuses a migration before any of its statements ran:
// rows of the live tables would be rejected or changed by it. The history
// is unchanged.
type PreflightError struct {
	Migration Key
	Backwards bool
	Failures  []PreflightFailure
	// Done are the migrations of the run that completed before this one;
	// they stay applied (or unapplied).
	Done []Step
}

// Error implements error: one line naming the migration, and for each
// check in the way the operation, the field, the rows and the fix.
func (e *PreflightError) Error() string {
	verb, done := "apply", "applied"
	if e.Backwards {
		verb, done = "unapply", "unapplied"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "migrations: refusing to %s %s: existing rows would be rejected or changed; nothing of it ran and the history is unchanged", verb, e.Migration)
	if len(e.Done) > 0 {
		names := make([]string, len(e.Done))
		for i, d := range e.Done {
			names[i] = d.Migration.Key().String()
		}
		fmt.Fprintf(&b, " (%s, run before it, stayed %s)", strings.Join(names, ", "), done)
	}
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "; operation %d (%s): %s", f.Operation, f.Description, f.explain())
	}
	return b.String()
}

// explain says what is wrong with the rows and what to do about it.
func (f PreflightFailure) explain() string {
	c := f.Check
	if f.Err != nil {
		return fmt.Sprintf("%s: the database could not answer the check (%v), so the rows may not fit; %s", c.Label, f.Err, fixOf(c))
	}
	rows := "1 row"
	if f.Rows != 1 {
		rows = strconv.FormatInt(f.Rows, 10) + " rows"
	}
	return fmt.Sprintf("%s: %s %s (%s); %s", c.Label, rows, problemOf(c, f.Rows == 1), strings.Join(f.Keys, "; "), fixOf(c))
}

// problemOf says what the offending rows have, of one row when one.
func problemOf(c schema.Preflight, one bool) string {
	verb := func(many, single string) string {
		if one {
			return single
		}
		return many
	}
	switch c.Kind {
	case schema.PreflightConvert:
		return verb("hold values", "holds a value") + " that " + typeName(c.To) + " cannot keep unchanged"
	case schema.PreflightNotNull:
		return verb("hold", "holds") + " NULL"
	case schema.PreflightNoRows:
		return verb("exist", "exists") + " and would get no value for the new NOT NULL column"
	case schema.PreflightUnique:
		return verb("share their values", "shares its values") + " with another row"
	case schema.PreflightCheck:
		return verb("fail", "fails") + " the check " + c.Condition
	case schema.PreflightReference:
		return verb("point", "points") + " at no row of " + c.Target.Name
	}
	return verb("are", "is") + " in the way"
}

// fixOf says what to do first.
func fixOf(c schema.Preflight) string {
	switch c.Kind {
	case schema.PreflightConvert:
		return "fix: change those values with a data migration that runs first, or keep a wider type"
	case schema.PreflightNotNull:
		return "fix: fill the NULLs with a data migration that runs first, or give the field a default"
	case schema.PreflightNoRows:
		return "fix: give the field a default (makemigrations asks for a one-off value), or allow NULL"
	case schema.PreflightUnique:
		return "fix: remove or change the duplicates with a data migration that runs first"
	case schema.PreflightCheck:
		return "fix: change those rows with a data migration that runs first, or relax the check"
	case schema.PreflightReference:
		return "fix: delete those rows or point them at existing rows with a data migration that runs first, or allow NULL and clear them"
	}
	return "fix those rows with a data migration that runs first"
}

// typeName describes a field's type for people.
func typeName(f *state.Field) string {
	if f == nil {
		return "the new type"
	}
	switch f.Kind {
	case state.Char:
		return fmt.Sprintf("char(max_length=%d)", f.MaxLength)
	case state.Decimal:
		return fmt.Sprintf("decimal(max_digits=%d, decimal_places=%d)", f.MaxDigits, f.DecimalPlaces)
	}
	return string(f.Kind)
}

// runPreflights runs the pre-flights of one migration step on db before
// any statement of it, and returns a *PreflightError when rows are in the way.
func runPreflights(ctx context.Context, db schema.ExecQuerier, s Step, checks []PlannedPreflight, done []Step) error {
	var failures []PreflightFailure
	for _, pp := range checks {
		if pp.SQL == "" {
			continue
		}
		f, err := runPreflight(ctx, db, pp)
		if err != nil {
			return err
		}
		if f != nil {
			failures = append(failures, *f)
		}
	}
	if len(failures) == 0 {
		return nil
	}
	return &PreflightError{Migration: s.Migration.Key(), Backwards: s.Backwards, Failures: failures, Done: done}
}

// runPreflight runs one query; a nil failure means no row is in the way.
func runPreflight(ctx context.Context, db schema.ExecQuerier, pp PlannedPreflight) (*PreflightFailure, error) {
	fail := &PreflightFailure{Operation: pp.Operation, Description: pp.Description, Check: pp.Check}
	rows, err := db.QueryContext(ctx, pp.SQL)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("migrations: pre-flight of operation %d: %w", pp.Operation, err)
		}
		fail.Err = err
		return fail, nil
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("migrations: pre-flight of operation %d: %w", pp.Operation, err)
	}
	names := schema.KeyColumns(pp.Check.Model)
	if len(names) == 0 {
		names = pp.Check.Columns
	}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("migrations: pre-flight of operation %d: %w", pp.Operation, err)
		}
		n, err := strconv.ParseInt(vals[len(vals)-1].String, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migrations: pre-flight of operation %d: row count %q: %w", pp.Operation, vals[len(vals)-1].String, err)
		}
		fail.Rows = n
		var key []string
		for i, v := range vals[:len(vals)-1] {
			name := "?"
			if i < len(names) {
				name = names[i]
			}
			val := "NULL"
			if v.Valid {
				val = v.String
			}
			key = append(key, name+"="+val)
		}
		fail.Keys = append(fail.Keys, strings.Join(key, ", "))
	}
	if err := rows.Err(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("migrations: pre-flight of operation %d: %w", pp.Operation, err)
		}
		fail.Err = err
		return fail, nil
	}
	if fail.Rows == 0 {
		return nil, nil
	}
	return fail, nil
}

// preflight runs the pre-flights of step s, whose migration starts from the
// state start, before any of its statements: a refusal is a
// *PreflightError, and nothing of s has run.
func (rn *runner) preflight(ctx context.Context, s Step, start *state.Project, completed []Step) error {
	checks, err := Preflights(s.Migration, rn.ed, start, s.Backwards)
	if err != nil {
		var re *renderError
		if errors.As(err, &re) {
			return &MigrateError{Done: completed, Failed: s, Operation: re.op, Description: re.desc, NonAtomic: !rn.ed.AtomicDDL(), Err: re.err}
		}
		return err
	}
	return runPreflights(ctx, rn.conn, s, checks, completed)
}

// RenderPreflights writes checks as SQL comments, each line after indent:
// what migrate asks the live tables before the migration's first statement.
func RenderPreflights(w io.Writer, indent string, checks []PlannedPreflight) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintf(w, "%s-- Pre-flight: migrate runs these read-only queries first and refuses if any returns a row\n", indent)
	for _, pp := range checks {
		if pp.Skipped != "" {
			fmt.Fprintf(w, "%s-- %s: %s not checked ahead (%s)\n", indent, pp.Description, pp.Check.Label, pp.Skipped)
			continue
		}
		fmt.Fprintf(w, "%s-- %s: %s\n", indent, pp.Description, strings.ReplaceAll(pp.SQL, "\n", " "))
	}
}
