package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/fleet"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/checks"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
)

// fleetFlags are --fleet and --parallel, for migrate and showmigrations.
func fleetFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "fleet", Usage: "act on every database of the fleet `NAME` ([fleets.NAME] in pmanager.toml) instead of one"},
		&ucli.IntFlag{Name: "parallel", Value: 1, Usage: "with --fleet: work on `N` databases at once (and hold at most N connections on a server)"},
	}
}

// stopOnErrorFlag is --stop-on-error, for migrate --fleet.
func stopOnErrorFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "stop-on-error", Usage: "with --fleet: start no new database once one has failed"}
}

// fleetOnly lists the flags that mean something only with --fleet.
var fleetOnly = []string{"parallel", "stop-on-error"}

// checkFleetFlags refuses --fleet beside --database, and the fleet-only
// flags without --fleet.
func checkFleetFlags(c *ucli.Context) error {
	if c.String("fleet") == "" {
		for _, name := range fleetOnly {
			if c.IsSet(name) {
				return fmt.Errorf("cli: --%s goes with --fleet: pmanager %s --fleet NAME --%s ...", name, c.Command.Name, name)
			}
		}
		return nil
	}
	if c.String("database") != "" {
		return fmt.Errorf("cli: --fleet and --database name different databases; give one of them")
	}
	if c.Int("parallel") < 1 {
		return fmt.Errorf("cli: --parallel %d: give a number of databases, 1 or more", c.Int("parallel"))
	}
	return nil
}

// resolveFleet lists the targets of the fleet named on the command line,
// remembers their secrets so that no output shows them, and says which
// fleet it is.
func (s *session) resolveFleet(ctx context.Context, p *loader.Project, name string) ([]fleet.Target, error) {
	f, err := p.Config.Fleet(name)
	if err != nil {
		return nil, err
	}
	s.secrets.remember(f.Server)
	for _, u := range f.URLs {
		s.secrets.remember(u)
	}
	ts, err := fleet.Resolve(ctx, f, p.Config.Dir)
	if err != nil {
		return nil, fmt.Errorf("cli: %w", err)
	}
	for _, t := range ts {
		s.secrets.remember(t.URL())
	}
	out := s.stdout
	if s.verbosity == 0 {
		out = s.stderr
	}
	fmt.Fprintf(out, "Fleet: %s, %s (%s [fleets.%s])\n", name, plural(len(ts), "database"), config.FileName, name)
	return ts, nil
}

// fleetChecks runs the system checks against the kinds of database of
// the fleet.
func (s *session) fleetChecks(p *loader.Project, name string, ts []fleet.Target) error {
	seen := map[schema.Dialect]bool{}
	var targets []checks.Target
	for _, t := range ts {
		if d := t.Dialect(); !seen[d] {
			seen[d] = true
			targets = append(targets, checks.Target{Name: "fleet " + name, Dialect: d})
		}
	}
	_, err := s.runChecks(p, targets)
	return err
}

