package operations

import (
	"context"
	"fmt"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// RunSQL runs hand-written SQL. It leaves the state alone; wrap it in
// SeparateDatabaseAndState when the state must follow.
type RunSQL struct {
	// SQL holds the forward statements, one per element.
	SQL []string
	// Reverse holds the statements that undo SQL; nil makes the operation
	// irreversible, an empty non-nil slice means there is nothing to undo.
	Reverse []string
}

// Describe implements Operation.
func (RunSQL) Describe() string { return "Raw SQL Operation" }

// StateForwards implements Operation.
func (RunSQL) StateForwards(string, *state.Project) error { return nil }

// Forwards implements Operation.
func (o RunSQL) Forwards(string, schema.Editor, *state.Project, *state.Project) ([]Statement, error) {
	return sqlStatements(o.SQL, nil)
}

// Backwards implements Operation.
func (o RunSQL) Backwards(string, schema.Editor, *state.Project, *state.Project) ([]Statement, error) {
	if o.Reverse == nil {
		return nil, fmt.Errorf("RunSQL has no reverse SQL")
	}
	return sqlStatements(o.Reverse, nil)
}

// Reversible implements Operation.
func (o RunSQL) Reversible() bool { return o.Reverse != nil }

// Destructive implements Operation: raw SQL is the author's responsibility.
func (RunSQL) Destructive(string, *state.Project) bool { return false }

// RunGo runs a hand-written Go function, for data migrations.
type RunGo struct {
	Forward GoFunc
	// Reverse undoes Forward; nil makes the operation irreversible.
	Reverse GoFunc
}

// Describe implements Operation.
func (RunGo) Describe() string { return "Raw Go Operation" }

// StateForwards implements Operation.
func (RunGo) StateForwards(string, *state.Project) error { return nil }

// Forwards implements Operation.
func (o RunGo) Forwards(string, schema.Editor, *state.Project, *state.Project) ([]Statement, error) {
	if o.Forward == nil {
		return nil, fmt.Errorf("RunGo has no Forward function")
	}
	return []Statement{{Go: o.Forward, Name: FuncName(o.Forward)}}, nil
}

// Backwards implements Operation.
func (o RunGo) Backwards(string, schema.Editor, *state.Project, *state.Project) ([]Statement, error) {
	if o.Reverse == nil {
		return nil, fmt.Errorf("RunGo has no Reverse function")
	}
	return []Statement{{Go: o.Reverse, Name: FuncName(o.Reverse)}}, nil
}

// Reversible implements Operation.
func (o RunGo) Reversible() bool { return o.Reverse != nil }

// Destructive implements Operation.
func (RunGo) Destructive(string, *state.Project) bool { return false }

// Noop is a RunGo function that does nothing, for a reverse with nothing to undo.
func Noop(context.Context, schema.ExecQuerier) error { return nil }

// SeparateDatabaseAndState runs Database against the database while the
// state follows State: for changes the autodetector cannot express, such as
// adopting a table that already exists.
type SeparateDatabaseAndState struct {
	Database []Operation
	State    []Operation
}

// Describe implements Operation.
func (o SeparateDatabaseAndState) Describe() string {
	return fmt.Sprintf("Custom State/Database Change Combination (%d database, %d state operations)", len(o.Database), len(o.State))
}

// StateForwards implements Operation.
func (o SeparateDatabaseAndState) StateForwards(app string, p *state.Project) error {
	return Apply(app, o.State, p)
}

// Forwards implements Operation: the database operations run against a
// state of their own that starts where from does.
func (o SeparateDatabaseAndState) Forwards(app string, ed schema.Editor, from, _ *state.Project) ([]Statement, error) {
	var steps []Statement
	cur := from.CloneShallow()
	for _, op := range o.Database {
		next := cur.CloneShallow()
		if err := op.StateForwards(app, next); err != nil {
			return nil, err
		}
		s, err := op.Forwards(app, ed, cur, next)
		if err != nil {
			return nil, err
		}
		steps = append(steps, s...)
		cur = next
	}
	return steps, nil
}

// Backwards implements Operation.
func (o SeparateDatabaseAndState) Backwards(app string, ed schema.Editor, from, _ *state.Project) ([]Statement, error) {
	snapshots := []*state.Project{from.CloneShallow()}
	for _, op := range o.Database {
		next := snapshots[len(snapshots)-1].CloneShallow()
		if err := op.StateForwards(app, next); err != nil {
			return nil, err
		}
		snapshots = append(snapshots, next)
	}
	var steps []Statement
	for i := len(o.Database) - 1; i >= 0; i-- {
		s, err := o.Database[i].Backwards(app, ed, snapshots[i], snapshots[i+1])
		if err != nil {
			return nil, err
		}
		steps = append(steps, s...)
	}
	return steps, nil
}

// Reversible implements Operation.
func (o SeparateDatabaseAndState) Reversible() bool {
	for _, op := range o.Database {
		if !op.Reversible() {
			return false
		}
	}
	return true
}

// Destructive implements Operation.
func (o SeparateDatabaseAndState) Destructive(app string, from *state.Project) bool {
	cur := from.CloneShallow()
	for _, op := range o.Database {
		if op.Destructive(app, cur) {
			return true
		}
		if op.StateForwards(app, cur) != nil {
			return false
		}
	}
	return false
}

// Touches implements Operation: nobody can tell what raw SQL touches.
func (RunSQL) Touches() Touches { return Touches{Opaque: true} }

// Naming implements Operation: raw SQL has no name fragment.
func (RunSQL) Naming() Naming { return Naming{} }

// ChangesData implements DataChanger.
func (RunSQL) ChangesData() bool { return true }

// ReverseAdvice implements ReverseAdvisor.
func (RunSQL) ReverseAdvice() string {
	return "to make it reversible, give that RunSQL a Reverse: the SQL that undoes it, or Reverse: []string{} when there is nothing to undo"
}

// Touches implements Operation: nobody can tell what Go code touches.
func (RunGo) Touches() Touches { return Touches{Opaque: true} }

// Naming implements Operation: Go code has no name fragment.
func (RunGo) Naming() Naming { return Naming{} }

// ChangesData implements DataChanger.
func (RunGo) ChangesData() bool { return true }

// ReverseAdvice implements ReverseAdvisor.
func (RunGo) ReverseAdvice() string {
	return "to make it reversible, give that RunGo a Reverse function, or Reverse: operations.Noop when there is nothing to undo"
}

// Touches implements Operation: what the state operations touch; the
// database operations are apart from it, so the operation is opaque.
func (o SeparateDatabaseAndState) Touches() Touches {
	t := Touches{Opaque: true}
	for _, op := range o.State {
		s := op.Touches()
		t.Changes = append(t.Changes, s.Changes...)
		t.Reads = append(t.Reads, s.Reads...)
	}
	return t
}

// Naming implements Operation: the combination has no name fragment.
func (SeparateDatabaseAndState) Naming() Naming { return Naming{} }

// normalized implements nester.
func (o SeparateDatabaseAndState) normalized() (Operation, bool) {
	db, a := NormalizeAll(o.Database)
	st, b := NormalizeAll(o.State)
	o.Database, o.State = db, st
	return o, a || b
}
