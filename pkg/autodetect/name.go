package autodetect

import (
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
	return sanitize(op.Naming().Fragment)
}

// createdOnly returns the lower-case names of the created models, sorted,
// when every operation creates a model or only adds to a model created in
// the same list; otherwise nil.
func createdOnly(ops []operations.Operation) []string {
	created := map[string]bool{}
	var names []string
	namings := make([]operations.Naming, len(ops))
	for i, op := range ops {
		namings[i] = op.Naming()
		if c := namings[i].Creates; c != "" {
			key := strings.ToLower(c)
			if !created[key] {
				created[key] = true
				names = append(names, sanitize(c))
			}
		}
	}
	for _, n := range namings {
		switch {
		case n.Creates != "":
			continue
		case n.Extends == "" || !created[strings.ToLower(n.Extends)]:
			return nil
		}
	}
	sort.Strings(names)
	return names
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
