package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

func (s *session) databaseConfigureCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "database:configure",
		Aliases:   []string{"db:config"},
		Usage:     "write a connection to pmanager.toml, from flags or by asking",
		ArgsUsage: "<conn>",
		Flags: append(dialectFlags(),
			&ucli.StringFlag{Name: "host", Aliases: []string{"H"}, Usage: "database server `HOST` (default localhost)"},
			&ucli.StringFlag{Name: "port", Aliases: []string{"P"}, Usage: "server `PORT` (default 5432 or 3306)"},
			&ucli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "`USER` to connect as (default postgres or root)"},
			&ucli.StringFlag{Name: "password", Aliases: []string{"p"}, Usage: "`PASSWORD` to write into the URL (prefer --password-env)"},
			&ucli.StringFlag{Name: "password-env", Usage: "write ${`VAR`} as the password, read from the environment on every run"},
			&ucli.StringFlag{Name: "name", Usage: "database `NAME` (default: the connection name)"},
			&ucli.StringFlag{Name: "path", Usage: "SQLite database `FILE`, relative to pmanager.toml (default <conn>.db)"},
		),
		Action: s.databaseConfigure,
	}
}

func (s *session) databaseSetupCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "database:setup",
		Aliases:   []string{"db:setup"},
		Usage:     "create a connection's database when it does not exist, and its history table",
		ArgsUsage: "<conn>",
		Flags:     dialectFlags(),
		Action:    s.databaseSetup,
	}
}

// connSettings are the parts of a connection URL database:configure asks for.
type connSettings struct {
	dialect                  schema.Dialect
	host, port, user, dbName string
	password, passwordEnv    string
	path                     string
}

// url renders the settings as a connection URL; a password from the
// environment is written as ${VAR}, expanded when pmanager reads the file.
func (cs connSettings) url() string {
	if cs.dialect == schema.SQLite {
		return "sqlite://" + filepath.ToSlash(cs.path)
	}
	scheme := "postgres"
	if cs.dialect == schema.MySQL {
		scheme = "mysql"
	}
	user := url.User(cs.user).String()
	switch {
	case cs.passwordEnv != "":
		user += ":${" + cs.passwordEnv + "}"
	case cs.password != "":
		user = url.UserPassword(cs.user, cs.password).String()
	}
	return fmt.Sprintf("%s://%s@%s/%s", scheme, user, hostPort(cs.host, cs.port), url.PathEscape(cs.dbName))
}

// shown is the URL as printed: a literal password replaced by xxxxx.
func (cs connSettings) shown() string {
	if cs.password == "" || cs.passwordEnv != "" {
		return cs.url()
	}
	c := cs
	c.password = "xxxxx"
	return c.url()
}

func hostPort(host, port string) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

// defaultsFor fills what a dialect assumes when nothing is said.
func defaultsFor(d schema.Dialect, conn string) connSettings {
	cs := connSettings{dialect: d, host: "localhost", dbName: conn, path: conn + ".db"}
	switch d {
	case schema.Postgres:
		cs.port, cs.user = "5432", "postgres"
	case schema.MySQL:
		cs.port, cs.user = "3306", "root"
	}
	return cs
}

// configuredDialect guesses the dialect of a connection's url as written
// ("" when it cannot be told, e.g. a url that is all one ${VAR}).
func configuredDialect(raw string) schema.Dialect {
	scheme, _, ok := strings.Cut(strings.TrimSpace(raw), ":")
	if !ok {
		return ""
	}
	d, err := connect.ParseDialect(scheme)
	if err != nil {
		return ""
	}
	return d
}

