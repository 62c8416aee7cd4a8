package operations

import (
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// The pair rules of the optimizer (see Reducer): each operation says what
// it becomes with a later one. They end in the state the pair ends in.

// Reduce implements Reducer: a later change of the created model is
// absorbed into it, and its deletion makes both vanish.
func (o CreateModel) Reduce(app string, next Operation) (Operation, bool) {
	c := o
	switch n := next.(type) {
	case DeleteModel:
		if !sameName(c.Name, n.Name) {
			return nil, false
		}
		return nil, true
	case AlterModelTable:
		if !sameName(c.Name, n.Name) {
			return nil, false
		}
		c.Table = n.Table
	case AlterModelOptions:
		if !sameName(c.Name, n.Name) {
			return nil, false
		}
		c.Options = n.Options
		c.Options.Ordering = slices.Clone(n.Options.Ordering)
	case AlterUniqueTogether:
		if !sameName(c.Name, n.Name) {
			return nil, false
		}
		c.UniqueTogether = cloneGroups(n.UniqueTogether)
	case RenameModel:
		if !sameName(c.Name, n.OldName) {
			return nil, false
		}
		return c.renamed(app, n), true
	default:
		return reduceInner(&c, next)
	}
	return c, true
}

// reduceInner absorbs into c a later change of a field, an index or a
// constraint of the created model.
func reduceInner(c *CreateModel, next Operation) (Operation, bool) {
	switch n := next.(type) {
	case AddField:
		if !sameName(c.Name, n.Model) || n.Field == nil || fieldIndex(c.Fields, n.Field.Name) >= 0 {
			return nil, false
		}
		c.Fields = append(slices.Clone(c.Fields), n.Field.Clone())
	case AlterField:
		i := fieldIndex(c.Fields, n.Name)
		if !sameName(c.Name, n.Model) || i < 0 || n.Field == nil {
			return nil, false
		}
		f := n.Field.Clone()
		f.Name = n.Name
		c.Fields = slices.Clone(c.Fields)
		c.Fields[i] = f
	case RemoveField:
		i := fieldIndex(c.Fields, n.Name)
		if !sameName(c.Name, n.Model) || i < 0 || c.mentions(n.Name) {
			return nil, false
		}
		c.Fields = slices.Delete(slices.Clone(c.Fields), i, i+1)
	case RenameField:
		if !sameName(c.Name, n.Model) {
			return nil, false
		}
		return c.renameField(n)
	case AddIndex:
		if !sameName(c.Name, n.Model) {
			return nil, false
		}
		c.Indexes = append(slices.Clone(c.Indexes), cloneIndex(n.Index))
	case RemoveIndex:
		i := slices.IndexFunc(c.Indexes, func(x state.Index) bool { return x.Name == n.Name })
		if !sameName(c.Name, n.Model) || i < 0 {
			return nil, false
		}
		c.Indexes = slices.Delete(slices.Clone(c.Indexes), i, i+1)
	case RenameIndex:
		i := slices.IndexFunc(c.Indexes, func(x state.Index) bool { return x.Name == n.OldName })
		if !sameName(c.Name, n.Model) || i < 0 {
			return nil, false
		}
		c.Indexes = slices.Clone(c.Indexes)
		c.Indexes[i].Name = n.NewName
	case AddConstraint:
		if !sameName(c.Name, n.Model) {
			return nil, false
		}
		con := n.Constraint
		con.Fields = slices.Clone(con.Fields)
		c.Constraints = append(slices.Clone(c.Constraints), con)
	case RemoveConstraint:
		i := slices.IndexFunc(c.Constraints, func(x state.Constraint) bool { return x.Name == n.Name })
		if !sameName(c.Name, n.Model) || i < 0 {
			return nil, false
		}
		c.Constraints = slices.Delete(slices.Clone(c.Constraints), i, i+1)
	default:
		return nil, false
	}
	return *c, true
}

// renamed is the created model under the name r gives it, with the table
// the rename would give it and its relations to itself following it.
func (o CreateModel) renamed(app string, r RenameModel) CreateModel {
	c := o
	if c.Table == state.SnakeCase(r.OldName) {
		c.Table = state.SnakeCase(r.NewName)
	}
	if op, ok := c.Retarget(app, r); ok {
		c = op.(CreateModel)
	}
	c.Name = r.NewName
	return c
}

// mentions reports whether a table-level option of the created model
// names the field: such a field cannot simply vanish from it.
func (o CreateModel) mentions(field string) bool {
	var names []string
	for _, term := range o.Options.Ordering {
		if path := state.OrderingPath(term); len(path) > 0 {
			names = append(names, path[0])
		}
	}
	for _, g := range o.UniqueTogether {
		names = append(names, g...)
	}
	for _, idx := range o.Indexes {
		names = append(names, idx.Fields...)
	}
	for _, con := range o.Constraints {
		names = append(names, con.Fields...)
	}
	for _, n := range names {
		if strings.TrimPrefix(n, "-") == field {
			return true
		}
	}
	return false
}

// renameField renames a field of the created model and every option
// naming it, as RenameField.StateForwards does.
func (o CreateModel) renameField(r RenameField) (Operation, bool) {
	c := o
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
		c.Options.Ordering = slices.Clone(c.Options.Ordering)
		for j, term := range c.Options.Ordering {
			c.Options.Ordering[j] = state.RenameOrdering(term, r.OldName, r.NewName)
		}
	}
	return c, true
}

