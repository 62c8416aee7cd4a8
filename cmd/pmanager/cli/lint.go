package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/lint"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

func (s *session) lintCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "lint",
		Usage: "say what migrations risk (data loss, refusals, locks and rewrites, breaking the running release); exit 1 on a finding not allowed",
		Description: "Judges the unapplied migrations on the database (--database, else each app's own), the migrations\n" +
			"of a range (pmanager lint app 0003 or app 0003..0005), or those whose files were added since a git ref\n" +
			"(--since origin/main). Findings allowed by [lint] allow in pmanager.toml, or by the migration's\n" +
			"Lint: migrations.Allow(\"pm.L002\"), are shown but do not fail. The rules are in docs/lint.md.",
		ArgsUsage: "[app [name|from..to]]",
		Flags: []ucli.Flag{
			databaseFlag(),
			jsonFlag(),
			&ucli.StringFlag{Name: "since", Usage: "judge the migration files added since the git `REF` (a branch, tag or commit)"},
		},
		Action: s.lint,
	}
}

// lintSubject is one migration lint judges, where it runs.
type lintSubject struct {
	m       *migrations.Migration
	targets []lint.Target
}

func (s *session) lint(c *ucli.Context) error {
	if c.Bool("json") {
		s.verbosity = 0 // stdout holds the JSON document alone
	}
	p, err := s.project()
	if err != nil {
		return err
	}
	if c.NArg() > 2 {
		return fmt.Errorf("cli: lint takes at most an app and a range: pmanager lint [app [name|from..to]]")
	}
	if c.NArg() == 2 && c.String("since") != "" {
		return fmt.Errorf("cli: lint takes a range or --since, not both")
	}
	if err := checkAllowIDs("pmanager.toml [lint] allow", p.Config.LintAllow); err != nil {
		return err
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	var apps []string
	if c.NArg() > 0 {
		if apps, err = selectApps(p, c.Args().Slice()[:1]); err != nil {
			return err
		}
	} else {
		apps = allApps(p.Config.Labels(), g.Apps())
	}
	var ms []*migrations.Migration
	switch {
	case c.NArg() == 2:
		ms, err = lintRange(g, apps[0], c.Args().Get(1))
	case c.String("since") != "":
		ms, err = s.lintSince(p, g, apps, c.String("since"))
	default:
		ms, err = s.lintUnapplied(c.Context, p, g, apps, c.String("database"))
	}
	if err != nil {
		return err
	}
	targets := map[string][]lint.Target{}
	var subjects []lintSubject
	for _, m := range ms {
		if err := checkAllowIDs(m.Key().String()+" Lint", m.Lint.Allow); err != nil {
			return err
		}
		if _, ok := targets[m.App]; !ok {
			ts, err := s.lintTargets(c.Context, p, m.App, c.String("database"), true)
			if err != nil {
				return err
			}
			targets[m.App] = ts
		}
		subjects = append(subjects, lintSubject{m: m, targets: targets[m.App]})
	}
	report, err := judgeAll(g, subjects, p.Config.LintAllow)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		if err := s.writeLintJSON(report); err != nil {
			return err
		}
	} else {
		report.print(s.stdout)
	}
	if report.Failing > 0 {
		return exitStatus(1)
	}
	return nil
}

// writeLintJSON prints the report as indented JSON on stdout.
func (s *session) writeLintJSON(r *LintReport) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("cli: write JSON: %w", err)
	}
	if _, err := s.stdout.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("cli: write JSON: %w", err)
	}
	return nil
}

// checkAllowIDs refuses an acknowledgement of a rule that does not exist:
// a typo there would silently allow nothing.
func checkAllowIDs(where string, ids []string) error {
	for _, id := range ids {
		if _, ok := lint.Lookup(id); !ok {
			return fmt.Errorf("cli: %s names %q, which is no lint rule; the rules are listed in docs/lint.md (pm.L001 …)", where, id)
		}
	}
	return nil
}

