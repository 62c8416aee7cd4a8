package operations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Preflights says what must hold on the live tables before op runs, so
// that running it neither fails half-way nor changes a stored value:
// narrowed or retyped columns, new NOT NULL columns and constraints, new
// foreign keys. from and to are the project before and after op in the
// forward sense, as for Forwards; backwards asks about undoing op. The
// checks are plain descriptions; a dialect's editor renders them.
func Preflights(app string, op Operation, from, to *state.Project, backwards bool) ([]schema.Preflight, error) {
	if p, ok := op.(Preflighter); ok {
		return p.Preflights(app, from, to, backwards)
	}
	return nil, nil
}

// Preflights implements Preflighter: a new NOT NULL column needs values.
func (o AddField) Preflights(app string, from, _ *state.Project, backwards bool) ([]schema.Preflight, error) {
	if backwards {
		return nil, nil
	}
	live, err := from.RequireModel(app, o.Model)
	if err != nil {
		return nil, err
	}
	return addFieldChecks(live, o.Field, o.Fill), nil
}

// Preflights implements Preflighter: undone, the removal adds the column back.
func (o RemoveField) Preflights(app string, from, to *state.Project, backwards bool) ([]schema.Preflight, error) {
	if !backwards {
		return nil, nil
	}
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	f := fm.Field(o.Name)
	if f == nil {
		return nil, nil
	}
	return addFieldChecks(tm, f, restoreFill(f)), nil
}

// Preflights implements Preflighter: a changed column must keep its values.
func (o AlterField) Preflights(app string, from, to *state.Project, backwards bool) ([]schema.Preflight, error) {
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	if backwards {
		return alterFieldChecks(from, tm, fm, o.Name, nil)
	}
	return alterFieldChecks(to, fm, tm, o.Name, o.Fill)
}

// Preflights implements Preflighter: new groups must hold no duplicates.
func (o AlterUniqueTogether) Preflights(app string, from, to *state.Project, backwards bool) ([]schema.Preflight, error) {
	fm, tm, err := modelPair(app, o.Name, from, to)
	if err != nil {
		return nil, err
	}
	if backwards {
		return newGroupChecks(tm, fm)
	}
	return newGroupChecks(fm, tm)
}

// Preflights implements Preflighter: no row may break the new constraint.
func (o AddConstraint) Preflights(app string, from, _ *state.Project, backwards bool) ([]schema.Preflight, error) {
	if backwards {
		return nil, nil
	}
	live, err := from.RequireModel(app, o.Model)
	if err != nil {
		return nil, err
	}
	return constraintChecks(live, o.Constraint)
}

// Preflights implements Preflighter: undone, the removal adds the
// constraint back.
func (o RemoveConstraint) Preflights(app string, from, to *state.Project, backwards bool) ([]schema.Preflight, error) {
	if !backwards {
		return nil, nil
	}
	fm, tm, err := modelPair(app, o.Model, from, to)
	if err != nil {
		return nil, err
	}
	c := fm.Constraint(o.Name)
	if c == nil {
		return nil, nil
	}
	return constraintChecks(tm, *c)
}

// fieldLabel is "Model.field" for messages.
func fieldLabel(m *state.Model, field string) string { return m.Name + "." + field }

// addFieldChecks: a new NOT NULL column that gets no value for the rows
// already there (no fill, no default, no db_default, which the database
// evaluates for each of them) can only be added to an empty table.
func addFieldChecks(live *state.Model, f *state.Field, fill *string) []schema.Preflight {
	if live.Unmanaged || f == nil || !f.HasColumn() || f.Null || f.Default != nil || f.DBDefault != "" || fill != nil || f.Kind.IsAuto() || f.PrimaryKey {
		return nil
	}
	return []schema.Preflight{{Kind: schema.PreflightNoRows, Model: live, Label: fieldLabel(live, f.Name), Columns: []string{f.ColumnName()}}}
}

// alterFieldChecks lists what changing field name of live into the same
// field of after needs of the rows; p is the project after the change.
func alterFieldChecks(p *state.Project, live, after *state.Model, name string, fill *string) ([]schema.Preflight, error) {
	if live.Unmanaged || after.Unmanaged {
		return nil, nil
	}
	old, f := live.Field(name), after.Field(name)
	if old == nil || f == nil || !old.HasColumn() || !f.HasColumn() {
		return nil, nil
	}
	label := fieldLabel(live, name)
	col := []string{old.ColumnName()}
	var out []schema.Preflight
	if !old.Kind.IsRelation() && !f.Kind.IsRelation() && (old.Kind != f.Kind || Narrows(old, f) || !slices.Equal(old.SQLTypes, f.SQLTypes)) {
		out = append(out, schema.Preflight{Kind: schema.PreflightConvert, Model: live, Label: label, Columns: col, From: old, To: f})
	}
	// A db_default fills the NULLs with the database's value (every editor
	// updates them before SET NOT NULL).
	if old.Null && !f.Null && fill == nil && f.Default == nil && f.DBDefault == "" {
		out = append(out, schema.Preflight{Kind: schema.PreflightNotNull, Model: live, Label: label, Columns: col})
	}
	if !old.IsUnique() && f.IsUnique() {
		out = append(out, schema.Preflight{Kind: schema.PreflightUnique, Model: live, Label: label, Columns: col})
	}
	if ref, err := newReference(p, live, old, after, f); err != nil || ref != nil {
		if ref != nil {
			out = append(out, *ref)
		}
		return out, err
	}
	return out, nil
}

