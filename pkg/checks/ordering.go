package checks

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// checkOrdering runs pm.E031: a Meta.Ordering path across relations
// (author__name) names fields of other models, which the model reader
// cannot see while it reads one model; here every model is known. A state
// read from migrations is checked the same way, its single field terms
// too.
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
// with it and how to fix it; "" when the path holds. As Django's ordering
// check, each step names a field of the model the path has reached (a
// relation, foreign key, one-to-one or many-to-many, leads on to its
// target); once a step is no field, it and the steps after it must be
// lookups or transforms of the last field (created__year, author__isnull).
func (r *run) orderingProblem(m *state.Model, term string) (problem, hint string) {
	path := state.OrderingPath(term)
	cur := m                // nil once the path has left the relations
	var prev *state.Field   // the last field the path named
	var prevOn *state.Model // the model prev is a field of
	for i, step := range path {
		last := i == len(path)-1
		var f *state.Field
		switch {
		case cur == nil:
		case step == "pk":
			f = cur.PrimaryKey()
		case last:
			f = fieldOrAttname(cur, step)
		default:
			f = cur.Field(step)
		}
		if f == nil {
			if prev != nil && allTransforms(prev, path[i:]) {
				return "", ""
			}
			if cur == nil {
				return fmt.Sprintf("%s is not a relation to follow, and %s is not a lookup or transform of a %s field", r.src.fieldObject(prevOn, prev), step, prev.Kind),
					fmt.Sprintf("end the path at %s", path[i-1])
			}
			return fmt.Sprintf("%s has no field %s", r.src.modelObject(cur), step),
				fmt.Sprintf("name a field of %s by its field name (%s) or pk", r.src.modelObject(cur), fieldList(cur))
		}
		if last {
			if !f.HasColumn() {
				return fmt.Sprintf("%s is a many-to-many field, which has no column to order by", r.src.fieldObject(cur, f)),
					fmt.Sprintf("order by a field of its target across it, e.g. %s__id", strings.TrimPrefix(term, "-"))
			}
			return "", ""
		}
		prev, prevOn = f, cur
		if !f.Kind.IsRelation() || f.Relation == nil {
			cur = nil
			continue
		}
		if cur = r.p.Resolve(cur.App, f.Relation.To); cur == nil {
			return "", "" // an unknown target is the reader's error, not this check's
		}
	}
	return "", ""
}

// allTransforms reports whether every step is a lookup or transform of f.
func allTransforms(f *state.Field, steps []string) bool {
	for _, s := range steps {
		if !state.OrderingTransform(f, s) {
			return false
		}
	}
	return true
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
