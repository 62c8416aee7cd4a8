package migrations

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/optimizer"
	"github.com/pmanager/pmanager/pkg/state"
)

// NewOptions say which new migrations NewMigrations lays out.
type NewOptions struct {
	// Apps trims the changes to these apps (and the apps whose new
	// migrations theirs need); nil considers every app.
	Apps []string
	// Name replaces the suggested name after the "NNNN_" number; "" lets
	// the operations suggest one.
	Name string
	// Empty asks for one operation-less migration per app of Apps (or the
	// project's only app), for hand-written operations; nothing is detected.
	Empty bool
	// EmptyIfNone lays out empty migrations as Empty does when no change
	// is detected.
	EmptyIfNone bool
	// ProjectApps lists every app of the project: when an empty migration
	// is asked for and Apps names none, the only one of them gets it.
	ProjectApps []string
	// Now is the time a suggested "auto_YYYYMMDD_HHMM" name is made of.
	Now time.Time
	// Questioner answers what detection cannot decide alone; nil is
	// autodetect.NonInteractive.
	Questioner autodetect.Questioner
}

// Proposed are the migrations NewMigrations laid out, ready to render and
// write, in the order of their apps' labels.
type Proposed struct {
	Migrations []*Migration
	// Empty is true when they are operation-less migrations (NewOptions.Empty,
	// or EmptyIfNone with nothing detected).
	Empty bool
}

// AppNeededError refuses an empty migration when no app is named and the
// project has several: which one gets it is the caller's to say.
type AppNeededError struct {
	// Apps are the project's apps, one of which must be named.
	Apps []string
}

// Error implements error.
func (e *AppNeededError) Error() string {
	return fmt.Sprintf("migrations: an empty migration needs an app when the project has several (apps: %s)", strings.Join(e.Apps, ", "))
}

// NewMigrations is what Django's autodetector does after diffing
// (arrange_for_graph, _trim_to_apps): it detects the changes from the
// migrated state to the current one, trims them to the asked apps (plus
// the apps whose new migrations theirs need), optimizes each app's
// operations, numbers and names one new migration per app after its leaf,
// and sets the dependencies: the app's leaves, and for each other app it
// needs, that app's new migration or its leaves. Nothing is written.
func NewMigrations(g *Graph, migrated, current *state.Project, opts NewOptions) (Proposed, error) {
	if opts.Name != "" && !ValidName(opts.Name) {
		return Proposed{}, fmt.Errorf("migrations: %q is not a valid migration name; use letters, digits and underscores", opts.Name)
	}
	if !opts.Empty {
		ms, err := detectNew(g, migrated, current, opts)
		if err != nil || len(ms) > 0 || !opts.EmptyIfNone {
			return Proposed{Migrations: ms}, err
		}
	}
	ms, err := emptyNew(g, opts)
	return Proposed{Migrations: ms, Empty: true}, err
}

// ValidName reports whether name can follow "NNNN_" in a migration's
// name, and so in its Go file's name.
func ValidName(name string) bool {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return name != ""
}

// detectNew diffs migrated against current and turns the changes of the
// considered apps into new migrations.
func detectNew(g *Graph, migrated, current *state.Project, opts NewOptions) ([]*Migration, error) {
	changes, err := autodetect.Detect(migrated, current, opts.Questioner)
	if err != nil {
		return nil, err
	}
	created := map[string]*Migration{}
	var out []*Migration
	for _, app := range trimToApps(changes, opts.Apps) {
		ops := optimizer.Optimize(app, changes.Ops[app])
		m := nextMigration(g, app, opts, ops)
		m.Operations = ops
		created[app] = m
		out = append(out, m)
	}
	for _, m := range out {
		for _, dep := range changes.Dependencies[m.App] {
			if dep == m.App {
				continue
			}
			nm, isNew := created[dep]
			switch leaves := g.Leaves(dep); {
			case isNew && (containsApp(changes.OnNew[m.App], dep) || len(leaves) == 0):
				m.Dependencies = append(m.Dependencies, nm.Key())
			default:
				m.Dependencies = append(m.Dependencies, leaves...)
			}
		}
		m.Dependencies = uniqueSortedKeys(m.Dependencies)
	}
	return out, nil
}

// emptyNew makes one operation-less migration per app of opts.Apps (the
// only project app when none is named).
func emptyNew(g *Graph, opts NewOptions) ([]*Migration, error) {
	apps := opts.Apps
	if len(apps) == 0 {
		if len(opts.ProjectApps) != 1 {
			return nil, &AppNeededError{Apps: append([]string(nil), opts.ProjectApps...)}
		}
		apps = opts.ProjectApps
	}
	var out []*Migration
	for _, app := range apps {
		out = append(out, nextMigration(g, app, opts, nil))
	}
	return out, nil
}

// nextMigration numbers and names the migration that follows app's leaves
// in g, with ops (which suggest its name), depending on those leaves.
func nextMigration(g *Graph, app string, opts NewOptions, ops []operations.Operation) *Migration {
	leaves := g.Leaves(app)
	name := opts.Name
	if name == "" {
		name = autodetect.SuggestName(ops, len(leaves) == 0, opts.Now)
	}
	return &Migration{
		App:          app,
		Name:         fmt.Sprintf("%04d_%s", g.NextNumber(app), name),
		Dependencies: leaves,
		Initial:      len(leaves) == 0,
	}
}

// trimToApps returns the apps whose changes become migrations, sorted: the
// asked apps (all when none is asked) with operations, plus the apps whose
// new operations theirs need (Changes.OnNew), as Django's _trim_to_apps.
func trimToApps(changes *autodetect.Changes, apps []string) []string {
	keep := map[string]bool{}
	var queue []string
	for app, ops := range changes.Ops {
		if len(ops) > 0 && (len(apps) == 0 || containsApp(apps, app)) {
			keep[app] = true
			queue = append(queue, app)
		}
	}
	for len(queue) > 0 {
		app := queue[0]
		queue = queue[1:]
		for _, dep := range changes.OnNew[app] {
			if !keep[dep] && len(changes.Ops[dep]) > 0 {
				keep[dep] = true
				queue = append(queue, dep)
			}
		}
	}
	out := make([]string, 0, len(keep))
	for app := range keep {
		out = append(out, app)
	}
	sort.Strings(out)
	return out
}

// uniqueSortedKeys returns keys without repeats, sorted by app then name.
func uniqueSortedKeys(keys []Key) []Key {
	seen := map[Key]bool{}
	var out []Key
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].App != out[j].App {
			return out[i].App < out[j].App
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func containsApp(list []string, app string) bool {
	for _, v := range list {
		if v == app {
			return true
		}
	}
	return false
}
