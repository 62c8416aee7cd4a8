package autodetect

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
)

// tokenKind says what a token stands for: something an operation brings
// about that another operation may have to wait for.
type tokenKind uint8

const (
	// modelCreated: the model exists (CreateModel).
	modelCreated tokenKind = iota
	// modelDeleted: the model is gone (DeleteModel).
	modelDeleted
	// fieldAdded: the field exists (CreateModel with it inline, AddField).
	fieldAdded
	// fieldAltered: the field has its new definition (AlterField).
	fieldAltered
	// fieldRemoved: the field is gone (RemoveField).
	fieldRemoved
	// indexRemoved: no index of that name is left (names are database-wide).
	indexRemoved
	// constraintRemoved: no constraint of that name is left.
	constraintRemoved
	// togetherAltered: the model's unique_together has its new groups.
	togetherAltered
	// tableFreed: no model uses that table name any more.
	tableFreed
	// columnFreed: no field of the model uses that column any more.
	columnFreed
	// primaryKeyFreed: the model's old primary key field is gone or no
	// longer the key, so another field may become it.
	primaryKeyFreed
)

// token is one thing an operation provides or needs. model is a model key
// (empty for database-wide names); name is a field, index, constraint,
// table or column name.
type token struct {
	kind  tokenKind
	model string
	name  string
}

// step is one generated operation with what it provides and needs.
type step struct {
	app      string
	op       operations.Operation
	provides []token
	needs    []token
	// refs are the apps of the models the operation points at (relation
	// targets, through models); another app there is a migration dependency
	// even when nothing in this run creates the model.
	refs []string
}

func (s *step) provide(toks ...token) { s.provides = append(s.provides, toks...) }

func (s *step) need(toks ...token) { s.needs = append(s.needs, toks...) }

func (s *step) ref(app string) { s.refs = append(s.refs, app) }

// changes sorts each app's steps and works out the dependencies between apps.
func (d *detector) changes() (*Changes, error) {
	providers := map[token][]int{}
	for i, s := range d.steps {
		for _, t := range s.provides {
			providers[t] = append(providers[t], i)
		}
	}
	ch := &Changes{
		Ops:          map[string][]operations.Operation{},
		Dependencies: map[string][]string{},
		OnNew:        map[string][]string{},
	}
	byApp := map[string][]int{}
	var apps []string
	for i, s := range d.steps {
		if _, ok := byApp[s.app]; !ok {
			apps = append(apps, s.app)
		}
		byApp[s.app] = append(byApp[s.app], i)
	}
	sort.Strings(apps)
	deps := map[string]map[string]bool{}
	onNew := map[string]map[string]bool{}
	for _, app := range apps {
		order, err := d.sortApp(app, byApp[app], providers)
		if err != nil {
			return nil, err
		}
		for _, i := range order {
			ch.Ops[app] = append(ch.Ops[app], d.steps[i].op)
		}
		deps[app], onNew[app] = map[string]bool{}, map[string]bool{}
		for _, i := range byApp[app] {
			s := d.steps[i]
			for _, other := range s.refs {
				if other != app {
					deps[app][other] = true
				}
			}
			for _, t := range s.needs {
				for _, p := range providers[t] {
					if other := d.steps[p].app; other != app {
						deps[app][other], onNew[app][other] = true, true
					}
				}
			}
		}
		if list := sortedKeys(deps[app]); len(list) > 0 {
			ch.Dependencies[app] = list
		}
		if list := sortedKeys(onNew[app]); len(list) > 0 {
			ch.OnNew[app] = list
		}
	}
	if err := checkAppCycles(apps, onNew); err != nil {
		return nil, err
	}
	return ch, nil
}

// sortApp orders one app's steps: generation order, except that a step
// waits until every step of the same app providing something it needs has
// gone (a stable topological sort, as Django's autodetector does).
func (d *detector) sortApp(app string, idx []int, providers map[token][]int) ([]int, error) {
	pos := make(map[int]int, len(idx))
	for p, i := range idx {
		pos[i] = p
	}
	before := make([][]int, len(idx))
	for p, i := range idx {
		seen := map[int]bool{}
		for _, t := range d.steps[i].needs {
			for _, j := range providers[t] {
				q, same := pos[j]
				if same && j != i && !seen[q] {
					seen[q] = true
					before[p] = append(before[p], q)
				}
			}
		}
	}
	done := make([]bool, len(idx))
	order := make([]int, 0, len(idx))
	first := 0 // every step before first is done
	for len(order) < len(idx) {
		for done[first] {
			first++
		}
		next := -1
		for p := first; p < len(idx); p++ {
			if !done[p] && allDone(before[p], done) {
				next = p
				break
			}
		}
		if next < 0 {
			var stuck []string
			for p, i := range idx {
				if !done[p] && len(stuck) < 6 {
					stuck = append(stuck, d.steps[i].op.Describe())
				}
			}
			return nil, fmt.Errorf("autodetect: cannot order the operations of app %s, they wait on each other: %s",
				app, strings.Join(stuck, "; "))
		}
		done[next] = true
		order = append(order, idx[next])
	}
	return order, nil
}

