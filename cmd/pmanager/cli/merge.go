package cli

import (
	"bufio"
	"fmt"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// maxMergeName bounds the generated part of a merge migration's name.
const maxMergeName = 52

// merge writes, for each app with several leaf migrations, a migration with
// no operations that depends on all of them, after showing what each branch
// does and (unless --noinput) asking.
func (s *session) merge(c *ucli.Context, p *loader.Project, g *migrations.Graph, named []string, name string) error {
	conflicts := g.Conflicts()
	var apps []string
	for app := range conflicts {
		if len(named) == 0 || contains(named, app) {
			apps = append(apps, app)
		}
	}
	sort.Strings(apps)
	if len(apps) == 0 {
		fmt.Fprintln(s.stdout, "No conflicts detected to merge.")
		return nil
	}
	ask := !c.Bool("noinput") && !c.Bool("dry-run") && !c.Bool("check")
	in := bufio.NewReader(s.stdin)
	var ms []*migrations.Migration
	for _, app := range apps {
		leaves := conflicts[app]
		s.showBranches(g, app, leaves)
		clashes := branchClashes(g, app, leaves)
		for _, cl := range clashes {
			fmt.Fprintf(s.stdout, "  Both branches change %s\n", cl)
		}
		if len(clashes) > 0 && c.Bool("noinput") {
			return fmt.Errorf("cli: cannot merge the migrations of app %s without asking: both branches change %s; "+
				"run 'pmanager makemigrations --merge' without --noinput to review and merge them, or change one branch", app, strings.Join(clashes, ", "))
		}
		if ask && !s.confirm(in, "Merge migration branches? [y/N] ") {
			continue
		}
		n := name
		if n == "" {
			n = mergeName(leaves, s.now().UTC().Format("20060102_1504"))
		}
		ms = append(ms, &migrations.Migration{
			App:          app,
			Name:         fmt.Sprintf("%04d_%s", g.NextNumber(app), n),
			Dependencies: leaves,
		})
	}
	if len(ms) == 0 {
		fmt.Fprintln(s.stdout, "Nothing merged.")
		return nil
	}
	files, err := s.render(p, g, ms, s.now().UTC())
	if err != nil {
		return err
	}
	s.printCreated(p, files, listMode(c))
	switch {
	case c.Bool("check"):
		return exitStatus(1)
	case c.Bool("dry-run"):
		return nil
	}
	return writeAll(files)
}

// branchOps returns, per leaf, the operations of the migrations of app
// that only that leaf's branch has.
func branchOps(g *migrations.Graph, app string, leaves []migrations.Key) [][]branchOp {
	seen := map[migrations.Key]int{}
	for _, leaf := range leaves {
		for _, m := range g.Ancestors(leaf) {
			seen[m.Key()]++
		}
	}
	out := make([][]branchOp, len(leaves))
	for i, leaf := range leaves {
		for _, m := range g.Ancestors(leaf) {
			if m.App != app || seen[m.Key()] == len(leaves) {
				continue
			}
			for _, op := range m.Operations {
				out[i] = append(out[i], branchOp{m: m.Key(), op: op})
			}
		}
	}
	return out
}

// branchOp is one operation of a branch and the migration it is in.
type branchOp struct {
	m  migrations.Key
	op operations.Operation
}

// branchClashes names what two branches both change, or what one changes
// and the other relies on ("Car.color", "model Car"), sorted; merging such
// branches needs a person to look. Raw SQL and Go operations name nothing
// and are left to that review.
func branchClashes(g *migrations.Graph, app string, leaves []migrations.Key) []string {
	branches := branchOps(g, app, leaves)
	found := map[string]bool{}
	for i := range branches {
		for j := i + 1; j < len(branches); j++ {
			for _, a := range branches[i] {
				for _, b := range branches[j] {
					for _, cl := range clash(app, a.op, b.op) {
						found[fmt.Sprintf("%s (%s and %s)", cl, a.m.Name, b.m.Name)] = true
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

func (p part) key(app string) string {
	return state.ModelKey(state.SplitLabel(app, p.model)) + "/" + p.what
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

// showBranches prints, for each leaf, the operations of the migrations only
// that branch has: what the merge brings together.
func (s *session) showBranches(g *migrations.Graph, app string, leaves []migrations.Key) {
	seen := map[migrations.Key]int{}
	for _, leaf := range leaves {
		for _, m := range g.Ancestors(leaf) {
			seen[m.Key()]++
		}
	}
	fmt.Fprintf(s.stdout, "Merging %s\n", app)
	for _, leaf := range leaves {
		fmt.Fprintf(s.stdout, "  Branch %s\n", leaf.Name)
		for _, m := range g.Ancestors(leaf) {
			if m.App != app || seen[m.Key()] == len(leaves) {
				continue
			}
			for _, op := range m.Operations {
				fmt.Fprintf(s.stdout, "    - %s\n", op.Describe())
			}
		}
	}
}

// confirm asks a yes/no question; anything but y or yes, end of input
// included, is no.
func (s *session) confirm(in *bufio.Reader, question string) bool {
	fmt.Fprint(s.stdout, question)
	line, _ := in.ReadString('\n') // end of input or a read error both mean no
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

// mergeName is merge_<leaf>_<leaf>…, or merge_<stamp> when that is too long.
func mergeName(leaves []migrations.Key, stamp string) string {
	parts := []string{"merge"}
	for _, l := range leaves {
		parts = append(parts, l.Name)
	}
	if n := strings.Join(parts, "_"); len(n) <= maxMergeName {
		return n
	}
	return "merge_" + stamp
}
