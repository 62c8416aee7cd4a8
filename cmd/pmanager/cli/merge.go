package cli

import (
	"bufio"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
)

// merge writes, for each app with several leaf migrations, a migration with
// no operations that depends on all of them, after showing what each branch
// does and (unless --noinput) asking. The library works out the merges;
// this shows, asks and writes.
func (s *session) merge(c *ucli.Context, p *loader.Project, g *migrations.Graph, named []string, name string) error {
	merges := migrations.Merges(g, named)
	if len(merges) == 0 {
		fmt.Fprintln(s.stdout, "No conflicts detected to merge.")
		return nil
	}
	ask := !c.Bool("noinput") && !c.Bool("dry-run") && !c.Bool("check")
	in := bufio.NewReader(s.stdin)
	var ms []*migrations.Migration
	for _, mg := range merges {
		s.showBranches(mg)
		for _, cl := range mg.Clashes {
			fmt.Fprintf(s.stdout, "  Both branches change %s\n", cl)
		}
		if len(mg.Clashes) > 0 && c.Bool("noinput") {
			return fmt.Errorf("cli: cannot merge the migrations of app %s without asking: both branches change %s; "+
				"run 'pmanager makemigrations --merge' without --noinput to review and merge them, or change one branch", mg.App, strings.Join(mg.Clashes, ", "))
		}
		if ask && !s.confirm(in, "Merge migration branches? [y/N] ") {
			continue
		}
		ms = append(ms, mg.Migration(g, name, s.now()))
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

// showBranches prints, for each leaf, the operations of the migrations only
// that branch has: what the merge brings together.
func (s *session) showBranches(mg migrations.Merge) {
	fmt.Fprintf(s.stdout, "Merging %s\n", mg.App)
	for i, leaf := range mg.Leaves {
		fmt.Fprintf(s.stdout, "  Branch %s\n", leaf.Name)
		for _, b := range mg.Branches[i] {
			fmt.Fprintf(s.stdout, "    - %s\n", b.Operation.Describe())
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
