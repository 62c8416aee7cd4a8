package autodetect

import (
	"sort"

	"github.com/pmanager/pmanager/internal/casefile"
	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// parseProject reads a case's state; the language is statedsl's.
func parseProject(src string) (*state.Project, error) { return statedsl.Parse(src) }

// renderChanges writes detected operations one a line, as the case files
// spell them (casefile.Operation).
func renderChanges(ch *Changes) []string {
	var out []string
	for _, app := range sortedApps(ch.Ops) {
		for _, op := range ch.Ops[app] {
			out = append(out, app+": "+casefile.Operation(op))
		}
	}
	return out
}

func sortedApps(ops map[string][]operations.Operation) []string {
	var apps []string
	for app := range ops {
		apps = append(apps, app)
	}
	sort.Strings(apps)
	return apps
}

// renderDeps writes "app: other" per dependency, "(new)" when it is on the
// other app's new migration.
func renderDeps(ch *Changes) []string {
	var out []string
	var apps []string
	for app := range ch.Dependencies {
		apps = append(apps, app)
	}
	sort.Strings(apps)
	for _, app := range apps {
		for _, other := range ch.Dependencies[app] {
			line := app + ": " + other
			for _, n := range ch.OnNew[app] {
				if n == other {
					line += " (new)"
				}
			}
			out = append(out, line)
		}
	}
	return out
}
