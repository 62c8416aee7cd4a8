package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/lint"
	"github.com/pmanager/pmanager/pkg/schema"
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
			&ucli.BoolFlag{Name: "json", Usage: "with --plan or --fleet: print one JSON document (the shape docs/commands.md describes) instead of text"},
			&ucli.BoolFlag{Name: "fake", Usage: "record the migrations as applied (or unapplied) without running them"},
			&ucli.BoolFlag{Name: "fake-initial", Usage: "record an initial migration without running it when its tables all exist"},
			&ucli.BoolFlag{Name: "check", Usage: "exit 1 when there are migrations to apply; run nothing"},
			lockTimeoutFlag(),
			lockRetriesFlag(),
			&ucli.DurationFlag{Name: "lease", Value: migrations.DefaultLease,
				Usage: "on a Galera cluster: how long a run that stopped renewing its migration lease (killed, cut off) keeps other runs waiting before one takes it over"},
			&ucli.BoolFlag{Name: "resume", Usage: "finish a migration an earlier run left part-way, then go on"},
			&ucli.BoolFlag{Name: "rollback-partial", Usage: "undo what ran of a migration an earlier run left part-way, then go on"},
			&ucli.IntFlag{Name: "assume-done", Usage: "with --resume or --rollback-partial: the statement in doubt in operation `N` took effect (when the database cannot show it)"},
			&ucli.IntFlag{Name: "assume-not-done", Usage: "with --resume or --rollback-partial: the statement in doubt in operation `N` did not take effect"},
			&ucli.StringSliceFlag{Name: "accept-edited", Usage: "record the edited applied migration `APP.NAME` as it is now (repeatable)"},
			yesFlag(),
			fleetFlags()[0],
			fleetFlags()[1],
			stopOnErrorFlag(),
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
	if err := checkFleetFlags(c); err != nil {
		return err
	}
	if c.String("fleet") != "" {
		return s.migrateFleet(c, p)
	}
	if c.Bool("json") {
		if !c.Bool("plan") {
			return fmt.Errorf("cli: migrate --json goes with --plan: pmanager migrate --plan --json")
		}
		s.verbosity = 0 // stdout holds the JSON document alone
	}
	// migrate checks the one database it changes.
	database := c.String("database")
	if database == "" {
		database = p.Config.DefaultConnection
	}
	current, err := s.liveChecks(p, database)
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
	if err := conflictError(g, nil); err != nil {
		return err
	}
	runs, err := s.migrateRuns(p, g, c.Args().Slice(), c.String("database"))
	if err != nil {
		return err
	}
	again := commandLine("migrate", c.Args().Slice(), databaseFlags(c.String("database"))...)
	for _, run := range runs {
		if err := s.migrateOn(c, g, run); err != nil {
			return phrase(err, again)
		}
	}
	if c.Bool("plan") || c.Bool("check") {
		return nil
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

// migrateOn runs migrate's work on one database: the apps the routing
// rule sends there, through the library's Migrator; this prints.
func (s *session) migrateOn(c *ucli.Context, g *migrations.Graph, run migrateRun) error {
	targets := run.targets
	ctx := c.Context
	s.sayWhere(run.where)
	db, ed, err := s.openWhere(ctx, run.where)
	if err != nil {
		return err
	}
	defer db.Close()
	accept, err := acceptedEdits(g, c.StringSlice("accept-edited"))
	if err != nil {
		return err
	}
	m := migrations.NewMigrator(db, ed, g)
	m.Options.AcceptEdited = accept
	m.Options.Observer = editWarner{s: s}
	switch {
	case c.Bool("plan"), c.Bool("check"):
		planned, err := m.Plan(ctx, targets)
		if err != nil {
			return err
		}
		plan := planned.Steps
		tg, err := s.planTarget(ctx, db, ed.Dialect(), run.where)
		if err != nil {
			return err
		}
		if c.Bool("plan") && c.Bool("json") {
			steps, err := reportPlan(planned.Graph, plan, planned.Applied, tg)
			if err != nil {
				return err
			}
			return s.writeReport(Report{Command: "migrate --plan", Migrations: steps})
		}
		if c.Bool("plan") {
			return s.printPlan(planned.Graph, plan, ed, tg)
		}
		if len(plan) > 0 {
			s.printUnapplied(plan)
			return exitStatus(1)
		}
		return nil
	}
	again := commandLine("migrate", c.Args().Slice(), databaseFlags(c.String("database"))...)
	rep, err := s.runReport(c, accept, run.where.target.Redacted)
	if err != nil {
		return err
	}
	rep.confirm = func(plan []migrations.Step) error {
		return s.confirmDestructive(c, run.where.target, plan, again)
	}
	m.Options = rep.opts
	plan, err := m.Migrate(ctx, targets)
	rep.finish(err)
	if err == nil && len(plan) == 0 && !rep.recovered {
		s.runningHeading()
		fmt.Fprintln(rep.out, "  No migrations to apply.")
	}
	return err
}

// migrateRun is one database migrate works on, and what it applies there.
type migrateRun struct {
	where   *where
	targets []migrations.Target
}

// migrateRuns routes migrate's work: a named app runs on its connection
// (or --database); with none named, every app runs on its own
// connection, one database after another, or all on --database's.
func (s *session) migrateRuns(p *loader.Project, g *migrations.Graph, args []string, named string) ([]migrateRun, error) {
	if len(args) > 0 {
		targets, err := migrateTargets(p, g, args)
		if err != nil {
			return nil, err
		}
		w, err := s.routeApp(p, args[0], named)
		if err != nil {
			return nil, err
		}
		return []migrateRun{{where: w, targets: targets}}, nil
	}
	var groups [][]string
	if named != "" {
		apps := appsOn(p.Config, named)
		if len(apps) == 0 {
			return nil, noApps(named)
		}
		groups = [][]string{apps}
	} else {
		groups = p.Config.Group(p.Config.Labels())
	}
	var runs []migrateRun
	for _, apps := range groups {
		w, err := s.routeApp(p, apps[0], named)
		if err != nil {
			return nil, err
		}
		run := migrateRun{where: w}
		if len(groups) > 1 || len(apps) < len(p.Config.Apps) {
			for _, app := range apps {
				if len(g.Migrations(app)) > 0 {
					run.targets = append(run.targets, migrations.Target{App: app})
				}
			}
			if len(run.targets) == 0 {
				continue // nothing of theirs to apply, and nil would mean every app
			}
		}
		runs = append(runs, run)
	}
	if len(runs) == 0 {
		w, err := s.routeApp(p, p.Config.Labels()[0], named)
		if err != nil {
			return nil, err
		}
		runs = append(runs, migrateRun{where: w, targets: []migrations.Target{}})
	}
	return runs, nil
}

// lockTimeoutFlag is --lock-timeout, for every command that migrates.
func lockTimeoutFlag() ucli.Flag {
	return &ucli.DurationFlag{Name: "lock-timeout", Value: migrations.DefaultLockTimeout,
		Usage: "how long to wait for another migrate run on the same database, and how long each statement waits for a table or row lock (0 or less: do not wait)"}
}

// lockRetriesFlag is --lock-retries, beside --lock-timeout.
func lockRetriesFlag() ucli.Flag {
	return &ucli.IntFlag{Name: "lock-retries", Value: 0,
		Usage: "try a migration again up to `N` times, after a growing pause, when a statement gave up waiting for a lock and nothing of it stayed"}
}

// editWarner is the observer of a command that only plans: it warns of
// applied migrations whose files were edited.
type editWarner struct {
	migrations.NopObserver
	s *session
}

// Edited implements migrations.Observer.
func (w editWarner) Edited(keys []migrations.Key) { w.s.warnEdited(keys) }

// runReporter prints a run of migrations as migrate does: a line per
// migration as it goes, and one when it has to wait for a lock. It is the
// observer of its opts, the run's options.
type runReporter struct {
	editWarner
	out  io.Writer
	opts migrations.Options
	// where is the database, as the lock notices name it.
	where string
	// confirm, when set, is asked about a plan before it runs.
	confirm func(plan []migrations.Step) error
	// open is true while a migration's line waits for its outcome.
	open bool
	// recovered is true once a run left part-way was resumed or rolled back.
	recovered bool
	// live notes a statement running over 2 s on the line in progress; a
	// no-op off a terminal or at verbosity 0.
	live *liveLine
}

// end finishes the line a migration started: on the same line at
// verbosity 1, on a line of its own once operations or statements were
// printed under it.
func (r *runReporter) end(word string) {
	if r.s.verbosity >= 2 {
		fmt.Fprintf(r.out, "    %s\n", strings.TrimSpace(word))
	} else {
		fmt.Fprintf(r.out, " %s\n", strings.TrimSpace(word))
	}
	r.open = false
}

// finish closes the line of the migration a run stopped in with err.
func (r *runReporter) finish(err error) {
	r.live.end()
	var refused *migrations.PreflightError
	switch {
	case r.open && errors.As(err, &refused):
		r.end("REFUSED")
	case r.open:
		r.end("FAILED")
	}
}

// runReport reads the flags of a command that migrates into the options
// of its runs (accept: the edits the user accepts; where: the database, for
// the lock notice), with a reporter that prints them.
func (s *session) runReport(c *ucli.Context, accept []migrations.Key, where string) (*runReporter, error) {
	out := s.info()
	r := &runReporter{editWarner: editWarner{s: s}, out: out, live: s.liveLine(out), where: where}
	lockTimeout := c.Duration("lock-timeout")
	if lockTimeout <= 0 {
		lockTimeout = -1 // the executor's "do not wait"
	}
	retries := c.Int("lock-retries")
	if retries < 0 {
		return nil, fmt.Errorf("cli: --lock-retries %d: give a number of retries, 0 or more", retries)
	}
	r.opts = migrations.Options{
		LockRetries:     retries,
		Fake:            c.Bool("fake"),
		FakeInitial:     c.Bool("fake-initial"),
		LockTimeout:     lockTimeout,
		Resume:          c.Bool("resume"),
		RollbackPartial: c.Bool("rollback-partial"),
		AssumeDone:      c.Int("assume-done"),
		AssumeNotDone:   c.Int("assume-not-done"),
		AcceptEdited:    accept,
		Lease:           c.Duration("lease"),
		Observer:        r,
	}
	return r, nil
}

// Confirm implements migrations.Observer.
func (r *runReporter) Confirm(plan []migrations.Step) error {
	if r.confirm == nil {
		return nil
	}
	return r.confirm(plan)
}

// NothingToRun implements migrations.Observer: a step-wise command says
// that it had nothing to do.
func (r *runReporter) NothingToRun(backwards bool) {
	r.s.runningHeading()
	if backwards {
		fmt.Fprintln(r.s.stdout, "  No migrations to unapply.")
	} else {
		fmt.Fprintln(r.s.stdout, "  No migrations to apply.")
	}
}

// StatementWaiting implements migrations.Observer.
func (r *runReporter) StatementWaiting(w migrations.LockWait) {
	s := r.s
	fmt.Fprintf(s.stderr, "pmanager: waiting %s for a lock held by %s", w.Waited.Round(time.Second), schema.Sessions(w.Blockers))
	if w.Note != "" {
		fmt.Fprintf(s.stderr, " (%s)", w.Note)
	}
	fmt.Fprintf(s.stderr, "; giving up after %s (--lock-timeout)\n", w.Timeout)
}

// Retrying implements migrations.Observer.
func (r *runReporter) Retrying(lr migrations.LockRetry) {
	if r.open {
		r.live.end()
		r.end("LOCKED")
	}
	fmt.Fprintf(r.s.stderr, "pmanager: a statement gave up waiting for a lock; trying again in %s (retry %d of %d)\n", lr.Pause, lr.Attempt, lr.Retries)
}

// WaitingForLock implements migrations.Observer.
func (r *runReporter) WaitingForLock(h schema.LockHolder) {
	fmt.Fprintf(r.s.stderr, "pmanager: waiting for another migrate on %s (%s)\n", r.where, h)
}

// LeaseTakenOver implements migrations.Observer.
func (r *runReporter) LeaseTakenOver(h schema.LockHolder, silent time.Duration) {
	fmt.Fprintf(r.s.stderr, "pmanager: took over the migration lease on %s from %s: it was not renewed for %s, longer than its lease\n",
		r.where, h.Who, silent.Round(time.Millisecond))
}

// Recovering implements migrations.Observer: the line of a migration
// resumed or rolled back.
func (r *runReporter) Recovering(p migrations.Partial, rollback bool) {
	s := r.s
	r.recovered = true
	s.runningHeading()
	line := fmt.Sprintf("  Resuming %s...", p.Key)
	if rollback {
		line = fmt.Sprintf("  Rolling back what ran of %s...", p.Key)
	}
	r.begin(line)
}

// Recovered implements migrations.Observer.
func (r *runReporter) Recovered(migrations.Partial, bool) {
	r.recovered = true
	r.s.runningHeading()
	r.live.end()
	r.end("OK")
}

// Migrating implements migrations.Observer: the line of a migration about
// to run, with its operations under it at verbosity 2.
func (r *runReporter) Migrating(step migrations.Step) {
	s := r.s
	s.runningHeading()
	verb := "Applying"
	if step.Backwards {
		verb = "Unapplying"
	}
	r.begin(fmt.Sprintf("  %s %s...", verb, step.Migration.Key()))
	if s.verbosity >= 2 {
		s.printOperations(r.out, step)
	}
}

// begin starts a migration's line (a line of its own at verbosity 2).
func (r *runReporter) begin(line string) {
	fmt.Fprint(r.out, line)
	r.live.setPrefix(line)
	if r.s.verbosity >= 2 {
		fmt.Fprintln(r.out)
		r.live.setPrefix("")
	}
	r.open = true
}

// Migrated implements migrations.Observer.
func (r *runReporter) Migrated(_ migrations.Step, faked bool, took time.Duration) {
	r.live.end()
	if faked {
		r.end("FAKED")
	} else {
		r.end("OK" + r.s.elapsed(took))
	}
}

// Statement implements migrations.Observer: at verbosity 3 each statement
// is printed; a long one shows on the live line.
func (r *runReporter) Statement(stmt string) {
	r.live.end()
	if r.s.verbosity >= 3 {
		for _, line := range strings.Split(strings.TrimSpace(stmt), "\n") {
			fmt.Fprintf(r.out, "      %s\n", line)
		}
	}
	r.live.start(stmt)
}

// printOperations lists a migration's operations under its line, in the
// order they run (reversed, "Undo ...", when unapplying); verbosity 2.
func (s *session) printOperations(out io.Writer, step migrations.Step) {
	ops := step.Migration.Operations
	for i := range ops {
		if step.Backwards {
			fmt.Fprintf(out, "    - Undo %s\n", ops[len(ops)-1-i].Describe())
		} else {
			fmt.Fprintf(out, "    - %s\n", ops[i].Describe())
		}
	}
}

// runningHeading prints "Running migrations:" the first time a command
// has something to report under it, so a run refused before its first
// migration never claims to be running.
func (s *session) runningHeading() {
	if !s.headed {
		s.headed = true
		fmt.Fprintln(s.info(), "Running migrations:")
	}
}

// elapsed is how long a migration took, as migrate prints it after OK:
// " (12 ms)", " (1.4 s)". It is empty when SOURCE_DATE_EPOCH asks for
// reproducible output.
func (s *session) elapsed(d time.Duration) string {
	if v, _ := s.lookup("SOURCE_DATE_EPOCH"); v != "" {
		return ""
	}
	if d < time.Second {
		return fmt.Sprintf(" (%d ms)", d.Milliseconds())
	}
	return fmt.Sprintf(" (%.1f s)", d.Seconds())
}

// acceptedEdits reads the --accept-edited values: APP.NAME, where NAME may
// be a unique prefix.
func acceptedEdits(g *migrations.Graph, values []string) ([]migrations.Key, error) {
	var out []migrations.Key
	for _, v := range values {
		app, name, ok := strings.Cut(v, ".")
		if !ok || app == "" || name == "" {
			return nil, fmt.Errorf("cli: --accept-edited %s: name the migration as app.name, for example main.0001_initial", v)
		}
		m, err := g.Find(app, name)
		if err != nil {
			return nil, err
		}
		out = append(out, m.Key())
	}
	return out, nil
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

// printUnapplied names what migrate --check found still to run, one
// migration a line, so a failing CI step says why.
func (s *session) printUnapplied(plan []migrations.Step) {
	fmt.Fprintf(s.stdout, "%s to run (migrate --check):\n", plural(len(plan), "migration"))
	for _, step := range plan {
		verb := "apply"
		if step.Backwards {
			verb = "unapply"
		}
		fmt.Fprintf(s.stdout, "  %s %s\n", verb, step.Migration.Key())
	}
}

// printPlan prints Django's `migrate --plan`: each migration, then its
// operations (in the order they would run, "Undo" when unapplying).
func (s *session) printPlan(g *migrations.Graph, plan []migrations.Step, ed schema.Editor, tg lint.Target) error {
	fmt.Fprintln(s.stdout, "Planned operations:")
	if len(plan) == 0 {
		fmt.Fprintln(s.stdout, "  No planned migration operations.")
		return nil
	}
	for _, step := range plan {
		m := step.Migration
		fmt.Fprintln(s.stdout, m.Key())
		before, err := g.StateBefore(m.Key())
		if err != nil {
			return err
		}
		checks, err := migrations.Preflights(m, ed, before, step.Backwards)
		if err != nil {
			return fmt.Errorf("cli: %s: %w", m.Key(), err)
		}
		risks, err := planRisks(step, before, tg)
		if err != nil {
			return err
		}
		for i, op := range migrations.DescribeStep(step, before) {
			line := op.Description
			if op.Irreversible {
				line += " -> IRREVERSIBLE"
			}
			fmt.Fprintf(s.stdout, "    %s\n", line)
			if i < len(risks) {
				for _, f := range risks[i] {
					fmt.Fprintf(s.stdout, "        ! %s\n", f)
				}
			}
		}
		migrations.RenderPreflights(s.stdout, "    ", checks)
	}
	return nil
}
