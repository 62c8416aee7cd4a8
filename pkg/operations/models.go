package operations

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// CreateModel creates a model and its table (with indexes, constraints and
// automatic many-to-many join tables).
type CreateModel struct {
	Name           string
	Table          string
	Fields         []*state.Field
	Unmanaged      bool
	UniqueTogether [][]string
	Indexes        []state.Index
	Constraints    []state.Constraint
	Options        state.Options
}

// Model returns the state model the operation creates in app.
func (o CreateModel) Model(app string) *state.Model {
	m := &state.Model{
		App: app, Name: o.Name, Table: o.Table, Fields: o.Fields, Unmanaged: o.Unmanaged,
		UniqueTogether: o.UniqueTogether, Indexes: o.Indexes, Constraints: o.Constraints, Options: o.Options,
	}
	return m.Clone()
}

// Describe implements Operation.
func (o CreateModel) Describe() string { return "Create Model " + o.Name }

// StateForwards implements Operation.
func (o CreateModel) StateForwards(app string, p *state.Project) error {
	m := o.Model(app)
	if m.Table == "" {
		return fmt.Errorf("create model %s: no table name", o.Name)
	}
	for _, f := range m.Fields {
		if err := checkField(m, f); err != nil {
			return err
		}
	}
	return p.Add(m)
}

// Forwards implements Operation.
func (o CreateModel) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	m, err := to.RequireModel(app, o.Name)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.CreateModel(to, m))
}

// Backwards implements Operation.
func (o CreateModel) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	m, err := to.RequireModel(app, o.Name)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.DeleteModel(to, m))
}

// Reversible implements Operation.
func (CreateModel) Reversible() bool { return true }

// Destructive implements Operation.
func (CreateModel) Destructive(string, *state.Project) bool { return false }

// DeleteModel drops a model and its table.
type DeleteModel struct {
	Name string
}

// Describe implements Operation.
func (o DeleteModel) Describe() string { return "Delete Model " + o.Name }

// StateForwards implements Operation.
func (o DeleteModel) StateForwards(app string, p *state.Project) error {
	return p.Remove(app, o.Name)
}

// Forwards implements Operation.
func (o DeleteModel) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	m, err := from.RequireModel(app, o.Name)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.DeleteModel(from, m))
}

// Backwards implements Operation.
func (o DeleteModel) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	m, err := from.RequireModel(app, o.Name)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.CreateModel(from, m))
}

// Reversible implements Operation: the table comes back empty.
func (DeleteModel) Reversible() bool { return true }

// Destructive implements Operation.
func (o DeleteModel) Destructive(app string, from *state.Project) bool {
	m := from.Model(app, o.Name)
	return m == nil || !m.Unmanaged
}

// AlterModelTable renames a model's table.
type AlterModelTable struct {
	Name  string
	Table string
}

// Describe implements Operation.
func (o AlterModelTable) Describe() string {
	return fmt.Sprintf("Rename Table For %s To %s", o.Name, o.Table)
}

// StateForwards implements Operation.
func (o AlterModelTable) StateForwards(app string, p *state.Project) error {
	if o.Table == "" {
		return fmt.Errorf("alter model table %s: no table name", o.Name)
	}
	return replaceModel(p, app, o.Name, func(m *state.Model) error {
		m.Table = o.Table
		return nil
	})
}

// Forwards implements Operation.
func (o AlterModelTable) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Name, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterModelTable(to, fm, tm))
}

// Backwards implements Operation.
func (o AlterModelTable) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Name, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterModelTable(from, tm, fm))
}

// Reversible implements Operation.
func (AlterModelTable) Reversible() bool { return true }

// Destructive implements Operation.
func (AlterModelTable) Destructive(string, *state.Project) bool { return false }

// AlterModelOptions changes model options: ordering and verbose name are
// state only; a changed comment (Meta.Comment) becomes the table's comment
// where the dialect keeps comments.
type AlterModelOptions struct {
	Name    string
	Options state.Options
}

// Describe implements Operation.
func (o AlterModelOptions) Describe() string { return "Change Meta Options On " + o.Name }

// StateForwards implements Operation.
func (o AlterModelOptions) StateForwards(app string, p *state.Project) error {
	return replaceModel(p, app, o.Name, func(m *state.Model) error {
		m.Options = o.Options
		m.Options.Ordering = append([]string(nil), o.Options.Ordering...)
		if len(m.Options.Ordering) == 0 {
			m.Options.Ordering = nil
		}
		return nil
	})
}

// Forwards implements Operation: the table's comment changes.
func (o AlterModelOptions) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Name, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterTableComment(to, fm, tm))
}

// Backwards implements Operation: the table's comment comes back.
func (o AlterModelOptions) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Name, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterTableComment(from, tm, fm))
}

// Reversible implements Operation.
func (AlterModelOptions) Reversible() bool { return true }

// Destructive implements Operation.
func (AlterModelOptions) Destructive(string, *state.Project) bool { return false }