// migrateFleet is migrate --fleet: every database of the fleet brought to
// the same target, --parallel at a time, with a line per migration and
// per database as they finish (on stderr with --json), then a summary table (or one JSON
// document with --json).
func (s *session) migrateFleet(c *ucli.Context, p *loader.Project) error {
	name := c.String("fleet")
	for _, flag := range []string{"fake", "fake-initial", "check"} {
		if c.Bool(flag) {
			return fmt.Errorf("cli: --%s does not go with --fleet; run it on one database with --database", flag)
		}
	}
	progress := s.info()
	if c.Bool("json") {
		s.verbosity = 0 // stdout holds the JSON document alone
		progress = s.stderr
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	if err := conflictError(g, nil); err != nil {
		return err
	}
	if c.NArg() == 2 && !c.Bool("yes") {
		// A target may be behind some databases: unapplying there drops
		// what they hold, on every database of the fleet at once.
		return fmt.Errorf("cli: migrate --fleet %s to a named migration may unapply migrations on every database of the fleet; run it with --plan first, then add --yes", name)
	}
	var targets []migrations.Target
	if c.Args().Present() {
		if targets, err = migrateTargets(p, g, c.Args().Slice()); err != nil {
			return err
		}
	}
	ts, err := s.resolveFleet(c.Context, p, name)
	if err != nil {
		return err
	}
	if err := s.fleetChecks(p, name, ts); err != nil {
		return err
	}
	if c.Bool("plan") {
		return s.planFleet(c, g, ts, targets)
	}
	accept, err := acceptedEdits(g, c.StringSlice("accept-edited"))
	if err != nil {
		return err
	}
	lockTimeout := c.Duration("lock-timeout")
	if lockTimeout <= 0 {
		lockTimeout = -1 // the executor's "do not wait"
	}
	again := commandLine("migrate", c.Args().Slice(), "--fleet", name)
	opts := fleet.Options{
		Parallel:    c.Int("parallel"),
		StopOnError: c.Bool("stop-on-error"),
		Targets:     targets,
		Migrate: migrations.Options{
			LockTimeout:     lockTimeout,
			LockRetries:     max(c.Int("lock-retries"), 0),
			Resume:          c.Bool("resume"),
			RollbackPartial: c.Bool("rollback-partial"),
			AssumeDone:      c.Int("assume-done"),
			AssumeNotDone:   c.Int("assume-not-done"),
			AcceptEdited:    accept,
		},
		Events: s.fleetProgress(progress, len(ts), again),
	}
	start := time.Now()
	results := fleet.Migrate(c.Context, ts, g, opts)
	took := time.Since(start)
	for i := range results {
		// The executor's advice names options; say them as flags.
		results[i].Err = phrase(results[i].Err, again)
	}
	if c.Bool("json") {
		if err := s.writeFleetReport("migrate --fleet", name, fleetResults(results)); err != nil {
			return err
		}
	} else {
		s.migrateSummary(name, results, took)
	}
	return fleetError(name, again, results)
}

// fleetProgress prints, as the targets of a run of n go, a line per
// migration done and one per target finished ("[3/50] tenant_c: done").
// (with -v 2). Lines are whole, so targets running at once never mix on
// one line. A failure is worded as the summary words it: its advice names
// the flags of again, the command to run again.
func (s *session) fleetProgress(out io.Writer, n int, again string) func(fleet.Event) {
	finished := 0
	width := len(fmt.Sprint(n))
	return func(e fleet.Event) {
		name := e.Target.Name
		switch e.Kind {
		case fleet.MigrationDone:
			if s.verbosity < 2 {
				return
			}
			verb := "Applied"
			if e.Step.Backwards {
				verb = "Unapplied"
			}
			fmt.Fprintf(out, "  %s: %s %s%s\n", name, verb, e.Step.Migration.Key(), s.elapsed(e.Took))
		case fleet.Waiting:
			fmt.Fprintf(out, "  %s: waiting for another migrate (%s)\n", name, e.Holder)
		case fleet.Recovering:
			fmt.Fprintf(out, "  %s: recovering %s, left part-way by an earlier run\n", name, e.Partial.Key)
		case fleet.TargetDone:
			finished++
			r := e.Result
			line := ""
			switch r.Status() {
			case "failed":
				line = "FAILED: " + oneLine(phrase(r.Err, again))
			case "migrated":
				line = fmt.Sprintf("OK, %s%s", plural(len(r.Applied), "migration"), s.elapsed(r.Took))
			default:
				line = "up to date"
			}
			fmt.Fprintf(out, "[%*d/%d] %s: %s\n", width, finished, n, name, line)
		}
	}
}

// oneLine is an error's message on one line, without the prefixes that
// only name one of pmanager's packages.
func oneLine(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for i := range lines {
		lines[i] = trimPrefix(strings.TrimSpace(lines[i]))
	}
	return strings.Join(lines, " ")
}

// migrateSummary prints the table that ends migrate --fleet.
func (s *session) migrateSummary(name string, results []fleet.Result, took time.Duration) {
	out := s.info()
	fmt.Fprintf(out, "\nSummary of fleet %s:\n", name)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TARGET\tSTATUS\tAPPLIED\tTIME")
	count := map[string]int{}
	for _, r := range results {
		count[r.Status()]++
		t := strings.TrimSpace(strings.Trim(s.elapsed(r.Took), " ()"))
		if !r.Started || t == "" {
			t = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", r.Target.Name, r.Status(), len(r.Applied), t)
	}
	_ = tw.Flush() // out is the session's stdout: its errors surface there
	var parts []string
	for _, st := range []string{"migrated", "up to date", "failed", "skipped"} {
		if count[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[st], st))
		}
	}
	fmt.Fprintf(out, "%s: %s%s\n", plural(len(results), "database"), strings.Join(parts, ", "), s.elapsed(took))
}

