package operations

import (
	"fmt"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// AddField adds a field (a column, or a join table for many-to-many).
type AddField struct {
	Model string
	Field *state.Field
	// Fill, when set, is a one-off value for the rows that already exist; it
	// is not kept as the column's default (Django's preserve_default=False).
	Fill *string
}

// Describe implements Operation.
func (o AddField) Describe() string {
	return fmt.Sprintf("Add Field %s To %s", o.Field.Name, o.Model)
}

// StateForwards implements Operation.
func (o AddField) StateForwards(app string, p *state.Project) error {
	if o.Field == nil {
		return fmt.Errorf("add field to %s: no field", o.Model)
	}
	return replaceModel(p, app, o.Model, func(m *state.Model) error {
		if m.Field(o.Field.Name) != nil {
			return fmt.Errorf("%s already has a field %s", m.Label(), o.Field.Name)
		}
		if err := checkField(m, o.Field); err != nil {
			return err
		}
		m.Fields = append(m.Fields, o.Field.Clone())
		return nil
	})
}

// Forwards implements Operation.
func (o AddField) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AddField(to, fm, tm, o.Field.Name, o.Fill))
}

// Backwards implements Operation.
func (o AddField) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.RemoveField(from, tm, fm, o.Field.Name))
}

// Reversible implements Operation.
func (AddField) Reversible() bool { return true }

// Destructive implements Operation.
func (AddField) Destructive(string, *state.Project) bool { return false }

// RemoveField drops a field's column (or join table).
type RemoveField struct {
	Model string
	Name  string
}

// Describe implements Operation.
func (o RemoveField) Describe() string {
	return fmt.Sprintf("Remove Field %s From %s", o.Name, o.Model)
}

// StateForwards implements Operation.
func (o RemoveField) StateForwards(app string, p *state.Project) error {
	return replaceModel(p, app, o.Model, func(m *state.Model) error {
		i := m.FieldIndex(o.Name)
		if i < 0 {
			return fmt.Errorf("%s has no field %s", m.Label(), o.Name)
		}
		m.Fields = append(m.Fields[:i:i], m.Fields[i+1:]...)
		return nil
	})
}

// Forwards implements Operation.
func (o RemoveField) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.RemoveField(to, fm, tm, o.Name))
}

// Backwards implements Operation: the column comes back, its old values do not.
func (o RemoveField) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AddField(from, tm, fm, o.Name, restoreFill(fm.Field(o.Name))))
}

// restoreFill is what rows get when a removed NOT NULL column comes back
// without a default: the empty string for a blank char or text field, as
// Django does; nothing otherwise, and the database then refuses a table with rows.
func restoreFill(f *state.Field) *string {
	if f == nil || f.Null || f.Default != nil || !f.Blank || (f.Kind != state.Char && f.Kind != state.Text) {
		return nil
	}
	return state.Str("")
}

// Reversible implements Operation.
func (RemoveField) Reversible() bool { return true }

// Destructive implements Operation.
func (RemoveField) Destructive(string, *state.Project) bool { return true }

// AlterField replaces a field's definition, keeping its name.
type AlterField struct {
	Model string
	Name  string
	Field *state.Field
	// Fill, when set, is a one-off value for existing NULLs when the field
	// becomes NOT NULL; it is not kept as a default.
	Fill *string
}

// Describe implements Operation.
func (o AlterField) Describe() string {
	return fmt.Sprintf("Alter Field %s On %s", o.Name, o.Model)
}

// StateForwards implements Operation.
func (o AlterField) StateForwards(app string, p *state.Project) error {
	if o.Field == nil {
		return fmt.Errorf("alter field %s on %s: no field", o.Name, o.Model)
	}
	return replaceModel(p, app, o.Model, func(m *state.Model) error {
		i := m.FieldIndex(o.Name)
		if i < 0 {
			return fmt.Errorf("%s has no field %s", m.Label(), o.Name)
		}
		f := o.Field.Clone()
		f.Name = o.Name
		if err := checkField(m, f); err != nil {
			return err
		}
		m.Fields[i] = f
		return nil
	})
}

// Forwards implements Operation.
func (o AlterField) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterField(to, fm, tm, o.Name, o.Name, o.Fill))
}

// Backwards implements Operation.
func (o AlterField) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterField(from, tm, fm, o.Name, o.Name, nil))
}

// Reversible implements Operation.
func (AlterField) Reversible() bool { return true }

// Destructive implements Operation: narrowing a type can lose data.
func (o AlterField) Destructive(app string, from *state.Project) bool {
	m := from.Model(app, o.Model)
	if m == nil || m.Unmanaged || o.Field == nil {
		return false
	}
	old := m.Field(o.Name)
	if old == nil {
		return false
	}
	return Narrows(old, o.Field)
}