// Reduce implements Reducer: a later change of the added field is
// absorbed into it, and its removal makes both vanish.
func (o AddField) Reduce(_ string, next Operation) (Operation, bool) {
	if o.Field == nil {
		return nil, false
	}
	switch n := next.(type) {
	case AlterField:
		if !sameName(o.Model, n.Model) || o.Field.Name != n.Name || n.Field == nil {
			return nil, false
		}
		f := n.Field.Clone()
		f.Name = n.Name
		if o.dbFilled(n, f) {
			// The rows got the database's expression when the field was
			// added; no literal fill can stand in for it.
			return nil, false
		}
		return AddField{Model: o.Model, Field: f, Fill: o.fillAfter(n, f)}, true
	case RemoveField:
		if !sameName(o.Model, n.Model) || o.Field.Name != n.Name {
			return nil, false
		}
		return nil, true
	case RenameField:
		if !sameName(o.Model, n.Model) || o.Field.Name != n.OldName {
			return nil, false
		}
		f := o.Field.Clone()
		f.Name = n.NewName
		return AddField{Model: o.Model, Field: f, Fill: o.Fill}, true
	}
	return nil, false
}

// fillAfter is the value existing rows get when the added field and a
// later alteration of it become one AddField: the alteration's fill for
// NULLs, else the addition's own fill, else the default the rows got when
// the field was added, when the altered field f is NOT NULL without one.
func (o AddField) fillAfter(alt AlterField, f *state.Field) *string {
	switch {
	case alt.Fill != nil:
		return alt.Fill
	case o.Fill != nil:
		return o.Fill
	case !f.Null && f.Default == nil && o.Field.Default != nil:
		return o.Field.Default
	}
	return nil
}

// dbFilled reports whether the added field's rows were filled by its
// db_default and the alteration drops it: one AddField would leave those
// rows without the database's value, so the two stay apart.
func (o AddField) dbFilled(alt AlterField, f *state.Field) bool {
	return o.Field.DBDefault != "" && f.DBDefault != o.Field.DBDefault && alt.Fill == nil && o.Fill == nil
}

// Reduce implements Reducer: two changes of one field become the last
// one, and a change followed by the field's removal becomes the removal.
func (o AlterField) Reduce(_ string, next Operation) (Operation, bool) {
	switch n := next.(type) {
	case AlterField:
		if !sameName(o.Model, n.Model) || o.Name != n.Name {
			return nil, false
		}
		if n.Fill == nil {
			n.Fill = o.Fill
		}
		return n, true
	case RemoveField:
		if !sameName(o.Model, n.Model) || o.Name != n.Name {
			return nil, false
		}
		return n, true
	}
	return nil, false
}

