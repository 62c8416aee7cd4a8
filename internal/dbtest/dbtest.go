// Package dbtest gives each test a database of its own on every dialect: a
// fresh PostgreSQL or MySQL database created on the server named by the
// environment, or a new SQLite file, dropped when the test ends. Tests that
// need a server skip, saying which variable to set, only when it is unset.
package dbtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"

	// The drivers of the three dialects.
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Environment variables naming the test servers; .ci/run always sets both.
const (
	PostgresEnv = "PMANAGER_TEST_POSTGRES"
	MySQLEnv    = "PMANAGER_TEST_MYSQL"
	// RequireEnv, when set (scripts/test sets it), turns a missing server
	// URL into a failure instead of a skip, so CI never skips silently.
	RequireEnv = "PMANAGER_TEST_REQUIRE_DATABASES"
)

// Dialects lists every dialect, for tests that run one body across all three.
var Dialects = []schema.Dialect{schema.SQLite, schema.Postgres, schema.MySQL}

// DB is one test's private database.
type DB struct {
	// DB is an open handle on the fresh database.
	*sql.DB
	// Dialect is the database family.
	Dialect schema.Dialect
	// URL is a pmanager connection URL (postgres://, mysql://, sqlite://) for it.
	URL string
	// Name is the database name (the file path on SQLite).
	Name string
}

// Open creates a fresh database of the dialect for t and drops it when t ends.
func Open(t testing.TB, d schema.Dialect) *DB {
	t.Helper()
	switch d {
	case schema.SQLite:
		path := filepath.Join(t.TempDir(), "test.db")
		db, err := sql.Open("sqlite", SQLiteDSN(path))
		if err != nil {
			t.Fatalf("dbtest: open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return &DB{DB: db, Dialect: d, URL: "sqlite://" + path, Name: path}
	case schema.Postgres:
		return openServer(t, d, PostgresEnv)
	case schema.MySQL:
		return openServer(t, d, MySQLEnv)
	}
	t.Fatalf("dbtest: unknown dialect %q", d)
	return nil
}

// SQLiteDSN is the DSN pmanager uses for a database file.
func SQLiteDSN(path string) string { return dsn.SQLite(path) }

// MySQLDSN converts a mysql:// URL into a go-sql-driver DSN.
func MySQLDSN(u *url.URL) string { return dsn.MySQL(u) }

func openServer(t testing.TB, d schema.Dialect, env string) *DB {
	t.Helper()
	raw := os.Getenv(env)
	if raw == "" {
		if os.Getenv(RequireEnv) != "" {
			t.Fatalf("dbtest: %s is not set but %s says every database test must run", env, RequireEnv)
		}
		t.Skipf("dbtest: %s is not set; set it to a %s URL to run this test", env, d)
	}
	base, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("dbtest: %s: %v", env, err)
	}
	name := "pm_test_" + randomSuffix()
	admin, err := sql.Open(driverName(d), driverDSN(d, base))
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", d, err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + quote(d, name)); err != nil {
		t.Fatalf("dbtest: create database %s: %v", name, err)
	}
	fresh := *base
	fresh.Path = "/" + name
	db, err := sql.Open(driverName(d), driverDSN(d, &fresh))
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", name, err)
	}
	t.Cleanup(func() {
		db.Close()
		admin, err := sql.Open(driverName(d), driverDSN(d, base))
		if err != nil {
			t.Errorf("dbtest: reopen admin: %v", err)
			return
		}
		defer admin.Close()
		drop := "DROP DATABASE IF EXISTS " + quote(d, name)
		if d == schema.Postgres {
			drop += " WITH (FORCE)"
		}
		if _, err := admin.Exec(drop); err != nil {
			t.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	return &DB{DB: db, Dialect: d, URL: fresh.String(), Name: name}
}

func driverName(d schema.Dialect) string {
	if d == schema.Postgres {
		return "pgx"
	}
	return "mysql"
}

func driverDSN(d schema.Dialect, u *url.URL) string {
	if d == schema.Postgres {
		return dsn.Postgres(u)
	}
	return MySQLDSN(u)
}

func quote(d schema.Dialect, name string) string {
	if d == schema.MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

func randomSuffix() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on a supported platform
	}
	return hex.EncodeToString(b)
}

// Create makes a fresh database of the dialect outside a testing.TB (for
// testscript set-up) and returns its URL and a function that drops it.
func Create(d schema.Dialect, dir string) (string, func() error, error) {
	if d == schema.SQLite {
		return "sqlite://" + filepath.Join(dir, "test.db"), func() error { return nil }, nil
	}
	env := PostgresEnv
	if d == schema.MySQL {
		env = MySQLEnv
	}
	raw := os.Getenv(env)
	if raw == "" {
		return "", nil, errors.New("dbtest: " + env + " is not set")
	}
	base, err := url.Parse(raw)
	if err != nil {
		return "", nil, err
	}
	name := "pm_test_" + randomSuffix()
	if err := adminExec(d, base, "CREATE DATABASE "+quote(d, name)); err != nil {
		return "", nil, err
	}
	fresh := *base
	fresh.Path = "/" + name
	drop := func() error {
		stmt := "DROP DATABASE IF EXISTS " + quote(d, name)
		if d == schema.Postgres {
			stmt += " WITH (FORCE)"
		}
		return adminExec(d, base, stmt)
	}
	return fresh.String(), drop, nil
}

func adminExec(d schema.Dialect, base *url.URL, stmt string) error {
	admin, err := sql.Open(driverName(d), driverDSN(d, base))
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.Exec(stmt)
	return err
}

// GaleraEnv names a MariaDB Galera cluster for the tests that need one: the
// mysql:// URLs of its nodes, comma separated (scripts/galera starts a
// 3-node cluster on loopback and prints it). Unlike the single servers it
// is optional: the Galera tests skip, saying so, when it is unset.
const GaleraEnv = "PMANAGER_TEST_GALERA"

// Cluster is one test's private database on a Galera cluster, reachable
// through every node.
type Cluster struct {
	// Nodes holds one handle per node on the database, node 1 first. Their
	// sessions wait for the cluster to catch up before each statement
	// (wsrep_sync_wait=15), so what one node committed is what another reads.
	Nodes []*DB
	// Name is the database name, the same on every node.
	Name string
}

// URLs lists the database's URL on each node, in node order.
func (c *Cluster) URLs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.URL
	}
	return out
}

