package autodetect

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
// An operation folds with a later one even with others in between, as long
// as it can move past them: they must not touch the same model or field.
// RunSQL, RunGo and SeparateDatabaseAndState are barriers: nothing folds
// across them, since nobody can tell what they touch. ops is not modified;
// the result shares no field definitions that it changed with ops.
//
// Operations are indexed by the models they touch, so an operation is only
// compared with the later ones that share a model with it: a long squashed
// history with many models folds in near-linear time.
func Optimize(app string, ops []operations.Operation) []operations.Operation {
	cur := make([]operations.Operation, len(ops))
	for i, op := range ops {
		cur[i] = deref(op)
	}
	p := newWorklist(app, cur)
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
	app   string
	ops   []operations.Operation
	touch [][]target
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
}

func newWorklist(app string, ops []operations.Operation) *worklist {
	p := &worklist{
		app:       app,
		ops:       ops,
		touch:     make([][]target, len(ops)),
		referrers: referrersOf(app, ops),
	}
	for i, op := range ops {
		p.touch[i] = touched(app, op, p.referrers)
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
		if isBarrier(p.ops[i]) {
			next = i
		}
	}
	p.at = make(map[string][]int, len(p.at))
	for i := range p.ops {
		for _, m := range modelsOf(p.touch[i]) {
			p.at[m] = append(p.at[m], i)
		}
	}
}

// compact closes the holes the last sweep left and indexes the list again.
func (p *worklist) compact() {
	n := 0
	for i, op := range p.ops {
		if op != nil {
			p.ops[n], p.touch[n] = op, p.touch[i]
			n++
		}
	}
	clear(p.ops[n:])
	p.ops, p.touch = p.ops[:n], p.touch[:n]
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
		for p.ops[i] != nil && !isBarrier(p.ops[i]) && p.foldFrom(i) {
			changed = true
		}
	}
	return changed
}

// foldFrom performs the first fold of the operation at i with a later one
// and reports whether it did.
func (p *worklist) foldFrom(i int) bool {
	right := true
	for j := range p.sharing(p.touch[i], i, p.end[i]) {
		folded, ok := fold(p.app, p.ops[i], p.ops[j])
		if !ok {
			if !p.swaps(i, j) {
				right = false
			}
			continue
		}
		if right {
			p.ops[i], p.touch[i] = nil, nil
			p.place(j, folded)
			return true
		}
		if !p.leftClear(i, j) {
			return false // this operation is stuck; try the next one
		}
		p.ops[j], p.touch[j] = nil, nil
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
	for k := range p.sharing(p.touch[j], i, j) {
		if !p.swaps(k, j) {
			clear = false
			break
		}
	}
	if clear {
		return true
	}
	between := slices.Collect(p.sharing(p.touch[j], i, j))
	_, created := p.ops[i].(operations.CreateModel)
	r, renamed := p.ops[j].(operations.RenameModel)
	if !created || !renamed {
		return false
	}
	newKey := state.ModelKey(p.app, r.NewName)
	for _, k := range between {
		if sameName(modelOf(p.ops[k]), r.OldName) || slices.Contains(modelsOf(p.touch[k]), newKey) {
			return false
		}
	}
	for _, k := range between {
		if op, ok := retarget(p.app, p.ops[k], r); ok {
			p.place(k, op)
		}
	}
	return true
}

// retarget makes the relations of a created, added or altered field that
// point at the model r renames point at its new name; false when op has
// no such relation.
func retarget(app string, op operations.Operation, r operations.RenameModel) (operations.Operation, bool) {
	oldKey := state.ModelKey(app, r.OldName)
	newLabel := app + "." + r.NewName
	follow := func(f *state.Field) (*state.Field, bool) {
		if f == nil || f.Relation == nil {
			return f, false
		}
		to := f.Relation.To != "" && labelKey(app, f.Relation.To) == oldKey
		through := f.Relation.Through != "" && labelKey(app, f.Relation.Through) == oldKey
		if !to && !through {
			return f, false
		}
		f = f.Clone()
		if to {
			f.Relation.To = newLabel
		}
		if through {
			f.Relation.Through = newLabel
		}
		return f, true
	}
	changed := false
	switch o := op.(type) {
	case operations.CreateModel:
		o.Fields = slices.Clone(o.Fields)
		for i, f := range o.Fields {
			var ok bool
			if o.Fields[i], ok = follow(f); ok {
				changed = true
			}
		}
		return o, changed
	case operations.AddField:
		o.Field, changed = follow(o.Field)
		return o, changed
	case operations.AlterField:
		o.Field, changed = follow(o.Field)
		return o, changed
	}
	return op, false
}

// sharing yields, in ascending order, the live positions strictly between
// lo and hi of operations that touch a model of ts. It reads the index
// lazily, so a caller that stops early pays only for what it read.
func (p *worklist) sharing(ts []target, lo, hi int) iter.Seq[int] {
	return func(yield func(int) bool) {
		models := modelsOf(ts)
		lists := make([][]int, len(models))
		for x, m := range models {
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
		p.touch[i] = nil
		return
	}
	p.touch[i] = touched(p.app, op, p.referrers)
	for _, m := range modelsOf(p.touch[i]) {
		list := p.at[m]
		if k, found := slices.BinarySearch(list, i); !found {
			p.at[m] = slices.Insert(list, k, i)
		}
	}
}

func (p *worklist) swaps(i, j int) bool { return commutes(p.ops[i], p.touch[i], p.ops[j], p.touch[j]) }

// modelsOf lists the distinct models of ts, in order of first mention.
func modelsOf(ts []target) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		if !slices.Contains(out, t.model) {
			out = append(out, t.model)
		}
	}
	return out
}