// newReference is the orphan check of a foreign key constraint that f
// brings where old had none, or had one to another target.
func newReference(p *state.Project, live *state.Model, old *state.Field, after *state.Model, f *state.Field) (*schema.Preflight, error) {
	if (f.Kind != state.ForeignKey && f.Kind != state.OneToOne) || f.Relation == nil || f.Relation.NoConstraint {
		return nil, nil
	}
	if old.Relation != nil && !old.Relation.NoConstraint && old.Kind != state.ManyToMany &&
		old.Relation.To == f.Relation.To && old.Relation.ToField == f.Relation.ToField {
		return nil, nil
	}
	target := p.Resolve(after.App, f.Relation.To)
	if target == nil {
		return nil, fmt.Errorf("%s.%s points at unknown model %s", after.Label(), f.Name, f.Relation.To)
	}
	if target.Unmanaged {
		return nil, nil
	}
	tf := target.PrimaryKey()
	if f.Relation.ToField != "" {
		tf = target.Field(f.Relation.ToField)
	}
	if tf == nil {
		return nil, fmt.Errorf("%s.%s: the target %s has no field to point at", after.Label(), f.Name, target.Label())
	}
	if valueFamily(p, after.App, old) != valueFamily(p, after.App, tf) {
		// The column changes type too; its values cannot be compared
		// with the target's before the conversion, which checks them.
		return nil, nil
	}
	return &schema.Preflight{Kind: schema.PreflightReference, Model: live, Label: fieldLabel(live, old.Name),
		Columns: []string{old.ColumnName()}, Target: target, TargetColumn: tf.ColumnName()}, nil
}

// newGroupChecks finds duplicates for each unique_together group of after
// that live does not have yet.
func newGroupChecks(live, after *state.Model) ([]schema.Preflight, error) {
	if live.Unmanaged {
		return nil, nil
	}
	have := map[string]bool{}
	for _, g := range live.UniqueTogether {
		have[strings.Join(g, "\x00")] = true
	}
	var out []schema.Preflight
	for _, g := range after.UniqueTogether {
		if have[strings.Join(g, "\x00")] {
			continue
		}
		cols, err := live.Columns(g)
		if err != nil {
			return nil, err
		}
		out = append(out, schema.Preflight{Kind: schema.PreflightUnique, Model: live,
			Label: live.Name + "(" + strings.Join(g, ", ") + ")", Columns: cols})
	}
	return out, nil
}

// constraintChecks finds the rows a new unique or check constraint rejects.
func constraintChecks(live *state.Model, c state.Constraint) ([]schema.Preflight, error) {
	if live.Unmanaged {
		return nil, nil
	}
	switch c.Kind {
	case state.UniqueConstraint:
		cols, err := live.Columns(c.Fields)
		if err != nil {
			return nil, err
		}
		return []schema.Preflight{{Kind: schema.PreflightUnique, Model: live,
			Label: live.Name + "(" + strings.Join(c.Fields, ", ") + ")", Columns: cols, Condition: c.Condition}}, nil
	case state.CheckConstraint:
		return []schema.Preflight{{Kind: schema.PreflightCheck, Model: live, Label: live.Name + " check " + c.Name,
			Condition: c.Check}}, nil
	}
	return nil, nil
}

// valueFamily names the kind of value a column of f stores, following a
// relation to its target; integer kinds are one family.
func valueFamily(p *state.Project, app string, f *state.Field) string {
	for depth := 0; f != nil && f.Relation != nil && f.Kind != state.ManyToMany && depth < 8; depth++ {
		t := p.Resolve(app, f.Relation.To)
		if t == nil {
			return "?"
		}
		app = t.App
		if f.Relation.ToField != "" {
			f = t.Field(f.Relation.ToField)
		} else {
			f = t.PrimaryKey()
		}
	}
	if f == nil {
		return "?"
	}
	switch f.Kind {
	case state.BigAuto, state.Auto, state.BigInteger, state.Integer, state.SmallInteger:
		return "integer"
	}
	return string(f.Kind)
}
