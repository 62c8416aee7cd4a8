package operations

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// AddIndex creates a named index from Meta().Indexes.
type AddIndex struct {
	Model string
	Index state.Index
}

// Describe implements Operation.
func (o AddIndex) Describe() string {
	return fmt.Sprintf("Create Index %s On Field(s) %s Of Model %s", o.Index.Name, strings.Join(o.Index.Fields, ", "), o.Model)
}

// StateForwards implements Operation.
func (o AddIndex) StateForwards(app string, p *state.Project) error {
	if o.Index.Name == "" || len(o.Index.Fields) == 0 {
		return fmt.Errorf("add index to %s: an index needs a name and fields", o.Model)
	}
	return replaceModel(p, app, o.Model, func(m *state.Model) error {
		if m.Index(o.Index.Name) != nil {
			return fmt.Errorf("%s already has an index %s", m.Label(), o.Index.Name)
		}
		if _, err := m.Columns(o.Index.Fields); err != nil {
			return err
		}
		idx := o.Index
		idx.Fields = append([]string(nil), idx.Fields...)
		m.Indexes = append(m.Indexes, idx)
		return nil
	})
}

// Forwards implements Operation.
func (o AddIndex) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AddIndex(to, fm, tm, o.Index))
}

// Backwards implements Operation.
func (o AddIndex) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.RemoveIndex(from, tm, fm, o.Index))
}

// Reversible implements Operation.
func (AddIndex) Reversible() bool { return true }

// Destructive implements Operation.
func (AddIndex) Destructive(string, *state.Project) bool { return false }

// RemoveIndex drops a named index.
type RemoveIndex struct {
	Model string
	Name  string
}

// Describe implements Operation.
func (o RemoveIndex) Describe() string {
	return fmt.Sprintf("Remove Index %s From %s", o.Name, o.Model)
}

// StateForwards implements Operation.
func (o RemoveIndex) StateForwards(app string, p *state.Project) error {
	return replaceModel(p, app, o.Model, func(m *state.Model) error {
		for i, idx := range m.Indexes {
			if idx.Name == o.Name {
				m.Indexes = append(m.Indexes[:i:i], m.Indexes[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("%s has no index %s", m.Label(), o.Name)
	})
}

// Forwards implements Operation.
func (o RemoveIndex) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.RemoveIndex(to, fm, tm, *fm.Index(o.Name)))
}

// Backwards implements Operation.
func (o RemoveIndex) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AddIndex(from, tm, fm, *fm.Index(o.Name)))
}

// Reversible implements Operation.
func (RemoveIndex) Reversible() bool { return true }

// Destructive implements Operation.
func (RemoveIndex) Destructive(string, *state.Project) bool { return false }

// RenameIndex renames a named index.
type RenameIndex struct {
	Model   string
	OldName string
	NewName string
}

// Describe implements Operation.
func (o RenameIndex) Describe() string {
	return fmt.Sprintf("Rename Index %s On %s To %s", o.OldName, o.Model, o.NewName)
}

// StateForwards implements Operation.
func (o RenameIndex) StateForwards(app string, p *state.Project) error {
	return replaceModel(p, app, o.Model, func(m *state.Model) error {
		if m.Index(o.NewName) != nil {
			return fmt.Errorf("%s already has an index %s", m.Label(), o.NewName)
		}
		idx := m.Index(o.OldName)
		if idx == nil {
			return fmt.Errorf("%s has no index %s", m.Label(), o.OldName)
		}
		idx.Name = o.NewName
		return nil
	})
}

// Forwards implements Operation.
func (o RenameIndex) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.RenameIndex(to, fm, tm, o.OldName, o.NewName))
}

// Backwards implements Operation.
func (o RenameIndex) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.RenameIndex(from, tm, fm, o.NewName, o.OldName))
}

// Reversible implements Operation.
func (RenameIndex) Reversible() bool { return true }

// Destructive implements Operation.
func (RenameIndex) Destructive(string, *state.Project) bool { return false }

// AddConstraint adds a named unique or check constraint.
type AddConstraint struct {
	Model      string
	Constraint state.Constraint
}

// Describe implements Operation.
func (o AddConstraint) Describe() string {
	return fmt.Sprintf("Create Constraint %s On Model %s", o.Constraint.Name, o.Model)
}

// StateForwards implements Operation.
func (o AddConstraint) StateForwards(app string, p *state.Project) error {
	c := o.Constraint
	if c.Name == "" {
		return fmt.Errorf("add constraint to %s: a constraint needs a name", o.Model)
	}
	return replaceModel(p, app, o.Model, func(m *state.Model) error {
		if m.Constraint(c.Name) != nil {
			return fmt.Errorf("%s already has a constraint %s", m.Label(), c.Name)
		}
		switch c.Kind {
		case state.UniqueConstraint:
			if _, err := m.Columns(c.Fields); err != nil || len(c.Fields) == 0 {
				return fmt.Errorf("constraint %s on %s: a unique constraint needs existing fields", c.Name, m.Label())
			}
		case state.CheckConstraint:
			if c.Check == "" {
				return fmt.Errorf("constraint %s on %s: a check constraint needs SQL", c.Name, m.Label())
			}
		default:
			return fmt.Errorf("constraint %s on %s: unknown kind %q", c.Name, m.Label(), c.Kind)
		}
		c.Fields = append([]string(nil), c.Fields...)
		m.Constraints = append(m.Constraints, c)
		return nil
	})
}

