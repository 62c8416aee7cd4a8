package operations

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"

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
	// Touches says what the operation changes and relies on, for the
	// optimizer and for makemigrations --merge.
	Touches() Touches
	// Naming says what the operation contributes to its migration's name.
	Naming() Naming
}

// The abilities below are optional: an operation without one behaves as
// the doc of each says, so only the operations that have something to say
// implement them.

// Reducer is an operation that can fold with a later one of the same
// migration into at most one operation (Django's reduce).
type Reducer interface {
	// Reduce returns what the operation followed by next becomes in app,
	// and true, when the pair folds: nil when both vanish. false when it
	// does not fold. Neither operation is modified, and the result shares
	// no field definition that it changed with them. Without Reduce an
	// operation folds with nothing.
	Reduce(app string, next Operation) (Operation, bool)
}

// Retargeter is an operation whose relations can follow a rename of the
// model they point at.
type Retargeter interface {
	// Retarget returns the operation with its relations (target or through
	// model) that point at the model r renames pointing at the new name,
	// and true; false when it has no such relation.
	Retarget(app string, r RenameModel) (Operation, bool)
}

// Preflighter is an operation that needs something to hold on the live
// tables before it runs (see Preflights). Without it there is nothing to
// check.
type Preflighter interface {
	// Preflights lists the checks; the arguments are those of Preflights.
	Preflights(app string, from, to *state.Project, backwards bool) ([]schema.Preflight, error)
}

// DataChanger is an operation that may change rows by itself (hand-written
// SQL or Go). Without it an operation changes the schema only.
type DataChanger interface {
	// ChangesData reports whether the operation may change rows.
	ChangesData() bool
}

// ReverseAdvisor is an operation that can say how to make it reversible.
type ReverseAdvisor interface {
	// ReverseAdvice says, in one sentence, how to make the operation reversible.
	ReverseAdvice() string
}

// HasSubject is an operation that names what it acts on at the level
// Django's describe() does: the model first, then the field, index,
// constraint or table, so both sides of a comparison line up.
type HasSubject interface {
	// Subject lists the model and the names the operation acts on.
	Subject() []string
}

// ChangesData reports whether op may change rows by itself (hand-written
// SQL or Go), so checks of later operations in the same migration cannot be
// answered before it runs.
func ChangesData(op Operation) bool {
	d, ok := op.(DataChanger)
	return ok && d.ChangesData()
}

// ReverseAdvice says how to make an irreversible op reversible, "" when
// the operation has no advice to give.
func ReverseAdvice(op Operation) string {
	if a, ok := op.(ReverseAdvisor); ok {
		return a.ReverseAdvice()
	}
	return ""
}

// All returns a zero value of every operation type of this package: the
// one list of what an operation can be. A test checks that it names every
// type and that each has the abilities it needs.
func All() []Operation {
	return []Operation{
		CreateModel{}, DeleteModel{}, RenameModel{}, AlterModelTable{}, AlterModelOptions{}, AlterUniqueTogether{},
		AddField{}, RemoveField{}, AlterField{}, RenameField{},
		AddIndex{}, RemoveIndex{}, RenameIndex{}, AddConstraint{}, RemoveConstraint{},
		RunSQL{}, RunGo{}, SeparateDatabaseAndState{},
	}
}

// Normalize returns op as a value, and whether it changed anything: an
// operation written as a pointer (&operations.AddField{...}) becomes the
// value it points at, and the operations nested in one (in a
// SeparateDatabaseAndState) are normalized too. The migrations registry
// calls it once, at registration, so nothing after it meets a pointer.
func Normalize(op Operation) (Operation, bool) {
	changed := false
	if v := reflect.ValueOf(op); v.Kind() == reflect.Pointer && !v.IsNil() {
		if o, ok := v.Elem().Interface().(Operation); ok {
			op, changed = o, true
		}
	}
	if n, ok := op.(nester); ok {
		if o, c := n.normalized(); c {
			op, changed = o, true
		}
	}
	return op, changed
}

// NormalizeAll normalizes every operation of ops (see Normalize). It
// returns ops itself, and false, when none changed; else a new list.
func NormalizeAll(ops []Operation) ([]Operation, bool) {
	var out []Operation
	for i, op := range ops {
		n, changed := Normalize(op)
		if changed && out == nil {
			out = slices.Clone(ops)
		}
		if out != nil {
			out[i] = n
		}
	}
	if out == nil {
		return ops, false
	}
	return out, true
}

// nester is an operation that holds other operations.
type nester interface {
	// normalized returns the operation with its nested operations
	// normalized, and whether any changed.
	normalized() (Operation, bool)
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
