package autodetect

import (
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/operations"
)

// maxNameLength keeps suggested names short enough for file names and
// readable listings (Django's limit for joined fragments).
const maxNameLength = 52

// SuggestName proposes the name part of a new migration file (after the
// NNNN_ prefix), by content as Django does: "initial" for an app's first
// migration; the created models' names, sorted and joined, when the
// migration only creates models (and adds fields, indexes, constraints or
// unique_together to those same new models); else each operation's
// fragment (car_manufacturer for Add Field manufacturer To Car,
// alter_customer_first_name, delete_car...) joined in order, ending in
// "_and_more" where the rest does not fit. Only when some operation has no
// fragment (RunSQL, RunGo, SeparateDatabaseAndState) or there is none is it
// auto_YYYYMMDD_HHMM from now. Names stay within 52 characters.
func SuggestName(ops []operations.Operation, initial bool, now time.Time) string {
	if initial {
		return "initial"
	}
	if names := createdOnly(ops); len(names) > 0 {
		return joinNames(names)
	}
	var frags []string
	for _, op := range ops {
		f := fragment(op)
		if f == "" {
			return "auto_" + now.Format("20060102_1504")
		}
		if len(frags) == 0 || frags[len(frags)-1] != f {
			frags = append(frags, f)
		}
	}
	if len(frags) == 0 {
		return "auto_" + now.Format("20060102_1504")
	}
	if len(frags) == 1 {
		return clip(frags[0])
	}
	return joinNames(frags)
}

// fragment describes one operation for a migration name, or "" when no
// description fits (raw SQL or Go, combined state/database operations).
func fragment(op operations.Operation) string {
	var parts []string
	switch o := deref(op).(type) {
	case operations.CreateModel:
		parts = []string{o.Name}
	case operations.DeleteModel:
		parts = []string{"delete", o.Name}
	case operations.AddField:
		if o.Field == nil {
			return ""
		}
		parts = []string{o.Model, o.Field.Name}
	case operations.RemoveField:
		parts = []string{"remove", o.Model, o.Name}
	case operations.AlterField:
		parts = []string{"alter", o.Model, o.Name}
	case operations.RenameField:
		parts = []string{"rename", o.OldName, o.Model, o.NewName}
	case operations.RenameModel:
		parts = []string{"rename", o.OldName, o.NewName}
	case operations.AlterModelTable:
		parts = []string{"alter", o.Name, "table"}
	case operations.AlterModelOptions:
		parts = []string{"alter", o.Name, "options"}
	case operations.AlterUniqueTogether:
		parts = []string{"alter", o.Name, "unique_together"}
	case operations.AddIndex:
		parts = []string{o.Model, o.Index.Name}
	case operations.RemoveIndex:
		parts = []string{"remove", o.Model, o.Name}
	case operations.RenameIndex:
		parts = []string{"rename", o.Model, o.OldName, o.NewName}
	case operations.AddConstraint:
		parts = []string{o.Model, o.Constraint.Name}
	case operations.RemoveConstraint:
		parts = []string{"remove", o.Model, o.Name}
	default:
		return ""
	}
	return sanitize(strings.Join(parts, "_"))
}

// createdOnly returns the lower-case names of the created models, sorted,
// when every operation creates a model or adds to a model created in the
// same list; otherwise nil.
func createdOnly(ops []operations.Operation) []string {
	created := map[string]bool{}
	var names []string
	for _, op := range ops {
		if c, ok := deref(op).(operations.CreateModel); ok {
			key := strings.ToLower(c.Name)
			if !created[key] {
				created[key] = true
				names = append(names, sanitize(c.Name))
			}
		}
	}
	for _, op := range ops {
		var model string
		switch o := deref(op).(type) {
		case operations.CreateModel:
			continue
		case operations.AddField:
			model = o.Model
		case operations.AddIndex:
			model = o.Model
		case operations.AddConstraint:
			model = o.Model
		case operations.AlterUniqueTogether:
			model = o.Name
		default:
			return nil
		}
		if !created[strings.ToLower(model)] {
			return nil
		}
	}
	sort.Strings(names)
	return names
}

// deref lets pointer operations (&operations.AddField{...}) name migrations
// as their values do.
func deref(op operations.Operation) operations.Operation {
	v := reflect.ValueOf(op)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		if o, ok := v.Elem().Interface().(operations.Operation); ok {
			return o
		}
	}
	return op
}

// joinNames joins names with "_"; when they do not fit, it keeps the names
// that do and ends with "_and_more".
func joinNames(names []string) string {
	if len(names) == 1 {
		return clip(names[0])
	}
	if all := strings.Join(names, "_"); len(all) <= maxNameLength {
		return all
	}
	const more = "_and_more"
	name := clipTo(names[0], maxNameLength-len(more))
	for _, n := range names[1:] {
		if len(name)+1+len(n)+len(more) > maxNameLength {
			break
		}
		name += "_" + n
	}
	return name + more
}

func clip(s string) string { return clipTo(s, maxNameLength) }

func clipTo(s string, n int) string {
	if len(s) > n {
		s = strings.TrimRight(s[:n], "_")
	}
	return s
}

// sanitize lower-cases s and turns every run of characters other than
// letters, digits and "_" into one "_", so a name is a safe file name.
func sanitize(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	return b.String()
}