// Forwards implements Operation.
func (o AddConstraint) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AddConstraint(to, fm, tm, o.Constraint))
}

// Backwards implements Operation.
func (o AddConstraint) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.RemoveConstraint(from, tm, fm, o.Constraint))
}

// Reversible implements Operation.
func (AddConstraint) Reversible() bool { return true }

// Destructive implements Operation.
func (AddConstraint) Destructive(string, *state.Project) bool { return false }

// RemoveConstraint drops a named constraint.
type RemoveConstraint struct {
	Model string
	Name  string
}

// Describe implements Operation.
func (o RemoveConstraint) Describe() string {
	return fmt.Sprintf("Remove Constraint %s From Model %s", o.Name, o.Model)
}

// StateForwards implements Operation.
func (o RemoveConstraint) StateForwards(app string, p *state.Project) error {
	return replaceModel(p, app, o.Model, func(m *state.Model) error {
		for i, c := range m.Constraints {
			if c.Name == o.Name {
				m.Constraints = append(m.Constraints[:i:i], m.Constraints[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("%s has no constraint %s", m.Label(), o.Name)
	})
}

// Forwards implements Operation.
func (o RemoveConstraint) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.RemoveConstraint(to, fm, tm, *fm.Constraint(o.Name)))
}

// Backwards implements Operation.
func (o RemoveConstraint) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AddConstraint(from, tm, fm, *fm.Constraint(o.Name)))
}

// Reversible implements Operation.
func (RemoveConstraint) Reversible() bool { return true }

// Destructive implements Operation.
func (RemoveConstraint) Destructive(string, *state.Project) bool { return false }

// Touches implements Operation.
func (o AddIndex) Touches() Touches {
	return Touches{
		Changes: []Ref{{Model: o.Model, Option: "index " + o.Index.Name, Within: trimmed(o.Index.Fields)}},
		Reads:   fieldRefs(o.Model, o.Index.Fields),
		Appends: "indexes",
	}
}

// Naming implements Operation.
func (o AddIndex) Naming() Naming {
	return Naming{Fragment: fragment(o.Model, o.Index.Name), Extends: o.Model}
}

// Subject implements HasSubject.
func (o AddIndex) Subject() []string { return []string{o.Model, o.Index.Name} }

// Touches implements Operation: which fields the index covers is not
// known from the operation, so it counts as the whole model.
func (o RemoveIndex) Touches() Touches {
	return Touches{Changes: []Ref{{Model: o.Model, Option: "index " + o.Name}}}
}

// Naming implements Operation.
func (o RemoveIndex) Naming() Naming { return Naming{Fragment: fragment("remove", o.Model, o.Name)} }

// Subject implements HasSubject.
func (o RemoveIndex) Subject() []string { return []string{o.Model, o.Name} }

// Touches implements Operation.
func (o RenameIndex) Touches() Touches {
	return Touches{Changes: []Ref{{Model: o.Model, Option: "index " + o.OldName}, {Model: o.Model, Option: "index " + o.NewName}}}
}

// Naming implements Operation.
func (o RenameIndex) Naming() Naming {
	return Naming{Fragment: fragment("rename", o.Model, o.OldName, o.NewName)}
}

// Subject implements HasSubject.
func (o RenameIndex) Subject() []string { return []string{o.Model, o.OldName, o.NewName} }

// Touches implements Operation: a check constraint's SQL may name any
// column, so only a unique constraint stays within its fields.
func (o AddConstraint) Touches() Touches {
	c := Ref{Model: o.Model, Option: "constraint " + o.Constraint.Name}
	if o.Constraint.Kind == state.UniqueConstraint {
		c.Within = trimmed(o.Constraint.Fields)
	}
	return Touches{Changes: []Ref{c}, Reads: fieldRefs(o.Model, o.Constraint.Fields), Appends: "constraints"}
}

// Naming implements Operation.
func (o AddConstraint) Naming() Naming {
	return Naming{Fragment: fragment(o.Model, o.Constraint.Name), Extends: o.Model}
}

// Subject implements HasSubject.
func (o AddConstraint) Subject() []string { return []string{o.Model, o.Constraint.Name} }

// Touches implements Operation.
func (o RemoveConstraint) Touches() Touches {
	return Touches{Changes: []Ref{{Model: o.Model, Option: "constraint " + o.Name}}}
}

// Naming implements Operation.
func (o RemoveConstraint) Naming() Naming {
	return Naming{Fragment: fragment("remove", o.Model, o.Name)}
}

// Subject implements HasSubject.
func (o RemoveConstraint) Subject() []string { return []string{o.Model, o.Name} }
