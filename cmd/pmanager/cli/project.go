package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
)

// connectTimeout bounds the first contact with a database server, so an
// unreachable host is an error rather than a hang.
const connectTimeout = 30 * time.Second

// project finds the project the command runs in and checks that the apps
// this program was built with are the apps pmanager.toml declares.
func (s *session) project() (*loader.Project, error) {
	if s.reg == nil {
		return nil, fmt.Errorf("cli: this command needs the project's models and migrations; run it through the pmanager command, which builds them in")
	}
	find := loader.Find
	if s.binary {
		find = s.binaryProject
	}
	p, err := find(s.dir, s.lookup)
	if err != nil {
		return nil, err
	}
	s.rememberSecrets(p)
	built := map[string]bool{}
	for _, a := range s.apps {
		built[a.Label] = true
		if _, ok := p.Config.App(a.Label); !ok {
			return nil, fmt.Errorf("cli: app %s was built into this program but is not in %s; rebuild it (the pmanager command does so on every run)", a.Label, configName(p))
		}
	}
	for _, label := range p.Config.Labels() {
		if !built[label] {
			return nil, fmt.Errorf("cli: app %s of %s is not built into this program; rebuild it (the pmanager command does so on every run)", label, configName(p))
		}
	}
	return p, nil
}

// rememberSecrets records the secrets of every connection of the project,
// so the session's output masks them whichever message quotes them.
func (s *session) rememberSecrets(p *loader.Project) {
	for name := range p.Config.Connections {
		if raw, err := p.Config.URL(name); err == nil {
			s.secrets.remember(raw)
		}
	}
}

func configName(p *loader.Project) string {
	if p.Config.File != "" {
		return p.Config.File
	}
	return "the default configuration"
}

// graph builds the migration graph of everything registered.
func (s *session) graph() (*migrations.Graph, error) {
	g, err := s.reg.Graph()
	if err != nil {
		return nil, err
	}
	// A migration registered for an app the project does not have would
	// be applied and recorded under that app, out of reach of every
	// command that names an app.
	built := make([]string, len(s.apps))
	for i, a := range s.apps {
		built[i] = a.Label
	}
	for _, app := range g.Apps() {
		if !contains(built, app) {
			k := g.Migrations(app)[0].Key()
			return nil, fmt.Errorf("cli: migration %s is registered for app %s, which this project does not have (apps: %s); set App in that migration to the app whose migrations folder holds it", k, app, strings.Join(built, ", "))
		}
	}
	return g, nil
}

// selectApps checks the app labels a user named against the project; none
// named means every app. The result is sorted.
func selectApps(p *loader.Project, named []string) ([]string, error) {
	if len(named) == 0 {
		return p.Config.Labels(), nil
	}
	seen := map[string]bool{}
	var out []string
	for _, label := range named {
		if _, ok := p.Config.App(label); !ok {
			return nil, unknownApp(p, label)
		}
		if !seen[label] {
			seen[label] = true
			out = append(out, label)
		}
	}
	sort.Strings(out)
	return out, nil
}

func unknownApp(p *loader.Project, label string) error {
	return fmt.Errorf("cli: app '%s' could not be found; the apps of this project are: %s", label, strings.Join(p.Config.Labels(), ", "))
}

