package cli

import (
	"context"
	"fmt"
	"sort"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
)

func (s *session) showmigrationsCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "showmigrations",
		Usage:     "list the migrations and whether each is applied",
		ArgsUsage: "[app...]",
		Flags: []ucli.Flag{
			databaseFlag(),
			&ucli.BoolFlag{Name: "plan", Aliases: []string{"p"}, Usage: "list every migration in the order migrate would apply them"},
			jsonFlag(),
			fleetFlags()[0],
			fleetFlags()[1],
		},
		Action: s.showmigrations,
	}
}

func (s *session) showmigrations(c *ucli.Context) error {
	if c.Bool("json") {
		s.verbosity = 0 // stdout holds the JSON document alone: no progress or notes
	}
	p, err := s.project()
	if err != nil {
		return err
	}
	if err := checkFleetFlags(c); err != nil {
		return err
	}
	if c.String("fleet") != "" {
		return s.showFleet(c, p)
	}
	named, err := selectApps(p, c.Args().Slice())
	if err != nil {
		return err
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	if c.Bool("json") {
		s.verbosity = 0 // stdout holds the JSON document alone; Database goes to stderr
	}
	apps := named
	if !c.Args().Present() {
		apps = allApps(p.Config.Labels(), g.Apps())
	}
	groups := [][]string{apps}
	if c.String("database") == "" {
		groups = p.Config.Group(apps)
	}
	for _, group := range groups {
		w, err := s.routeApp(p, group[0], c.String("database"))
		if err != nil {
			return err
		}
		s.sayWhere(w)
		only := group
		if len(groups) == 1 && !c.Args().Present() {
			only = nil
		}
		if err := s.showOn(c, p.Config.Labels(), g, w, group, only); err != nil {
			return err
		}
	}
	return nil
}

// showOn lists apps as the database w records them; only limits --plan
// to those apps (nil: everything). The library sets the history against
// the graph; this prints.
func (s *session) showOn(c *ucli.Context, labels []string, g *migrations.Graph, w *where, apps, only []string) error {
	// What to run about a migration left part-way: migrate on this
	// database, whichever way it was routed here.
	again := commandLine("migrate", nil, databaseFlags(c.String("database"))...)
	applied, partials, err := s.history(c.Context, w)
	if err != nil {
		return err
	}
	running, err := s.running(c.Context, w)
	if err != nil {
		return err
	}
	if g, err = migrations.ResolveHistory(g, applied); err != nil {
		return err
	}
	status := migrations.NewStatus(g, applied, partials)
	if c.Bool("json") {
		// One document per database: with apps on several connections,
		// each lists the apps routed there.
		return s.showJSON(labels, status, running, apps, c.Args().Present() || only != nil, c.Bool("plan"))
	}
	s.sayRunning(running)
	live := running != nil && !running.Expired
	if c.Bool("plan") {
		list := status.InPlanOrder(only)
		if len(list) == 0 {
			fmt.Fprintln(s.stdout, "(no migrations)")
		}
		for _, st := range list {
			fmt.Fprintf(s.stdout, "%s  %s%s\n", mark(st), st.Migration.Key(), notes(st, live, again))
		}
		return nil
	}
	for _, app := range apps {
		fmt.Fprintln(s.stdout, app)
		list := status.ByApp([]string{app})
		if len(list) == 0 {
			fmt.Fprintln(s.stdout, " (no migrations)")
		}
		for _, st := range list {
			fmt.Fprintf(s.stdout, " %s %s%s\n", mark(st), st.Migration.Name, notes(st, live, again))
		}
	}
	return nil
}

// showJSON prints showmigrations as a Report: the migrations of the named
// apps (all when none is named) app by app, or with --plan in the order
// migrate applies them.
func (s *session) showJSON(labels []string, status *migrations.Status, running *migrations.Running, named []string, anyNamed, plan bool) error {
	var list []migrations.MigrationStatus
	switch {
	case plan:
		var only []string
		if anyNamed {
			only = named
		}
		list = status.InPlanOrder(only)
	default:
		apps := named
		if !anyNamed {
			apps = allApps(labels, status.Graph.Apps())
		}
		list = status.ByApp(apps)
	}
	r := Report{Command: "showmigrations", Migrations: []ReportMigration{}, Running: reportRunning(running)}
	for _, st := range list {
		rm := reportMigration(st)
		if rm.Partial != nil && running != nil && !running.Expired {
			rm.Partial.InProgress = true
		}
		r.Migrations = append(r.Migrations, rm)
	}
	return s.writeReport(r)
}

func mark(st migrations.MigrationStatus) string {
	if st.Applied {
		return "[X]"
	}
	return "[ ]"
}

// notes flags a migration edited after it was applied, and one an
// earlier run left part-way (MySQL, or a NonAtomic migration), so a
// listing never passes over it silently; again is the migrate command
// that acts on the same database. While a live run holds the lock (live),
// a migration left part-way is that run's work in flight.
func notes(st migrations.MigrationStatus, live bool, again string) string {
	out := ""
	if st.Edited {
		out += " (edited after it was applied)"
	}
	if p := st.Partial; p != nil {
		verb := "applying"
		if p.Backwards {
			verb = "unapplying"
		}
		if live {
			out += fmt.Sprintf(" (%s: in progress in the migrate run that holds the lock, %s done so far)", verb, plural(p.OpsDone, "operation"))
		} else {
			out += fmt.Sprintf(" (%s stopped after %s; run %s --resume or --rollback-partial)", verb, plural(p.OpsDone, "operation"), again)
		}
	}
	return out
}

// allApps is the sorted union of the configured apps and the apps that
// have migrations.
func allApps(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range lists {
		for _, app := range list {
			if !seen[app] {
				seen[app] = true
				out = append(out, app)
			}
		}
	}
	sort.Strings(out)
	return out
}

// plural writes a count and its noun, with an s unless the count is one.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// running asks the database of w whether a migrate run holds its lock now
// (nil: none does, or the database cannot tell, as SQLite's lock file).
func (s *session) running(ctx context.Context, w *where) (*migrations.Running, error) {
	if w.target.Dialect == schema.SQLite {
		return nil, nil
	}
	db, ed, err := s.openWhere(ctx, w)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return migrations.RunInProgress(ctx, db, ed)
}

// sayRunning prints, under the Database line, the migrate run in progress
// on the database, if any: who runs it and where, and on a Galera cluster
// when it last renewed its lease, or that it stopped renewing it.
func (s *session) sayRunning(r *migrations.Running) {
	if r == nil {
		return
	}
	switch {
	case r.Expired:
		fmt.Fprintf(s.info(), "Migrate run: %s; its lease was last renewed %s ago, longer than its %s: the run has most likely died, and the next migrate takes the lease over\n",
			r.Holder, r.Renewed.Round(time.Second), r.Lease)
	case r.Lease > 0:
		fmt.Fprintf(s.info(), "Migrate run in progress: %s; lease last renewed %s ago\n", r.Holder, r.Renewed.Round(100*time.Millisecond))
	default:
		fmt.Fprintf(s.info(), "Migrate run in progress: the migration lock is %s\n", r.Holder)
	}
}
