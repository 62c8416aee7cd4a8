package autodetect

import (
	"reflect"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// sameField reports whether two definitions of a field mean the same thing,
// ignoring differences of representation only: nil versus empty slices, a
// Column equal to the derived column name, a relation label with or without
// its app ("Car" in app main is "main.Car"). It compares every attribute of
// state.Field and state.Relation (TestSameFieldCoversEveryAttribute keeps
// it honest when they grow).
func sameField(oldApp string, a *state.Field, newApp string, b *state.Field) bool {
	if a.Name != b.Name || a.Kind != b.Kind || a.PrimaryKey != b.PrimaryKey || a.Null != b.Null ||
		a.Blank != b.Blank || a.Unique != b.Unique || a.Index != b.Index || a.MaxLength != b.MaxLength ||
		a.MaxDigits != b.MaxDigits || a.DecimalPlaces != b.DecimalPlaces || a.Comment != b.Comment ||
		a.DBDefault != b.DBDefault {
		return false
	}
	if (a.Default == nil) != (b.Default == nil) || (a.Default != nil && *a.Default != *b.Default) {
		return false
	}
	if columnOverride(a) != columnOverride(b) || !slices.Equal(a.Choices, b.Choices) || !sameSQLTypes(a.SQLTypes, b.SQLTypes) {
		return false
	}
	ra, rb := canonicalRelation(oldApp, a), canonicalRelation(newApp, b)
	return (ra == nil) == (rb == nil) && (ra == nil || *ra == *rb)
}

// sameSQLTypes reports whether two fields spell the same type for every
// dialect, in whatever order they list them; the spellings are compared
// as written, so any change of one is an AlterField.
func sameSQLTypes(a, b []state.SQLType) bool {
	if len(a) != len(b) {
		return false
	}
	for _, t := range a {
		if !slices.Contains(b, t) {
			return false
		}
	}
	return true
}

// columnOverride is the Column that differs from the derived column name,
// or "" (many-to-many fields have no column to override).
func columnOverride(f *state.Field) string {
	if f.Column == "" || f.Kind == state.ManyToMany {
		return ""
	}
	derived := *f
	derived.Column = ""
	if derived.ColumnName() == f.Column {
		return ""
	}
	return f.Column
}

// canonicalRelation returns f's relation with model labels as keys, or nil
// for none (an empty relation on a non-relation kind counts as none).
func canonicalRelation(app string, f *state.Field) *state.Relation {
	if f.Relation == nil || (!f.Kind.IsRelation() && *f.Relation == (state.Relation{})) {
		return nil
	}
	r := *f.Relation
	r.To = canonicalLabel(app, r.To)
	r.Through = canonicalLabel(app, r.Through)
	return &r
}

// canonicalLabel turns a relation label into the model key it names, so
// "Car", "main.Car" and "main.car" compare equal from app main.
func canonicalLabel(app, label string) string {
	if label == "" {
		return ""
	}
	a, name := state.SplitLabel(app, label)
	return state.ModelKey(a, name)
}

// replaced reports whether a field changes in a way AlterField cannot
// express, so it is removed and added again: between many-to-many and a
// column, or a many-to-many changing its through model or its target (its
// join table's rows point at the old target, and PostgreSQL and MySQL
// refuse to repoint a join table in place).
func replaced(oldApp string, old *state.Field, newApp string, new *state.Field) bool {
	oldM2M, newM2M := old.Kind == state.ManyToMany, new.Kind == state.ManyToMany
	if oldM2M != newM2M {
		return true
	}
	if !oldM2M {
		return false
	}
	return throughKey(oldApp, old) != throughKey(newApp, new) || targetKey(oldApp, old) != targetKey(newApp, new)
}

func targetKey(app string, f *state.Field) string {
	if f.Relation == nil {
		return ""
	}
	return canonicalLabel(app, f.Relation.To)
}

func throughKey(app string, f *state.Field) string {
	if f.Relation == nil {
		return ""
	}
	return canonicalLabel(app, f.Relation.Through)
}

// sameIndex compares two indexes of one name; the field order matters.
func sameIndex(a, b state.Index) bool {
	return a.Name == b.Name && slices.Equal(a.Fields, b.Fields) && a.Condition == b.Condition
}

// sameConstraint compares two constraints of one name.
func sameConstraint(a, b state.Constraint) bool {
	return a.Kind == b.Kind && a.Name == b.Name && slices.Equal(a.Fields, b.Fields) &&
		a.Condition == b.Condition && a.Check == b.Check
}

// sameGroups compares unique_together as sets of groups; the order of the
// fields inside a group matters (it is the order of the index columns).
func sameGroups(a, b [][]string) bool {
	return reflect.DeepEqual(groupSet(a), groupSet(b))
}

func groupSet(groups [][]string) map[string]bool {
	set := map[string]bool{}
	for _, g := range groups {
		set[strings.Join(g, "\x00")] = true
	}
	return set
}

// sameOptions compares the state-only model options.
func sameOptions(a, b state.Options) bool {
	return slices.Equal(a.Ordering, b.Ordering) && a.VerboseName == b.VerboseName && a.Comment == b.Comment
}

// fieldNames strips the "-" of descending index fields.
func fieldNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimPrefix(n, "-")
	}
	return out
}

// mentions reports whether any of names (a "-" prefix ignored) is in set.
func mentions(names []string, set map[string]bool) bool {
	for _, n := range fieldNames(names) {
		if set[n] {
			return true
		}
	}
	return false
}
