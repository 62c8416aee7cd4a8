package operations

import (
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// Ref names one piece of a model that an operation changes or relies on.
type Ref struct {
	// Model is the model as the operation spells it: a name in the
	// operation's app, or an "app.Model" label (a relation's target).
	Model string
	// Field names one field of the model.
	Field string
	// Option names one table-level option of the model: "index car_idx",
	// "constraint price_gte_0", "options", "unique_together". With Field
	// also empty, the Ref is the whole model.
	Option string
	// Within lists, for an Option, the fields the change stays within (the
	// fields of a new index or unique constraint), so the operation can
	// move past changes to other fields of the model. Empty when the
	// operation cannot say: the option then counts as the whole model.
	Within []string
}

// Whole reports whether r names the whole model.
func (r Ref) Whole() bool { return r.Field == "" && r.Option == "" }

// Touches is what an operation changes and what it relies on without
// changing it, as Django's references_model and references_field answer
// it: the optimizer asks it whether two operations may swap places, and
// makemigrations --merge whether two branches clash.
type Touches struct {
	// Changes lists what the operation changes; the first names the model
	// the operation works on.
	Changes []Ref
	// Reads lists what it relies on: the targets of its relations, the
	// fields an index, a constraint or unique_together covers.
	Reads []Ref
	// Appends names the list of its model that the operation appends to
	// ("fields", "indexes", "constraints"), "" for none: two operations
	// appending to one list keep their order.
	Appends string
	// Redirects is set when the operation rewrites every relation that
	// points at the models it changes (a model rename): it then touches
	// the models holding those relations too.
	Redirects bool
	// Opaque is set when what the operation does to the database cannot
	// be told from what it says (raw SQL, Go, database operations apart
	// from the state): nothing moves or folds across it, and the live
	// schema cannot show whether it ran.
	Opaque bool
}

// Model names the model the operation works on, "" when it has none.
func (t Touches) Model() string {
	if len(t.Changes) == 0 {
		return ""
	}
	return t.Changes[0].Model
}

// Naming is what an operation contributes to the name of the migration that
// holds it (Django's migration_name_fragment).
type Naming struct {
	// Fragment describes the operation in a few words joined by "_"
	// ("Car_manufacturer", "delete_Car"); the namer lower-cases and
	// sanitizes it. "" when no description fits (raw SQL or Go).
	Fragment string
	// Creates is the model the operation creates, "" for none.
	Creates string
	// Extends is the model the operation only adds to (a field, an index,
	// a constraint, unique_together), "" for none: a migration that creates
	// models and only adds to them is named after the models.
	Extends string
}

// fragment joins the words of a name fragment.
func fragment(words ...string) string { return strings.Join(words, "_") }

// fieldRef is one field of model.
func fieldRef(model, field string) Ref { return Ref{Model: model, Field: field} }

// fieldRefs lists fields of one model, a "-" prefix (descending) ignored.
func fieldRefs(model string, fields []string) []Ref {
	var out []Ref
	for _, f := range fields {
		out = append(out, fieldRef(model, strings.TrimPrefix(f, "-")))
	}
	return out
}

// trimmed returns names without their "-" prefixes.
func trimmed(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimPrefix(n, "-")
	}
	return out
}

// relationReads lists the models the relations of fields point at, as
// target or through model.
func relationReads(fields ...*state.Field) []Ref {
	var out []Ref
	for _, f := range fields {
		if f == nil || f.Relation == nil {
			continue
		}
		for _, label := range []string{f.Relation.To, f.Relation.Through} {
			if label != "" {
				out = append(out, Ref{Model: label})
			}
		}
	}
	return out
}
