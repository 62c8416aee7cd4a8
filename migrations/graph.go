package migrations

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Graph is the dependency graph of a project's migrations. It is built once
// and never changes, so every answer (order, leaves, replayed state) is
// deterministic.
//
// A squashed migration (one with Replaces) and the migrations it replaces
// are never both in the graph; which of them is depends on a database's
// history, by Django's rule (see ForHistory). A graph built without a
// history (NewGraph) treats every replaced migration as unapplied, so the
// squashed migration stands in for them, and dependencies on them point at it.
type Graph struct {
	// all is every migration given, the left-out ones included, so the graph
	// can be resolved again for a history.
	all   []*Migration
	nodes map[Key]*node
	order []*Migration
	// position is each key's index in order.
	position map[Key]int
	apps     []string
}

// node is one migration with its dependencies resolved through replacements.
type node struct {
	m        *Migration
	deps     []Key
	children []Key
}

// NewGraph checks ms (no nil or unnamed migration, no duplicate key, every
// dependency present, no cycle) and orders them, as for a database that
// applied nothing. Operations written as pointers become values, as
// Register makes them, for lists built without a registry.
func NewGraph(ms []*Migration) (*Graph, error) {
	for _, m := range ms {
		if m != nil {
			normalize(m)
		}
	}
	return newGraph(ms, nil)
}

// ForHistory returns the graph as it stands for a database whose history is
// applied, by Django's rule for each squashed migration: when the database
// applied every migration it replaces, or none of them, the squashed
// migration takes their place (it counts as applied in the first case);
// when it applied only some, the replaced migrations stay, so the rest of
// them are applied one by one, and dependencies on the squashed migration
// point at the last one it replaces.
func (g *Graph) ForHistory(applied map[Key]Applied) (*Graph, error) {
	return newGraph(g.all, applied)
}

