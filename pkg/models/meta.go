package models

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// readMeta copies the model's Meta lists into its state, naming fields by
// their state names.
func readMeta(e *entry) error {
	meta, m := e.meta, e.model
	for i, group := range meta.UniqueTogether {
		list := fmt.Sprintf("UniqueTogether[%d]", i)
		if len(group) == 0 {
			return fmt.Errorf("%s.Meta: %s is empty; list the fields that are unique together", e.t, list)
		}
		names, err := normalise(e, list, group, false)
		if err != nil {
			return err
		}
		m.UniqueTogether = append(m.UniqueTogether, names)
	}
	for i, idx := range meta.Indexes {
		si, err := readIndex(e, i, idx)
		if err != nil {
			return err
		}
		m.Indexes = append(m.Indexes, si)
	}
	for i, c := range meta.Constraints {
		sc, err := readConstraint(e, i, c)
		if err != nil {
			return err
		}
		m.Constraints = append(m.Constraints, sc)
	}
	ordering, err := readOrdering(e, meta.Ordering)
	if err != nil {
		return err
	}
	m.Options = state.Options{Ordering: ordering, VerboseName: meta.VerboseName, Comment: meta.Comment}
	return nil
}

// readIndex reads Meta.Indexes[i]; an unnamed index gets the deterministic
// name the schema editors would give it.
func readIndex(e *entry, i int, idx Index) (state.Index, error) {
	list := fmt.Sprintf("Indexes[%d]", i)
	if len(idx.Fields) == 0 {
		return state.Index{}, fmt.Errorf("%s.Meta: %s has no Fields; list the fields to index", e.t, list)
	}
	fields, err := normalise(e, list, idx.Fields, true)
	if err != nil {
		return state.Index{}, err
	}
	name := expandName(e, idx.Name)
	if name == "" {
		cols, err := e.model.Columns(fields)
		if err != nil {
			return state.Index{}, fmt.Errorf("%s.Meta: %s: %w", e.t, list, err)
		}
		name = state.ObjectName(e.model.Table, cols, state.SuffixIndex)
	}
	return state.Index{Name: name, Fields: fields, Condition: idx.Condition}, nil
}

// readConstraint reads Meta.Constraints[i], a Unique or a Check (or a
// pointer to one).
func readConstraint(e *entry, i int, c Constraint) (state.Constraint, error) {
	list := fmt.Sprintf("Constraints[%d]", i)
	switch v := c.(type) {
	case *Unique:
		if v != nil {
			return readConstraint(e, i, *v)
		}
	case *Check:
		if v != nil {
			return readConstraint(e, i, *v)
		}
	case Unique:
		if v.Name == "" {
			return state.Constraint{}, fmt.Errorf("%s.Meta: %s is a Unique without a Name; name it, e.g. %s_unique", e.t, list, e.model.Table)
		}
		if len(v.Fields) == 0 {
			return state.Constraint{}, fmt.Errorf("%s.Meta: %s (%s) has no Fields; list the fields that are unique together", e.t, list, v.Name)
		}
		fields, err := normalise(e, list, v.Fields, false)
		if err != nil {
			return state.Constraint{}, err
		}
		return state.Constraint{Kind: state.UniqueConstraint, Name: expandName(e, v.Name), Fields: fields, Condition: v.Condition}, nil
	case Check:
		if v.Name == "" {
			return state.Constraint{}, fmt.Errorf("%s.Meta: %s is a Check without a Name; name it, e.g. %s_check", e.t, list, e.model.Table)
		}
		if strings.TrimSpace(v.SQL) == "" {
			return state.Constraint{}, fmt.Errorf("%s.Meta: %s (%s) has no SQL; give the boolean expression to check", e.t, list, v.Name)
		}
		return state.Constraint{Kind: state.CheckConstraint, Name: expandName(e, v.Name), Check: v.SQL}, nil
	}
	return state.Constraint{}, fmt.Errorf("%s.Meta: %s is nil; use models.Unique{...} or models.Check{...}", e.t, list)
}