// fleetError is the error that ends a fleet command some of whose targets
// failed: how many, then each with its error, and what to run again.
func fleetError(name, again string, results []fleet.Result) error {
	var failed, skipped []fleet.Result
	for _, r := range results {
		switch r.Status() {
		case "failed":
			failed = append(failed, r)
		case "skipped":
			skipped = append(skipped, r)
		}
	}
	if len(failed)+len(skipped) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cli: fleet %s: %d of %s failed", name, len(failed), plural(len(results), "database"))
	if len(skipped) > 0 {
		fmt.Fprintf(&b, " and %d were not started", len(skipped))
	}
	fmt.Fprintf(&b, "; the others are done: fix these and run %s again", again)
	for _, r := range failed {
		fmt.Fprintf(&b, "\n  %s: %s", r.Target.Name, oneLine(r.Err))
	}
	return fmt.Errorf("%s", b.String())
}

// planFleet is migrate --fleet --plan: what each target would run.
func (s *session) planFleet(c *ucli.Context, g *migrations.Graph, ts []fleet.Target, targets []migrations.Target) error {
	plans := fleet.Plan(c.Context, ts, g, targets, c.Int("parallel"))
	results := make([]fleet.Result, len(plans))
	var reports []FleetTarget
	for i, pl := range plans {
		results[i] = fleet.Result{Target: pl.Target, Started: true, Err: pl.Err}
		r := FleetTarget{Target: pl.Target.Name, URL: pl.Target.Redacted, Status: "planned", Pending: []string{}}
		if pl.Err != nil {
			r.Status, r.Error = "failed", oneLine(pl.Err)
		}
		for _, st := range pl.Steps {
			k := st.Migration.Key().String()
			if st.Backwards {
				k = "unapply " + k
			}
			r.Pending = append(r.Pending, k)
		}
		reports = append(reports, r)
	}
	name := c.String("fleet")
	if c.Bool("json") {
		if err := s.writeFleetReport("migrate --fleet --plan", name, reports); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(s.stdout, "Planned migrations:")
		for _, r := range reports {
			switch {
			case r.Error != "":
				fmt.Fprintf(s.stdout, "  %s: cannot plan: %s\n", r.Target, r.Error)
			case len(r.Pending) == 0:
				fmt.Fprintf(s.stdout, "  %s: no migrations to apply\n", r.Target)
			default:
				fmt.Fprintf(s.stdout, "  %s: %s\n", r.Target, strings.Join(r.Pending, ", "))
			}
		}
	}
	return fleetError(name, commandLine("migrate", c.Args().Slice(), "--fleet", name, "--plan"), results)
}

