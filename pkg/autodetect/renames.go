package autodetect

import (
	"fmt"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// Renames come first, as in Django's generate_renamed_models and
// generate_renamed_fields: a model only in the migration state and a model
// only in the models, or a field only in one and a field only in the other,
// are paired when a hint names the old one (Meta.Was, was=) or when their
// definitions are equal and the questioner confirms. Each pair becomes a
// RenameModel or RenameField, applied at once to d.from, so every later
// phase compares the renamed state with the models and sees nothing more
// for them than what really changed.

// renameModels pairs removed and added models of one app.
func (d *detector) renameModels() error {
	var removed, added []*state.Model
	for _, m := range sortedModels(d.from) {
		if d.to.Models[m.Key()] == nil {
			removed = append(removed, m)
		}
	}
	for _, m := range sortedModels(d.to) {
		if d.from.Models[m.Key()] == nil {
			added = append(added, m)
		}
	}
	used := map[string]bool{}
	for _, nm := range hintedFirst(added, func(m *state.Model) bool { return m.Was != "" }) {
		om, err := d.renamedModel(nm, removed, used)
		if err != nil {
			return err
		}
		if om == nil {
			continue
		}
		used[om.Key()] = true
		op := operations.RenameModel{OldName: om.Name, NewName: nm.Name}
		renamed := d.from.CloneShallow()
		if err := op.StateForwards(nm.App, renamed); err != nil {
			return fmt.Errorf("autodetect: renaming %s to %s: %w", om.Label(), nm.Name, err)
		}
		d.from = renamed
		s := d.add(nm.App, op)
		s.provide(token{kind: modelCreated, model: nm.Key()}, token{kind: modelDeleted, model: om.Key()})
		if table := renamed.Models[nm.Key()].Table; table != om.Table {
			s.provide(token{kind: tableFreed, name: om.Table})
			s.need(token{kind: tableFreed, name: table})
		}
	}
	return nil
}

// renamedModel returns the removed model nm replaces, or nil: the one its
// Meta.Was hint names when that model is still unpaired, else the first
// one of its app with the same fields that the questioner confirms.
func (d *detector) renamedModel(nm *state.Model, removed []*state.Model, used map[string]bool) (*state.Model, error) {
	if nm.Was != "" {
		if om := d.from.Model(nm.App, nm.Was); om != nil && d.to.Models[om.Key()] == nil && !used[om.Key()] {
			return om, nil
		}
	}
	for _, om := range removed {
		if om.App != nm.App || used[om.Key()] || om.Unmanaged != nm.Unmanaged || !d.sameModelFields(om, nm) {
			continue
		}
		yes, err := d.askRenameModel(nm.App, om.Name, nm.Name)
		if err != nil {
			return nil, err
		}
		if yes {
			return om, nil
		}
	}
	return nil, nil
}

// sameModelFields reports whether om, once renamed to nm's name (so its
// relations to itself follow), has the fields of nm with equal definitions.
func (d *detector) sameModelFields(om, nm *state.Model) bool {
	if len(om.Fields) != len(nm.Fields) {
		return false
	}
	scratch := d.from.CloneShallow()
	if err := (operations.RenameModel{OldName: om.Name, NewName: nm.Name}).StateForwards(nm.App, scratch); err != nil {
		return false
	}
	rm := scratch.Models[nm.Key()]
	for _, f := range nm.Fields {
		of := rm.Field(f.Name)
		if of == nil || !sameField(rm.App, of, nm.App, f) {
			return false
		}
	}
	return true
}

// renameFields pairs removed and added fields of each model both states
// have (after the model renames).
func (d *detector) renameFields() error {
	for _, nm := range sortedModels(d.to) {
		if d.from.Models[nm.Key()] == nil {
			continue
		}
		var removed []*state.Field
		for _, f := range d.from.Models[nm.Key()].Fields {
			if nm.Field(f.Name) == nil {
				removed = append(removed, f)
			}
		}
		used := map[string]bool{}
		for _, f := range hintedFirst(nm.Fields, func(f *state.Field) bool { return f.Was != "" }) {
			om := d.from.Models[nm.Key()]
			if om.Field(f.Name) != nil {
				continue
			}
			of, pin, err := d.renamedField(om, nm, f, removed, used)
			if err != nil {
				return err
			}
			if of == nil {
				continue
			}
			used[of.Name] = true
			if err := d.renameField(om, nm, of, f, pin); err != nil {
				return err
			}
		}
	}
	return nil
}

// renamedField returns the removed field of om that f of nm replaces, or
// nil: the one its was= hint names (by name or column) while still
// unpaired and gone from nm, else the first one with an equal definition
// that the questioner confirms. pin is true when the new field keeps the
// old column under its new name (column=), so the column must be pinned
// before the rename.
func (d *detector) renamedField(om, nm *state.Model, f *state.Field, removed []*state.Field, used map[string]bool) (of *state.Field, pin bool, err error) {
	if of := hintedField(om, f.Was); of != nil && !used[of.Name] && nm.Field(of.Name) == nil && !replaced(om.App, of, nm.App, f) {
		return of, keepsColumn(of, f), nil
	}
	for _, of := range removed {
		if used[of.Name] {
			continue
		}
		same, pin := renameCandidate(om.App, of, nm.App, f)
		if !same {
			continue
		}
		yes, err := d.askRename(nm.Name, of.Name, f.Name, f.Kind)
		if err != nil {
			return nil, false, err
		}
		if yes {
			return of, pin, nil
		}
	}
	return nil, false, nil
}

// hintedField returns the field of om a was= hint names, by its name or,
// failing that, by its column; nil without a hint or when nothing matches.
func hintedField(om *state.Model, was string) *state.Field {
	if was == "" {
		return nil
	}
	if of := om.Field(was); of != nil {
		return of
	}
	return om.FieldByColumn(was)
}

// renameCandidate reports whether of, renamed to f's name, has f's
// definition: exactly, or with f's column= holding the old column (Django's
// db_column case; pin is then true).
func renameCandidate(oldApp string, of *state.Field, newApp string, f *state.Field) (same, pin bool) {
	r := of.Clone()
	r.Name = f.Name
	if sameField(oldApp, r, newApp, f) {
		return true, false
	}
	if !keepsColumn(of, f) {
		return false, false
	}
	r.Column = of.ColumnName()
	return sameField(oldApp, r, newApp, f), true
}

// keepsColumn reports whether f stores its values in of's column although
// the rename alone would move them (of's column follows its name).
func keepsColumn(of, f *state.Field) bool {
	if !of.HasColumn() || !f.HasColumn() || f.ColumnName() != of.ColumnName() {
		return false
	}
	r := of.Clone()
	r.Name = f.Name
	return r.ColumnName() != of.ColumnName()
}

// renameField emits the RenameField of of into f on model nm (with, when
// pin is set, an AlterField before it that fixes the column to the one the
// new field keeps, as Django does) and applies them to d.from.
func (d *detector) renameField(om, nm *state.Model, of, f *state.Field, pin bool) error {
	var ops []operations.Operation
	if pin {
		pinned := f.WithoutHints()
		pinned.Name = of.Name
		ops = append(ops, operations.AlterField{Model: nm.Name, Name: of.Name, Field: pinned})
	}
	ops = append(ops, operations.RenameField{Model: nm.Name, OldName: of.Name, NewName: f.Name})
	renamed := d.from.CloneShallow()
	if err := operations.Apply(nm.App, ops, renamed); err != nil {
		return fmt.Errorf("autodetect: renaming %s.%s to %s: %w", om.Label(), of.Name, f.Name, err)
	}
	d.from = renamed
	key := nm.Key()
	oldCol, newCol := of.ColumnName(), renamed.Models[key].Field(f.Name).ColumnName()
	for _, op := range ops {
		s := d.add(nm.App, op)
		if _, ok := op.(operations.AlterField); ok {
			continue
		}
		s.provide(token{kind: fieldAdded, model: key, name: f.Name}, token{kind: fieldRemoved, model: key, name: of.Name})
		if oldCol != newCol {
			if oldCol != "" {
				s.provide(token{kind: columnFreed, model: key, name: oldCol})
			}
			if newCol != "" {
				s.need(token{kind: columnFreed, model: key, name: newCol})
			}
		}
	}
	return nil
}

// askRenameModel asks whether oldName of app became newName; a questioner
// without rename questions answers no.
func (d *detector) askRenameModel(app, oldName, newName string) (bool, error) {
	rq, ok := d.q.(RenameQuestioner)
	if !ok {
		return false, nil
	}
	yes, err := rq.AskRenameModel(app, oldName, newName)
	if err != nil {
		return false, fmt.Errorf("autodetect: asking whether %s.%s was renamed to %s: %w", app, oldName, newName, err)
	}
	return yes, nil
}

// askRename asks whether field oldName of model became newName.
func (d *detector) askRename(model, oldName, newName string, kind state.Kind) (bool, error) {
	rq, ok := d.q.(RenameQuestioner)
	if !ok {
		return false, nil
	}
	yes, err := rq.AskRename(model, oldName, newName, kind)
	if err != nil {
		return false, fmt.Errorf("autodetect: asking whether %s.%s was renamed to %s: %w", model, oldName, newName, err)
	}
	return yes, nil
}

// hintedFirst returns list with the items carrying a hint first, each group
// in its order, so a hint claims its old name before any question can.
func hintedFirst[T any](list []T, hinted func(T) bool) []T {
	out := make([]T, 0, len(list))
	for _, x := range list {
		if hinted(x) {
			out = append(out, x)
		}
	}
	for _, x := range list {
		if !hinted(x) {
			out = append(out, x)
		}
	}
	return out
}
