package autodetect

import (
	"errors"
	"fmt"
	"sort"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// Changes is what Detect found: per app, the operations of its new
// migration, and what that migration depends on in other apps.
type Changes struct {
	Ops          map[string][]operations.Operation // per app label, in the order to run
	Dependencies map[string][]string               // per app: other apps whose models its new operations need (FK targets)
	// OnNew is, per app, the part of Dependencies that must point at the
	// other app's new migration, because that app's new operations create,
	// change or release something this app's operations need (a new target
	// model; a field removed here before a model is dropped there). For the
	// other dependencies the other app's current leaf migration is enough.
	OnNew map[string][]string
}

// Empty reports whether nothing changed, so makemigrations writes nothing.
func (c *Changes) Empty() bool {
	if c == nil {
		return true
	}
	for _, ops := range c.Ops {
		if len(ops) > 0 {
			return false
		}
	}
	return true
}

// Detect returns the operations that turn the from state (rebuilt from the
// migration files) into the to state (read from the models). Models are
// matched by key and fields by name, after renames: a model or field only
// in from and one only in to are a rename when a hint of to names the old
// one (Meta.Was, was=), or when their definitions are equal and q, if it is
// a RenameQuestioner, confirms it; otherwise they are a removal and an
// addition. q is asked for a value for existing rows when a NOT NULL field
// without a default appears on an existing model; a nil q acts as
// NonInteractive. A questioner error stops detection and is returned as it
// is when it is a *FillError.
func Detect(from, to *state.Project, q Questioner) (*Changes, error) {
	if from == nil || to == nil {
		return nil, errors.New("autodetect: Detect needs both the migration state and the model state")
	}
	if q == nil {
		q = NonInteractive()
	}
	if err := checkProject("the migration state", from, false); err != nil {
		return nil, err
	}
	if err := checkProject("the models", to, true); err != nil {
		return nil, err
	}
	d := &detector{from: from, to: to, q: q, removedEarly: map[fieldRef]bool{}}
	if err := d.renameModels(); err != nil {
		return nil, err
	}
	if err := d.renameFields(); err != nil {
		return nil, err
	}
	for _, m := range sortedModels(d.from) {
		switch n := to.Models[m.Key()]; {
		case n == nil:
			d.deleted = append(d.deleted, m)
		case n != m: // one pointer in both states (a shallow copy) has not changed
			d.kept = append(d.kept, pair{old: m, new: n})
		}
	}
	for _, m := range sortedModels(to) {
		if d.from.Models[m.Key()] == nil {
			d.created = append(d.created, m)
		}
	}
	for _, p := range d.kept {
		if p.old.Unmanaged != p.new.Unmanaged {
			d.toggleManaged(p)
		}
	}
	d.deleteModels()
	d.createModels()
	if err := d.alterModels(); err != nil {
		return nil, err
	}
	return d.changes()
}

// checkProject refuses states Detect cannot reason about. The models'
// state must also be complete: every relation points at a model in it.
func checkProject(what string, p *state.Project, complete bool) error {
	keys := make([]string, 0, len(p.Models))
	for k := range p.Models {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first problem in key order, the same every run
	for _, key := range keys {
		m := p.Models[key]
		if m == nil {
			return fmt.Errorf("autodetect: %s: no model under key %q", what, key)
		}
		if key != m.Key() {
			return fmt.Errorf("autodetect: %s: model %s is filed under key %q", what, m.Label(), key)
		}
		seen := map[string]bool{}
		for i, f := range m.Fields {
			if f == nil {
				return fmt.Errorf("autodetect: %s: field %d of %s is missing", what, i+1, m.Label())
			}
			if seen[f.Name] {
				return fmt.Errorf("autodetect: %s: %s has two fields named %q", what, m.Label(), f.Name)
			}
			seen[f.Name] = true
			if !complete || !f.Kind.IsRelation() {
				continue
			}
			if f.Relation == nil || f.Relation.To == "" {
				return fmt.Errorf("autodetect: %s: %s.%s is a %s field without a target model", what, m.Label(), f.Name, f.Kind)
			}
			if p.Resolve(m.App, f.Relation.To) == nil {
				return fmt.Errorf("autodetect: %s: %s.%s points at %s, which is not a model", what, m.Label(), f.Name, f.Relation.To)
			}
			if t := f.Relation.Through; t != "" && p.Resolve(m.App, t) == nil {
				return fmt.Errorf("autodetect: %s: %s.%s goes through %s, which is not a model", what, m.Label(), f.Name, t)
			}
		}
	}
	return nil
}

// sortedModels returns p's models ordered by key (checkProject made sure
// each is filed under its own key).
func sortedModels(p *state.Project) []*state.Model {
	keys := make([]string, 0, len(p.Models))
	for k := range p.Models {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*state.Model, len(keys))
	for i, k := range keys {
		out[i] = p.Models[k]
	}
	return out
}

// detector holds one comparison while it generates steps.
type detector struct {
	from, to *state.Project
	q        Questioner
	deleted  []*state.Model // in from only, by key
	created  []*state.Model // in to only, by key
	kept     []pair         // in both (and not one pointer), by key
	steps    []*step
	// removedEarly marks fields of kept models whose RemoveField was
	// generated with the deleted models they pointed at.
	removedEarly map[fieldRef]bool
	// referrers maps a model key to the fields of from pointing at it
	// (as target or through model); built on first use.
	referrers map[string][]fieldRef
}

// pair is one model in both states.
type pair struct{ old, new *state.Model }

// fieldRef names one field of one model by keys.
type fieldRef struct{ model, field string }

func (d *detector) add(app string, op operations.Operation) *step {
	s := &step{app: app, op: op}
	d.steps = append(d.steps, s)
	return s
}

// targets returns the models field f of m points at in p: its target and
// its through model, when they resolve.
func targets(p *state.Project, m *state.Model, f *state.Field) []*state.Model {
	if f.Relation == nil {
		return nil
	}
	var out []*state.Model
	for _, label := range []string{f.Relation.To, f.Relation.Through} {
		if label == "" {
			continue
		}
		if t := p.Resolve(m.App, label); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// fromReferrers returns the fields of the from state pointing at model key.
func (d *detector) fromReferrers(key string) []fieldRef {
	if d.referrers == nil {
		d.referrers = map[string][]fieldRef{}
		for _, m := range sortedModels(d.from) {
			for _, f := range m.Fields {
				for _, t := range targets(d.from, m, f) {
					d.referrers[t.Key()] = append(d.referrers[t.Key()], fieldRef{m.Key(), f.Name})
				}
			}
		}
	}
	return d.referrers[key]
}

// relationEdges lists the relation fields of models pointing at other
// models of the same set, for planOrder.
func relationEdges(p *state.Project, models []*state.Model, set map[string]bool) []edge {
	var out []edge
	for _, m := range models {
		for _, f := range m.Fields {
			for _, t := range targets(p, m, f) {
				if set[t.Key()] && t.Key() != m.Key() {
					out = append(out, edge{from: m.Key(), to: t.Key(), field: f.Name, m2m: f.Kind == state.ManyToMany})
				}
			}
		}
	}
	return out
}

// byApp groups models (sorted by key) by app, apps in order.
func byApp(models []*state.Model) (apps []string, groups map[string][]*state.Model) {
	groups = map[string][]*state.Model{}
	for _, m := range models {
		if _, ok := groups[m.App]; !ok {
			apps = append(apps, m.App)
		}
		groups[m.App] = append(groups[m.App], m)
	}
	sort.Strings(apps)
	return apps, groups
}

// deleteModels generates phase 1: the relation fields of surviving models
// that point at deleted models are removed, cycles between deleted models
// are cut, then the models are deleted, referrers before their targets.
func (d *detector) deleteModels() {
	if len(d.deleted) == 0 {
		return
	}
	gone := map[string]bool{}
	for _, m := range d.deleted {
		gone[m.Key()] = true
	}
	// Plan first, so every field removed in this phase is known before
	// any step records what it waits for.
	type pairField struct {
		p pair
		f *state.Field
	}
	var surviving []pairField
	for _, p := range d.kept {
		for _, f := range p.old.Fields {
			pointsAtGone := false
			for _, t := range targets(d.from, p.old, f) {
				pointsAtGone = pointsAtGone || gone[t.Key()]
			}
			if pointsAtGone && d.goes(p, f) {
				surviving = append(surviving, pairField{p, f})
				d.removedEarly[fieldRef{p.old.Key(), f.Name}] = true
			}
		}
	}
	type plan struct {
		byKey map[string]*state.Model
		order []string
		cut   orderedCut
	}
	apps, groups := byApp(d.deleted)
	plans := make([]plan, len(apps))
	for i, app := range apps {
		models := groups[app]
		pl := plan{byKey: map[string]*state.Model{}}
		keys := make([]string, len(models))
		for j, m := range models {
			pl.byKey[m.Key()], keys[j] = m, m.Key()
		}
		var cutEdges []edge
		pl.order, cutEdges = planOrder(keys, relationEdges(d.from, models, gone), false)
		pl.cut = cutFields(cutEdges)
		for _, key := range pl.cut.keys {
			for name := range pl.cut.fields[key] {
				d.removedEarly[fieldRef{key, name}] = true
			}
		}
		plans[i] = pl
	}
	for _, pf := range surviving {
		d.removeField(pf.p.old, pf.p.new.Name, pf.f)
	}
	for _, pl := range plans {
		for _, key := range pl.cut.keys {
			m, fields := pl.byKey[key], pl.cut.fields[key]
			d.detach(m, fields)
			for _, f := range m.Fields {
				if fields[f.Name] {
					d.removeField(m, m.Name, f)
				}
			}
		}
	}
	for _, pl := range plans {
		for _, key := range pl.order {
			d.deleteModel(pl.byKey[key])
		}
	}
}

// goes reports whether a field of a kept model is removed (absent from the
// new model, or replaced by a field AlterField cannot reach).
func (d *detector) goes(p pair, f *state.Field) bool {
	nf := p.new.Field(f.Name)
	return nf == nil || replaced(p.old.App, f, p.new.App, nf)
}

// cutFields groups cut edges by model into sets of field names.
func cutFields(cut []edge) orderedCut {
	out := orderedCut{}
	for _, e := range cut {
		if out.fields[e.from] == nil {
			if out.fields == nil {
				out.fields = map[string]map[string]bool{}
			}
			out.fields[e.from] = map[string]bool{}
			out.keys = append(out.keys, e.from)
		}
		out.fields[e.from][e.field] = true
	}
	return out
}

// orderedCut is the cut fields per model, models in the order cut.
type orderedCut struct {
	keys   []string
	fields map[string]map[string]bool
}

// detach removes what a deleted model's index, constraints and
// unique_together hold on fields about to be removed from it.
func (d *detector) detach(m *state.Model, fields map[string]bool) {
	for _, idx := range m.Indexes {
		if mentions(idx.Fields, fields) {
			d.removeIndex(m, m.Name, idx)
		}
	}
	for _, c := range m.Constraints {
		if c.Kind == state.CheckConstraint || mentions(c.Fields, fields) {
			d.removeConstraint(m, m.Name, c)
		}
	}
	var keep [][]string
	for _, g := range m.UniqueTogether {
		if !mentions(g, fields) {
			keep = append(keep, g)
		}
	}
	if len(keep) != len(m.UniqueTogether) {
		d.alterTogether(m, m.Name, keep)
	}
}

// createModels generates phase 2: new models, targets first; relation
// fields that would close a cycle are added after the models exist, with
// the indexes, constraints and unique_together groups that use them.
func (d *detector) createModels() {
	if len(d.created) == 0 {
		return
	}
	isNew := map[string]bool{}
	for _, m := range d.created {
		isNew[m.Key()] = true
	}
	apps, groups := byApp(d.created)
	for _, app := range apps {
		models := groups[app]
		byKey, keys := map[string]*state.Model{}, make([]string, len(models))
		for i, m := range models {
			byKey[m.Key()], keys[i] = m, m.Key()
		}
		order, cutEdges := planOrder(keys, relationEdges(d.to, models, isNew), true)
		cut := cutFields(cutEdges)
		for _, key := range order {
			d.createModel(byKey[key], cut.fields[key])
		}
		for _, key := range cut.keys {
			m, fields := byKey[key], cut.fields[key]
			for _, f := range m.Fields {
				if fields[f.Name] {
					d.addField(m, f, nil)
				}
			}
			for _, idx := range m.Indexes {
				if mentions(idx.Fields, fields) {
					d.addIndex(m, idx)
				}
			}
			for _, c := range m.Constraints {
				if c.Kind == state.CheckConstraint || mentions(c.Fields, fields) {
					d.addConstraint(m, c)
				}
			}
			for _, g := range m.UniqueTogether {
				if mentions(g, fields) {
					d.alterTogether(m, m.Name, m.UniqueTogether)
					break
				}
			}
		}
	}
}

// alterModels generates phase 3, the changes inside the models both
// states share, category by category across models as Django does.
func (d *detector) alterModels() error {
	for _, p := range d.kept {
		for _, idx := range p.old.Indexes {
			if ni := p.new.Index(idx.Name); ni == nil || !sameIndex(idx, *ni) {
				d.removeIndex(p.old, p.new.Name, idx)
			}
		}
	}
	for _, p := range d.kept {
		for _, c := range p.old.Constraints {
			if nc := p.new.Constraint(c.Name); nc == nil || !sameConstraint(c, *nc) {
				d.removeConstraint(p.old, p.new.Name, c)
			}
		}
	}
	for _, p := range d.kept {
		for _, f := range p.old.Fields {
			if d.goes(p, f) && !d.removedEarly[fieldRef{p.old.Key(), f.Name}] {
				d.removeField(p.old, p.new.Name, f)
			}
		}
	}
	for _, p := range d.kept {
		for _, f := range p.new.Fields {
			of := p.old.Field(f.Name)
			if of != nil && !replaced(p.old.App, of, p.new.App, f) {
				continue
			}
			fill, err := d.askAdd(p.new, f)
			if err != nil {
				return err
			}
			d.addField(p.new, f, fill)
		}
	}
	for _, p := range d.kept {
		for _, f := range p.new.Fields {
			of := p.old.Field(f.Name)
			if of == nil || replaced(p.old.App, of, p.new.App, f) || sameField(p.old.App, of, p.new.App, f) {
				continue
			}
			fill, err := d.askAlter(p.new, of, f)
			if err != nil {
				return err
			}
			d.alterField(p, of, f, fill)
		}
	}
	for _, p := range d.kept {
		if !sameGroups(p.old.UniqueTogether, p.new.UniqueTogether) {
			d.alterTogether(p.new, p.new.Name, p.new.UniqueTogether)
		}
	}
	for _, p := range d.kept {
		for _, idx := range p.new.Indexes {
			if oi := p.old.Index(idx.Name); oi == nil || !sameIndex(*oi, idx) {
				d.addIndex(p.new, idx)
			}
		}
	}
	for _, p := range d.kept {
		for _, c := range p.new.Constraints {
			if oc := p.old.Constraint(c.Name); oc == nil || !sameConstraint(*oc, c) {
				d.addConstraint(p.new, c)
			}
		}
	}
	for _, p := range d.kept {
		if p.old.Table != p.new.Table {
			d.alterTable(p)
		}
	}
	for _, p := range d.kept {
		if !sameOptions(p.old.Options, p.new.Options) {
			d.add(p.new.App, operations.AlterModelOptions{Name: p.new.Name, Options: cloneOptions(p.new.Options)})
		}
	}
	return nil
}

// askAdd returns the one-off value for existing rows when a NOT NULL field
// without a default is added to an existing model. Blank text fields get
// the empty string without a question, as in Django.
func (d *detector) askAdd(m *state.Model, f *state.Field) (*string, error) {
	if !needsFill(m, f) {
		return nil, nil
	}
	if f.Blank && (f.Kind == state.Char || f.Kind == state.Text) {
		return state.Str(""), nil
	}
	return d.ask(m, f, false)
}

// askAlter returns the one-off value for existing NULLs when a field
// becomes NOT NULL without a default.
func (d *detector) askAlter(m *state.Model, old, f *state.Field) (*string, error) {
	if !old.Null || old.Kind == state.ManyToMany || !needsFill(m, f) {
		return nil, nil
	}
	return d.ask(m, f, true)
}

// needsFill reports whether existing rows would need a value for f:
// a NOT NULL column without a default (literal or db_default) the database does not generate, on
// a table pmanager manages.
func needsFill(m *state.Model, f *state.Field) bool {
	return !m.Unmanaged && !f.Null && f.Default == nil && f.DBDefault == "" && !f.Kind.IsAuto() && f.Kind != state.ManyToMany
}

func (d *detector) ask(m *state.Model, f *state.Field, alteration bool) (*string, error) {
	v, err := d.q.AskFill(m.Name, f.Name, alteration)
	if err != nil {
		var fe *FillError
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, fmt.Errorf("autodetect: asking for a value for %s.%s: %w", m.Label(), f.Name, err)
	}
	if v != nil {
		v = state.Str(*v)
	}
	return v, nil
}

// toggleManaged switches a model between managed and unmanaged. No
// operation carries that flag, so the model is swapped in the state only
// (SeparateDatabaseAndState with no database operations), as Django's
// AlterModelOptions(managed=...) leaves the table alone. It comes before
// every other change of the model, which then run with the new flag.
func (d *detector) toggleManaged(p pair) {
	m := p.old.Clone()
	m.Name, m.Unmanaged = p.new.Name, p.new.Unmanaged
	d.add(p.new.App, operations.SeparateDatabaseAndState{State: []operations.Operation{
		operations.DeleteModel{Name: p.old.Name},
		createModelOp(m, nil),
	}})
}
