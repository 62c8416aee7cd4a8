package casefile

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
)

// Operation writes one detected operation as a case's forward and backward
// sections spell it: its description, then the details a case asserts that
// the description leaves out — a CreateModel's fields, indexes, constraints
// and unique groups, a one-off fill, the state side of a state-only swap.
func Operation(op operations.Operation) string {
	var b strings.Builder
	b.WriteString(op.Describe())
	switch o := op.(type) {
	case operations.CreateModel:
		writeCreateModel(&b, o)
	case operations.AddField:
		writeFill(&b, o.Fill)
	case operations.AlterField:
		writeFill(&b, o.Fill)
	case operations.SeparateDatabaseAndState:
		var parts []string
		for _, s := range o.State {
			parts = append(parts, Operation(s))
		}
		b.WriteString(" state=[" + strings.Join(parts, " | ") + "]")
	}
	return b.String()
}

func writeCreateModel(b *strings.Builder, o operations.CreateModel) {
	var names []string
	for _, f := range o.Fields {
		names = append(names, f.Name)
	}
	b.WriteString(" fields=" + strings.Join(names, ","))
	if o.Unmanaged {
		b.WriteString(" unmanaged")
	}
	if len(o.Indexes) > 0 {
		var idx []string
		for _, i := range o.Indexes {
			idx = append(idx, i.Name)
		}
		b.WriteString(" indexes=" + strings.Join(idx, ","))
	}
	if len(o.Constraints) > 0 {
		var cons []string
		for _, c := range o.Constraints {
			cons = append(cons, c.Name)
		}
		b.WriteString(" constraints=" + strings.Join(cons, ","))
	}
	if len(o.UniqueTogether) > 0 {
		var groups []string
		for _, g := range o.UniqueTogether {
			groups = append(groups, strings.Join(g, "+"))
		}
		b.WriteString(" together=" + strings.Join(groups, ","))
	}
}

func writeFill(b *strings.Builder, fill *string) {
	if fill != nil {
		fmt.Fprintf(b, " fill=%q", *fill)
	}
}