// referrersOf maps each model key to the models whose relations, as
// created, added or altered by ops, point at it.
func referrersOf(app string, ops []operations.Operation) map[string][]string {
	out := make(map[string][]string)
	add := func(from string, fields ...*state.Field) {
		for _, f := range fields {
			if f == nil || f.Relation == nil {
				continue
			}
			for _, label := range []string{f.Relation.To, f.Relation.Through} {
				if label == "" {
					continue
				}
				to := labelKey(app, label)
				if !slices.Contains(out[to], from) {
					out[to] = append(out[to], from)
				}
			}
		}
	}
	for _, op := range ops {
		switch o := op.(type) {
		case operations.CreateModel:
			add(state.ModelKey(app, o.Name), o.Fields...)
		case operations.AddField:
			add(state.ModelKey(app, o.Model), o.Field)
		case operations.AlterField:
			add(state.ModelKey(app, o.Model), o.Field)
		}
	}
	return out
}

// labelKey is the model key a relation label names from app.
func labelKey(app, label string) string { return state.ModelKey(state.SplitLabel(app, label)) }

// fold returns what op followed by other become (nil when both vanish),
// and true, when the pair folds; false when it does not.
func fold(app string, op, other operations.Operation) (operations.Operation, bool) {
	switch o := op.(type) {
	case operations.CreateModel:
		return foldCreateModel(app, o, other)
	case operations.AddField:
		return foldAddField(o, other)
	case operations.AlterField:
		return foldAlterField(o, other)
	case operations.RenameField:
		return foldRenameField(o, other)
	case operations.RenameModel:
		return foldRenameModel(o, other)
	case operations.AddIndex:
		return foldAddIndex(o, other)
	case operations.AddConstraint:
		if r, ok := other.(operations.RemoveConstraint); ok && sameName(o.Model, r.Model) && o.Constraint.Name == r.Name {
			return nil, true
		}
	}
	return nil, false
}

