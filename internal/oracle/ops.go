package oracle

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/pmanager/pmanager/pkg/operations"
)

// OpKey renders a pmanager operation at the level Django's describe() works
// at, so both sides compare: the operation class, then the lower-case model
// and the field, index, constraint or table it acts on
// ("AddField article.subtitle", "CreateModel author",
// "AlterModelTable author.writers").
func OpKey(op operations.Operation) string {
	switch o := op.(type) {
	case operations.CreateModel:
		return formatKey("CreateModel", o.Name)
	case operations.DeleteModel:
		return formatKey("DeleteModel", o.Name)
	case operations.AlterUniqueTogether:
		return formatKey("AlterUniqueTogether", o.Name)
	case operations.AlterModelOptions:
		return formatKey("AlterModelOptions", o.Name)
	case operations.AlterModelTable:
		return formatKey("AlterModelTable", o.Name, o.Table)
	case operations.AddField:
		name := ""
		if o.Field != nil {
			name = o.Field.Name
		}
		return formatKey("AddField", o.Model, name)
	case operations.RemoveField:
		return formatKey("RemoveField", o.Model, o.Name)
	case operations.AlterField:
		return formatKey("AlterField", o.Model, o.Name)
	case operations.RenameField:
		return formatKey("RenameField", o.Model, o.OldName, o.NewName)
	case operations.AddIndex:
		return formatKey("AddIndex", o.Model, o.Index.Name)
	case operations.RemoveIndex:
		return formatKey("RemoveIndex", o.Model, o.Name)
	case operations.AddConstraint:
		return formatKey("AddConstraint", o.Model, o.Constraint.Name)
	case operations.RemoveConstraint:
		return formatKey("RemoveConstraint", o.Model, o.Name)
	}
	t := reflect.TypeOf(op)
	if t != nil && t.Kind() == reflect.Pointer {
		return "*" + t.Elem().Name() + " " + op.Describe()
	}
	return fmt.Sprintf("%T %s", op, op.Describe())
}

// OpKeys renders every operation with OpKey, keeping their order.
func OpKeys(ops []operations.Operation) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = OpKey(op)
	}
	return out
}

// SameMultiset reports whether a and b hold the same keys, in any order:
// the autodetectors may order independent operations differently.
func SameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	as, bs := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(as)
	sort.Strings(bs)
	for i := range as {
		if as[i] != bs[i] {
			return false
		}
	}
	return true
}
