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