// foldRenameModel joins a chain of renames of one model, drops a rename
// undone by the next one, and turns a rename followed by the deletion of
// the renamed model into the deletion of the original.
func foldRenameModel(r operations.RenameModel, other operations.Operation) (operations.Operation, bool) {
	switch o := other.(type) {
	case operations.RenameModel:
		if !sameName(r.NewName, o.OldName) {
			return nil, false
		}
		if r.OldName == o.NewName {
			return nil, true
		}
		return operations.RenameModel{OldName: r.OldName, NewName: o.NewName}, true
	case operations.DeleteModel:
		if !sameName(r.NewName, o.Name) {
			return nil, false
		}
		return operations.DeleteModel{Name: r.OldName}, true
	}
	return nil, false
}

// renameCreated is a CreateModel followed by its renaming: the model is
// created under the new name, with the table the rename would give it and
// its relations to itself pointing at the new name.
func renameCreated(app string, c operations.CreateModel, r operations.RenameModel) operations.CreateModel {
	if c.Table == state.SnakeCase(r.OldName) {
		c.Table = state.SnakeCase(r.NewName)
	}
	if op, ok := retarget(app, c, r); ok {
		c = op.(operations.CreateModel)
	}
	c.Name = r.NewName
	return c
}

// foldCreateModel absorbs a later change of the created model into it.
func foldCreateModel(app string, c operations.CreateModel, other operations.Operation) (operations.Operation, bool) {
	if !sameName(c.Name, modelOf(other)) {
		return nil, false
	}
	switch o := other.(type) {
	case operations.DeleteModel:
		return nil, true
	case operations.AlterModelTable:
		c.Table = o.Table
	case operations.AlterModelOptions:
		c.Options = o.Options
		c.Options.Ordering = slices.Clone(o.Options.Ordering)
	case operations.AlterUniqueTogether:
		c.UniqueTogether = cloneGroups(o.UniqueTogether)
	case operations.AddField:
		if o.Field == nil || fieldIndex(c.Fields, o.Field.Name) >= 0 {
			return nil, false
		}
		c.Fields = append(slices.Clone(c.Fields), o.Field.Clone())
	case operations.AlterField:
		i := fieldIndex(c.Fields, o.Name)
		if i < 0 || o.Field == nil {
			return nil, false
		}
		f := o.Field.Clone()
		f.Name = o.Name
		c.Fields = slices.Clone(c.Fields)
		c.Fields[i] = f
	case operations.RemoveField:
		i := fieldIndex(c.Fields, o.Name)
		if i < 0 || createdMentions(c, o.Name) {
			return nil, false
		}
		c.Fields = slices.Delete(slices.Clone(c.Fields), i, i+1)
	case operations.RenameField:
		return renameInCreate(c, o)
	case operations.RenameModel:
		return renameCreated(app, c, o), true
	case operations.AddIndex:
		c.Indexes = append(slices.Clone(c.Indexes), cloneIndex(o.Index))
	case operations.RemoveIndex:
		i := slices.IndexFunc(c.Indexes, func(x state.Index) bool { return x.Name == o.Name })
		if i < 0 {
			return nil, false
		}
		c.Indexes = slices.Delete(slices.Clone(c.Indexes), i, i+1)
	case operations.RenameIndex:
		i := slices.IndexFunc(c.Indexes, func(x state.Index) bool { return x.Name == o.OldName })
		if i < 0 {
			return nil, false
		}
		c.Indexes = slices.Clone(c.Indexes)
		c.Indexes[i].Name = o.NewName
	case operations.AddConstraint:
		con := o.Constraint
		con.Fields = slices.Clone(con.Fields)
		c.Constraints = append(slices.Clone(c.Constraints), con)
	case operations.RemoveConstraint:
		i := slices.IndexFunc(c.Constraints, func(x state.Constraint) bool { return x.Name == o.Name })
		if i < 0 {
			return nil, false
		}
		c.Constraints = slices.Delete(slices.Clone(c.Constraints), i, i+1)
	default:
		return nil, false
	}
	return c, true
}

