package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/pkg/checks"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

func (s *session) checkCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "check",
		Usage: "run the system checks on the models, for every configured connection (or one)",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "database", Usage: "check against the connection `NAME` only, instead of every configured one"},
			jsonFlag(),
		},
		Action: s.check,
	}
}

// check is `pmanager check`: the report in full, the summary line even
// when there is nothing to report, exit status 1 on an error.
func (s *session) check(c *ucli.Context) error {
	p, err := s.project()
	if err != nil {
		return err
	}
	if c.NArg() > 0 {
		return fmt.Errorf("cli: check takes no arguments: pmanager check [--database NAME]")
	}
	if c.Bool("json") {
		s.verbosity = 0 // stdout holds the JSON document alone: no progress or notes
	}
	targets, err := s.checkTargets(p, c.String("database"))
	if err != nil {
		return err
	}
	s.markGalera(p, targets)
	report, _, err := checks.Run(s.apps, checks.Options{Targets: targets, Silence: p.Config.Silence})
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return s.checkJSON(report)
	}
	if len(report.Issues) == 0 {
		fmt.Fprint(s.stdout, report.Text())
		return nil
	}
	return s.printChecks(report)
}

// checkJSON prints the report as a Report document on stdout; an error
// among the issues still makes the status 1.
func (s *session) checkJSON(report *checks.Report) error {
	phraseIssues(report)
	r := Report{Command: "check", Checks: []ReportCheck{}}
	for _, i := range report.Issues {
		msg := i.Message
		if i.Hint != "" {
			msg += "; " + i.Hint
		}
		r.Checks = append(r.Checks, ReportCheck{ID: i.ID, Level: i.Level.String(), Object: i.Object, Message: msg})
	}
	if err := s.writeReport(r); err != nil {
		return err
	}
	if report.Errors() > 0 {
		return exitStatus(1)
	}
	return nil
}

// systemChecks runs the checks before makemigrations or migrate does
// anything: it prints only when there is something to report, stops the
// command on an error, and returns the models' state.
func (s *session) systemChecks(p *loader.Project, database string) (*state.Project, error) {
	targets, err := s.checkTargets(p, database)
	if err != nil {
		return nil, err
	}
	return s.runChecks(p, targets)
}

// runChecks is systemChecks against targets already worked out.
func (s *session) runChecks(p *loader.Project, targets []checks.Target) (*state.Project, error) {
	report, current, err := checks.Run(s.apps, checks.Options{Targets: targets, Silence: p.Config.Silence})
	if err != nil {
		return nil, err
	}
	if len(report.Issues) > 0 {
		if err := s.printChecks(report); err != nil {
			return nil, err
		}
	}
	return current, nil
}

// printChecks prints a report with issues on stderr, as Django does; with
// an error among them the first line says the command stops, and the
// status is 1.
func (s *session) printChecks(report *checks.Report) error {
	phraseIssues(report)
	if report.Errors() == 0 {
		fmt.Fprint(s.stderr, report.Text())
		return nil
	}
	fmt.Fprint(s.stderr, "pmanager: SystemCheckError: "+report.Text())
	return exitStatus(1)
}

// checkTargets lists the databases the dialect checks consider: the named
// connection, or else every configured connection, since migrate
// --database can take the apps to any of them (the default connection and
// every app's bound connection are among them).
func (s *session) checkTargets(p *loader.Project, database string) ([]checks.Target, error) {
	if database != "" {
		t, _, err := s.target(p, database)
		if err != nil {
			return nil, err
		}
		return []checks.Target{{Name: database, Dialect: t.Dialect}}, nil
	}
	var out []checks.Target
	for _, name := range p.Config.ConnectionNames() {
		out = append(out, checks.Target{Name: name, Dialect: s.dialectOf(p, name)})
	}
	return out, nil
}

// dialectOf is the kind of database of a connection, "" when its URL names
// it only through an environment variable that is not set.
func (s *session) dialectOf(p *loader.Project, name string) schema.Dialect {
	if t, _, err := s.target(p, name); err == nil {
		return t.Dialect
	}
	raw := p.Config.Connections[name].URL
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok || strings.Contains(scheme, "$") {
		return ""
	}
	d, err := connect.ParseDialect(scheme)
	if err != nil {
		return ""
	}
	return d
}
