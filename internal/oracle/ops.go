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
	if s, ok := op.(operations.HasSubject); ok {
		return formatKey(reflect.TypeOf(op).Name(), s.Subject()...)
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