// Narrows reports whether changing a column from old to new can lose or
// reject existing values: a shorter max_length, fewer digits, a smaller
// integer, text into char, or any change between unrelated kinds.
func Narrows(old, new *state.Field) bool {
	if old.Kind == new.Kind {
		switch old.Kind {
		case state.Char:
			return new.MaxLength < old.MaxLength
		case state.Decimal:
			return new.MaxDigits-new.DecimalPlaces < old.MaxDigits-old.DecimalPlaces || new.DecimalPlaces < old.DecimalPlaces
		}
		return false
	}
	if old.Kind.IsRelation() || new.Kind.IsRelation() {
		return old.Kind.IsRelation() != new.Kind.IsRelation() || old.Kind == state.ManyToMany || new.Kind == state.ManyToMany
	}
	widening := map[state.Kind][]state.Kind{
		state.SmallInteger: {state.Integer, state.BigInteger, state.Float, state.Decimal, state.Text},
		state.Integer:      {state.BigInteger, state.Float, state.Decimal, state.Text},
		state.BigInteger:   {state.Decimal, state.Text},
		state.Auto:         {state.BigAuto},
		state.Char:         {state.Text},
		state.Boolean:      {state.SmallInteger, state.Integer, state.BigInteger, state.Text},
		state.Date:         {state.DateTime, state.Text},
		state.UUID:         {state.Char, state.Text},
	}
	for _, k := range widening[old.Kind] {
		if k == new.Kind {
			return new.Kind == state.Char && new.MaxLength < 32
		}
	}
	return true
}

// RenameField renames a field and its column, keeping the data. Indexes,
// unique_together and constraints that name the field follow it.
type RenameField struct {
	Model   string
	OldName string
	NewName string
}

// Describe implements Operation.
func (o RenameField) Describe() string {
	return fmt.Sprintf("Rename Field %s On %s To %s", o.OldName, o.Model, o.NewName)
}

// StateForwards implements Operation.
func (o RenameField) StateForwards(app string, p *state.Project) error {
	err := replaceModel(p, app, o.Model, func(m *state.Model) error {
		i := m.FieldIndex(o.OldName)
		if i < 0 {
			return fmt.Errorf("%s has no field %s", m.Label(), o.OldName)
		}
		if m.Field(o.NewName) != nil {
			return fmt.Errorf("%s already has a field %s", m.Label(), o.NewName)
		}
		m.Fields[i].Name = o.NewName
		renameIn := func(names []string) {
			for j, n := range names {
				switch n {
				case o.OldName:
					names[j] = o.NewName
				case "-" + o.OldName:
					names[j] = "-" + o.NewName
				}
			}
		}
		for _, g := range m.UniqueTogether {
			renameIn(g)
		}
		for j := range m.Indexes {
			renameIn(m.Indexes[j].Fields)
		}
		for j := range m.Constraints {
			renameIn(m.Constraints[j].Fields)
		}
		for j, term := range m.Options.Ordering {
			m.Options.Ordering[j] = state.RenameOrdering(term, o.OldName, o.NewName)
		}
		return nil
	})
	if err != nil {
		return err
	}
	target := p.Model(app, o.Model)
	for _, ref := range p.Referrers(target) {
		if ref.Field.Relation.ToField != o.OldName {
			continue
		}
		if err := replaceModel(p, ref.Model.App, ref.Model.Name, func(m *state.Model) error {
			m.Field(ref.Field.Name).Relation.ToField = o.NewName
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// Forwards implements Operation.
func (o RenameField) Forwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterField(to, fm, tm, o.OldName, o.NewName, nil))
}

// Backwards implements Operation.
func (o RenameField) Backwards(app string, ed schema.Editor, from, to *state.Project) ([]Statement, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	return sqlStatements(ed.AlterField(from, tm, fm, o.NewName, o.OldName, nil))
}

// Reversible implements Operation.
func (RenameField) Reversible() bool { return true }

// Destructive implements Operation.
func (RenameField) Destructive(string, *state.Project) bool { return false }

// Touches implements Operation.
func (o AddField) Touches() Touches {
	t := Touches{Appends: "fields", Reads: relationReads(o.Field)}
	if o.Field == nil {
		t.Changes = []Ref{{Model: o.Model}}
	} else {
		t.Changes = []Ref{fieldRef(o.Model, o.Field.Name)}
	}
	return t
}

// Naming implements Operation.
func (o AddField) Naming() Naming {
	if o.Field == nil {
		return Naming{Extends: o.Model}
	}
	return Naming{Fragment: fragment(o.Model, o.Field.Name), Extends: o.Model}
}

// Subject implements HasSubject.
func (o AddField) Subject() []string {
	name := ""
	if o.Field != nil {
		name = o.Field.Name
	}
	return []string{o.Model, name}
}

// Touches implements Operation.
func (o RemoveField) Touches() Touches { return Touches{Changes: []Ref{fieldRef(o.Model, o.Name)}} }

// Naming implements Operation.
func (o RemoveField) Naming() Naming { return Naming{Fragment: fragment("remove", o.Model, o.Name)} }

// Subject implements HasSubject.
func (o RemoveField) Subject() []string { return []string{o.Model, o.Name} }

// Touches implements Operation.
func (o AlterField) Touches() Touches {
	return Touches{Changes: []Ref{fieldRef(o.Model, o.Name)}, Reads: relationReads(o.Field)}
}

// Naming implements Operation.
func (o AlterField) Naming() Naming { return Naming{Fragment: fragment("alter", o.Model, o.Name)} }

// Subject implements HasSubject.
func (o AlterField) Subject() []string { return []string{o.Model, o.Name} }

// Touches implements Operation.
func (o RenameField) Touches() Touches {
	return Touches{Changes: []Ref{fieldRef(o.Model, o.OldName), fieldRef(o.Model, o.NewName)}}
}

// Naming implements Operation.
func (o RenameField) Naming() Naming {
	return Naming{Fragment: fragment("rename", o.OldName, o.Model, o.NewName)}
}

// Subject implements HasSubject.
func (o RenameField) Subject() []string { return []string{o.Model, o.OldName, o.NewName} }
