package cli

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// The connection commands: database:* and migration:* take a connection
// name of pmanager.toml, where the Django commands (migrate,
// showmigrations, ...) take --database.

// localCommands are the commands that need pmanager.toml but not the
// project's models, so the launcher runs them without building the
// project (they work before there is anything to build): the connection
// commands that set a database up, and inspectdb, which writes the models.
var localCommands = []string{
	"database:configure", "db:config",
	"database:setup", "db:setup",
	"migration:setup", "m:setup",
	"inspectdb",
}

// Local reports whether the command named name runs without the project's
// models and migrations built in.
func Local(name string) bool {
	for _, c := range localCommands {
		if c == name {
			return true
		}
	}
	return false
}

// connectionCommands are the database:* and migration:* commands.
func (s *session) connectionCommands() []*ucli.Command {
	return []*ucli.Command{
		s.databaseConfigureCommand(),
		s.databaseSetupCommand(),
		s.migrationSetupCommand(),
		s.migrationCreateCommand(),
		s.migrationUpCommand(),
		s.migrationDownCommand(),
		s.migrationRedoCommand(),
		s.migrationRefreshCommand(),
		s.migrationListCommand(),
	}
}

// dialectFlags are --mysql, --pgsql (--postgres) and --sqlite: the dialect
// of a connection that pmanager.toml does not define yet.
func dialectFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.BoolFlag{Name: "mysql", Usage: "a MySQL/MariaDB database"},
		&ucli.BoolFlag{Name: "pgsql", Aliases: []string{"postgres"}, Usage: "a PostgreSQL database"},
		&ucli.BoolFlag{Name: "sqlite", Usage: "an SQLite database file"},
	}
}

// flagDialect returns the dialect the flags chose, "" when none.
func flagDialect(c *ucli.Context) (schema.Dialect, error) {
	var chosen []schema.Dialect
	for _, f := range []struct {
		flag string
		d    schema.Dialect
	}{{"mysql", schema.MySQL}, {"pgsql", schema.Postgres}, {"sqlite", schema.SQLite}} {
		if c.Bool(f.flag) {
			chosen = append(chosen, f.d)
		}
	}
	switch len(chosen) {
	case 0:
		return "", nil
	case 1:
		return chosen[0], nil
	}
	return "", fmt.Errorf("cli: %s: give one of --mysql, --pgsql and --sqlite, not several", c.Command.Name)
}

// connArg reads the one <conn> argument of a command.
// connectionOf reads a command's <conn> argument and resolves it in the
// project found from the working folder, without building the project:
// the commands that set a database up run before there are models.
func (s *session) connectionOf(c *ucli.Context) (string, *loader.Project, *connect.Target, string, error) {
	conn, err := connArg(c)
	if err != nil {
		return "", nil, nil, "", err
	}
	p, err := loader.Find(s.dir, s.lookup)
	if err != nil {
		return "", nil, nil, "", err
	}
	s.rememberSecrets(p)
	t, raw, err := s.connTarget(c, p, conn)
	if err != nil {
		return "", nil, nil, "", err
	}
	return conn, p, t, raw, nil
}

func connArg(c *ucli.Context) (string, error) {
	if c.NArg() != 1 || strings.TrimSpace(c.Args().First()) == "" {
		return "", fmt.Errorf("cli: %s needs one connection name: pmanager %s <conn> (a [connections.<conn>] table of %s)", c.Command.Name, c.Command.Name, config.FileName)
	}
	return c.Args().First(), nil
}

// defaultURL is the URL a dialect flag stands for when the connection is
// not configured: the server on this machine with its usual administrator
// account, and a database (or SQLite file) named after the connection.
func defaultURL(d schema.Dialect, conn string) string {
	switch d {
	case schema.Postgres:
		return "postgres://postgres@localhost:5432/" + conn
	case schema.MySQL:
		return "mysql://root@localhost:3306/" + conn
	}
	return "sqlite://" + conn + ".db"
}

// connTarget resolves the connection conn: its url in pmanager.toml, or,
// when it is not configured, the default URL of the dialect flag given. A
// flag that contradicts the configured url is an error. It prints the
// "Database: ..." line of the command, which acts on that database next.
func (s *session) connTarget(c *ucli.Context, p *loader.Project, conn string) (*connect.Target, string, error) {
	d, err := flagDialect(c)
	if err != nil {
		return nil, "", err
	}
	raw, source := "", ""
	if _, ok := p.Config.Connections[conn]; ok {
		r, err := p.Config.Named(conn, "")
		if err != nil {
			return nil, "", err
		}
		if _, err := s.resolve(p, r); err != nil {
			return nil, "", err // a built program told nothing refuses here too
		}
		raw, source = r.URL, r.Source
	} else {
		if d == "" {
			return nil, "", fmt.Errorf("cli: no connection %q in %s; run pmanager database:configure %s --mysql (or --pgsql, --sqlite), or pass one of those flags to use a local server", conn, config.FileName, conn)
		}
		raw = defaultURL(d, conn)
		for _, f := range []string{"mysql", "pgsql", "sqlite"} {
			if c.Bool(f) {
				source = fmt.Sprintf("--%s: %s is not in %s, so the local default", f, conn, config.FileName)
			}
		}
	}
	t, err := connect.Parse(raw, p.Root)
	if err != nil {
		return nil, "", scrub(err, raw)
	}
	if d != "" && d != t.Dialect {
		return nil, "", fmt.Errorf("cli: connection %s is %s (%s), not %s; drop the flag, or run pmanager database:configure %s to change it", conn, t.Dialect, t.Redacted, d, conn)
	}
	s.sayDatabase(t.Redacted, source)
	return t, raw, nil
}

// openTarget connects to t and checks that the server answers; raw is the
// URL as written, to scrub the password from errors.
func openTarget(ctx context.Context, t *connect.Target, raw string) (*sql.DB, schema.Editor, error) {
	db, ed, err := t.Open()
	if err != nil {
		return nil, nil, scrub(err, raw)
	}
	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close() // nothing was opened that could fail to close
		return nil, nil, scrub(fmt.Errorf("cli: cannot connect to %s: %w", t.Redacted, err), raw)
	}
	return db, ed, nil
}

// appsOn returns the apps whose migrations run on connection conn: those
// whose [apps.<label>] says connection = "<conn>", or, when none does,
// every app bound to no connection.
func appsOn(cfg *config.Config, conn string) []string {
	var bound, free []string
	for _, a := range cfg.Apps {
		switch a.Connection {
		case conn:
			bound = append(bound, a.Label)
		case "":
			free = append(free, a.Label)
		}
	}
	if len(bound) > 0 {
		return bound
	}
	return free
}

// noApps is the error of a connection no app runs on.
func noApps(conn string) error {
	return fmt.Errorf("cli: no app runs on connection %s: every app of %s is bound to another one; add connection = %q to an [apps.<label>] table", conn, config.FileName, conn)
}
