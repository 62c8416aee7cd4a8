package checks

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// checkOrdering runs pm.E031: a Meta.Ordering path across relations
// (author__name) names fields of other models, which the model reader
// cannot see while it reads one model; here every model is known. Each
// step before the last must be a foreign key or one-to-one of the model it
// is on, the last a field with a column (or pk), as Django's ordering
// check asks. A state read from migrations is checked the same way, its
// single field terms too.
func (r *run) checkOrdering() {
	for _, m := range r.p.Sorted() {
		for _, term := range m.Options.Ordering {
			if problem, hint := r.orderingProblem(m, term); problem != "" {
				r.add("pm.E031", r.src.modelObject(m)+".Meta", fmt.Sprintf("Ordering names %s, but %s", term, problem), hint)
			}
		}
	}
}

// orderingProblem walks an ordering term from m and says what is wrong
// with it and how to fix it; "" when the path holds.
func (r *run) orderingProblem(m *state.Model, term string) (problem, hint string) {
	path := state.OrderingPath(term)
	cur := m
	for i, step := range path {
		last := i == len(path)-1
		var f *state.Field
		switch {
		case step == "pk":
			f = cur.PrimaryKey()
		case last:
			f = fieldOrAttname(cur, step)
		default:
			f = cur.Field(step)
		}
		if f == nil {
			return fmt.Sprintf("%s has no field %s", r.src.modelObject(cur), step),
				fmt.Sprintf("name a field of %s by its field name (%s) or pk", r.src.modelObject(cur), fieldList(cur))
		}
		obj := r.src.fieldObject(cur, f)
		if last {
			if !f.HasColumn() {
				return fmt.Sprintf("%s is a many-to-many field, which has no column to order by", obj),
					"order by a field with a column, or follow a foreign key"
			}
			return "", ""
		}
		if f.Kind != state.ForeignKey && f.Kind != state.OneToOne || f.Relation == nil {
			return fmt.Sprintf("%s is not a foreign key or one-to-one, so __ cannot follow it", obj),
				fmt.Sprintf("end the path at %s, or follow a relation", step)
		}
		next := r.p.Resolve(cur.App, f.Relation.To)
		if next == nil {
			return "", "" // an unknown target is the reader's error, not this check's
		}
		cur = next
	}
	return "", ""
}

// fieldOrAttname finds m's field named name or, for a foreign key or
// one-to-one, by its attribute name (author_id), as Django's ordering
// accepts.
func fieldOrAttname(m *state.Model, name string) *state.Field {
	if f := m.Field(name); f != nil {
		return f
	}
	for _, f := range m.Fields {
		if (f.Kind == state.ForeignKey || f.Kind == state.OneToOne) && f.Name+"_id" == name {
			return f
		}
	}
	return nil
}

// fieldList names m's fields for a hint.
func fieldList(m *state.Model) string {
	names := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
