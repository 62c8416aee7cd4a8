package cli

import (
	"bufio"
	"context"
	"fmt"
	"path/filepath"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/version"
)

func (s *session) squashCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "squashmigrations",
		Usage:     "squash a range of an app's migrations into one that replaces them",
		ArgsUsage: "app [from] to",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "name the squashed migration NNNN_`NAME`"},
			&ucli.BoolFlag{Name: "noinput", Aliases: []string{"no-input"}, Usage: "do not ask for confirmation"},
		},
		Action: s.squash,
	}
}

func (s *session) squash(c *ucli.Context) error {
	args := c.Args().Slice()
	if len(args) < 2 || len(args) > 3 {
		return fmt.Errorf("cli: squashmigrations takes an app and one or two migrations: pmanager squashmigrations app [from] to")
	}
	name := c.String("name")
	if name != "" && !migrations.ValidName(name) {
		return fmt.Errorf("cli: --name %q is not a valid migration name; use letters, digits and underscores", name)
	}
	p, err := s.project()
	if err != nil {
		return err
	}
	app := args[0]
	if _, ok := p.Config.App(app); !ok {
		return unknownApp(p, app)
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	var from *migrations.Migration
	if len(args) == 3 {
		if from, err = g.Find(app, args[1]); err != nil {
			return err
		}
	}
	to, err := g.Find(app, args[len(args)-1])
	if err != nil {
		return err
	}
	sq, err := migrations.Squash(g, app, from, to, name)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.stdout, "Will squash the following migrations:")
	for _, m := range sq.Squashed {
		fmt.Fprintf(s.stdout, " - %s\n", m.Name)
	}
	if !c.Bool("noinput") && !s.confirm(bufio.NewReader(s.stdin), "Do you wish to proceed? [y/N] ") {
		fmt.Fprintln(s.stdout, "Nothing written.")
		return nil
	}
	fmt.Fprintln(s.stdout, "Optimizing...")
	if sq.After < sq.Before {
		fmt.Fprintf(s.stdout, "  Optimized from %s to %s.\n", plural(sq.Before, "operation"), plural(sq.After, "operation"))
	} else {
		fmt.Fprintln(s.stdout, "  No optimizations possible.")
	}
	file, err := s.renderSquash(p, sq.Migration)
	if err != nil {
		return err
	}
	files := []newMigration{file}
	if err := writeAll(files); err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "Created new squashed migration %s\n", relPath(p, files[0].path))
	fmt.Fprintln(s.stdout, "  Commit it and keep the migrations it replaces: databases that applied only some of them")
	fmt.Fprintln(s.stdout, "  apply the rest, the others use the squashed migration. Once every database has applied")
	fmt.Fprintln(s.stdout, "  it, delete the replaced files; the squashed migration stays applied.")
	return nil
}

// renderSquash writes the squashed migration's file (migrations.Squash
// checked that it fits the graph); RunGo operations name their functions,
// which must be top-level functions of the app's migrations package.
func (s *session) renderSquash(p *loader.Project, m *migrations.Migration) (newMigration, error) {
	app, _ := p.Config.App(m.App)
	dir := p.Config.Path(app.Migrations)
	pkg, err := loader.PackageName(dir)
	if err != nil {
		return newMigration{}, err
	}
	if pkg == "" {
		pkg = "migrations"
	}
	mod, err := loader.FindModule(p.Root)
	if err != nil {
		return newMigration{}, err
	}
	pkgPath, err := mod.ImportPath(dir)
	if err != nil {
		return newMigration{}, err
	}
	src, err := migrations.WriteSquash(m, pkg, pkgPath, version.Release, s.now().UTC())
	if err != nil {
		return newMigration{}, err
	}
	return newMigration{m: m, path: filepath.Join(dir, m.Name+".go"), src: src}, nil
}

// relPath shows path relative to the project root when it can.
func relPath(p *loader.Project, path string) string {
	if rel, err := filepath.Rel(p.Root, path); err == nil {
		return filepath.ToSlash(rel)
	}
	return path
}

// historyCheckTimeout bounds makemigrations' look at the default
// database's history, which must not hold up work on the files.
const historyCheckTimeout = 5 * time.Second

// checkHistory refuses to write migrations on top of a default database
// whose history is inconsistent, as Django's makemigrations does. A
// database that cannot be reached is not checked: makemigrations works on
// files and runs without one.
func (s *session) checkHistory(ctx context.Context, p *loader.Project, g *migrations.Graph) error {
	ctx, cancel := context.WithTimeout(ctx, historyCheckTimeout)
	defer cancel()
	applied, err := s.applied(ctx, p, "")
	if err != nil {
		return nil
	}
	_, err = migrations.ResolveHistory(g, applied)
	return err
}
