package fleet

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
)

// Target is one database of a fleet (on PostgreSQL, possibly one schema
// of a database).
type Target struct {
	// Name is how tables and progress lines name the target: the
	// database's name (or the schema's), or its redacted URL when two
	// targets of the fleet share a name.
	Name string
	// Redacted is the target's URL with its secrets masked, safe to print.
	Redacted string

	url  string
	conn *connect.Target
}

// URL is the target's connection URL, secrets included: for opening it
// and for masking it in output, never for printing.
func (t Target) URL() string { return t.url }

// Dialect is the target's database family.
func (t Target) Dialect() schema.Dialect { return t.conn.Dialect }

// FromURLs makes targets of connection URLs; relative SQLite paths start
// from dir.
func FromURLs(urls []string, dir string) ([]Target, error) {
	out := make([]Target, 0, len(urls))
	for _, raw := range urls {
		t, err := connect.Parse(raw, dir)
		if err != nil {
			return nil, fmt.Errorf("fleet: %w", dsn.ScrubError(err, raw))
		}
		name := t.Database
		if t.Dialect == schema.SQLite {
			name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		}
		out = append(out, Target{Name: name, Redacted: t.Redacted, url: raw, conn: t})
	}
	return uniqueNames(out), nil
}

// uniqueNames names each target whose name another target shares by its
// redacted URL instead.
func uniqueNames(ts []Target) []Target {
	count := map[string]int{}
	for _, t := range ts {
		count[t.Name]++
	}
	for i := range ts {
		if count[ts[i].Name] > 1 {
			ts[i].Name = ts[i].Redacted
		}
	}
	return ts
}

// Resolve lists the targets of a fleet as config.Config.Fleet returns it
// (expanded): its URLs, or the databases (or PostgreSQL schemas) of its
// server whose names match its pattern, in name order. Relative SQLite
// paths start from dir.
func Resolve(ctx context.Context, f config.Fleet, dir string) ([]Target, error) {
	if f.Server == "" {
		ts, err := FromURLs(f.URLs, dir)
		if err != nil {
			return nil, fmt.Errorf("fleet %s: %w", f.Name, err)
		}
		return ts, nil
	}
	ts, err := search(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("fleet %s: %w", f.Name, dsn.ScrubError(err, f.Server))
	}
	return ts, nil
}

// search lists the databases or schemas of f's server that match f's
// pattern.
func search(ctx context.Context, f config.Fleet) ([]Target, error) {
	u, err := url.Parse(f.Server)
	if err != nil || !strings.Contains(f.Server, "://") {
		return nil, fmt.Errorf("server is not a URL (%s); write postgres://user:password@host:5432/postgres", dsn.Redact(f.Server))
	}
	server, err := connect.Parse(serverURL(u), "")
	if err != nil {
		return nil, err
	}
	if server.Dialect == schema.SQLite {
		return nil, fmt.Errorf("server %s is an SQLite file, which holds one database; list SQLite files with urls = [...] instead", server.Redacted)
	}
	if f.Schemas != "" && server.Dialect != schema.Postgres {
		return nil, fmt.Errorf("schemas = %q needs PostgreSQL; on MySQL a schema is a database: write databases = %q", f.Schemas, f.Schemas)
	}
	db, _, err := server.Open()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var names []string
	if f.Schemas != "" {
		names, err = listNames(ctx, db, schemasQuery, f.Schemas)
	} else {
		query := postgresDatabases
		if server.Dialect == schema.MySQL {
			query = mysqlDatabases
		}
		names, err = listNames(ctx, db, query, f.Databases)
	}
	if err != nil {
		return nil, fmt.Errorf("list the %s on %s: %w", kind(f), server.Redacted, err)
	}
	if len(names) == 0 {
		pattern := f.Databases + f.Schemas
		return nil, fmt.Errorf("no %s on %s matches %q; check the pattern (SQL LIKE: %% any run of characters, _ any one)", strings.TrimSuffix(kind(f), "s"), server.Redacted, pattern)
	}
	out := make([]Target, 0, len(names))
	for _, name := range names {
		var t *connect.Target
		var raw string
		if f.Schemas != "" {
			raw = inSchema(u, name)
			t, err = connect.Parse(raw, "")
		} else {
			c := *u
			c.Path = "/" + name
			raw = c.String()
			t, err = connect.Parse(raw, "")
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Target{Name: name, Redacted: t.Redacted, url: raw, conn: t})
	}
	return out, nil
}

// kind is what f's pattern matches, in the plural.
func kind(f config.Fleet) string {
	if f.Schemas != "" {
		return "schemas"
	}
	return "databases"
}

// serverURL is u, naming the server's default database when u names none
// (a server URL needs only the host).
func serverURL(u *url.URL) string {
	c := *u
	if strings.Trim(c.Path, "/") == "" {
		switch c.Scheme {
		case "mysql", "mariadb":
			c.Path = "/information_schema"
		default:
			c.Path = "/postgres"
		}
	}
	return c.String()
}

// inSchema is u with the search_path its connections start with set to
// the schema, so that everything pmanager creates and reads, its history
// table included, lives in that schema.
func inSchema(u *url.URL, schemaName string) string {
	c := *u
	q := c.Query()
	q.Set("search_path", quoteSchema(schemaName))
	c.RawQuery = q.Encode()
	return c.String()
}

// quoteSchema writes a schema name as search_path takes it: as is when
// it is a lower-case identifier, else in double quotes.
func quoteSchema(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			plain = false
		}
	}
	if plain {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// The queries that list a server's databases and schemas matching a LIKE
// pattern, leaving out the server's own.
const (
	postgresDatabases = `SELECT datname FROM pg_database WHERE datname LIKE $1 AND datallowconn AND NOT datistemplate ORDER BY datname`
	mysqlDatabases    = `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE ? AND schema_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY schema_name`
	schemasQuery      = `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' ORDER BY nspname`
)

// listNames runs one of those queries.
func listNames(ctx context.Context, db *sql.DB, query, pattern string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, pattern)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}
