package autodetect

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// parseProject reads a case's state; the language is statedsl's.
func parseProject(src string) (*state.Project, error) { return statedsl.Parse(src) }

// renderChanges writes detected operations one a line as "app: Describe()"
// plus the details the cases assert: a CreateModel's inline fields,
// indexes, constraints and groups, a one-off fill, a state-only swap.
func renderChanges(ch *Changes) []string {
	var out []string
	for _, app := range sortedApps(ch.Ops) {
		for _, op := range ch.Ops[app] {
			out = append(out, app+": "+renderOp(op))
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

func renderOp(op operations.Operation) string {
	var b strings.Builder
	b.WriteString(op.Describe())
	switch o := op.(type) {
	case operations.CreateModel:
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
	case operations.AddField:
		if o.Fill != nil {
			fmt.Fprintf(&b, " fill=%q", *o.Fill)
		}
	case operations.AlterField:
		if o.Fill != nil {
			fmt.Fprintf(&b, " fill=%q", *o.Fill)
		}
	case operations.SeparateDatabaseAndState:
		var parts []string
		for _, s := range o.State {
			parts = append(parts, renderOp(s))
		}
		b.WriteString(" state=[" + strings.Join(parts, " | ") + "]")
	}
	return b.String()
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