// createdMentions reports whether a table-level option of c names the
// field: such a field cannot simply vanish from the CreateModel.
func createdMentions(c operations.CreateModel, field string) bool {
	names := slices.Clone(c.Options.Ordering)
	for _, g := range c.UniqueTogether {
		names = append(names, g...)
	}
	for _, idx := range c.Indexes {
		names = append(names, idx.Fields...)
	}
	for _, con := range c.Constraints {
		names = append(names, con.Fields...)
	}
	for _, n := range names {
		if strings.TrimPrefix(n, "-") == field {
			return true
		}
	}
	return false
}

// renameInCreate renames a field of a CreateModel and every option naming
// it, as RenameField.StateForwards does.
func renameInCreate(c operations.CreateModel, r operations.RenameField) (operations.Operation, bool) {
	i := fieldIndex(c.Fields, r.OldName)
	if i < 0 || fieldIndex(c.Fields, r.NewName) >= 0 {
		return nil, false
	}
	c.Fields = slices.Clone(c.Fields)
	f := c.Fields[i].Clone()
	f.Name = r.NewName
	c.Fields[i] = f
	rename := func(names []string) []string {
		out := slices.Clone(names)
		for j, n := range out {
			switch n {
			case r.OldName:
				out[j] = r.NewName
			case "-" + r.OldName:
				out[j] = "-" + r.NewName
			}
		}
		return out
	}
	c.UniqueTogether = cloneGroups(c.UniqueTogether)
	for j, g := range c.UniqueTogether {
		c.UniqueTogether[j] = rename(g)
	}
	c.Indexes = slices.Clone(c.Indexes)
	for j := range c.Indexes {
		c.Indexes[j].Fields = rename(c.Indexes[j].Fields)
	}
	c.Constraints = slices.Clone(c.Constraints)
	for j := range c.Constraints {
		c.Constraints[j].Fields = rename(c.Constraints[j].Fields)
	}
	if c.Options.Ordering != nil {
		c.Options.Ordering = rename(c.Options.Ordering)
	}
	return c, true
}

// foldAddField absorbs a later change of the added field.
func foldAddField(a operations.AddField, other operations.Operation) (operations.Operation, bool) {
	if a.Field == nil {
		return nil, false
	}
	switch o := other.(type) {
	case operations.AlterField:
		if !sameName(a.Model, o.Model) || a.Field.Name != o.Name || o.Field == nil {
			return nil, false
		}
		f := o.Field.Clone()
		f.Name = o.Name
		if dbFilled(a, o, f) {
			// The rows got the database's expression when the field was
			// added; no literal fill can stand in for it.
			return nil, false
		}
		return operations.AddField{Model: a.Model, Field: f, Fill: addFill(a, o, f)}, true
	case operations.RemoveField:
		if !sameName(a.Model, o.Model) || a.Field.Name != o.Name {
			return nil, false
		}
		return nil, true
	case operations.RenameField:
		if !sameName(a.Model, o.Model) || a.Field.Name != o.OldName {
			return nil, false
		}
		f := a.Field.Clone()
		f.Name = o.NewName
		return operations.AddField{Model: a.Model, Field: f, Fill: a.Fill}, true
	}
	return nil, false
}

// addFill is the value existing rows get when an added field and a later
// alteration of it become one AddField: the alteration's fill for NULLs,
// else the addition's own fill, else the default the rows got when the
// field was added, when the altered field is NOT NULL without one.
func addFill(a operations.AddField, alt operations.AlterField, f *state.Field) *string {
	switch {
	case alt.Fill != nil:
		return alt.Fill
	case a.Fill != nil:
		return a.Fill
	case !f.Null && f.Default == nil && a.Field.Default != nil:
		return a.Field.Default
	}
	return nil
}

// dbFilled reports whether the added field's rows were filled by its
// db_default and the alteration drops it: the one AddField would leave
// those rows without the database's value, so the two stay apart.
func dbFilled(a operations.AddField, alt operations.AlterField, f *state.Field) bool {
	return a.Field.DBDefault != "" && f.DBDefault != a.Field.DBDefault && alt.Fill == nil && a.Fill == nil
}

