package migrations

import (
	"fmt"
	"sort"
	"strings"
)

// ConflictError stops a workflow while an app has more than one leaf
// migration (two branches written in parallel): nothing can be planned or
// written on top of them until a merge migration joins them.
type ConflictError struct {
	// Leaves are, per app, its leaf migrations, sorted by name.
	Leaves map[string][]Key
}

// Error implements error: Django's words, the leaves listed per app.
func (e *ConflictError) Error() string {
	apps := make([]string, 0, len(e.Leaves))
	for app := range e.Leaves {
		apps = append(apps, app)
	}
	sort.Strings(apps)
	parts := make([]string, len(apps))
	for i, app := range apps {
		names := make([]string, len(e.Leaves[app]))
		for j, k := range e.Leaves[app] {
			names[j] = k.Name
		}
		parts[i] = fmt.Sprintf("%s in %s", strings.Join(names, ", "), app)
	}
	return fmt.Sprintf("migrations: Conflicting migrations detected; multiple leaf nodes in the migration graph: (%s)", strings.Join(parts, "; "))
}

// CheckConflicts returns a *ConflictError naming the apps of g with more
// than one leaf, among apps (every app when apps is empty); nil when there
// is none.
func CheckConflicts(g *Graph, apps []string) error {
	leaves := map[string][]Key{}
	for app, ks := range g.Conflicts() {
		if len(apps) == 0 || containsApp(apps, app) {
			leaves[app] = ks
		}
	}
	if len(leaves) == 0 {
		return nil
	}
	return &ConflictError{Leaves: leaves}
}