func allDone(list []int, done []bool) bool {
	for _, q := range list {
		if !done[q] {
			return false
		}
	}
	return true
}

// checkAppCycles refuses apps whose new operations need each other's new
// operations: with one new migration per app, neither could run first.
func checkAppCycles(apps []string, onNew map[string]map[string]bool) error {
	const (
		unseen = iota
		active
		finished
	)
	mark := map[string]int{}
	var path []string
	var visit func(app string) error
	visit = func(app string) error {
		mark[app] = active
		path = append(path, app)
		for _, other := range sortedKeys(onNew[app]) {
			switch mark[other] {
			case active:
				start := 0
				for i, a := range path {
					if a == other {
						start = i
					}
				}
				cycle := append(append([]string(nil), path[start:]...), other)
				return fmt.Errorf("autodetect: apps %s need each other's new operations (%s), which one new migration per app cannot order; "+
					"leave one of the relation fields between them out, run makemigrations, then add it back and run makemigrations again",
					strings.Join(path[start:], " and "), strings.Join(cycle, " → "))
			case unseen:
				if err := visit(other); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		mark[app] = finished
		return nil
	}
	for _, app := range apps {
		if mark[app] == unseen {
			if err := visit(app); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// edge is one relation field of a model pointing at another model of the
// same set (new models, or deleted ones).
type edge struct {
	from, to, field string
	m2m             bool
}

// planOrder orders the models of one app that are created (targetsFirst:
// a model after the models it points at) or deleted (!targetsFirst: a model
// after the models that point at it). Ties go alphabetically. When the
// models point at each other in a cycle, the alphabetically first model of
// the cycle — preferring one whose blocking fields are all many-to-many —
// has its blocking relation fields cut: a created model is created without
// them and they are added once their targets exist; a deleted model loses
// them before anything is dropped. Self-references never block.
func planOrder(nodes []string, edges []edge, targetsFirst bool) (order []string, cut []edge) {
	remaining := map[string]bool{}
	for _, n := range nodes {
		remaining[n] = true
	}
	isCut := map[[2]string]bool{}
	live := func(e edge) bool {
		return e.from != e.to && remaining[e.from] && remaining[e.to] && !isCut[[2]string{e.from, e.field}]
	}
	// blockers holds, per model, the edges that can keep it waiting: its
	// own fields when targets go first, the fields pointing at it otherwise.
	blockers := map[string][]edge{}
	for _, e := range edges {
		if targetsFirst {
			blockers[e.from] = append(blockers[e.from], e)
		} else {
			blockers[e.to] = append(blockers[e.to], e)
		}
	}
	blocked := func(n string) bool {
		for _, e := range blockers[n] {
			if live(e) {
				return true
			}
		}
		return false
	}
	for len(order) < len(nodes) {
		next := ""
		for _, n := range nodes {
			if remaining[n] && !blocked(n) {
				next = n
				break
			}
		}
		if next != "" {
			remaining[next] = false
			order = append(order, next)
			continue
		}
		victim := cycleVictim(nodes, edges, live)
		if victim == "" {
			// Unreachable: a stuck set of models always holds a cycle. Keep
			// the remaining models in name order rather than loop forever.
			for _, n := range nodes {
				if remaining[n] {
					remaining[n] = false
					order = append(order, n)
				}
			}
			break
		}
		for _, e := range edges {
			if e.from == victim && live(e) {
				isCut[[2]string{e.from, e.field}] = true
				cut = append(cut, e)
			}
		}
	}
	return order, cut
}

// cycleVictim picks the model whose outgoing relation fields are cut to
// break a cycle: among the models on a live cycle, the first whose live
// outgoing fields are all many-to-many, else the first.
func cycleVictim(nodes []string, edges []edge, live func(edge) bool) string {
	out := map[string][]edge{}
	for _, e := range edges {
		if live(e) {
			out[e.from] = append(out[e.from], e)
		}
	}
	onCycle := func(start string) bool {
		seen := map[string]bool{}
		stack := []string{start}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range out[n] {
				if e.to == start {
					return true
				}
				if !seen[e.to] {
					seen[e.to] = true
					stack = append(stack, e.to)
				}
			}
		}
		return false
	}
	first := ""
	for _, n := range nodes {
		if len(out[n]) == 0 || !onCycle(n) {
			continue
		}
		allM2M := true
		for _, e := range out[n] {
			allM2M = allM2M && e.m2m
		}
		if allM2M {
			return n
		}
		if first == "" {
			first = n
		}
	}
	return first
}
