package operations

import (
	"fmt"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// RenameModel renames a model, keeping its rows. Every relation in every app
// that points at it (as target or through model) follows it. Its table is
// renamed too when the table name was derived from the type name
// (snake_case of the old name); an explicit Meta().Table stays as it is, as
// in Django. Automatic join tables named after the table, and the join-table
// columns named after the model, follow.
type RenameModel struct {
	OldName string
	NewName string
}

// Describe implements Operation.
func (o RenameModel) Describe() string {
	return fmt.Sprintf("Rename Model %s To %s", o.OldName, o.NewName)
}

// StateForwards implements Operation.
func (o RenameModel) StateForwards(app string, p *state.Project) error {
	if o.OldName == "" || o.NewName == "" {
		return fmt.Errorf("rename model: both OldName and NewName are needed (got %q and %q)", o.OldName, o.NewName)
	}
	m, err := p.RequireModel(app, o.OldName)
	if err != nil {
		return err
	}
	oldKey, newKey := m.Key(), state.ModelKey(app, o.NewName)
	if newKey != oldKey && p.Models[newKey] != nil {
		return fmt.Errorf("rename model %s: %s.%s already exists", o.OldName, app, o.NewName)
	}
	c := m.Clone()
	c.Name = o.NewName
	if c.Table == state.SnakeCase(o.OldName) {
		c.Table = state.SnakeCase(o.NewName)
	}
	delete(p.Models, oldKey)
	p.Models[newKey] = c
	newLabel := c.Label()
	for key, other := range p.Models {
		if !pointsAt(other, oldKey) {
			continue
		}
		if key != newKey {
			other = other.Clone()
			p.Models[key] = other
		}
		for _, f := range other.Fields {
			if f.Relation == nil {
				continue
			}
			if labelKey(other.App, f.Relation.To) == oldKey {
				f.Relation.To = newLabel
			}
			if labelKey(other.App, f.Relation.Through) == oldKey {
				f.Relation.Through = newLabel
			}
		}
	}
	return nil
}

// pointsAt reports whether a relation field of m names the model key as
// its target or through model.
func pointsAt(m *state.Model, key string) bool {
	for _, f := range m.Fields {
		if f.Relation != nil && (labelKey(m.App, f.Relation.To) == key || labelKey(m.App, f.Relation.Through) == key) {
			return true
		}
	}
	return false
}

// labelKey is the project key a relation label names from app ("" for none).
func labelKey(app, label string) string {
	if label == "" {
		return ""
	}
	a, name := state.SplitLabel(app, label)
	return state.ModelKey(a, name)
}

// models returns the renamed model as from holds it (old name) and as to
// holds it (new name).
func (o RenameModel) models(app string, from, to *state.Project) (*state.Model, *state.Model, error) {
	fm, err := from.RequireModel(app, o.OldName)
	if err != nil {
		return nil, nil, err
	}
	tm, err := to.RequireModel(app, o.NewName)
	if err != nil {
		return nil, nil, err
	}
	return fm, tm, nil
}

// Forwards implements Operation.
func (o RenameModel) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := o.models(app, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterModelTable(to, fm, tm))
}

// Backwards implements Operation.
func (o RenameModel) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := o.models(app, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterModelTable(from, tm, fm))
}

// Reversible implements Operation.
func (RenameModel) Reversible() bool { return true }

// Destructive implements Operation.
func (RenameModel) Destructive(string, *state.Project) bool { return false }

// Touches implements Operation.
func (o RenameModel) Touches() Touches {
	return Touches{Changes: []Ref{{Model: o.OldName}, {Model: o.NewName}}, Redirects: true}
}

// Naming implements Operation.
func (o RenameModel) Naming() Naming {
	return Naming{Fragment: fragment("rename", o.OldName, o.NewName)}
}

// Subject implements HasSubject.
func (o RenameModel) Subject() []string { return []string{o.OldName, o.NewName} }
