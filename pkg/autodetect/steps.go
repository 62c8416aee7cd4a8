package autodetect

import (
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// The builders below add one operation each to the detector, with the
// tokens it provides and needs (see order.go): what it must wait for and
// what others may wait for.

// createModelOp builds the CreateModel of m without the fields in cut and
// without the indexes, constraints and groups that use them (check
// constraints go too, as their SQL may use any column).
func createModelOp(m *state.Model, cut map[string]bool) operations.CreateModel {
	c := m.WithoutHints()
	op := operations.CreateModel{Name: c.Name, Table: c.Table, Unmanaged: c.Unmanaged, Options: c.Options}
	for _, f := range c.Fields {
		if !cut[f.Name] {
			op.Fields = append(op.Fields, f)
		}
	}
	for _, idx := range c.Indexes {
		if !mentions(idx.Fields, cut) {
			op.Indexes = append(op.Indexes, idx)
		}
	}
	for _, con := range c.Constraints {
		if !(len(cut) > 0 && con.Kind == state.CheckConstraint) && !mentions(con.Fields, cut) {
			op.Constraints = append(op.Constraints, con)
		}
	}
	for _, g := range c.UniqueTogether {
		if !mentions(g, cut) {
			op.UniqueTogether = append(op.UniqueTogether, g)
		}
	}
	return op
}

func (d *detector) createModel(m *state.Model, cut map[string]bool) {
	op := createModelOp(m, cut)
	s := d.add(m.App, op)
	s.provide(token{kind: modelCreated, model: m.Key()})
	s.need(token{kind: tableFreed, name: m.Table})
	for _, f := range op.Fields {
		s.provide(token{kind: fieldAdded, model: m.Key(), name: f.Name})
		d.relationNeeds(s, m, f)
	}
	for _, idx := range op.Indexes {
		s.need(token{kind: indexRemoved, name: idx.Name})
	}
	for _, c := range op.Constraints {
		s.need(token{kind: constraintRemoved, name: c.Name})
	}
}

// relationNeeds makes s wait for the models f points at (and the target
// field of a to_field) and records their apps.
func (d *detector) relationNeeds(s *step, m *state.Model, f *state.Field) {
	for _, t := range targets(d.to, m, f) {
		if t.Key() != m.Key() {
			s.need(token{kind: modelCreated, model: t.Key()})
		}
		s.ref(t.App)
	}
	if f.Relation != nil && f.Relation.ToField != "" {
		if t := d.to.Resolve(m.App, f.Relation.To); t != nil {
			s.need(token{kind: fieldAdded, model: t.Key(), name: f.Relation.ToField},
				token{kind: fieldAltered, model: t.Key(), name: f.Relation.ToField})
		}
	}
	// A relation to a kept model whose key is added or becomes the key in
	// this change waits for it: in between the model has no key to point at.
	if f.Relation != nil && f.Relation.ToField == "" {
		if t := d.to.Resolve(m.App, f.Relation.To); t != nil && d.from.Models[t.Key()] != nil {
			if pk := t.PrimaryKey(); pk != nil {
				s.need(token{kind: fieldAdded, model: t.Key(), name: pk.Name},
					token{kind: fieldAltered, model: t.Key(), name: pk.Name})
			}
		}
	}
	// A many-to-many's join table points at its own model's key too: it
	// waits for that key as for the target's.
	if f.Kind == state.ManyToMany && f.Relation != nil && f.Relation.Through == "" && d.from.Models[m.Key()] != nil {
		if pk := m.PrimaryKey(); pk != nil {
			s.need(token{kind: fieldAdded, model: m.Key(), name: pk.Name},
				token{kind: fieldAltered, model: m.Key(), name: pk.Name})
		}
	}
}

// fieldUses makes s wait until every field in names exists in its new form.
func fieldUses(s *step, key string, names []string) {
	for _, n := range fieldNames(names) {
		s.need(token{kind: fieldAdded, model: key, name: n}, token{kind: fieldAltered, model: key, name: n})
	}
}

func (d *detector) deleteModel(m *state.Model) {
	s := d.add(m.App, operations.DeleteModel{Name: m.Name})
	key := m.Key()
	s.provide(token{kind: modelDeleted, model: key}, token{kind: tableFreed, name: m.Table})
	// The indexes and constraints detach removed before are not dropped here.
	cut := map[string]bool{}
	for _, f := range m.Fields {
		if d.removedEarly[fieldRef{key, f.Name}] {
			cut[f.Name] = true
		}
	}
	for _, idx := range m.Indexes {
		if !mentions(idx.Fields, cut) {
			s.provide(token{kind: indexRemoved, name: idx.Name})
		}
	}
	for _, c := range m.Constraints {
		if !(len(cut) > 0 && c.Kind == state.CheckConstraint) && !mentions(c.Fields, cut) {
			s.provide(token{kind: constraintRemoved, name: c.Name})
		}
	}
	for _, r := range d.fromReferrers(key) {
		if t, ok := d.referrerChange(r); ok && r.model != key {
			s.need(t)
		}
	}
	for _, f := range m.Fields {
		if f.Relation != nil {
			s.need(token{kind: fieldRemoved, model: key, name: f.Name})
		}
	}
}

// removeField removes field f of m (as in from); name is the model name to
// write in the operation.
func (d *detector) removeField(m *state.Model, name string, f *state.Field) {
	s := d.add(m.App, operations.RemoveField{Model: name, Name: f.Name})
	key := m.Key()
	s.provide(token{kind: fieldRemoved, model: key, name: f.Name})
	if f.HasColumn() {
		s.provide(token{kind: columnFreed, model: key, name: f.ColumnName()})
	}
	if f.PrimaryKey {
		s.provide(token{kind: primaryKeyFreed, model: key})
	}
	one := map[string]bool{f.Name: true}
	for _, idx := range m.Indexes {
		if mentions(idx.Fields, one) {
			s.need(token{kind: indexRemoved, name: idx.Name})
		}
	}
	for _, c := range m.Constraints {
		if c.Kind == state.CheckConstraint || mentions(c.Fields, one) {
			s.need(token{kind: constraintRemoved, name: c.Name})
		}
	}
	for _, g := range m.UniqueTogether {
		if mentions(g, one) {
			s.need(token{kind: togetherAltered, model: key})
		}
	}
	for _, r := range d.toFieldReferrers(key, f.Name) {
		if t, ok := d.referrerChange(r); ok {
			s.need(t)
		}
	}
}

// referrerChange returns the token of the step that changes relation field
// r of the from state in this run: its removal, its model's deletion, or
// its alteration; false when it stays as it is.
func (d *detector) referrerChange(r fieldRef) (token, bool) {
	if d.removedEarly[r] {
		return token{kind: fieldRemoved, model: r.model, name: r.field}, true
	}
	nm := d.to.Models[r.model]
	if nm == nil {
		return token{kind: modelDeleted, model: r.model}, true
	}
	om := d.from.Models[r.model]
	of, nf := om.Field(r.field), nm.Field(r.field)
	switch {
	case nf == nil || replaced(om.App, of, nm.App, nf):
		return token{kind: fieldRemoved, model: r.model, name: r.field}, true
	case !sameField(om.App, of, nm.App, nf):
		return token{kind: fieldAltered, model: r.model, name: r.field}, true
	}
	return token{}, false
}

// toFieldReferrers returns the relation fields of from whose to_field is
// field of model key: they lean on its unique constraint.
func (d *detector) toFieldReferrers(key, field string) []fieldRef {
	var out []fieldRef
	for _, r := range d.fromReferrers(key) {
		rm := d.from.Models[r.model]
		rf := rm.Field(r.field)
		if rf.Relation.ToField != field || (r.model == key && r.field == field) {
			continue
		}
		if t := d.from.Resolve(rm.App, rf.Relation.To); t != nil && t.Key() == key {
			out = append(out, r)
		}
	}
	return out
}

// addField adds field f to m (as in to) with an optional one-off fill.
func (d *detector) addField(m *state.Model, f *state.Field, fill *string) {
	s := d.add(m.App, operations.AddField{Model: m.Name, Field: f.WithoutHints(), Fill: fill})
	key := m.Key()
	s.provide(token{kind: fieldAdded, model: key, name: f.Name})
	s.need(token{kind: modelCreated, model: key}, token{kind: fieldRemoved, model: key, name: f.Name})
	if f.HasColumn() {
		s.need(token{kind: columnFreed, model: key, name: f.ColumnName()})
	}
	if f.PrimaryKey {
		s.need(token{kind: primaryKeyFreed, model: key})
	}
	d.relationNeeds(s, m, f)
}

func (d *detector) alterField(p pair, old, f *state.Field, fill *string) {
	s := d.add(p.new.App, operations.AlterField{Model: p.new.Name, Name: f.Name, Field: f.WithoutHints(), Fill: fill})
	key := p.new.Key()
	s.provide(token{kind: fieldAltered, model: key, name: f.Name})
	switch {
	case old.PrimaryKey && !f.PrimaryKey:
		s.provide(token{kind: primaryKeyFreed, model: key})
	case !old.PrimaryKey && f.PrimaryKey:
		s.need(token{kind: primaryKeyFreed, model: key})
	}
	if oldCol, newCol := old.ColumnName(), f.ColumnName(); oldCol != newCol {
		if oldCol != "" {
			s.provide(token{kind: columnFreed, model: key, name: oldCol})
		}
		if newCol != "" {
			s.need(token{kind: columnFreed, model: key, name: newCol})
		}
	}
	// A field others point at with to_field keeps its unique constraint
	// until the referrers that go have gone.
	for _, r := range d.toFieldReferrers(p.old.Key(), old.Name) {
		if t, ok := d.referrerChange(r); ok && t.kind != fieldAltered {
			s.need(t)
		}
	}
	d.relationNeeds(s, p.new, f)
}

func (d *detector) removeIndex(m *state.Model, name string, idx state.Index) {
	s := d.add(m.App, operations.RemoveIndex{Model: name, Name: idx.Name})
	s.provide(token{kind: indexRemoved, name: idx.Name})
}

func (d *detector) addIndex(m *state.Model, idx state.Index) {
	idx.Fields = append([]string(nil), idx.Fields...)
	s := d.add(m.App, operations.AddIndex{Model: m.Name, Index: idx})
	s.need(token{kind: indexRemoved, name: idx.Name})
	fieldUses(s, m.Key(), idx.Fields)
}

func (d *detector) removeConstraint(m *state.Model, name string, c state.Constraint) {
	s := d.add(m.App, operations.RemoveConstraint{Model: name, Name: c.Name})
	s.provide(token{kind: constraintRemoved, name: c.Name})
}

func (d *detector) addConstraint(m *state.Model, c state.Constraint) {
	c.Fields = append([]string(nil), c.Fields...)
	s := d.add(m.App, operations.AddConstraint{Model: m.Name, Constraint: c})
	s.need(token{kind: constraintRemoved, name: c.Name})
	if c.Kind == state.CheckConstraint {
		// The check's SQL may use any column: wait for every new field.
		for _, f := range m.Fields {
			fieldUses(s, m.Key(), []string{f.Name})
		}
		return
	}
	fieldUses(s, m.Key(), c.Fields)
}

// alterTogether sets m's unique_together to groups; m is the model whose
// fields the groups name (the new model, or a deleted one being detached).
func (d *detector) alterTogether(m *state.Model, name string, groups [][]string) {
	var copied [][]string
	for _, g := range groups {
		copied = append(copied, append([]string(nil), g...))
	}
	s := d.add(m.App, operations.AlterUniqueTogether{Name: name, UniqueTogether: copied})
	s.provide(token{kind: togetherAltered, model: m.Key()})
	for _, g := range groups {
		fieldUses(s, m.Key(), g)
	}
}

func (d *detector) alterTable(p pair) {
	s := d.add(p.new.App, operations.AlterModelTable{Name: p.new.Name, Table: p.new.Table})
	s.provide(token{kind: tableFreed, name: p.old.Table})
	s.need(token{kind: tableFreed, name: p.new.Table})
}

func cloneOptions(o state.Options) state.Options {
	if len(o.Ordering) == 0 {
		o.Ordering = nil
	} else {
		o.Ordering = append([]string(nil), o.Ordering...)
	}
	return o
}