// foldAlterField folds two changes of one field.
func foldAlterField(a operations.AlterField, other operations.Operation) (operations.Operation, bool) {
	switch o := other.(type) {
	case operations.AlterField:
		if !sameName(a.Model, o.Model) || a.Name != o.Name {
			return nil, false
		}
		if o.Fill == nil {
			o.Fill = a.Fill
		}
		return o, true
	case operations.RemoveField:
		if !sameName(a.Model, o.Model) || a.Name != o.Name {
			return nil, false
		}
		return o, true
	}
	return nil, false
}

// foldRenameField joins a chain of renames of one field, and drops a
// rename whose field is then removed.
func foldRenameField(r operations.RenameField, other operations.Operation) (operations.Operation, bool) {
	switch o := other.(type) {
	case operations.RenameField:
		if !sameName(r.Model, o.Model) || r.NewName != o.OldName {
			return nil, false
		}
		if r.OldName == o.NewName {
			return nil, true
		}
		return operations.RenameField{Model: r.Model, OldName: r.OldName, NewName: o.NewName}, true
	case operations.RemoveField:
		if !sameName(r.Model, o.Model) || r.NewName != o.Name {
			return nil, false
		}
		return operations.RemoveField{Model: r.Model, Name: r.OldName}, true
	}
	return nil, false
}

// foldAddIndex drops an index removed again, and names an index renamed
// after its creation by its final name.
func foldAddIndex(a operations.AddIndex, other operations.Operation) (operations.Operation, bool) {
	switch o := other.(type) {
	case operations.RemoveIndex:
		if sameName(a.Model, o.Model) && a.Index.Name == o.Name {
			return nil, true
		}
	case operations.RenameIndex:
		if sameName(a.Model, o.Model) && a.Index.Name == o.OldName {
			idx := cloneIndex(a.Index)
			idx.Name = o.NewName
			return operations.AddIndex{Model: a.Model, Index: idx}, true
		}
	}
	return nil, false
}

// commutes reports whether op and the operation right after it, other, may
// swap places without changing the state they build or the SQL they run:
// neither touches what the other does (ta and tb are what touched returns
// for them), and neither is a barrier.
func commutes(op operations.Operation, ta []target, other operations.Operation, tb []target) bool {
	if isBarrier(op) || isBarrier(other) {
		return false
	}
	if appendsTo(op) != "" && appendsTo(op) == appendsTo(other) && sameName(modelOf(op), modelOf(other)) {
		return false // both append to one list of a model: swapping them reorders it
	}
	for _, x := range ta {
		for _, y := range tb {
			if x.model == y.model && (x.field == "" || y.field == "" || x.field == y.field) {
				return false
			}
		}
	}
	return true
}

// appendsTo names the list of a model that op appends to, "" for none.
func appendsTo(op operations.Operation) string {
	switch op.(type) {
	case operations.AddField:
		return "fields"
	case operations.AddIndex:
		return "indexes"
	case operations.AddConstraint:
		return "constraints"
	}
	return ""
}

// target is something an operation touches: a whole model (field "") or
// one field of it. model is a model key (state.ModelKey).
type target struct {
	model string
	field string
}

