package migrations

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// maxMergeName bounds the generated part of a merge migration's name.
const maxMergeName = 52

// Merge is what merging the leaves of one app brings together: Django's
// makemigrations merge, computed; a command shows it, asks, and writes
// the migration Migration returns.
type Merge struct {
	App    string
	Leaves []Key
	// Branches holds, per leaf (in the order of Leaves), the operations of
	// the migrations of App that only that leaf's branch has.
	Branches [][]BranchOp
	// Clashes names, sorted, what two branches both change, or what one
	// changes and the other relies on ("Car.color (0002_a and 0002_b)");
	// merging such branches needs a person to look. Raw SQL and Go
	// operations name nothing and are left to that review.
	Clashes []string
}

// BranchOp is one operation of a branch and the migration it is in.
type BranchOp struct {
	Migration Key
	Operation operations.Operation
}

// Merges returns a Merge for each app with several leaves, among apps
// (every app when empty), sorted by app; none when nothing conflicts.
func Merges(g *Graph, apps []string) []Merge {
	var out []Merge
	for app, leaves := range g.Conflicts() {
		if len(apps) > 0 && !containsApp(apps, app) {
			continue
		}
		branches := branchOps(g, app, leaves)
		out = append(out, Merge{App: app, Leaves: leaves, Branches: branches, Clashes: branchClashes(app, branches)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].App < out[j].App })
	return out
}

// Migration returns the merge migration: no operations, depending on
// every leaf, numbered after the app's highest number. An empty name is
// merge_<leaf>_<leaf>…, or merge_<now> when that is too long.
func (m Merge) Migration(g *Graph, name string, now time.Time) *Migration {
	if name == "" {
		name = mergeName(m.Leaves, now.UTC().Format("20060102_1504"))
	}
	return &Migration{App: m.App, Name: fmt.Sprintf("%04d_%s", g.NextNumber(m.App), name), Dependencies: m.Leaves}
}

// mergeName is merge_<leaf>_<leaf>…, or merge_<stamp> when that is too long.
func mergeName(leaves []Key, stamp string) string {
	parts := []string{"merge"}
	for _, l := range leaves {
		parts = append(parts, l.Name)
	}
	if n := strings.Join(parts, "_"); len(n) <= maxMergeName {
		return n
	}
	return "merge_" + stamp
}

// branchOps returns, per leaf, the operations of the migrations of app
// that only that leaf's branch has.
func branchOps(g *Graph, app string, leaves []Key) [][]BranchOp {
	seen := map[Key]int{}
	for _, leaf := range leaves {
		for _, m := range g.Ancestors(leaf) {
			seen[m.Key()]++
		}
	}
	out := make([][]BranchOp, len(leaves))
	for i, leaf := range leaves {
		for _, m := range g.Ancestors(leaf) {
			if m.App != app || seen[m.Key()] == len(leaves) {
				continue
			}
			for _, op := range m.Operations {
				out[i] = append(out[i], BranchOp{Migration: m.Key(), Operation: op})
			}
		}
	}
	return out
}

// branchClashes names what two of the branches both change, or what one
// changes and the other relies on, sorted.
func branchClashes(app string, branches [][]BranchOp) []string {
	found := map[string]bool{}
	for i := range branches {
		for j := i + 1; j < len(branches); j++ {
			for _, a := range branches[i] {
				for _, b := range branches[j] {
					for _, cl := range clash(app, a.Operation, b.Operation) {
						found[fmt.Sprintf("%s (%s and %s)", cl, a.Migration.Name, b.Migration.Name)] = true
					}
				}
			}
		}
	}
	out := make([]string, 0, len(found))
	for cl := range found {
		out = append(out, cl)
	}
	sort.Strings(out)
	return out
}

// part is a piece of a model an operation changes or relies on: a field,
// a named option ("#index car_idx"), or the whole model ("").
type part struct {
	model string // the model's name as the operation spells it
	what  string
}

func (p part) String() string {
	if p.what == "" {
		return "model " + p.model
	}
	if strings.HasPrefix(p.what, "#") {
		return p.model + " " + p.what[1:]
	}
	return p.model + "." + p.what
}

// clash lists what a and b, from two branches, both change, or what one
// changes and the other relies on. A change of a whole model meets
// anything of that model; a reliance on a whole model (a relation's
// target) meets only a change of the whole model.
func clash(app string, a, b operations.Operation) []string {
	aw, ar := parts(a)
	bw, br := parts(b)
	var out []string
	same := func(x, y part) bool {
		return state.ModelKey(state.SplitLabel(app, x.model)) == state.ModelKey(state.SplitLabel(app, y.model))
	}
	name := func(x, y part) string {
		if y.what == "" {
			return y.String()
		}
		return x.String()
	}
	for _, x := range aw {
		for _, y := range bw {
			if same(x, y) && (x.what == "" || y.what == "" || x.what == y.what) {
				out = append(out, name(x, y))
			}
		}
	}
	relies := func(w, r []part) {
		for _, x := range w {
			for _, y := range r {
				if same(x, y) && (x.what == "" || x.what == y.what) {
					out = append(out, x.String())
				}
			}
		}
	}
	relies(aw, br)
	relies(bw, ar)
	return out
}

// parts returns what op changes and what it relies on without changing,
// as the operation itself tells (operations.Touches).
func parts(op operations.Operation) (writes, reads []part) {
	t := op.Touches()
	for _, r := range t.Changes {
		writes = append(writes, partOf(r))
	}
	for _, r := range t.Reads {
		reads = append(reads, partOf(r))
	}
	return writes, reads
}

// partOf is the part a reference names: "#" marks an option.
func partOf(r operations.Ref) part {
	switch {
	case r.Field != "":
		return part{model: r.Model, what: r.Field}
	case r.Option != "":
		return part{model: r.Model, what: "#" + r.Option}
	}
	return part{model: r.Model}
}
