package schema

import "github.com/pmanager/pmanager/pkg/state"

// MayBeReferenced reports whether a relation column of p can reference the
// field called name of model m: only a primary key, or a field that some
// relation names with to_field, can be (join tables reference primary
// keys only), and a to_field target is always unique. Editors ask it
// before they walk every table for the columns that reference a field they
// alter: on a large project most altered fields are neither, and the
// answer costs no allocation.
func MayBeReferenced(p *state.Project, m *state.Model, name string) bool {
	if pk := m.PrimaryKey(); pk != nil && pk.Name == name {
		return true
	}
	if cur := p.Models[m.Key()]; cur != nil {
		if pk := cur.PrimaryKey(); pk != nil && pk.Name == name {
			return true
		}
	}
	// A to_field target must be unique (the model reader refuses any
	// other), so a field known and not unique is referenced by nothing,
	// and the walk over every model, which made rendering a long history
	// grow as models × migrations, is not needed.
	known, unique := false, false
	for _, x := range []*state.Model{m, p.Models[m.Key()]} {
		if x == nil {
			continue
		}
		if f := x.Field(name); f != nil {
			known = true
			unique = unique || f.IsUnique()
		}
	}
	if known && !unique {
		return false
	}
	for _, rm := range p.Models {
		for _, rf := range rm.Fields {
			if rf.Relation != nil && rf.Relation.ToField == name {
				return true
			}
		}
	}
	return false
}

// WithModel is p with m in place of the model of the same key: the project
// as it was before a change to m, enough to resolve the relations that
// pointed at a field the change removes.
func WithModel(p *state.Project, m *state.Model) *state.Project {
	if p.Models[m.Key()] == m {
		return p
	}
	c := p.CloneShallow()
	c.Models[m.Key()] = m
	return c
}

// LosesReferencedKey reports whether a change of field of from into field of
// to (to or its field nil for a removal) takes away a column that relations
// reference by default: the primary key goes, or stops being the key.
// Relations pointing at it lose their constraints first and get them back,
// against the new key, when one comes (GainsReferencedKey).
func LosesReferencedKey(old, f *state.Field) bool {
	return old != nil && old.PrimaryKey && old.HasColumn() && (f == nil || !f.PrimaryKey)
}

// GainsReferencedKey reports whether a change makes field f the primary key
// where old (nil for an added field) was not: the relations that point at
// the model now reference f, and their columns follow its type.
func GainsReferencedKey(old, f *state.Field) bool {
	return f != nil && f.PrimaryKey && f.HasColumn() && (old == nil || !old.PrimaryKey)
}