// Reduce implements Reducer: a chain of renames of one field becomes one
// (none when it ends where it began), and a rename followed by the
// field's removal becomes the removal of the original.
func (o RenameField) Reduce(_ string, next Operation) (Operation, bool) {
	switch n := next.(type) {
	case RenameField:
		if !sameName(o.Model, n.Model) || o.NewName != n.OldName {
			return nil, false
		}
		if o.OldName == n.NewName {
			return nil, true
		}
		return RenameField{Model: o.Model, OldName: o.OldName, NewName: n.NewName}, true
	case RemoveField:
		if !sameName(o.Model, n.Model) || o.NewName != n.Name {
			return nil, false
		}
		return RemoveField{Model: o.Model, Name: o.OldName}, true
	}
	return nil, false
}

// Reduce implements Reducer: a chain of renames of one model becomes one
// (none when it ends where it began), and a rename followed by the
// deletion of the renamed model becomes the deletion of the original.
func (o RenameModel) Reduce(_ string, next Operation) (Operation, bool) {
	switch n := next.(type) {
	case RenameModel:
		if !sameName(o.NewName, n.OldName) {
			return nil, false
		}
		if o.OldName == n.NewName {
			return nil, true
		}
		return RenameModel{OldName: o.OldName, NewName: n.NewName}, true
	case DeleteModel:
		if !sameName(o.NewName, n.Name) {
			return nil, false
		}
		return DeleteModel{Name: o.OldName}, true
	}
	return nil, false
}

// Reduce implements Reducer: an index removed again vanishes, and an
// index renamed after its creation is created under its final name.
func (o AddIndex) Reduce(_ string, next Operation) (Operation, bool) {
	switch n := next.(type) {
	case RemoveIndex:
		if sameName(o.Model, n.Model) && o.Index.Name == n.Name {
			return nil, true
		}
	case RenameIndex:
		if sameName(o.Model, n.Model) && o.Index.Name == n.OldName {
			idx := cloneIndex(o.Index)
			idx.Name = n.NewName
			return AddIndex{Model: o.Model, Index: idx}, true
		}
	}
	return nil, false
}

// Reduce implements Reducer: a constraint removed again vanishes.
func (o AddConstraint) Reduce(_ string, next Operation) (Operation, bool) {
	if r, ok := next.(RemoveConstraint); ok && sameName(o.Model, r.Model) && o.Constraint.Name == r.Name {
		return nil, true
	}
	return nil, false
}

// Retarget implements Retargeter.
func (o CreateModel) Retarget(app string, r RenameModel) (Operation, bool) {
	changed := false
	o.Fields = slices.Clone(o.Fields)
	for i, f := range o.Fields {
		var ok bool
		if o.Fields[i], ok = followRename(app, f, r); ok {
			changed = true
		}
	}
	return o, changed
}

// Retarget implements Retargeter.
func (o AddField) Retarget(app string, r RenameModel) (Operation, bool) {
	var changed bool
	o.Field, changed = followRename(app, o.Field, r)
	return o, changed
}

// Retarget implements Retargeter.
func (o AlterField) Retarget(app string, r RenameModel) (Operation, bool) {
	var changed bool
	o.Field, changed = followRename(app, o.Field, r)
	return o, changed
}

// followRename returns f with its relation pointing at the new name of the
// model r renames, and true; f itself and false when it does not point there.
func followRename(app string, f *state.Field, r RenameModel) (*state.Field, bool) {
	if f == nil || f.Relation == nil {
		return f, false
	}
	oldKey := state.ModelKey(app, r.OldName)
	to := f.Relation.To != "" && labelKey(app, f.Relation.To) == oldKey
	through := f.Relation.Through != "" && labelKey(app, f.Relation.Through) == oldKey
	if !to && !through {
		return f, false
	}
	newLabel := app + "." + r.NewName
	f = f.Clone()
	if to {
		f.Relation.To = newLabel
	}
	if through {
		f.Relation.Through = newLabel
	}
	return f, true
}

// sameName compares model names the way state keys do, ignoring case.
func sameName(a, b string) bool { return a != "" && strings.EqualFold(a, b) }

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
