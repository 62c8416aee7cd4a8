package operations

import (
	"context"
	"fmt"
	"reflect"
	"runtime"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Operation is one step of a migration.
//
// from and to are the whole project before and after the operation in the
// forward sense, in both directions: Backwards turns a database that looks
// like to back into one that looks like from.
type Operation interface {
	// Describe says what the operation does in one line, for summaries.
	Describe() string
	// StateForwards applies the operation to p. It replaces the models it
	// changes with changed copies and never mutates a model in place, so a
	// shallow copy of p taken before is a valid snapshot.
	StateForwards(app string, p *state.Project) error
	// Forwards returns what to run on the database to go from from to to.
	Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error)
	// Backwards returns what to run to go from to back to from; it is only
	// called when Reversible is true.
	Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error)
	// Reversible reports whether Backwards can undo the operation.
	Reversible() bool
	// Destructive reports whether running it forwards on from can lose data
	// (dropping a table or column, narrowing a type), so summaries can warn.
	Destructive(app string, from *state.Project) bool
}

// Statement is one thing to run on the database: an SQL statement or a Go function.
type Statement struct {
	// SQL is a single statement without a trailing semicolon.
	SQL string
	// Go runs instead of SQL when set (RunGo); Name says which function, for sqlmigrate.
	Go   GoFunc
	Name string
}

// GoFunc is a hand-written data migration step. db is the migration's
// transaction where the dialect has transactional DDL, else its connection.
type GoFunc func(ctx context.Context, db schema.ExecQuerier) error

// FuncName names a Go function for sqlmigrate output and checksums.
func FuncName(fn GoFunc) string {
	if fn == nil {
		return ""
	}
	return runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
}

// sqlStatements wraps rendered statements, passing an editor error through.
func sqlStatements(stmts []string, err error) ([]Statement, error) {
	if err != nil {
		return nil, err
	}
	steps := make([]Statement, len(stmts))
	for i, s := range stmts {
		steps[i] = Statement{SQL: s}
	}
	return steps, nil
}

// Apply runs StateForwards of every operation in order, naming the one that fails.
func Apply(app string, ops []Operation, p *state.Project) error {
	for i, op := range ops {
		if err := op.StateForwards(app, p); err != nil {
			return fmt.Errorf("operation %d (%s): %w", i+1, op.Describe(), err)
		}
	}
	return nil
}

// replaceModel clones the model app.name of p, lets change edit the copy and
// puts the copy in its place: the copy-on-write rule of StateForwards.
func replaceModel(p *state.Project, app, name string, change func(m *state.Model) error) error {
	m, err := p.RequireModel(app, name)
	if err != nil {
		return err
	}
	c := m.Clone()
	if err := change(c); err != nil {
		return err
	}
	p.Models[c.Key()] = c
	return nil
}

// modelPair returns the model before and after an operation.
func modelPair(app, name string, from, to *state.Project) (*state.Model, *state.Model, error) {
	fm, err := from.RequireModel(app, name)
	if err != nil {
		return nil, nil, err
	}
	tm, err := to.RequireModel(app, name)
	if err != nil {
		return nil, nil, err
	}
	return fm, tm, nil
}
