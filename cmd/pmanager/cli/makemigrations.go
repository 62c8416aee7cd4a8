package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/internal/atomicfile"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/checks"
	"github.com/pmanager/pmanager/pkg/lint"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/state"
	"github.com/pmanager/pmanager/pkg/version"
)

func (s *session) makemigrationsCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "makemigrations",
		Usage:     "diff the models against the migrations and write new migration files",
		ArgsUsage: "[app...]",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "name", Aliases: []string{"n"}, Usage: "use `NAME` instead of a generated migration name"},
			&ucli.BoolFlag{Name: "empty", Usage: "write an empty migration, for hand-written operations"},
			&ucli.BoolFlag{Name: "dry-run", Usage: "show what would be written, write nothing"},
			&ucli.BoolFlag{Name: "check", Usage: "exit 1 when the models have changes without a migration; write nothing"},
			&ucli.BoolFlag{Name: "merge", Usage: "write a migration that joins the leaf migrations of an app"},
			&ucli.BoolFlag{Name: "noinput", Aliases: []string{"no-input"}, Usage: "never prompt; fail where a value is needed"},
		},
		Action: s.makemigrations,
	}
}

// newMigration is one migration makemigrations is about to write.
type newMigration struct {
	m    *migrations.Migration
	path string // where the file goes
	src  []byte
	// describe is one line per operation, destructive ones marked.
	describe []string
	// risks are the lint findings of each operation, as lines.
	risks [][]string
}

