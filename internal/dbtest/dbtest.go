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
	"testing"

	"github.com/pmanager/pmanager/internal/dsn"
	"github.com/pmanager/pmanager/pkg/schema"

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
