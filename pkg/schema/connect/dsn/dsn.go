// Package dsn turns pmanager connection URLs into driver DSNs. It is shared by
// pkg/schema/connect and the test helper internal/dbtest, which cannot import
// connect (connect imports the editors whose tests use dbtest).
package dsn

import (
	"fmt"
	"net/url"
	"strings"
)

// SQLite is the modernc.org/sqlite DSN for a database file: foreign keys are
// enforced, writers wait for each other instead of failing, and
// transactions take the write lock at BEGIN so two migrate runs cannot
// interleave.
func SQLite(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate"
}

// MySQL converts a mysql:// URL into a go-sql-driver DSN. The password is
// the URL's own or, when it has none, a password query parameter (as
// PostgreSQL URLs allow); the driver would otherwise send that parameter
// to the server as a variable to set.
func MySQL(u *url.URL) string {
	auth := u.User.Username()
	q := u.Query()
	pass, ok := u.User.Password()
	if !ok || pass == "" {
		pass = q.Get("password")
	}
	q.Del("password")
	if pass != "" {
		auth += ":" + pass
	}
	q.Set("parseTime", "true")
	q.Set("multiStatements", "false")
	host := u.Host
	if host == "" {
		host = "127.0.0.1:3306"
	}
	return fmt.Sprintf("%s@tcp(%s)/%s?%s", auth, host, strings.TrimPrefix(u.Path, "/"), q.Encode())
}

// Postgres returns the pgx DSN of a postgres:// URL. Statements run in the
// simple protocol: a migration changes column types under cached plans
// ("cached plan must not change result type"), and hand-written SQL may hold
// several statements.
func Postgres(u *url.URL) string {
	c := *u
	c.Scheme = "postgres"
	q := c.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "simple_protocol")
	}
	// pgx decodes the query without turning + into a space: a space
	// (search_path="Tenant C") is written %20, which every decoder reads.
	c.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return c.String()
}