func (s *session) makemigrations(c *ucli.Context) error {
	p, err := s.project()
	if err != nil {
		return err
	}
	name := c.String("name")
	if name != "" && !migrations.ValidName(name) {
		return fmt.Errorf("cli: --name %q is not a valid migration name; use letters, digits and underscores", name)
	}
	named, err := selectApps(p, c.Args().Slice())
	if err != nil {
		return err
	}
	if !c.Args().Present() {
		named = nil
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	if err := s.checkHistory(c.Context, p, g); err != nil {
		return err
	}
	if _, err := s.systemChecks(p, ""); err != nil {
		return err
	}
	if c.Bool("merge") {
		return s.merge(c, p, g, named, name)
	}
	if err := conflictError(g, named); err != nil {
		return err
	}
	now := s.now().UTC()
	ms, _, err := s.newMigrations(p, g, named, name, now, questioner(c, s), c.Bool("empty"), false)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		s.noChanges(named)
		return nil
	}
	files, err := s.render(p, g, ms, now)
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

// listing says how printCreated introduces the migrations it lists: as
// written, or as what would be written by a run without --dry-run/--check.
type listing int

const (
	listWritten listing = iota
	listDryRun
	listCheck
)

// listMode is the listing makemigrations's flags ask for.
func listMode(c *ucli.Context) listing {
	switch {
	case c.Bool("check"):
		return listCheck
	case c.Bool("dry-run"):
		return listDryRun
	}
	return listWritten
}

// newMigrations works out what makemigrations and migration:create write
// for the named apps (migrations.NewMigrations); it reports whether it laid
// out empty ones. Detected migrations pass the plan checks first.
func (s *session) newMigrations(p *loader.Project, g *migrations.Graph, named []string, name string, now time.Time, q autodetect.Questioner, empty, emptyIfNone bool) ([]*migrations.Migration, bool, error) {
	var migrated, current *state.Project
	if !empty {
		var err error
		if migrated, err = g.State(); err != nil {
			return nil, false, err
		}
		if current, err = models.Load(s.apps...); err != nil {
			return nil, false, err
		}
	}
	proposed, err := migrations.NewMigrations(g, migrated, current, migrations.NewOptions{
		Apps: named, Name: name, Empty: empty, EmptyIfNone: emptyIfNone,
		ProjectApps: p.Config.Labels(), Now: now, Questioner: q,
	})
	var needApp *migrations.AppNeededError
	if errors.As(err, &needApp) {
		return nil, false, fmt.Errorf("cli: makemigrations --empty needs an app label when the project has several apps: pmanager makemigrations --empty <app> (apps: %s)", strings.Join(needApp.Apps, ", "))
	}
	if err != nil {
		return nil, false, err
	}
	if !proposed.Empty && len(proposed.Migrations) > 0 {
		if err := s.checkPlan(p, g, proposed.Migrations); err != nil {
			return nil, false, err
		}
	}
	return proposed.Migrations, proposed.Empty, nil
}

// checkPlan runs the checks of the steps between the existing migrations'
// state and the models (checks.Operations) over the new migrations ms, so a
// migration that would fail half-way at migrate is refused before it is
// written.
func (s *session) checkPlan(p *loader.Project, g *migrations.Graph, ms []*migrations.Migration) error {
	from, err := g.State()
	if err != nil {
		return err
	}
	targets, err := s.checkTargets(p, "")
	if err != nil {
		return err
	}
	var steps []checks.PendingOp
	for _, m := range ms {
		for i, op := range m.Operations {
			steps = append(steps, checks.PendingOp{Migration: m.Key().String(), App: m.App, Number: i + 1, Op: op})
		}
	}
	report, err := checks.Operations(from, steps, checks.Options{Targets: targets, Silence: p.Config.Silence})
	if err != nil || len(report.Issues) == 0 {
		return err
	}
	return s.printChecks(report)
}

// renderAndList renders the new migrations ms and lists them as created;
// it writes nothing.
func (s *session) renderAndList(p *loader.Project, g *migrations.Graph, ms []*migrations.Migration, now time.Time) ([]newMigration, error) {
	files, err := s.render(p, g, ms, now)
	if err != nil {
		return nil, err
	}
	s.printCreated(p, files, listWritten)
	return files, nil
}

// questioner picks who answers autodetect's questions: nobody with
// --noinput; a placeholder with --check, which only reports whether there
// are changes and writes nothing (so CI never waits on a prompt); else the
// user, on the terminal.
func questioner(c *ucli.Context, s *session) autodetect.Questioner {
	switch {
	case c.Bool("noinput"):
		return autodetect.NonInteractive()
	case c.Bool("check"):
		return assumeFill{}
	}
	return autodetect.Interactive(s.stdin, s.stdout)
}

func (s *session) noChanges(named []string) {
	switch len(named) {
	case 0:
		fmt.Fprintln(s.stdout, "No changes detected")
	case 1:
		fmt.Fprintf(s.stdout, "No changes detected in app '%s'\n", named[0])
	default:
		fmt.Fprintf(s.stdout, "No changes detected in apps '%s'\n", strings.Join(named, "', '"))
	}
}

// render checks that the new migrations fit the graph and renders every
// file before anything is written.
func (s *session) render(p *loader.Project, g *migrations.Graph, ms []*migrations.Migration, now time.Time) ([]newMigration, error) {
	all := append(g.Order(), ms...)
	next, err := migrations.NewGraph(all)
	if err != nil {
		return nil, fmt.Errorf("cli: the new migrations do not fit the migration graph, nothing was written: %w", err)
	}
	var files []newMigration
	for _, m := range next.Order() {
		if !containsMigration(ms, m) {
			continue
		}
		app, _ := p.Config.App(m.App)
		dir := p.Config.Path(app.Migrations)
		pkg, err := loader.PackageName(dir)
		if err != nil {
			return nil, err
		}
		if pkg == "" {
			pkg = "migrations"
		}
		before, err := next.StateBefore(m.Key())
		if err != nil {
			return nil, fmt.Errorf("cli: replay migrations before %s, nothing was written: %w", m.Key(), err)
		}
		targets, err := s.lintTargets(context.Background(), p, m.App, "", false)
		if err != nil {
			return nil, fmt.Errorf("cli: judge the risks of %s, nothing was written: %w", m.Key(), err)
		}
		risks, err := lint.Analyze(m.App, m.Operations, before, targets)
		if err != nil {
			return nil, fmt.Errorf("cli: judge the risks of %s, nothing was written: %w", m.Key(), err)
		}
		notes := riskNotes(risks)
		src, err := migrations.WriteSourceNoted(m, pkg, version.Release, now, notes)
		if err != nil {
			return nil, fmt.Errorf("cli: render migration %s, nothing was written: %w", m.Key(), err)
		}
		files = append(files, newMigration{m: m, path: filepath.Join(dir, m.Name+".go"), src: src, describe: migrations.Describe(m, before), risks: notes})
	}
	return files, nil
}

func containsMigration(ms []*migrations.Migration, m *migrations.Migration) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// printCreated prints the summary of the files written: each file, then
// its operations, in PowerOrm's words.
// With --dry-run or --check nothing is written, and the heading says so.
func (s *session) printCreated(p *loader.Project, files []newMigration, mode listing) {
	switch mode {
	case listDryRun:
		fmt.Fprintln(s.stdout, "Would create migrations (--dry-run, nothing written) :")
	case listCheck:
		fmt.Fprintln(s.stdout, "Would create migrations (--check, nothing written) :")
	default:
		fmt.Fprintln(s.stdout, "Creating Migrations :")
	}
	several := len(p.Config.Apps) > 1
	for _, f := range files {
		shown := filepath.Base(f.path)
		if several {
			if rel, err := filepath.Rel(p.Root, f.path); err == nil {
				shown = filepath.ToSlash(rel)
			}
		}
		fmt.Fprintf(s.stdout, "  %s\n", shown)
		for i, line := range f.describe {
			fmt.Fprintf(s.stdout, "    - %s\n", line)
			if i < len(f.risks) {
				for _, r := range f.risks[i] {
					fmt.Fprintf(s.stdout, "        ! %s\n", r)
				}
			}
		}
	}
}

// writeAll writes every file through a temporary file in its folder; the
// renames happen only once every temporary file is complete, and none
// overwrites an existing file.
func writeAll(files []newMigration) error {
	var temps []string
	cleanup := func() {
		// Best effort: the error that stopped the write is the one to report.
		for _, t := range temps {
			_ = os.Remove(t)
		}
	}
	for _, f := range files {
		if _, err := os.Stat(f.path); err == nil {
			cleanup()
			return fmt.Errorf("cli: %s already exists; nothing was written (remove it, or pass --name to choose another name)", f.path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			cleanup()
			return fmt.Errorf("cli: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			cleanup()
			return fmt.Errorf("cli: %w", err)
		}
		tmp, err := writeTemp(f.path, f.src)
		if err != nil {
			cleanup()
			return err
		}
		temps = append(temps, tmp)
	}
	for i, f := range files {
		if err := os.Rename(temps[i], f.path); err != nil {
			cleanup()
			return fmt.Errorf("cli: write %s: %w", f.path, err)
		}
	}
	return nil
}

func writeTemp(path string, data []byte) (string, error) {
	tmp, err := atomicfile.Temp(path, data)
	if err != nil {
		return "", fmt.Errorf("cli: %w", err)
	}
	return tmp, nil
}

// assumeFill answers every question with a placeholder, for callers that
// only ask whether there are changes and never write them (migrate's notice,
// makemigrations --check).
type assumeFill struct{}

// AskFill implements autodetect.Questioner with a placeholder value.
func (assumeFill) AskFill(string, string, bool) (*string, error) {
	v := "0"
	return &v, nil
}
