package checks

import (
	"fmt"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// PendingOp is one operation of a migration that makemigrations is about to
// write, with what a message calls it.
type PendingOp struct {
	// Migration is the migration's label, app.name.
	Migration string
	// App is the app the operation belongs to.
	App string
	// Number is the operation's place in its migration, from 1.
	Number int
	// Op is the operation.
	Op operations.Operation
}

// Operations checks the operations of new migrations in the order migrate will
// run them, from the state the existing migrations build: after each one,
// no name may be held by two objects where a target database keeps one
// namespace (pm.E029), and no relation may name with to_field a column the
// operation took away (pm.E030). The model checks see only the end state;
// these see every state in between, where an object is created before the
// one of the same name is dropped, or a column goes before the relations
// that name it have moved, and migrate would fail half-way.
func Operations(from *state.Project, steps []PendingOp, opts Options) (*Report, error) {
	dialects := groupTargets(opts.Targets)
	p := from.CloneShallow()
	seen := clashSet(p, dialects)
	var issues []Issue
	for _, s := range steps {
		before := p.CloneShallow()
		if err := s.Op.StateForwards(s.App, p); err != nil {
			return nil, fmt.Errorf("checks: %s: operation %d (%s): %w", s.Migration, s.Number, s.Op.Describe(), err)
		}
		where := fmt.Sprintf("%s, operation %d (%s)", s.Migration, s.Number, s.Op.Describe())
		now := namespaceClashes(planObjects(p), dialects)
		for _, c := range now {
			if seen[c.key] {
				continue
			}
			issues = append(issues, issue("pm.E029", where,
				fmt.Sprintf("creates %s %s while the %s of %s still holds that name; %s keeps both in one namespace",
					c.object.kind, c.object.name, c.prev.kind, c.prev.owner, c.on),
				"give one of them another name (name= on a Meta index or constraint), or make the change in two migrations"))
		}
		seen = map[string]bool{}
		for _, c := range now {
			seen[c.key] = true
		}
		issues = append(issues, lostToFields(before, p, where)...)
	}
	return finish(issues, opts.Silence), nil
}

// clashSet lists the clashes p already has, which the model checks report;
// Plan reports only those an operation brings.
func clashSet(p *state.Project, dialects []dialectTargets) map[string]bool {
	out := map[string]bool{}
	for _, c := range namespaceClashes(planObjects(p), dialects) {
		out[c.key] = true
	}
	return out
}

// planObjects lists the named objects of every managed table of p, join
// tables included, owners named by state labels.
func planObjects(p *state.Project) []dbObject {
	r := &run{p: p, src: readSources(nil)}
	for _, m := range p.Sorted() {
		if !m.Unmanaged {
			r.models = append(r.models, m)
		}
	}
	return r.allObjects()
}

// lostToFields reports the relations of after that name with to_field a
// field their target had in before and has no more.
func lostToFields(before, after *state.Project, where string) []Issue {
	var out []Issue
	for _, m := range after.Sorted() {
		for _, f := range m.Fields {
			if f.Relation == nil || f.Relation.ToField == "" {
				continue
			}
			target := after.Resolve(m.App, f.Relation.To)
			old := before.Resolve(m.App, f.Relation.To)
			if target == nil || old == nil || target.Field(f.Relation.ToField) != nil || old.Field(f.Relation.ToField) == nil {
				continue
			}
			out = append(out, issue("pm.E030", where,
				fmt.Sprintf("removes %s.%s while %s.%s still references it with to_field", target.Label(), f.Relation.ToField, m.Label(), f.Name),
				"point the relation at its new target in an earlier migration, then remove the field"))
		}
	}
	return out
}