// normalise maps a Meta field list to state field names. A field may be
// named by its state name or its Go name; a "-" prefix (descending) is kept
// where desc allows it.
func normalise(e *entry, list string, refs []string, desc bool) ([]string, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	out := make([]string, len(refs))
	for i, ref := range refs {
		prefix, name := "", ref
		if strings.HasPrefix(ref, "-") {
			if !desc {
				return nil, fmt.Errorf("%s.Meta: %s names %q, but a unique field list has no order; drop the -", e.t, list, ref)
			}
			prefix, name = "-", ref[1:]
		}
		f := e.lookup(name)
		if f == nil {
			return nil, fmt.Errorf("%s.Meta: %s names unknown field %q; use a field's name or Go name (fields: %s)", e.t, list, name, e.fieldNames())
		}
		if !f.HasColumn() {
			return nil, fmt.Errorf("%s.Meta: %s names %s, a many-to-many field with no column; remove it", e.t, list, f.Name)
		}
		out[i] = prefix + f.Name
	}
	return out, nil
}

// readOrdering reads Meta.Ordering as Django accepts it: a field (by its
// name, Go name or, for a foreign key, its attribute name author_id), "-"
// before it for descending, "pk", "?" for a random order, a path across
// relations (author__name), or a field followed by lookups or transforms
// Django registers for it (created__year, name__isnull). A path's first
// step must be a field of this model and is written by its field name; the
// steps after a relation belong to other models, which pm.E031 checks once
// every model is known.
func readOrdering(e *entry, refs []string) ([]string, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	out := make([]string, len(refs))
	for i, ref := range refs {
		if ref == state.OrderingRandom {
			out[i] = ref
			continue
		}
		prefix, name := "", ref
		if strings.HasPrefix(ref, "-") {
			prefix, name = "-", ref[1:]
		}
		path := strings.Split(name, "__")
		first := path[0]
		switch {
		case name == state.OrderingRandom:
			return nil, fmt.Errorf("%s.Meta: Ordering names %q; a random order has no direction, write \"?\"", e.t, ref)
		case slices.Contains(path, ""):
			return nil, fmt.Errorf("%s.Meta: Ordering names %q, which has an empty step; write field names joined by __, e.g. author__name", e.t, ref)
		case name == "pk":
			out[i] = ref
			continue
		}
		f := e.lookup(first)
		if f == nil && len(path) == 1 {
			if e.attname(first) != nil {
				out[i] = ref
				continue
			}
		}
		if f == nil {
			return nil, fmt.Errorf("%s.Meta: Ordering names unknown field %q; use a field's name or Go name, pk, ? or a path across a relation such as author__name (fields: %s)", e.t, first, e.fieldNames())
		}
		if len(path) == 1 && !f.HasColumn() {
			return nil, fmt.Errorf("%s.Meta: Ordering names %s, a many-to-many field with no column; order by a field of this model or a path across the relation, e.g. %s__id", e.t, f.Name, f.Name)
		}
		if len(path) > 1 && !f.Kind.IsRelation() {
			for _, step := range path[1:] {
				if !state.OrderingTransform(f, step) {
					return nil, fmt.Errorf("%s.Meta: Ordering names %q, but %s is not a relation to follow and %s is not a lookup or transform of a %s field; order by %s alone", e.t, ref, f.Name, step, f.Kind, f.Name)
				}
			}
		}
		path[0] = f.Name
		out[i] = prefix + strings.Join(path, "__")
	}
	return out, nil
}

// expandName replaces Django's %(class)s and %(app_label)s in an index or
// constraint name, so a name inherited from an abstract base stays unique.
func expandName(e *entry, name string) string {
	return strings.NewReplacer("%(class)s", strings.ToLower(e.t.Name()), "%(app_label)s", strings.ToLower(e.app)).Replace(name)
}