// showFleet is showmigrations --fleet: a line per target with how many
// migrations are applied and pending, and which are edited or partial.
func (s *session) showFleet(c *ucli.Context, p *loader.Project) error {
	name := c.String("fleet")
	if c.Args().Present() || c.Bool("plan") {
		return fmt.Errorf("cli: showmigrations --fleet lists every app of every database; it takes no app and no --plan")
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	ts, err := s.resolveFleet(c.Context, p, name)
	if err != nil {
		return err
	}
	statuses := fleet.Statuses(c.Context, ts, g, c.Int("parallel"))
	results := make([]fleet.Result, len(statuses))
	var reports []FleetTarget
	for i, st := range statuses {
		results[i] = fleet.Result{Target: st.Target, Started: true, Err: st.Err}
		r := FleetTarget{Target: st.Target.Name, URL: st.Target.Redacted, Applied: []string{}, Pending: keyStrings(st.Pending), Edited: keyStrings(st.Edited), Partial: []string{}}
		r.Status = "up to date"
		switch {
		case st.Err != nil:
			r.Status, r.Error = "failed", oneLine(st.Err)
		case st.Running != nil && !st.Running.Expired:
			r.Status, r.Running = "in progress", st.Running.Holder.String()
		case len(st.Partial) > 0:
			r.Status = "partial"
		case len(st.Pending) > 0:
			r.Status = "pending"
		}
		r.AppliedCount = st.Applied
		for _, pa := range st.Partial {
			r.Partial = append(r.Partial, pa.Key.String())
		}
		reports = append(reports, r)
	}
	if c.Bool("json") {
		if err := s.writeFleetReport("showmigrations --fleet", name, reports); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(s.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TARGET\tAPPLIED\tPENDING\tEDITED\tPARTIAL")
		for _, r := range reports {
			if r.Error != "" {
				fmt.Fprintf(tw, "%s\t?\t?\t?\t?\n", r.Target)
				continue
			}
			partial := keyList(r.Partial)
			if r.Status == "in progress" {
				partial += " (a migrate run is in progress)"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", r.Target, r.AppliedCount, len(r.Pending), keyList(r.Edited), partial)
		}
		_ = tw.Flush() // the session's stdout: its errors surface there
	}
	var failed []fleet.Result
	for _, r := range results {
		if r.Err != nil {
			failed = append(failed, r)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cli: fleet %s: %d of %s could not be read", name, len(failed), plural(len(results), "database"))
	for _, r := range failed {
		fmt.Fprintf(&b, "\n  %s: %s", r.Target.Name, oneLine(r.Err))
	}
	return fmt.Errorf("%s", b.String())
}

// keyStrings writes keys as app.name, never nil.
func keyStrings(ks []migrations.Key) []string {
	out := []string{}
	for _, k := range ks {
		out = append(out, k.String())
	}
	sort.Strings(out)
	return out
}

// keyList is a table cell of migrations: "-" for none.
func keyList(ks []string) string {
	if len(ks) == 0 {
		return "-"
	}
	return strings.Join(ks, ",")
}

// FleetReport is the JSON document of migrate --fleet and showmigrations
// --fleet (with --json): one entry per database of the fleet.
// docs/commands.md documents it; change both together.
type FleetReport struct {
	// Command is "migrate --fleet", "migrate --fleet --plan" or
	// "showmigrations --fleet".
	Command string `json:"command"`
	// Fleet is the fleet's name in pmanager.toml.
	Fleet string `json:"fleet"`
	// Targets are the fleet's databases, in name order.
	Targets []FleetTarget `json:"targets"`
}

// FleetTarget is one database of a FleetReport.
type FleetTarget struct {
	// Target names the database (or schema); URL is its redacted URL.
	Target string `json:"target"`
	URL    string `json:"url"`
	// Status is, for migrate, "migrated", "up to date", "failed" or
	// "skipped" (not started after --stop-on-error); for the plan,
	// "planned" or "failed"; for showmigrations, "up to date", "pending",
	// "in progress" (a migrate run holds its lock), "partial" or "failed"
	// (could not be read).
	Status string `json:"status"`
	// Running, for showmigrations, names the migrate run in progress.
	Running string `json:"running,omitempty"`
	// Applied lists the migrations migrate applied on it in this run.
	Applied []string `json:"applied,omitempty"`
	// AppliedCount is, for showmigrations, how many are applied.
	AppliedCount int `json:"applied_count,omitempty"`
	// Pending lists the migrations not applied yet (showmigrations) or
	// that would run (the plan).
	Pending []string `json:"pending,omitempty"`
	// Edited and Partial list applied migrations edited since, and
	// migrations an earlier run left part-way.
	Edited  []string `json:"edited,omitempty"`
	Partial []string `json:"partial,omitempty"`
	// Error is why the database failed.
	Error string `json:"error,omitempty"`
	// Milliseconds is how long migrate took on it.
	Milliseconds int64 `json:"ms,omitempty"`
}

// fleetResults turns migrate's results into report entries.
func fleetResults(results []fleet.Result) []FleetTarget {
	out := make([]FleetTarget, 0, len(results))
	for _, r := range results {
		t := FleetTarget{Target: r.Target.Name, URL: r.Target.Redacted, Status: r.Status(), Applied: []string{}, Edited: keyStrings(r.Edited), Milliseconds: r.Took.Milliseconds()}
		for _, k := range r.Applied {
			t.Applied = append(t.Applied, k.String())
		}
		if r.Err != nil {
			t.Error = oneLine(r.Err)
		}
		out = append(out, t)
	}
	return out
}

// writeFleetReport prints a FleetReport as indented JSON on stdout.
func (s *session) writeFleetReport(command, name string, targets []FleetTarget) error {
	if targets == nil {
		targets = []FleetTarget{}
	}
	data, err := json.MarshalIndent(FleetReport{Command: command, Fleet: name, Targets: targets}, "", "  ")
	if err != nil {
		return fmt.Errorf("cli: write JSON: %w", err)
	}
	if _, err := s.stdout.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("cli: write JSON: %w", err)
	}
	return nil
}