// touched lists what op changes or depends on. An operation on a whole
// model (a target with no field) touches every field of it; index and
// constraint removals and renames, whose fields the operation does not
// name, count as touching the whole model. A model rename touches both
// names and every model of referrers whose relations point at either,
// since it rewrites those relations.
func touched(app string, op operations.Operation, referrers map[string][]string) []target {
	key := func(name string) string { return state.ModelKey(app, name) }
	var out []target
	related := func(fields ...*state.Field) {
		for _, f := range fields {
			if f == nil || f.Relation == nil {
				continue
			}
			for _, label := range []string{f.Relation.To, f.Relation.Through} {
				if label != "" {
					out = append(out, target{model: labelKey(app, label)})
				}
			}
		}
	}
	switch o := op.(type) {
	case operations.CreateModel:
		out = append(out, target{model: key(o.Name)})
		related(o.Fields...)
	case operations.AddField:
		out = append(out, target{model: key(o.Model), field: fieldName(o.Field)})
		related(o.Field)
	case operations.AlterField:
		out = append(out, target{model: key(o.Model), field: o.Name})
		related(o.Field)
	case operations.RemoveField:
		out = append(out, target{model: key(o.Model), field: o.Name})
	case operations.RenameModel:
		for _, name := range []string{o.OldName, o.NewName} {
			out = append(out, target{model: key(name)})
			for _, m := range referrers[key(name)] {
				out = append(out, target{model: m})
			}
		}
	case operations.RenameField:
		out = append(out, target{model: key(o.Model), field: o.OldName}, target{model: key(o.Model), field: o.NewName})
	case operations.AddIndex:
		out = append(out, fieldTargets(key(o.Model), o.Index.Fields)...)
	case operations.AddConstraint:
		if o.Constraint.Kind == state.UniqueConstraint {
			out = append(out, fieldTargets(key(o.Model), o.Constraint.Fields)...)
		} else {
			out = append(out, target{model: key(o.Model)})
		}
	default:
		if m := modelOf(op); m != "" {
			out = append(out, target{model: key(m)})
		}
	}
	return out
}

// fieldTargets lists fields of one model (a "-" prefix ignored).
func fieldTargets(model string, fields []string) []target {
	out := make([]target, 0, len(fields)+1)
	for _, f := range fields {
		out = append(out, target{model: model, field: strings.TrimPrefix(f, "-")})
	}
	if len(out) == 0 {
		out = append(out, target{model: model})
	}
	return out
}

// isBarrier reports whether nothing may fold across op: raw SQL, Go
// functions, separate database and state changes, and any operation this
// optimizer does not know.
func isBarrier(op operations.Operation) bool {
	switch op.(type) {
	case operations.CreateModel, operations.DeleteModel, operations.AlterModelTable, operations.AlterModelOptions,
		operations.AlterUniqueTogether, operations.AddField, operations.RemoveField, operations.AlterField,
		operations.RenameField, operations.RenameModel, operations.AddIndex, operations.RemoveIndex, operations.RenameIndex,
		operations.AddConstraint, operations.RemoveConstraint:
		return false
	}
	return true
}

// modelOf names the model an operation works on, "" when it has none.
func modelOf(op operations.Operation) string {
	switch o := op.(type) {
	case operations.CreateModel:
		return o.Name
	case operations.DeleteModel:
		return o.Name
	case operations.AlterModelTable:
		return o.Name
	case operations.AlterModelOptions:
		return o.Name
	case operations.AlterUniqueTogether:
		return o.Name
	case operations.AddField:
		return o.Model
	case operations.RemoveField:
		return o.Model
	case operations.AlterField:
		return o.Model
	case operations.RenameField:
		return o.Model
	case operations.AddIndex:
		return o.Model
	case operations.RemoveIndex:
		return o.Model
	case operations.RenameIndex:
		return o.Model
	case operations.AddConstraint:
		return o.Model
	case operations.RemoveConstraint:
		return o.Model
	case operations.RenameModel:
		return o.OldName
	}
	return ""
}

// sameName compares model names the way state keys do, ignoring case.
func sameName(a, b string) bool { return a != "" && strings.EqualFold(a, b) }

func fieldName(f *state.Field) string {
	if f == nil {
		return ""
	}
	return f.Name
}

func fieldIndex(fields []*state.Field, name string) int {
	return slices.IndexFunc(fields, func(f *state.Field) bool { return f.Name == name })
}

func cloneGroups(groups [][]string) [][]string {
	if groups == nil {
		return nil
	}
	out := make([][]string, len(groups))
	for i, g := range groups {
		out[i] = slices.Clone(g)
	}
	return out
}

func cloneIndex(idx state.Index) state.Index {
	idx.Fields = slices.Clone(idx.Fields)
	return idx
}
