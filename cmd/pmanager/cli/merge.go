package cli

import (
	"bufio"
	"fmt"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
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
	s.printCreated(p, files)
	switch {
	case c.Bool("check"):
		return exitStatus(1)
	case c.Bool("dry-run"):
		return nil
	}
	return writeAll(files)
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
