package optimizer

import (
	"iter"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// Optimize folds the operations of one migration of app into fewer that
// end in the same state, as Django's MigrationOptimizer does: a model
// created and then changed becomes one CreateModel, a field added and then
// removed disappears, two alterations of a field become the last one, a
// model renamed twice is renamed once.
//
// Which pairs fold, and into what, each operation says (operations.Reducer);
// Optimize only finds the pairs. An operation folds with a later one even
// with others in between, as long as it can move past them: they must not
// touch the same model or field (operations.Touches). Opaque operations
// (RunSQL, RunGo, SeparateDatabaseAndState) are barriers: nothing folds
// across them, since nobody can tell what they touch. ops is not modified;
// the result shares no field definitions that it changed with ops.
// Operations are values, as the migrations registry hands them on; one
// written as a pointer folds with nothing.
//
// Operations are indexed by the models they touch, so an operation is only
// compared with the later ones that share a model with it: a long squashed
// history with many models folds in near-linear time.
func Optimize(app string, ops []operations.Operation) []operations.Operation {
	p := newWorklist(app, slices.Clone(ops))
	for p.run() {
		p.compact()
	}
	return p.ops
}

// worklist holds the optimizer's list while it sweeps over it. A folded pair
// leaves its result at the position of one of the two and a hole (nil) at
// the other, so positions stay stable for a whole sweep; the holes are
// closed between sweeps.
type worklist struct {
	app string
	ops []operations.Operation
	// facts holds, per position, what the optimizer knows of the operation
	// there (the zero value for a hole).
	facts []facts
	// at lists, per model key, the ascending positions of the operations
	// that touch it. It may name positions that no longer do (holes,
	// changed results); it never misses one that does.
	at map[string][]int
	// end is, per position, the position of the first barrier after it (or
	// len(ops)): no fold reaches past it.
	end []int
	// referrers lists, per model key, the models whose relations in the
	// list Optimize was given point at it: renaming the model changes them,
	// so a rename touches them. Relations that folding retargets later need
	// no entry: the operations holding them name the model they point at.
	referrers map[string][]string
	// keys remembers model keys by name or label.
	keys keyCache
}

func newWorklist(app string, ops []operations.Operation) *worklist {
	p := &worklist{
		app:   app,
		ops:   ops,
		facts: make([]facts, len(ops)),
		keys:  keyCache{app: app, keys: map[string]string{}},
	}
	// A rename's facts need the referrers of every operation, so renames
	// wait for the end of the first pass.
	p.referrers = map[string][]string{}
	var renames []int
	var renamed []operations.Touches
	for i, op := range ops {
		t := op.Touches()
		addReferrers(p.referrers, p.keys, t)
		if t.Redirects {
			renames, renamed = append(renames, i), append(renamed, t)
			continue
		}
		p.facts[i] = factsOf(p.keys, t, nil)
	}
	for x, i := range renames {
		p.facts[i] = factsOf(p.keys, renamed[x], p.referrers)
	}
	p.index()
	return p
}

// index finds the barriers and lists the operations touching each model.
func (p *worklist) index() {
	p.end = make([]int, len(p.ops))
	next := len(p.ops)
	for i := len(p.ops) - 1; i >= 0; i-- {
		p.end[i] = next
		if p.facts[i].opaque {
			next = i
		}
	}
	p.at = make(map[string][]int, len(p.at))
	for i := range p.ops {
		f := &p.facts[i]
		for x := range f.models() {
			m := f.modelAt(x)
			p.at[m] = append(p.at[m], i)
		}
	}
}

// compact closes the holes the last sweep left and indexes the list again.
func (p *worklist) compact() {
	n := 0
	for i, op := range p.ops {
		if op != nil {
			p.ops[n], p.facts[n] = op, p.facts[i]
			n++
		}
	}
	clear(p.ops[n:])
	clear(p.facts[n:])
	p.ops, p.facts = p.ops[:n], p.facts[:n]
	p.index()
}

// run performs every fold it finds in one sweep and reports whether it
// found any.
//
// For each operation it walks the later ones that share a model with it.
// A right fold puts the result where the later operation was, moving the
// earlier one past those in between; it needs the earlier one to be able
// to move past each of them. A left fold puts the result where the earlier
// operation was, moving the later one back; it needs each in-between
// operation to be able to move past the later one. Operations that share
// no model with an operation always move past it.
func (p *worklist) run() bool {
	changed := false
	for i := range p.ops {
		for p.ops[i] != nil && !p.facts[i].opaque && p.foldFrom(i) {
			changed = true
		}
	}
	return changed
}

// foldFrom performs the first fold of the operation at i with a later one
// and reports whether it did.
func (p *worklist) foldFrom(i int) bool {
	right := true
	reducer, _ := p.ops[i].(operations.Reducer)
	for j := range p.sharing(&p.facts[i], i, p.end[i]) {
		var folded operations.Operation
		ok := false
		if reducer != nil {
			folded, ok = reducer.Reduce(p.app, p.ops[j])
		}
		if !ok {
			if !p.swaps(i, j) {
				right = false
			}
			continue
		}
		if right {
			p.ops[i], p.facts[i] = nil, facts{}
			p.place(j, folded)
			return true
		}
		if !p.leftClear(i, j) {
			return false // this operation is stuck; try the next one
		}
		p.ops[j], p.facts[j] = nil, facts{}
		p.place(i, folded)
		return true
	}
	return false
}

// leftClear reports whether the operation at j can move back to i, past
// every operation in between. A model created at i and renamed at j moves
// back past operations whose relations point at the old name: they are
// made to point at the new one, as the rename would have made them.
func (p *worklist) leftClear(i, j int) bool {
	clear := true
	for k := range p.sharing(&p.facts[j], i, j) {
		if !p.swaps(k, j) {
			clear = false
			break
		}
	}
	if clear {
		return true
	}
	between := slices.Collect(p.sharing(&p.facts[j], i, j))
	created := p.ops[i].Naming().Creates != ""
	r, renamed := p.ops[j].(operations.RenameModel)
	if !created || !renamed {
		return false
	}
	newKey := state.ModelKey(p.app, r.NewName)
	for _, k := range between {
		if sameName(p.facts[k].model, r.OldName) || p.facts[k].touchesModel(newKey) {
			return false
		}
	}
	for _, k := range between {
		if t, ok := p.ops[k].(operations.Retargeter); ok {
			if op, ok := t.Retarget(p.app, r); ok {
				p.place(k, op)
			}
		}
	}
	return true
}

// sharing yields, in ascending order, the live positions strictly between
// lo and hi of operations that touch a model f touches. It reads the
// index lazily, so a caller that stops early pays only for what it read.
func (p *worklist) sharing(f *facts, lo, hi int) iter.Seq[int] {
	return func(yield func(int) bool) {
		lists := make([][]int, f.models())
		for x := range lists {
			m := f.modelAt(x)
			k, _ := slices.BinarySearch(p.at[m], lo+1)
			lists[x] = p.at[m][k:]
		}
		last := lo
		for {
			best := -1
			for x, l := range lists {
				for len(l) > 0 && l[0] <= last {
					l = l[1:] // already yielded through another model
				}
				lists[x] = l
				if len(l) > 0 && l[0] < hi && (best < 0 || l[0] < lists[best][0]) {
					best = x
				}
			}
			if best < 0 {
				return
			}
			last = lists[best][0]
			if p.ops[last] != nil && !yield(last) {
				return
			}
		}
	}
}

// place puts a fold's result (nil when the pair vanished) at position i
// and indexes what it touches.
func (p *worklist) place(i int, op operations.Operation) {
	p.ops[i] = op
	if op == nil {
		p.facts[i] = facts{}
		return
	}
	p.facts[i] = factsOf(p.keys, op.Touches(), p.referrers)
	f := &p.facts[i]
	for x := range f.models() {
		m := f.modelAt(x)
		list := p.at[m]
		if k, found := slices.BinarySearch(list, i); !found {
			p.at[m] = slices.Insert(list, k, i)
		}
	}
}

func (p *worklist) swaps(i, j int) bool { return commutes(&p.facts[i], &p.facts[j]) }

// facts is what the optimizer knows of one operation, worked out once
// from its Touches.
type facts struct {
	// targets lists what the operation touches.
	targets []target
	// firsts lists the positions in targets of the first mention of each
	// model, nil when all of them name one model (most operations).
	firsts []int
	// model names the model the operation works on, as it spells it.
	model string
	// appends names the list of model the operation appends to.
	appends string
	// opaque marks a barrier: nothing folds or moves across it.
	opaque bool
}

// target is something an operation touches: a whole model (field "") or
// one field of it. model is a model key (state.ModelKey).
type target struct {
	model string
	field string
}

// factsOf works out the facts of an operation from its touches t. An operation on a whole model (a
// target with no field) touches every field of it; a table-level option
// counts as the whole model unless the operation says which fields it
// stays within. A model rename touches both names and every model of
// referrers whose relations point at either, since it rewrites those
// relations. Of what op relies on, only whole models (the targets of its
// relations) count: the fields an option covers are its own model's.
func factsOf(keys keyCache, t operations.Touches, referrers map[string][]string) facts {
	f := facts{model: t.Model(), appends: t.Appends, opaque: t.Opaque}
	f.targets = make([]target, 0, len(t.Changes)+len(t.Reads))
	key, keyOf := "", ""
	for _, c := range t.Changes {
		if c.Model != keyOf || key == "" {
			key, keyOf = keys.of(c.Model), c.Model
		}
		switch {
		case c.Field != "":
			f.targets = append(f.targets, target{model: key, field: c.Field})
		case c.Option != "" && len(c.Within) > 0:
			for _, name := range c.Within {
				f.targets = append(f.targets, target{model: key, field: name})
			}
		default:
			f.targets = append(f.targets, target{model: key})
		}
		if t.Redirects {
			for _, m := range referrers[key] {
				f.targets = append(f.targets, target{model: m})
			}
		}
	}
	for _, r := range t.Reads {
		if r.Whole() {
			f.targets = append(f.targets, target{model: keys.of(r.Model)})
		}
	}
	for i, x := range f.targets {
		if x.model != f.targets[0].model && f.firsts == nil {
			f.firsts = []int{0}
		}
		if f.firsts != nil && !f.touchesModelBefore(x.model, i) {
			f.firsts = append(f.firsts, i)
		}
	}
	return f
}

// models counts the distinct models the operation touches.
func (f *facts) models() int {
	switch {
	case f.firsts != nil:
		return len(f.firsts)
	case len(f.targets) > 0:
		return 1
	}
	return 0
}

// modelAt is the x-th distinct model the operation touches, in order of
// first mention.
func (f *facts) modelAt(x int) string {
	if f.firsts == nil {
		return f.targets[0].model
	}
	return f.targets[f.firsts[x]].model
}

// touchesModel reports whether the operation touches the model key.
func (f *facts) touchesModel(key string) bool { return f.touchesModelBefore(key, len(f.targets)) }

// touchesModelBefore reports whether one of the first n targets names the
// model key.
func (f *facts) touchesModelBefore(key string, n int) bool {
	for _, x := range f.targets[:n] {
		if x.model == key {
			return true
		}
	}
	return false
}

// addReferrers adds to referrers, per model key, the models whose
// relations, as the operation whose touches are t creates, adds or alters
// them, point at it. Barriers say nothing reliable and are left out.
func addReferrers(referrers map[string][]string, keys keyCache, t operations.Touches) {
	if t.Opaque {
		return
	}
	from := ""
	for _, r := range t.Reads {
		if !r.Whole() {
			continue
		}
		if from == "" {
			from = keys.of(t.Model())
		}
		to := keys.of(r.Model)
		if !slices.Contains(referrers[to], from) {
			referrers[to] = append(referrers[to], from)
		}
	}
}

// keyCache remembers the model key each model name or relation label
// names from the app being optimized: the same few names come back for
// every operation.
type keyCache struct {
	app  string
	keys map[string]string
}

// of is the model key label names.
func (c keyCache) of(label string) string {
	key, ok := c.keys[label]
	if !ok {
		key = state.ModelKey(state.SplitLabel(c.app, label))
		c.keys[label] = key
	}
	return key
}

// commutes reports whether an operation and the one right after it may
// swap places without changing the state they build or the SQL they run:
// neither touches what the other does (a and b are their facts), and
// neither is a barrier.
func commutes(a, b *facts) bool {
	if a.opaque || b.opaque {
		return false
	}
	if a.appends != "" && a.appends == b.appends && sameName(a.model, b.model) {
		return false // both append to one list of a model: swapping them reorders it
	}
	for _, x := range a.targets {
		for _, y := range b.targets {
			if x.model == y.model && (x.field == "" || y.field == "" || x.field == y.field) {
				return false
			}
		}
	}
	return true
}

// sameName compares model names the way state keys do, ignoring case.
func sameName(a, b string) bool { return a != "" && strings.EqualFold(a, b) }