func (s *session) databaseConfigure(c *ucli.Context) error {
	conn, err := connArg(c)
	if err != nil {
		return err
	}
	if !validIdent(conn) {
		return fmt.Errorf("cli: connection name %q is not an identifier; use letters, digits, - and _", conn)
	}
	root, err := s.configRoot()
	if err != nil {
		return err
	}
	path := filepath.Join(root, config.FileName)
	data, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cli: read %s: %w", path, err)
	}
	cfg := config.Default(root, s.lookup)
	if exists {
		if cfg, err = config.Parse(path, data, s.lookup); err != nil {
			return err
		}
	}
	d, err := flagDialect(c)
	if err != nil {
		return err
	}
	if existing, ok := cfg.Connections[conn]; ok && d == "" && exists {
		d = configuredDialect(existing.URL)
	}
	prompt := s.terminal()
	if d == "" {
		if prompt == nil {
			return fmt.Errorf("cli: database:configure %s: no database type given; pass --mysql, --pgsql or --sqlite", conn)
		}
		if d, err = prompt.dialect(); err != nil {
			return err
		}
	}
	cs, err := s.settings(c, d, conn, prompt)
	if err != nil {
		return err
	}
	raw := cs.url()
	var out []byte
	if out, err = config.SetConnectionURL(path, data, conn, raw, s.lookup); err != nil {
		return err
	}
	if err := loader.WriteFileAtomic(path, out); err != nil {
		return err
	}
	verb := "Updated"
	if !exists {
		verb = "Created"
	}
	// Only a typed password is a secret to mask; a ${VAR} reference is
	// what the file holds and what the user must see.
	if cs.passwordEnv == "" {
		s.secrets.remember(cs.url())
	}
	fmt.Fprintf(s.stdout, "%s %s: connection %s = %s\n", verb, config.FileName, conn, cs.shown())
	if d == schema.SQLite {
		if err := s.ignoreSQLite(root, cs.path); err != nil {
			return err
		}
	}
	if cs.password != "" && cs.passwordEnv == "" {
		fmt.Fprintf(s.stdout, "The password is stored in %s; to keep it out of the file, pass --password-env %s_PASSWORD and export that variable instead.\n", config.FileName, envName(conn))
	}
	fmt.Fprintf(s.stdout, "Next: pmanager database:setup %s\n", conn)
	return nil
}

// ignoreSQLite lists a configured SQLite file (path as written, relative to
// root unless absolute) and its companions in root's .gitignore; a file
// outside root is none of the repository's business.
func (s *session) ignoreSQLite(root, path string) error {
	p := filepath.FromSlash(path)
	if filepath.IsAbs(p) {
		rel, err := filepath.Rel(root, p)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil
		}
		p = rel
	}
	line, err := ensureIgnored(filepath.Join(root, ".gitignore"), sqliteFiles(filepath.Clean(p)))
	if err != nil {
		return err
	}
	if line != "" {
		fmt.Fprintln(s.stdout, line)
	}
	return nil
}

// configRoot is the folder of pmanager.toml: the project's, or the Go
// module's root when the project has no file yet.
func (s *session) configRoot() (string, error) {
	p, err := loader.Find(s.dir, s.lookup)
	if err != nil {
		return "", err
	}
	return p.Root, nil
}

// settings gathers the connection's parts from the flags, then from the
// terminal when there is one, else from the dialect's defaults.
func (s *session) settings(c *ucli.Context, d schema.Dialect, conn string, prompt *prompter) (connSettings, error) {
	cs := defaultsFor(d, conn)
	if env := c.String("password-env"); env != "" {
		if !validVar(env) {
			return cs, fmt.Errorf("cli: --password-env %q is not an environment variable name; use letters, digits and _", env)
		}
		cs.passwordEnv = env
	}
	type field struct {
		flag, label string
		dst         *string
		secret      bool
	}
	var fields []field
	if d == schema.SQLite {
		fields = []field{{flag: "path", label: "Database file", dst: &cs.path}}
	} else {
		fields = []field{
			{flag: "host", label: "Host", dst: &cs.host},
			{flag: "port", label: "Port", dst: &cs.port},
			{flag: "user", label: "User", dst: &cs.user},
			{flag: "password", label: "Password", dst: &cs.password, secret: true},
			{flag: "name", label: "Database name", dst: &cs.dbName},
		}
	}
	for _, f := range fields {
		switch {
		case c.IsSet(f.flag):
			*f.dst = c.String(f.flag)
		case f.secret && cs.passwordEnv != "":
		case prompt != nil:
			v, err := prompt.ask(f.label, *f.dst, f.secret)
			if err != nil {
				return cs, err
			}
			*f.dst = v
		}
	}
	if d != schema.SQLite {
		if _, err := strconv.ParseUint(cs.port, 10, 16); err != nil {
			return cs, fmt.Errorf("cli: port %q is not a port number; pass --port 5432 (or 3306)", cs.port)
		}
		for _, f := range []struct{ name, v string }{{"--host", cs.host}, {"--user", cs.user}, {"--name", cs.dbName}} {
			if strings.TrimSpace(f.v) == "" {
				return cs, fmt.Errorf("cli: database:configure %s: %s is empty; give it a value", conn, f.name)
			}
		}
	} else if strings.TrimSpace(cs.path) == "" {
		return cs, fmt.Errorf("cli: database:configure %s: --path is empty; give the SQLite file, such as %s.db", conn, conn)
	}
	return cs, nil
}

