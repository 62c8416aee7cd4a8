package casefile

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// Operation writes one detected operation as a case's forward and backward
// sections spell it: its description, then the details a case asserts that
// the description leaves out, read from the operation's fields by name so
// that any operation carrying them shows them — the fields, indexes,
// constraints and unique groups a model is created with, a one-off fill for
// existing rows, the state side of a state-only swap.
func Operation(op operations.Operation) string {
	var b strings.Builder
	b.WriteString(op.Describe())
	v := reflect.ValueOf(op)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return b.String()
	}
	field := func(name string) (any, bool) {
		f := v.FieldByName(name)
		if !f.IsValid() || f.IsZero() {
			return nil, false
		}
		return f.Interface(), true
	}
	// A model created with its fields inline shows what it is created with.
	if fields, ok := field("Fields"); ok {
		if fs, ok := fields.([]*state.Field); ok {
			b.WriteString(" fields=" + strings.Join(names(fs, func(f *state.Field) string { return f.Name }), ","))
			writeModelDetails(&b, field)
		}
	}
	if fill, ok := field("Fill"); ok {
		if s, ok := fill.(*string); ok {
			fmt.Fprintf(&b, " fill=%q", *s)
		}
	}
	if inner, ok := field("State"); ok {
		if ops, ok := inner.([]operations.Operation); ok {
			b.WriteString(" state=[" + strings.Join(names(ops, Operation), " | ") + "]")
		}
	}
	return b.String()
}

// names maps a list to the strings a detail line shows.
func names[T any](list []T, name func(T) string) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = name(x)
	}
	return out
}

// writeModelDetails adds what a model is created with besides its fields.
func writeModelDetails(b *strings.Builder, field func(string) (any, bool)) {
	if unmanaged, ok := field("Unmanaged"); ok && unmanaged == true {
		b.WriteString(" unmanaged")
	}
	if indexes, ok := field("Indexes"); ok {
		if is, ok := indexes.([]state.Index); ok {
			b.WriteString(" indexes=" + strings.Join(names(is, func(i state.Index) string { return i.Name }), ","))
		}
	}
	if constraints, ok := field("Constraints"); ok {
		if cs, ok := constraints.([]state.Constraint); ok {
			b.WriteString(" constraints=" + strings.Join(names(cs, func(c state.Constraint) string { return c.Name }), ","))
		}
	}
	if together, ok := field("UniqueTogether"); ok {
		if gs, ok := together.([][]string); ok {
			b.WriteString(" together=" + strings.Join(names(gs, func(g []string) string { return strings.Join(g, "+") }), ","))
		}
	}
}
