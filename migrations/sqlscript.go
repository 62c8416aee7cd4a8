package migrations

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// OpStatements is what one operation of a migration runs on one dialect.
type OpStatements struct {
	// Number is the operation's position in the migration, from 1.
	Number     int
	Operation  operations.Operation
	Statements []operations.Statement
}

// renderError says which operation could not be rendered.
type renderError struct {
	op   int
	desc string
	err  error
}

// Error implements error.
func (e *renderError) Error() string {
	return fmt.Sprintf("operation %d (%s): %v", e.op, e.desc, e.err)
}

// Unwrap returns the editor's error.
func (e *renderError) Unwrap() error { return e.err }

// RenderStatements renders every operation of m, which starts from the state
// before, against the snapshots the executor uses: forwards in order, or
// backwards in reverse order. It runs nothing; migrate and sqlmigrate share it.
func RenderStatements(m *Migration, ed schema.Editor, before *state.Project, backwards bool) ([]OpStatements, error) {
	if before == nil {
		before = state.NewProject()
	}
	if !backwards {
		return NewRenderer(ed, before.CloneShallow()).Forwards(m)
	}
	snapshots := []*state.Project{before}
	for i, op := range m.Operations {
		next := snapshots[i].CloneShallow()
		if err := op.StateForwards(m.App, next); err != nil {
			return nil, &renderError{op: i + 1, desc: op.Describe(), err: err}
		}
		snapshots = append(snapshots, next)
	}
	out := make([]OpStatements, 0, len(m.Operations))
	for j := range m.Operations {
		i := j
		if backwards {
			i = len(m.Operations) - 1 - j
		}
		op := m.Operations[i]
		var steps []operations.Statement
		var err error
		switch {
		case !backwards:
			steps, err = op.Forwards(m.App, ed, snapshots[i], snapshots[i+1])
		case !op.Reversible():
			err = errors.New("the operation is irreversible")
		default:
			steps, err = op.Backwards(m.App, ed, snapshots[i], snapshots[i+1])
		}
		if err != nil {
			return nil, &renderError{op: i + 1, desc: op.Describe(), err: err}
		}
		out = append(out, OpStatements{Number: i + 1, Operation: op, Statements: steps})
	}
	return out, nil
}

// Statements returns what migrating m runs, without running it: the state
// before m is replayed from its ancestors, then each operation renders its
// forward statements (or, backwards, the reverse statements in reverse
// order), as RenderStatements gives them to a run. It is what sqlmigrate
// prints.
func (e *Executor) Statements(m *Migration, backwards bool) ([]operations.Statement, error) {
	if m == nil || e.g.Migration(m.Key()) == nil {
		return nil, fmt.Errorf("migrations: %v is not a migration of the graph", m)
	}
	if backwards {
		if err := irreversible(m); err != nil {
			return nil, err
		}
	}
	before, err := e.g.StateBefore(m.Key())
	if err != nil {
		return nil, err
	}
	ops, err := RenderStatements(m, e.ed, before, backwards)
	if err != nil {
		return nil, fmt.Errorf("migrations: %s: %w", m.Key(), err)
	}
	var stmts []operations.Statement
	for _, o := range ops {
		stmts = append(stmts, o.Statements...)
	}
	return stmts, nil
}

// RenderSQL writes the SQL script of migrating m (sqlmigrate's output): each
// operation as a "-- <Describe>" comment ("-- Undo <Describe>" backwards) and its statements ending in ";",
// Go steps as a comment, the whole wrapped in BEGIN/COMMIT where the
// dialect's DDL is transactional and the migration is not NonAtomic.
func RenderSQL(w io.Writer, m *Migration, ed schema.Editor, before *state.Project, backwards bool) error {
	if backwards {
		if err := irreversible(m); err != nil {
			return err
		}
	}
	blocks, err := RenderStatements(m, ed, before, backwards)
	if err != nil {
		return fmt.Errorf("migrations: %s: %w", m.Key(), err)
	}
	checks, err := Preflights(m, ed, before, backwards)
	if err != nil {
		return fmt.Errorf("migrations: %s: %w", m.Key(), err)
	}
	var b strings.Builder
	RenderPreflights(&b, "", checks)
	if ed.AtomicDDL() && !m.NonAtomic {
		b.WriteString("BEGIN;\n")
	}
	undo := ""
	if backwards {
		undo = "Undo "
	}
	for _, blk := range blocks {
		fmt.Fprintf(&b, "-- %s%s\n", undo, blk.Operation.Describe())
		if len(blk.Statements) == 0 {
			b.WriteString("-- (no-op)\n")
		}
		for _, st := range blk.Statements {
			if st.Go != nil || st.Name != "" {
				fmt.Fprintf(&b, "-- RunGo: %s (Go code; not shown)\n", st.Name)
				continue
			}
			fmt.Fprintf(&b, "%s;\n", strings.TrimRight(strings.TrimSpace(st.SQL), "; \t\n"))
		}
	}
	if ed.AtomicDDL() && !m.NonAtomic {
		b.WriteString("COMMIT;\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}