// AlterUniqueTogether replaces a model's unique_together groups.
type AlterUniqueTogether struct {
	Name           string
	UniqueTogether [][]string
}

// Describe implements Operation.
func (o AlterUniqueTogether) Describe() string {
	groups := make([]string, len(o.UniqueTogether))
	for i, g := range o.UniqueTogether {
		groups[i] = "(" + strings.Join(g, ", ") + ")"
	}
	if len(groups) == 0 {
		return fmt.Sprintf("Alter UniqueTogether For %s (No Constraints)", o.Name)
	}
	return fmt.Sprintf("Alter UniqueTogether For %s: %s", o.Name, strings.Join(groups, ", "))
}

// StateForwards implements Operation.
func (o AlterUniqueTogether) StateForwards(app string, p *state.Project) error {
	return replaceModel(p, app, o.Name, func(m *state.Model) error {
		m.UniqueTogether = nil
		for _, g := range o.UniqueTogether {
			if _, err := m.Columns(g); err != nil {
				return err
			}
			m.UniqueTogether = append(m.UniqueTogether, append([]string(nil), g...))
		}
		return nil
	})
}

// Forwards implements Operation.
func (o AlterUniqueTogether) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Name, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterUniqueTogether(to, fm, tm))
}

// Backwards implements Operation.
func (o AlterUniqueTogether) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Name, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterUniqueTogether(from, tm, fm))
}

// Reversible implements Operation.
func (AlterUniqueTogether) Reversible() bool { return true }

// Destructive implements Operation.
func (AlterUniqueTogether) Destructive(string, *state.Project) bool { return false }

// checkField rejects a hand-edited field that no editor could render.
func checkField(m *state.Model, f *state.Field) error {
	switch {
	case f.Name == "":
		return fmt.Errorf("%s: a field has no name", m.Label())
	case !f.Kind.Valid():
		return fmt.Errorf("%s.%s: unknown kind %q", m.Label(), f.Name, f.Kind)
	case f.Kind.IsRelation() && (f.Relation == nil || f.Relation.To == ""):
		return fmt.Errorf("%s.%s: a %s field needs Relation.To", m.Label(), f.Name, f.Kind)
	}
	if err := f.CheckSize(); err != nil {
		return fmt.Errorf("%s.%s: %w", m.Label(), f.Name, err)
	}
	if err := f.CheckDBDefault(); err != nil {
		return fmt.Errorf("%s.%s: %w", m.Label(), f.Name, err)
	}
	if err := f.CheckSQLTypes(); err != nil {
		return fmt.Errorf("%s.%s: %w", m.Label(), f.Name, err)
	}
	return nil
}

// Touches implements Operation.
func (o CreateModel) Touches() Touches {
	return Touches{Changes: []Ref{{Model: o.Name}}, Reads: relationReads(o.Fields...)}
}

// Naming implements Operation.
func (o CreateModel) Naming() Naming { return Naming{Fragment: o.Name, Creates: o.Name} }

// Subject implements HasSubject.
func (o CreateModel) Subject() []string { return []string{o.Name} }

// Touches implements Operation.
func (o DeleteModel) Touches() Touches { return Touches{Changes: []Ref{{Model: o.Name}}} }

// Naming implements Operation.
func (o DeleteModel) Naming() Naming { return Naming{Fragment: fragment("delete", o.Name)} }

// Subject implements HasSubject.
func (o DeleteModel) Subject() []string { return []string{o.Name} }

// Touches implements Operation.
func (o AlterModelTable) Touches() Touches { return Touches{Changes: []Ref{{Model: o.Name}}} }

// Naming implements Operation.
func (o AlterModelTable) Naming() Naming { return Naming{Fragment: fragment("alter", o.Name, "table")} }

// Subject implements HasSubject.
func (o AlterModelTable) Subject() []string { return []string{o.Name, o.Table} }

// Touches implements Operation: the options (ordering among them) name
// fields the operation does not list, so it counts as the whole model.
func (o AlterModelOptions) Touches() Touches {
	return Touches{Changes: []Ref{{Model: o.Name, Option: "options"}}}
}

// Naming implements Operation.
func (o AlterModelOptions) Naming() Naming {
	return Naming{Fragment: fragment("alter", o.Name, "options")}
}

// Subject implements HasSubject.
func (o AlterModelOptions) Subject() []string { return []string{o.Name} }

// Touches implements Operation: it replaces every group, including ones it
// does not list, so it counts as the whole model.
func (o AlterUniqueTogether) Touches() Touches {
	t := Touches{Changes: []Ref{{Model: o.Name, Option: "unique_together"}}}
	for _, g := range o.UniqueTogether {
		t.Reads = append(t.Reads, fieldRefs(o.Name, g)...)
	}
	return t
}

// Naming implements Operation.
func (o AlterUniqueTogether) Naming() Naming {
	return Naming{Fragment: fragment("alter", o.Name, "unique_together"), Extends: o.Name}
}

// Subject implements HasSubject.
func (o AlterUniqueTogether) Subject() []string { return []string{o.Name} }