func newGraph(ms []*Migration, applied map[Key]Applied) (*Graph, error) {
	byKey, err := indexMigrations(ms)
	if err != nil {
		return nil, err
	}
	remap, err := resolveReplacements(byKey, applied)
	if err != nil {
		return nil, err
	}
	g := &Graph{all: append([]*Migration(nil), ms...), nodes: map[Key]*node{}, position: map[Key]int{}}
	var errs []error
	for _, k := range sortedKeys(byKey) {
		m := byKey[k]
		n := &node{m: m}
		seen := map[Key]bool{}
		for _, d := range m.Dependencies {
			if to, ok := remap[d]; ok {
				d = to
			}
			if _, ok := byKey[d]; !ok {
				errs = append(errs, fmt.Errorf("migrations: %s depends on %s, which does not exist; restore that migration, or fix the dependency in %s", k, d, k))
				continue
			}
			if !seen[d] {
				seen[d] = true
				n.deps = append(n.deps, d)
			}
		}
		sortKeys(n.deps)
		g.nodes[k] = n
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, k := range sortedKeys(byKey) {
		for _, d := range g.nodes[k].deps {
			g.nodes[d].children = append(g.nodes[d].children, k)
		}
	}
	if err := g.sort(); err != nil {
		return nil, err
	}
	apps := map[string]bool{}
	for _, m := range g.order {
		apps[m.App] = true
	}
	for app := range apps {
		g.apps = append(g.apps, app)
	}
	sort.Strings(g.apps)
	return g, nil
}

// indexMigrations maps migrations by key, rejecting nil, unnamed and
// duplicate ones.
func indexMigrations(ms []*Migration) (map[Key]*Migration, error) {
	byKey := map[Key]*Migration{}
	var errs []error
	for i, m := range ms {
		switch {
		case m == nil:
			errs = append(errs, fmt.Errorf("migrations: migration #%d is nil", i+1))
		case m.App == "" || m.Name == "":
			errs = append(errs, fmt.Errorf("migrations: migration #%d (%q) needs both App and Name", i+1, m.Key().String()))
		case byKey[m.Key()] != nil:
			errs = append(errs, fmt.Errorf("migrations: duplicate migration %s", m.Key()))
		default:
			byKey[m.Key()] = m
		}
	}
	return byKey, errors.Join(errs...)
}

// resolveReplacements decides, for every squashed migration, whether it or
// the migrations it replaces take part in the graph, given what the
// database applied (see ForHistory). It deletes the losers from byKey and
// returns where dependencies on them now point.
func resolveReplacements(byKey map[Key]*Migration, applied map[Key]Applied) (map[Key]Key, error) {
	remap := map[Key]Key{}
	var errs []error
	for _, k := range sortedKeys(byKey) {
		m := byKey[k]
		if m == nil || len(m.Replaces) == 0 {
			continue
		}
		var present, missing []string
		done := 0
		for _, r := range m.Replaces {
			if _, ok := byKey[r]; ok {
				present = append(present, r.String())
			} else {
				missing = append(missing, r.String())
			}
			if _, ok := applied[r]; ok {
				done++
			}
		}
		switch {
		case len(present) > 0 && len(missing) > 0:
			errs = append(errs, fmt.Errorf("migrations: %s replaces %s, which are present, and %s, which are not; keep every replaced migration or none",
				k, strings.Join(present, ", "), strings.Join(missing, ", ")))
		case len(present) > 0 && done > 0 && done < len(m.Replaces):
			delete(byKey, k)
			remap[k] = m.Replaces[len(m.Replaces)-1]
		default:
			for _, r := range m.Replaces {
				if other, ok := remap[r]; ok && other != k {
					errs = append(errs, fmt.Errorf("migrations: %s and %s both replace %s", other, k, r))
				}
				remap[r] = k
				delete(byKey, r)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// A squashed migration may depend on (or replace) one that another
	// squash replaced; follow the chain to what is in the graph.
	for from, to := range remap {
		for seen := 0; seen <= len(remap); seen++ {
			next, ok := remap[to]
			if !ok {
				break
			}
			to = next
		}
		remap[from] = to
	}
	return remap, nil
}

// sort orders the nodes topologically, taking the smallest (app, name)
// among the ready ones at each step, and names a cycle when there is one.
func (g *Graph) sort() error {
	waiting := map[Key]int{}
	var ready []Key
	for k, n := range g.nodes {
		waiting[k] = len(n.deps)
		if len(n.deps) == 0 {
			ready = append(ready, k)
		}
	}
	sortKeys(ready)
	for len(ready) > 0 {
		k := ready[0]
		ready = ready[1:]
		g.position[k] = len(g.order)
		g.order = append(g.order, g.nodes[k].m)
		for _, c := range g.nodes[k].children {
			waiting[c]--
			if waiting[c] == 0 {
				i := sort.Search(len(ready), func(i int) bool { return !keyLess(ready[i], c) })
				ready = append(ready, Key{})
				copy(ready[i+1:], ready[i:])
				ready[i] = c
			}
		}
	}
	if len(g.order) == len(g.nodes) {
		return nil
	}
	return g.cycleError(waiting)
}

// cycleError walks the dependencies of the unordered nodes until one
// repeats and reports that loop.
func (g *Graph) cycleError(waiting map[Key]int) error {
	var stuck []Key
	for k, w := range waiting {
		if w > 0 {
			stuck = append(stuck, k)
		}
	}
	sortKeys(stuck)
	start := stuck[0]
	seen := map[Key]int{}
	var path []Key
	for k := start; ; {
		if i, ok := seen[k]; ok {
			loop := append(path[i:], k)
			names := make([]string, len(loop))
			for j, l := range loop {
				names[j] = l.String()
			}
			return fmt.Errorf("migrations: dependency cycle: %s (each depends on the next); remove one of these dependencies", strings.Join(names, " → "))
		}
		seen[k] = len(path)
		path = append(path, k)
		for _, d := range g.nodes[k].deps {
			if waiting[d] > 0 {
				k = d
				break
			}
		}
	}
}

// Apps returns the apps that have migrations, sorted.
func (g *Graph) Apps() []string { return append([]string(nil), g.apps...) }

// Migration returns the migration with key k, or nil.
func (g *Graph) Migration(k Key) *Migration {
	if n, ok := g.nodes[k]; ok {
		return n.m
	}
	return nil
}

// Migrations returns the migrations of app in graph order.
func (g *Graph) Migrations(app string) []*Migration {
	var out []*Migration
	for _, m := range g.order {
		if m.App == app {
			out = append(out, m)
		}
	}
	return out
}

// Leaves returns the migrations of app that no other migration of the same
// app depends on, sorted; more than one is a conflict to merge.
func (g *Graph) Leaves(app string) []Key {
	var out []Key
	for _, m := range g.Migrations(app) {
		leaf := true
		for _, c := range g.nodes[m.Key()].children {
			if c.App == app {
				leaf = false
				break
			}
		}
		if leaf {
			out = append(out, m.Key())
		}
	}
	sortKeys(out)
	return out
}

// Conflicts returns the leaves of every app that has more than one.
func (g *Graph) Conflicts() map[string][]Key {
	out := map[string][]Key{}
	for _, app := range g.apps {
		if leaves := g.Leaves(app); len(leaves) > 1 {
			out[app] = leaves
		}
	}
	return out
}

// Find returns the migration of app whose name is prefix or starts with it
// ("0001"), so users can type short names.
func (g *Graph) Find(app, prefix string) (*Migration, error) {
	ms := g.Migrations(app)
	if len(ms) == 0 {
		return nil, fmt.Errorf("migrations: app %q has no migrations", app)
	}
	var found []*Migration
	for _, m := range ms {
		if m.Name == prefix {
			return m, nil
		}
		if prefix != "" && strings.HasPrefix(m.Name, prefix) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if by := g.replacedBy(app, prefix); by != nil {
			return nil, fmt.Errorf("migrations: %s.%s is replaced by %s here; name %s instead", app, prefix, by.Key(), by.Name)
		}
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = m.Name
		}
		return nil, fmt.Errorf("migrations: app %s has no migration matching %q; it has %s", app, prefix, strings.Join(names, ", "))
	}
	names := make([]string, len(found))
	for i, m := range found {
		names[i] = m.Name
	}
	return nil, fmt.Errorf("migrations: more than one migration of app %s matches %q: %s; give more of the name", app, prefix, strings.Join(names, ", "))
}

// replacedBy returns the squashed migration in the graph that replaces a
// migration of app whose name is prefix or starts with it, or nil.
func (g *Graph) replacedBy(app, prefix string) *Migration {
	if prefix == "" {
		return nil
	}
	for _, m := range g.order {
		for _, r := range m.Replaces {
			if r.App == app && strings.HasPrefix(r.Name, prefix) {
				return m
			}
		}
	}
	return nil
}

// Order returns every migration in a deterministic topological order: a
// migration comes after its dependencies, ties broken by app, then name.
func (g *Graph) Order() []*Migration { return append([]*Migration(nil), g.order...) }

// Ancestors returns k and every migration it needs, in graph order; nil
// when k is not in the graph.
func (g *Graph) Ancestors(k Key) []*Migration {
	return g.closure(k, func(n *node) []Key { return n.deps })
}

// descendants returns k and every migration that needs it, in graph order.
func (g *Graph) descendants(k Key) []*Migration {
	return g.closure(k, func(n *node) []Key { return n.children })
}

// closure returns k and every migration reachable from it along next, in
// graph order; nil when k is not in the graph.
func (g *Graph) closure(k Key, next func(*node) []Key) []*Migration {
	if _, ok := g.nodes[k]; !ok {
		return nil
	}
	seen := map[Key]bool{}
	var visit func(Key)
	visit = func(k Key) {
		if seen[k] {
			return
		}
		seen[k] = true
		for _, n := range next(g.nodes[k]) {
			visit(n)
		}
	}
	visit(k)
	return g.inOrder(seen)
}

// dependencies returns the resolved dependencies of k (replacements applied).
func (g *Graph) dependencies(k Key) []Key {
	if n, ok := g.nodes[k]; ok {
		return n.deps
	}
	return nil
}

// children returns the migrations that depend directly on k.
func (g *Graph) children(k Key) []Key {
	if n, ok := g.nodes[k]; ok {
		return n.children
	}
	return nil
}

// inOrder returns the migrations whose keys are in set, in graph order.
func (g *Graph) inOrder(set map[Key]bool) []*Migration {
	out := make([]*Migration, 0, len(set))
	for _, m := range g.order {
		if set[m.Key()] {
			out = append(out, m)
		}
	}
	return out
}

// State replays every migration in Order into a new project: the state the
// migration files build up.
func (g *Graph) State() (*state.Project, error) {
	return replay(state.NewProject(), g.order)
}

// StateBefore replays what k needs, without k itself: the state k starts from.
func (g *Graph) StateBefore(k Key) (*state.Project, error) {
	ancestors := g.Ancestors(k)
	if ancestors == nil {
		return nil, fmt.Errorf("migrations: no migration %s", k)
	}
	return replay(state.NewProject(), ancestors[:len(ancestors)-1])
}

// replay applies the operations of ms, in order, to p.
func replay(p *state.Project, ms []*Migration) (*state.Project, error) {
	for _, m := range ms {
		if err := operations.Apply(m.App, m.Operations, p); err != nil {
			return nil, fmt.Errorf("migrations: replay %s: %w", m.Key(), err)
		}
	}
	return p, nil
}

// CheckConsistent reports every applied migration of g one of whose
// dependencies is not applied: a history no plan can start from, which
// only a hand edit of the history table (or of the files) puts right.
// applied is the history the graph was resolved for (see ForHistory).
func CheckConsistent(g *Graph, applied map[Key]Applied) error {
	var errs []error
	for _, m := range g.order {
		if !IsApplied(applied, m) {
			continue
		}
		for _, d := range g.dependencies(m.Key()) {
			if dep := g.Migration(d); dep != nil && !IsApplied(applied, dep) {
				errs = append(errs, fmt.Errorf("migrations: migration %s is applied before its dependency %s; "+
					"if the changes of %s are in the database, add its row to the %s table, "+
					"otherwise delete the row of %s from that table and undo its changes by hand",
					m.Key(), d, d, schema.HistoryTable, m.Key()))
			}
		}
	}
	return errors.Join(errs...)
}

// NextNumber returns the number the next migration of app gets: one more
// than the highest number among its migration names (1 for a new app),
// counting the migrations a squash stands in for, which may still be on
// disk, and the last number a squash's name carries (0001_squashed_0020
// counts as 20).
func (g *Graph) NextNumber(app string) int {
	highest := 0
	for _, m := range g.all {
		if m == nil || m.App != app {
			continue
		}
		n := leadingNumber(m.Name)
		if i := strings.LastIndex(m.Name, "_squashed_"); i >= 0 {
			n = max(n, leadingNumber(m.Name[i+len("_squashed_"):]))
		}
		highest = max(highest, n)
		for _, r := range m.Replaces {
			if r.App == app {
				highest = max(highest, leadingNumber(r.Name))
			}
		}
	}
	return highest + 1
}

// Registered returns the migration with key k among every migration the
// graph was built from, those a squash stands in for included, or nil.
func (g *Graph) Registered(k Key) *Migration {
	for _, m := range g.all {
		if m != nil && m.Key() == k {
			return m
		}
	}
	return nil
}

// leadingNumber parses the digits a migration name starts with (0 if none).
func leadingNumber(name string) int {
	end := 0
	for end < len(name) && name[end] >= '0' && name[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(name[:end])
	if err != nil {
		return 0
	}
	return n
}

// keyLess orders keys by app, then name.
func keyLess(a, b Key) bool {
	if a.App != b.App {
		return a.App < b.App
	}
	return a.Name < b.Name
}

// sortKeys sorts keys by app, then name.
func sortKeys(ks []Key) { sort.Slice(ks, func(i, j int) bool { return keyLess(ks[i], ks[j]) }) }

// sortedKeys returns the keys of byKey, sorted.
func sortedKeys(byKey map[Key]*Migration) []Key {
	out := make([]Key, 0, len(byKey))
	for k := range byKey {
		out = append(out, k)
	}
	sortKeys(out)
	return out
}