// GaleraURLs returns the node URLs of $PMANAGER_TEST_GALERA, skipping t
// when it is unset.
func GaleraURLs(t testing.TB) []*url.URL {
	t.Helper()
	raw := os.Getenv(GaleraEnv)
	if raw == "" {
		t.Skipf("dbtest: %s is not set; start a cluster with eval \"$(scripts/galera start)\" to run this test", GaleraEnv)
	}
	var out []*url.URL
	for _, s := range strings.Split(raw, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("dbtest: %s: %v", GaleraEnv, err)
		}
		out = append(out, u)
	}
	return out
}

// OpenGalera creates a fresh database on the cluster of $PMANAGER_TEST_GALERA
// (through node 1; the cluster replicates it), waits until every node has
// it, and drops it when t ends.
func OpenGalera(t testing.TB) *Cluster {
	t.Helper()
	bases := GaleraURLs(t)
	name := "pm_test_" + randomSuffix()
	if err := adminExec(schema.MySQL, bases[0], "CREATE DATABASE "+quote(schema.MySQL, name)); err != nil {
		t.Fatalf("dbtest: create database %s on the cluster: %v", name, err)
	}
	c := &Cluster{Name: name}
	t.Cleanup(func() {
		for _, n := range c.Nodes {
			n.Close()
		}
		if err := adminExec(schema.MySQL, bases[0], "DROP DATABASE IF EXISTS "+quote(schema.MySQL, name)); err != nil {
			t.Errorf("dbtest: drop database %s on the cluster: %v", name, err)
		}
	})
	for i, base := range bases {
		fresh := *base
		fresh.Path = "/" + name
		q := fresh.Query()
		q.Set("wsrep_sync_wait", "15")
		withSync := fresh
		withSync.RawQuery = q.Encode()
		db, err := sql.Open("mysql", MySQLDSN(&withSync))
		if err != nil {
			t.Fatalf("dbtest: open %s on node %d: %v", name, i+1, err)
		}
		c.Nodes = append(c.Nodes, &DB{DB: db, Dialect: schema.MySQL, URL: fresh.String(), Name: name})
		deadline := time.Now().Add(30 * time.Second)
		for {
			err := db.Ping()
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("dbtest: node %d does not have database %s after 30 s: %v", i+1, name, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}
