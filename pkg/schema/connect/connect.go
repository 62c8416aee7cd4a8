// Package connect opens a database from a pmanager connection URL
// (postgres://, mysql://, sqlite://path) and pairs it with the schema editor
// of its dialect. It is the one place that imports the drivers, so the rest
// of pmanager deals only in *sql.DB and schema.Editor.
package connect

import (
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
	"github.com/pmanager/pmanager/pkg/schema/mysql"
	"github.com/pmanager/pmanager/pkg/schema/postgres"
	"github.com/pmanager/pmanager/pkg/schema/sqlite"

	// The drivers of the three dialects.
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Target is a parsed connection URL: which dialect, and how to reach it.
type Target struct {
	Dialect schema.Dialect
	// Driver and DSN are what database/sql needs.
	Driver string
	DSN    string
	// Database is the database name (the file path on SQLite).
	Database string
	// Redacted is the URL with any password replaced, safe to print.
	Redacted string
	url      *url.URL
}

// Parse reads a connection URL. A relative SQLite path is taken from dir.
func Parse(raw, dir string) (*Target, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("connect: empty database URL; set PMANAGER_DATABASE_URL or a connection url in pmanager.toml")
	}
	if strings.HasPrefix(raw, "sqlite:") || strings.HasPrefix(raw, "sqlite3:") {
		path := raw[strings.Index(raw, ":")+1:]
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, fmt.Errorf("connect: sqlite URL %q has no file path; write sqlite://pmanager.db", raw)
		}
		if !filepath.IsAbs(path) && dir != "" {
			path = filepath.Join(dir, path)
		}
		return &Target{Dialect: schema.SQLite, Driver: "sqlite", DSN: dsn.SQLite(path), Database: path, Redacted: "sqlite://" + path}, nil
	}
	if !strings.Contains(raw, "://") {
		return nil, notAURL(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("connect: database URL is not a URL (%s); write postgres://user:password@host:5432/name", dsn.Redact(raw))
	}
	t := &Target{url: u, Database: strings.TrimPrefix(u.Path, "/"), Redacted: Redact(u)}
	switch u.Scheme {
	case "postgres", "postgresql", "pgsql":
		t.Dialect, t.Driver = schema.Postgres, "pgx"
		t.DSN = dsn.Postgres(u)
	case "mysql", "mariadb":
		t.Dialect, t.Driver = schema.MySQL, "mysql"
		t.DSN = dsn.MySQL(u)
	default:
		return nil, fmt.Errorf("connect: unknown database URL scheme %q in %s; use postgres://, mysql:// or sqlite://", u.Scheme, dsn.Redact(raw))
	}
	if t.Database == "" {
		return nil, fmt.Errorf("connect: database URL %s names no database; add /name after the host", t.Redacted)
	}
	return t, nil
}

// WithDatabase returns the same server target pointed at another database
// (the empty string: the server's default), for creating databases.
func (t *Target) WithDatabase(name string) (*Target, error) {
	if t.url == nil {
		return nil, fmt.Errorf("connect: %s has no server to switch database on", t.Redacted)
	}
	u := *t.url
	u.Path = "/" + name
	c := *t
	c.url, c.Database, c.Redacted = &u, name, Redact(&u)
	if t.Dialect == schema.Postgres {
		c.DSN = dsn.Postgres(&u)
	} else {
		c.DSN = dsn.MySQL(&u)
	}
	return &c, nil
}

// Open opens the target and returns the handle with its dialect's editor.
// It does not connect yet: the first query does (call Ping to check).
func (t *Target) Open() (*sql.DB, schema.Editor, error) {
	if t.Dialect == schema.Postgres {
		if db := openPostgres(t.DSN); db != nil {
			return db, EditorFor(t.Dialect), nil
		}
	}
	db, err := sql.Open(t.Driver, t.DSN)
	if err != nil {
		return nil, nil, fmt.Errorf("connect: open %s: %w", t.Redacted, err)
	}
	if t.Dialect == schema.SQLite {
		// One writer at a time; a single connection keeps PRAGMAs and the
		// migration's transaction on the same connection.
		db.SetMaxOpenConns(1)
	}
	return db, EditorFor(t.Dialect), nil
}

// notAURL explains a connection string without a scheme: a driver DSN or a
// key=value conninfo is named as such, with the URL to write instead.
func notAURL(raw string) error {
	shown := dsn.Redact(raw)
	switch {
	case strings.Contains(raw, "@tcp(") || strings.Contains(raw, "@unix(") || strings.Contains(raw, "@/"):
		return fmt.Errorf("connect: database URL %s is a Go MySQL driver DSN, not a URL; write mysql://user:password@host:3306/name", shown)
	case strings.Contains(raw, "=") && !strings.ContainsAny(strings.TrimSpace(raw), "/@"):
		return fmt.Errorf("connect: database URL %s is a key=value connection string, not a URL; write postgres://user:password@host:5432/name", shown)
	}
	return fmt.Errorf("connect: database URL %s has no scheme; write postgres://user:password@host:5432/name, mysql://… or sqlite://path", shown)
}

// EditorFor returns the schema editor of a dialect.
func EditorFor(d schema.Dialect) schema.Editor {
	switch d {
	case schema.Postgres:
		return postgres.New()
	case schema.MySQL:
		return mysql.New()
	default:
		return sqlite.New()
	}
}

// ParseDialect accepts the names users type for a dialect.
func ParseDialect(name string) (schema.Dialect, error) {
	switch strings.ToLower(name) {
	case "postgres", "postgresql", "pgsql", "pg":
		return schema.Postgres, nil
	case "mysql", "mariadb":
		return schema.MySQL, nil
	case "sqlite", "sqlite3":
		return schema.SQLite, nil
	}
	return "", fmt.Errorf("connect: unknown dialect %q; use postgres, mysql or sqlite", name)
}

// Redact renders u for printing: the password of its user info and the
// values of its secret query parameters (password, sslpassword, any name
// holding pass, secret, token or key) are replaced by "xxxxx".
func Redact(u *url.URL) string { return dsn.RedactURL(u) }

// RedactString renders a connection string of any form (URL, driver DSN,
// key=value conninfo) with every secret in it replaced by "xxxxx".
func RedactString(raw string) string { return dsn.Redact(raw) }
