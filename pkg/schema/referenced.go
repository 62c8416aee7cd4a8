package schema

import "github.com/pmanager/pmanager/pkg/state"

// MayBeReferenced reports whether a relation column of p can reference the
// field called name of model m: only a primary key, or a field that some
// relation names with to_field, can be (join tables reference primary
// keys only). Editors ask it before they walk every table for the columns
// that reference a field they alter: on a large project most altered
// fields are neither, and the answer costs no allocation.
func MayBeReferenced(p *state.Project, m *state.Model, name string) bool {
	if pk := m.PrimaryKey(); pk != nil && pk.Name == name {
		return true
	}
	if cur := p.Models[m.Key()]; cur != nil {
		if pk := cur.PrimaryKey(); pk != nil && pk.Name == name {
			return true
		}
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
