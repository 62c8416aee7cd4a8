package cli

import (
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/models"
)

func databaseFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "database", Usage: "use the connection `NAME` of pmanager.toml instead of the default one"}
}

func (s *session) migrateCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "migrate",
		Usage:     "apply (or unapply down to a target) migrations",
		ArgsUsage: "[app [target|zero]]",
		Flags: []ucli.Flag{
			databaseFlag(),
			&ucli.BoolFlag{Name: "plan", Usage: "show the migrations and operations that would run; run nothing"},
			&ucli.BoolFlag{Name: "fake", Usage: "record the migrations as applied (or unapplied) without running them"},
			&ucli.BoolFlag{Name: "fake-initial", Usage: "record an initial migration without running it when its tables all exist"},
			&ucli.BoolFlag{Name: "check", Usage: "exit 1 when there are migrations to apply; run nothing"},
		},
		Action: s.migrate,
	}
}

func (s *session) migrate(c *ucli.Context) error {
	p, err := s.project()
	if err != nil {
		return err
	}
	if c.NArg() > 2 {
		return fmt.Errorf("cli: migrate takes at most an app and a target: pmanager migrate [app [target|zero]]")
	}
	fmt.Fprintln(s.stdout, "Performing system checks ...")
	current, err := models.Load(s.apps...)
	if err != nil {
		return err
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	migrated, err := g.State()
	if err != nil {
		return err
	}
	fmt.Fprintln(s.stdout, "System check identified 0 issues")
	if err := conflictError(g.Conflicts(), nil); err != nil {
		return err
	}
	targets, err := migrateTargets(p, g, c.Args().Slice())
	if err != nil {
		return err
	}
	ctx := c.Context
	db, ed, err := s.open(ctx, p, c.String("database"))
	if err != nil {
		return err
	}
	defer db.Close()
	history := migrations.NewHistory(db, ed)
	readOnly := c.Bool("plan") || c.Bool("check")
	if !readOnly {
		if err := history.Ensure(ctx); err != nil {
			return err
		}
	}
	applied, err := history.Applied(ctx)
	if err != nil {
		return err
	}
	s.warnEdited(g, applied)
	ex := migrations.NewExecutor(db, ed, g)
	plan, err := ex.Plan(ctx, targets)
	if err != nil {
		return err
	}
	switch {
	case c.Bool("plan"):
		return s.printPlan(g, plan)
	case c.Bool("check"):
		if len(plan) > 0 {
			return exitStatus(1)
		}
		return nil
	}
	fmt.Fprintln(s.stdout, "Running migrations:")
	if len(plan) == 0 {
		fmt.Fprintln(s.stdout, "  No migrations to apply.")
	} else if err := s.runPlan(ex, c, plan); err != nil {
		return err
	}
	changes, err := autodetect.Detect(migrated, current, assumeFill{})
	if err != nil {
		return err
	}
	if !changes.Empty() {
		fmt.Fprintln(s.stdout, "  Your models have changes that are not yet reflected in a migration, and so won't be applied.")
		fmt.Fprintln(s.stdout, "  Run 'pmanager makemigrations' to make new migrations, and then re-run 'pmanager migrate' to apply them.")
	}
	return nil
}

// runPlan applies the plan, printing a line per migration as it goes.
func (s *session) runPlan(ex *migrations.Executor, c *ucli.Context, plan []migrations.PlanStep) error {
	open := false
	opts := migrations.Options{
		Fake:        c.Bool("fake"),
		FakeInitial: c.Bool("fake-initial"),
		Progress: func(step migrations.PlanStep, done, faked bool, _ time.Duration) {
			if !done {
				verb := "Applying"
				if step.Backwards {
					verb = "Unapplying"
				}
				fmt.Fprintf(s.stdout, "  %s %s...", verb, step.Migration.Key())
				open = true
				return
			}
			if faked {
				fmt.Fprintln(s.stdout, " FAKED")
			} else {
				fmt.Fprintln(s.stdout, " OK")
			}
			open = false
		},
	}
	err := ex.Migrate(c.Context, plan, opts)
	if open {
		fmt.Fprintln(s.stdout, " FAILED")
	}
	return err
}

// migrateTargets reads `[app [target|zero]]`.
func migrateTargets(p *loader.Project, g *migrations.Graph, args []string) ([]migrations.Target, error) {
	if len(args) == 0 {
		return nil, nil
	}
	app := args[0]
	if _, ok := p.Config.App(app); !ok {
		return nil, unknownApp(p, app)
	}
	if len(g.Migrations(app)) == 0 {
		return nil, fmt.Errorf("cli: app '%s' does not have migrations; run pmanager makemigrations %s", app, app)
	}
	if len(args) == 1 {
		return []migrations.Target{{App: app}}, nil
	}
	if args[1] == "zero" {
		return []migrations.Target{{App: app, Name: "zero"}}, nil
	}
	m, err := g.Find(app, args[1])
	if err != nil {
		return nil, err
	}
	return []migrations.Target{{App: app, Name: m.Name}}, nil
}

// printPlan prints Django's `migrate --plan`: each migration, then its
// operations (in the order they would run, "Undo" when unapplying).
func (s *session) printPlan(g *migrations.Graph, plan []migrations.PlanStep) error {
	fmt.Fprintln(s.stdout, "Planned operations:")
	if len(plan) == 0 {
		fmt.Fprintln(s.stdout, "  No planned migration operations.")
		return nil
	}
	for _, step := range plan {
		m := step.Migration
		fmt.Fprintln(s.stdout, m.Key())
		if !step.Backwards {
			before, err := g.StateBefore(m.Key())
			if err != nil {
				return err
			}
			for _, line := range migrations.Describe(m, before) {
				fmt.Fprintf(s.stdout, "    %s\n", line)
			}
			continue
		}
		for i := len(m.Operations) - 1; i >= 0; i-- {
			op := m.Operations[i]
			line := "Undo " + op.Describe()
			if !op.Reversible() {
				line += " -> IRREVERSIBLE"
			}
			fmt.Fprintf(s.stdout, "    %s\n", line)
		}
	}
	return nil
}