// lintRange returns app's migration named arg, or those from..to in the
// graph's order (names or their number prefixes).
func lintRange(g *migrations.Graph, app, arg string) ([]*migrations.Migration, error) {
	from, to, isRange := strings.Cut(arg, "..")
	first, err := g.Find(app, from)
	if err != nil {
		return nil, err
	}
	if !isRange {
		return []*migrations.Migration{first}, nil
	}
	last, err := g.Find(app, to)
	if err != nil {
		return nil, err
	}
	var out []*migrations.Migration
	in := false
	for _, m := range g.Order() {
		if m.App != app {
			continue
		}
		in = in || m == first
		if in {
			out = append(out, m)
		}
		if m == last {
			if !in {
				return nil, fmt.Errorf("cli: lint range %s: %s comes before %s; write the older migration first", arg, last.Name, first.Name)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("cli: lint range %s: %s comes before %s; write the older migration first", arg, last.Name, first.Name)
}

// lintUnapplied returns the migrations of apps not applied on the
// database each app runs on (database, when named).
func (s *session) lintUnapplied(ctx context.Context, p *loader.Project, g *migrations.Graph, apps []string, database string) ([]*migrations.Migration, error) {
	groups := [][]string{apps}
	if database == "" {
		groups = p.Config.Group(apps)
	}
	var out []*migrations.Migration
	for _, group := range groups {
		w, err := s.routeApp(p, group[0], database)
		if err != nil {
			return nil, err
		}
		s.sayWhere(w)
		applied, _, err := s.history(ctx, w)
		if err != nil {
			return nil, fmt.Errorf("%w (lint reads the history to find the unapplied migrations; name a range or use --since to lint without it)", err)
		}
		for _, m := range g.Order() {
			if slices.Contains(group, m.App) && !migrations.IsApplied(applied, m) {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// lintSince returns the migrations of apps whose files git says were
// added since ref, committed or not.
func (s *session) lintSince(p *loader.Project, g *migrations.Graph, apps []string, ref string) ([]*migrations.Migration, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("cli: lint --since needs git, which is not on the PATH; install git, or lint a range instead: pmanager lint <app> 0003..0005")
	}
	added := map[string]bool{}
	for _, args := range [][]string{
		{"diff", "--name-only", "--diff-filter=A", "--no-renames", ref, "--", "."},
		{"ls-files", "--others", "--exclude-standard", "--", "."},
	} {
		out, err := git(p.Root, args...)
		if err != nil {
			return nil, fmt.Errorf("cli: lint --since %s: %w", ref, err)
		}
		top, err := git(p.Root, "rev-parse", "--show-prefix")
		if err != nil {
			return nil, fmt.Errorf("cli: lint --since %s: %w", ref, err)
		}
		prefix := strings.TrimSpace(top)
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			// diff names files from the repository's top, ls-files from here.
			rel := strings.TrimPrefix(line, prefix)
			added[filepath.Join(p.Root, filepath.FromSlash(rel))] = true
		}
	}
	var out []*migrations.Migration
	for _, m := range g.Order() {
		if !slices.Contains(apps, m.App) {
			continue
		}
		app, ok := p.Config.App(m.App)
		if !ok {
			continue
		}
		if added[filepath.Join(p.Config.Path(app.Migrations), m.Name+".go")] {
			out = append(out, m)
		}
	}
	return out, nil
}

// git runs git in dir and returns its output, or an error with git's own
// first line.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return stdout.String(), nil
}

// lintTargets are the databases app is migrated to: the connection named
// (--database); else the app's own connection in pmanager.toml; else every
// connection pmanager.toml has (the built-in SQLite file when none). Each
// is judged for the server its server setting states, else for the
// conservative assumption. live asks each server its version and judges
// for that, saying so when it differs from the stated one, and when a
// server cannot be reached.
func (s *session) lintTargets(ctx context.Context, p *loader.Project, app, database string, live bool) ([]lint.Target, error) {
	names := []string{database}
	if database == "" {
		if a, ok := p.Config.App(app); ok && a.Connection != "" {
			names = []string{a.Connection}
		} else {
			names = p.Config.ConnectionNames()
		}
	}
	var out []lint.Target
	for _, name := range names {
		d := s.dialectOf(p, name)
		if d == "" {
			continue
		}
		t, err := s.configuredTarget(p, name, d)
		if err != nil {
			return nil, err
		}
		if live {
			v, err := s.serverVersion(ctx, p, name, d)
			switch {
			case err != nil:
				s.warn("lint: %s; judging %s for %s", strings.Join(strings.Fields(err.Error()), " "), name, assumedWords(t))
			case !t.Agrees(v):
				s.warn("lint: %s runs %s, but pmanager.toml states server = %q; judging for the server's own version (correct [connections.%s] server)", name, liveWords(d, v), p.Config.Connections[name].Server, name)
				t = lint.Target{Dialect: d, Version: v}
			default:
				t = lint.Target{Dialect: d, Version: v}
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// configuredTarget is what connection name, of dialect d, is judged for
// when its server is not asked: the server pmanager.toml states, else the
// dialect's assumption.
func (s *session) configuredTarget(p *loader.Project, name string, d schema.Dialect) (lint.Target, error) {
	server := p.Config.Connections[name].Server
	if server == "" {
		return lint.Offline(d), nil
	}
	return configured(name, server, d)
}

// configured is the target of connection name whose pmanager.toml states
// server, of dialect d; the error names the connection and an example.
func configured(name, server string, d schema.Dialect) (lint.Target, error) {
	t, err := lint.Configured(d, server)
	if err != nil {
		return lint.Target{}, fmt.Errorf("pmanager.toml [connections.%s] %s; write the server its url runs, e.g. server = %q",
			name, strings.TrimPrefix(err.Error(), "lint: "), exampleServer[d])
	}
	return t, nil
}

// exampleServer is a server setting of each dialect, for errors.
var exampleServer = map[schema.Dialect]string{schema.Postgres: "postgres 15", schema.MySQL: "mysql 8.0.36", schema.SQLite: "sqlite 3.45"}

// liveWords names a server that said its version: "MariaDB 10.11.6".
func liveWords(d schema.Dialect, v lint.Version) string {
	name := dialectNames[d]
	if v.MariaDB {
		name = "MariaDB"
	}
	return name + " " + v.String()
}

// dialectNames are the dialects as people write them.
var dialectNames = map[schema.Dialect]string{schema.Postgres: "PostgreSQL", schema.MySQL: "MySQL", schema.SQLite: "SQLite"}

// assumedWords names the version a target assumes or is configured with.
func assumedWords(t lint.Target) string {
	if t.Configured {
		return liveWords(t.Dialect, t.Version) + " (configured)"
	}
	return fmt.Sprintf("%s %d.%d (assumed)", dialectNames[t.Dialect], t.Version.Major, t.Version.Minor)
}

// lintConnectTimeout bounds how long lint waits for a server to say its
// version before it judges for the assumed one.
const lintConnectTimeout = 5 * time.Second

// serverVersion asks connection name's server its version. A SQLite
// database is asked through an in-memory database of the same linked
// library, so linting never creates the file.
func (s *session) serverVersion(ctx context.Context, p *loader.Project, name string, d schema.Dialect) (lint.Version, error) {
	ctx, cancel := context.WithTimeout(ctx, lintConnectTimeout)
	defer cancel()
	var db *sql.DB
	if d == schema.SQLite {
		var err error
		if db, err = sql.Open("sqlite", ":memory:"); err != nil {
			return lint.Version{}, fmt.Errorf("open SQLite: %w", err)
		}
	} else {
		t, raw, err := s.target(p, name)
		if err != nil {
			return lint.Version{}, err
		}
		if db, _, err = t.Open(); err != nil {
			return lint.Version{}, scrub(err, raw)
		}
		if err := db.PingContext(ctx); err != nil {
			_ = db.Close() // nothing was opened that could fail to close
			return lint.Version{}, scrub(fmt.Errorf("cannot reach %s: %w", t.Redacted, err), raw)
		}
	}
	defer db.Close()
	return lint.ServerVersion(ctx, db, d)
}

// LintReport is pmanager lint --json's document.
type LintReport struct {
	// Command is "lint".
	Command string `json:"command"`
	// Migrations are those judged, in the order they run.
	Migrations []LintMigration `json:"migrations"`
	// Findings counts every finding; Failing those no configuration allows.
	Findings int `json:"findings"`
	Failing  int `json:"failing"`
}

// LintMigration is one judged migration.
type LintMigration struct {
	App  string `json:"app"`
	Name string `json:"name"`
	// Targets are the databases it was judged for.
	Targets []LintTarget `json:"targets"`
	// Operations are its operations that have findings.
	Operations []LintOperation `json:"operations"`
}

// LintTarget is a database a migration was judged for.
type LintTarget struct {
	Dialect schema.Dialect `json:"dialect"`
	Version string         `json:"version"`
	// Assumed is true when no server said its version.
	Assumed bool `json:"assumed,omitempty"`
	// Configured is true when the version is pmanager.toml's server
	// setting, the server not having said its own.
	Configured bool `json:"configured,omitempty"`
}

// LintOperation is one operation with findings.
type LintOperation struct {
	// Number counts from 1 in the migration.
	Number      int           `json:"number"`
	Description string        `json:"description"`
	Findings    []LintFinding `json:"findings"`
}

// LintFinding is a finding and whether it is allowed.
type LintFinding struct {
	lint.Finding
	// AllowedBy says what allows it: "pmanager.toml" or "migration";
	// absent for a finding that fails lint.
	AllowedBy string `json:"allowed_by,omitempty"`
}

// judgeAll lints every subject; allow is pmanager.toml's [lint] allow.
func judgeAll(g *migrations.Graph, subjects []lintSubject, allow []string) (*LintReport, error) {
	r := &LintReport{Command: "lint", Migrations: []LintMigration{}}
	for _, sub := range subjects {
		m := sub.m
		before, err := g.StateBefore(m.Key())
		if err != nil {
			return nil, err
		}
		fss, err := lint.Analyze(m.App, m.Operations, before, sub.targets)
		if err != nil {
			return nil, fmt.Errorf("cli: lint %s: %w", m.Key(), err)
		}
		lm := LintMigration{App: m.App, Name: m.Name, Targets: []LintTarget{}, Operations: []LintOperation{}}
		for _, t := range sub.targets {
			lm.Targets = append(lm.Targets, LintTarget{Dialect: t.Dialect, Version: versionWords(t), Assumed: t.Guessed, Configured: t.Configured})
		}
		for i, fs := range fss {
			if len(fs) == 0 {
				continue
			}
			op := LintOperation{Number: i + 1, Description: m.Operations[i].Describe()}
			for _, f := range fs {
				lf := LintFinding{Finding: f}
				switch {
				case lint.Allowed(f.Rule, m.Lint.Allow):
					lf.AllowedBy = "migration"
				case lint.Allowed(f.Rule, allow):
					lf.AllowedBy = "pmanager.toml"
				default:
					r.Failing++
				}
				r.Findings++
				op.Findings = append(op.Findings, lf)
			}
			lm.Operations = append(lm.Operations, op)
		}
		r.Migrations = append(r.Migrations, lm)
	}
	return r, nil
}

// versionWords is a target's server for people: "15.5.0", "10.11.6-MariaDB".
func versionWords(t lint.Target) string {
	v := t.Version.String()
	if t.Version.MariaDB {
		v += "-MariaDB"
	}
	return v
}

// print writes the report as text: each migration, its operations with
// findings, each finding; then the count and what fails.
func (r *LintReport) print(w io.Writer) {
	var failing []string
	for _, m := range r.Migrations {
		var on []string
		for _, t := range m.Targets {
			word := string(t.Dialect) + " " + t.Version
			switch {
			case t.Assumed:
				word += " (assumed)"
			case t.Configured:
				word += " (configured)"
			}
			on = append(on, word)
		}
		fmt.Fprintf(w, "%s.%s (on %s)\n", m.App, m.Name, strings.Join(on, ", "))
		if len(m.Operations) == 0 {
			fmt.Fprintln(w, "  no findings")
		}
		for _, op := range m.Operations {
			fmt.Fprintf(w, "  - %s\n", op.Description)
			for _, f := range op.Findings {
				note := ""
				switch f.AllowedBy {
				case "migration":
					note = " (allowed by the migration)"
				case "pmanager.toml":
					note = " (allowed by pmanager.toml)"
				default:
					if !slices.Contains(failing, f.Rule) {
						failing = append(failing, f.Rule)
					}
				}
				fmt.Fprintf(w, "      ! %s%s\n", f.Finding, note)
			}
		}
	}
	switch {
	case len(r.Migrations) == 0:
		fmt.Fprintln(w, "No migrations to lint.")
	case r.Failing == 0:
		fmt.Fprintf(w, "%s in %s, none failing.\n", plural(r.Findings, "finding"), plural(len(r.Migrations), "migration"))
	default:
		slices.Sort(failing)
		fmt.Fprintf(w, "%s in %s, %d not allowed (%s): allow them in pmanager.toml ([lint] allow) or in the migration (Lint: migrations.Allow(\"%s\")) once reviewed.\n",
			plural(r.Findings, "finding"), plural(len(r.Migrations), "migration"), r.Failing, strings.Join(failing, ", "), failing[0])
	}
}

// riskNotes are the findings of a migration's operations as header and
// summary lines, one list per operation (nil when it has none).
func riskNotes(fss [][]lint.Finding) [][]string {
	out := make([][]string, len(fss))
	for i, fs := range fss {
		for _, f := range fs {
			out[i] = append(out[i], f.String())
		}
	}
	return out
}

// planTarget is the target migrate --plan judges risks for: the server it
// is connected to, or, when the server will not say its version, the
// server pmanager.toml states for the connection, else the dialect's
// assumption.
func (s *session) planTarget(ctx context.Context, db *sql.DB, d schema.Dialect, w *where) (lint.Target, error) {
	t := lint.Offline(d)
	if w.server != "" {
		var err error
		if t, err = configured(w.route.Connection, w.server, d); err != nil {
			return lint.Target{}, err
		}
	}
	v, err := lint.ServerVersion(ctx, db, d)
	if err != nil {
		s.warn("lint: %s; judging risks for %s", strings.Join(strings.Fields(err.Error()), " "), assumedWords(t))
		return t, nil
	}
	return lint.Target{Dialect: d, Version: v}, nil
}

// planRisks are the findings of each operation of a step that applies a
// migration from before; an unapplying step has none (the rules judge
// operations forwards).
func planRisks(step migrations.Step, before *state.Project, tg lint.Target) ([][]lint.Finding, error) {
	if step.Backwards {
		return nil, nil
	}
	m := step.Migration
	fss, err := lint.Analyze(m.App, m.Operations, before, []lint.Target{tg})
	if err != nil {
		return nil, fmt.Errorf("cli: judge the risks of %s: %w", m.Key(), err)
	}
	return fss, nil
}