// conflictError refuses to go on while one of the apps only (every app
// when only is empty) has more than one leaf migration; the message is
// the library's *migrations.ConflictError, which phrase completes with
// the command that fixes it.
func conflictError(g *migrations.Graph, only []string) error {
	return migrations.CheckConflicts(g, only)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// where is a routed database: the route pmanager.toml's rule chose, the
// URL parsed, and the URL as written (to scrub errors with).
type where struct {
	route  config.Route
	target *connect.Target
	raw    string
	// server is the connection's server setting in pmanager.toml ("" when
	// not stated): what risks are judged for when the server will not say.
	server string
}

// routeApp resolves where an app's migrations run (config.Route's rule);
// named is the --database the user gave, "" for none.
func (s *session) routeApp(p *loader.Project, app, named string) (*where, error) {
	r, err := p.Config.RouteApp(app, named, "--database "+named)
	if err != nil {
		return nil, err
	}
	return s.resolve(p, r)
}

// routeNamed resolves a connection the user named in the words how ("" =
// the default connection).
func (s *session) routeNamed(p *loader.Project, name, how string) (*where, error) {
	if name == "" {
		return s.routeApp(p, "", "")
	}
	r, err := p.Config.Named(name, how)
	if err != nil {
		return nil, err
	}
	return s.resolve(p, r)
}

// resolve parses a route's URL. A built program refuses the built-in
// SQLite file: on a server, a database nobody named is never the one
// meant, and creating it would read like a real migration.
func (s *session) resolve(p *loader.Project, r config.Route) (*where, error) {
	if s.binary && r.Builtin {
		return nil, fmt.Errorf("cli: no database configured, and this program migrates only a database it is told about; set %s (or %s) to its URL, or run it beside a %s that names a connection (-C <dir>)", config.EnvURL, config.EnvURLFallback, config.FileName)
	}
	s.secrets.remember(r.URL)
	t, err := connect.Parse(r.URL, p.Root)
	if err != nil {
		return nil, scrub(err, r.URL)
	}
	return &where{route: r, target: t, raw: r.URL, server: p.Config.Connections[r.Connection].Server}, nil
}

// sayWhere prints the database a command is about to act on, and why that
// one: the line every command that touches a database starts with.
func (s *session) sayWhere(w *where) {
	s.sayDatabase(w.target.Redacted, w.route.Source)
}

// sayDatabase prints the "Database: ..." line on stdout, or on stderr when
// stdout must hold a document alone (--json) or -v 0 asked for quiet: the
// target is said either way.
func (s *session) sayDatabase(redacted, source string) {
	out := s.stdout
	if s.verbosity == 0 {
		out = s.stderr
	}
	fmt.Fprintf(out, "Database: %s (%s)\n", redacted, source)
}

// target reads the named connection's URL ("" = the default connection)
// and returns it parsed, and as written (to scrub errors with).
func (s *session) target(p *loader.Project, name string) (*connect.Target, string, error) {
	w, err := s.routeNamed(p, name, "--database "+name)
	if err != nil {
		return nil, "", err
	}
	return w.target, w.raw, nil
}

// open connects to the named connection and checks the server answers,
// after saying which database it is.
func (s *session) open(ctx context.Context, p *loader.Project, name string) (*sql.DB, schema.Editor, error) {
	w, err := s.routeNamed(p, name, "")
	if err != nil {
		return nil, nil, err
	}
	s.sayWhere(w)
	return s.openWhere(ctx, w)
}

// openWhere connects to a routed database and checks the server answers.
func (s *session) openWhere(ctx context.Context, w *where) (*sql.DB, schema.Editor, error) {
	t, raw := w.target, w.raw
	db, ed, err := t.Open()
	if err != nil {
		return nil, nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close() // nothing was opened that could fail to close
		return nil, nil, scrub(fmt.Errorf("cli: cannot connect to %s: %w; %s", t.Redacted, err, connectHint(t.Dialect)), raw)
	}
	return db, ed, nil
}

// connectHint says what to check when a database does not answer.
func connectHint(d schema.Dialect) string {
	if d == schema.SQLite {
		return "check that the file's folder exists and is writable"
	}
	return "check that the server is running and the URL's host, port, user, password and database name"
}

// applied reads the history of a connection without changing anything: an
// SQLite file that does not exist yet has applied nothing, and is not created.
func (s *session) applied(ctx context.Context, p *loader.Project, name string) (map[migrations.Key]migrations.Applied, error) {
	w, err := s.routeNamed(p, name, "--database "+name)
	if err != nil {
		return nil, err
	}
	applied, _, err := s.history(ctx, w)
	return applied, err
}

// history reads a database's history: what is applied, and what an
// earlier run left part-way. Like applied, it creates no SQLite file.
func (s *session) history(ctx context.Context, w *where) (map[migrations.Key]migrations.Applied, []migrations.Partial, error) {
	t := w.target
	if t.Dialect == schema.SQLite {
		if _, err := os.Stat(t.Database); errors.Is(err, fs.ErrNotExist) {
			return map[migrations.Key]migrations.Applied{}, nil, nil
		}
	}
	db, ed, err := s.openWhere(ctx, w)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	h := migrations.NewHistory(db, ed)
	applied, err := h.Applied(ctx)
	if err != nil {
		return nil, nil, err
	}
	partials, err := h.Partials(ctx)
	if err != nil {
		return nil, nil, err
	}
	return applied, partials, nil
}

// scrub removes every secret of the connection string raw (password,
// secret query parameters) from err's message, for drivers that quote the
// connection string back.
func scrub(err error, raw string) error { return dsn.ScrubError(err, raw) }

// warnEdited prints a warning for each applied migration edited since
// (the run's Observer.Edited).
func (s *session) warnEdited(keys []migrations.Key) {
	for _, k := range keys {
		s.warn("migration %s was edited after it was applied; the database has what it said then (undo the edit and write a new migration instead)", k)
	}
}