// prompter asks for missing settings on a terminal.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
	// secret reads a line without echoing it.
	secret func() ([]byte, error)
}

// terminal returns a prompter when stdin is a terminal, else nil (then
// nothing is asked and missing settings take their defaults or fail).
func (s *session) terminal() *prompter {
	f, ok := s.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	fd := int(f.Fd())
	return &prompter{in: bufio.NewReader(f), out: s.stdout, secret: func() ([]byte, error) { return term.ReadPassword(fd) }}
}

// ask prints "label [default]: " and reads a line; a secret is read
// without echo and never shown.
func (p *prompter) ask(label, def string, secret bool) (string, error) {
	if secret {
		fmt.Fprintf(p.out, "%s (hidden, empty for none): ", label)
		b, err := p.secret()
		fmt.Fprintln(p.out)
		if err != nil {
			return "", fmt.Errorf("cli: read the password: %w", err)
		}
		return string(b), nil
	}
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", label, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", label)
	}
	line, err := p.in.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("cli: no answer for %s; pass it as a flag instead", strings.ToLower(label))
	}
	if v := strings.TrimSpace(line); v != "" {
		return v, nil
	}
	return def, nil
}

// dialect asks which kind of database the connection is.
func (p *prompter) dialect() (schema.Dialect, error) {
	for {
		v, err := p.ask("Database (mysql, pgsql, sqlite)", "sqlite", false)
		if err != nil {
			return "", err
		}
		if d, err := connect.ParseDialect(v); err == nil {
			return d, nil
		}
		fmt.Fprintf(p.out, "%q is not one of mysql, pgsql, sqlite\n", v)
	}
}

// envName turns a connection name into the stem of a variable name.
func envName(conn string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(conn))
}

func validIdent(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return s != ""
}

func validVar(s string) bool {
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

func (s *session) databaseSetup(c *ucli.Context) error {
	_, _, t, raw, err := s.connectionOf(c)
	if err != nil {
		return err
	}
	created, err := createDatabase(c.Context, t, raw)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(s.stdout, "Created database %s (%s)\n", t.Database, t.Redacted)
	} else {
		fmt.Fprintf(s.stdout, "Database %s already exists (%s)\n", t.Database, t.Redacted)
	}
	return s.ensureHistory(c.Context, t, raw)
}

// ensureHistory creates the history table on t when it is missing.
func (s *session) ensureHistory(ctx context.Context, t *connect.Target, raw string) error {
	db, ed, err := openTarget(ctx, t, raw)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := migrations.NewHistory(db, ed).Ensure(ctx); err != nil {
		return scrub(err, raw)
	}
	fmt.Fprintf(s.stdout, "History table %s is ready\n", schema.HistoryTable)
	return nil
}

// createDatabase creates t's database when it does not exist and reports
// whether it did: an SQLite file, or CREATE DATABASE on the server through
// its maintenance database (PostgreSQL) or no database (MySQL).
func createDatabase(ctx context.Context, t *connect.Target, raw string) (bool, error) {
	if t.Dialect == schema.SQLite {
		if _, err := os.Stat(t.Database); err == nil {
			return false, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("cli: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(t.Database), 0o755); err != nil {
			return false, fmt.Errorf("cli: %w", err)
		}
		db, _, err := openTarget(ctx, t, raw)
		if err != nil {
			return false, err
		}
		// SQLite creates the file on the first write.
		_, err = db.ExecContext(ctx, "PRAGMA user_version = 0")
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return false, fmt.Errorf("cli: create %s: %w", t.Database, err)
		}
		return true, nil
	}
	admin := ""
	query := "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?"
	if t.Dialect == schema.Postgres {
		admin, query = "postgres", "SELECT COUNT(*) FROM pg_database WHERE datname = $1"
	}
	at, err := t.WithDatabase(admin)
	if err != nil {
		return false, err
	}
	db, ed, err := openTarget(ctx, at, raw)
	if err != nil {
		return false, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, query, t.Database).Scan(&n); err != nil {
		return false, scrub(fmt.Errorf("cli: look for database %s on %s: %w", t.Database, at.Redacted, err), raw)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+ed.Quote(t.Database)); err != nil {
		return false, scrub(fmt.Errorf("cli: create database %s on %s: %w; create it by hand or connect as a user allowed to", t.Database, at.Redacted, err), raw)
	}
	return true, nil
}
