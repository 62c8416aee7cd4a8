package fleet

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// shop is the project every test fleet is migrated with: three small
// migrations, the second with several operations (so that on MySQL, where
// DDL commits itself, a kill can land inside a migration).
func shop() *migrations.Graph {
	id := &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true}
	m1 := &migrations.Migration{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
		operations.CreateModel{Name: "Post", Table: "post", Fields: []*state.Field{id, {Name: "title", Kind: state.Char, MaxLength: 50}}},
	}}
	m2 := &migrations.Migration{App: "main", Name: "0002_tag", Dependencies: []migrations.Key{m1.Key()}, Operations: []operations.Operation{
		operations.CreateModel{Name: "Tag", Table: "tag", Fields: []*state.Field{id, {Name: "name", Kind: state.Char, MaxLength: 30}}},
		operations.AddField{Model: "Post", Field: &state.Field{Name: "body", Kind: state.Text, Null: true}},
		operations.AddField{Model: "Tag", Field: &state.Field{Name: "slug", Kind: state.Char, MaxLength: 30, Null: true}},
	}}
	m3 := &migrations.Migration{App: "main", Name: "0003_post_title_idx", Dependencies: []migrations.Key{m2.Key()}, Operations: []operations.Operation{
		operations.AddIndex{Model: "Post", Index: state.Index{Name: "post_title_idx", Fields: []string{"title"}}},
	}}
	reg := migrations.NewRegistry()
	for _, m := range []*migrations.Migration{m1, m2, m3} {
		reg.Register(m)
	}
	g, err := reg.Graph()
	if err != nil {
		panic(err) // the project above is fixed
	}
	return g
}

// server is a test server on which a test makes databases of its own.
type server struct {
	dialect schema.Dialect
	base    *url.URL
	admin   *sql.DB
	// prefix starts the name of every database the test makes.
	prefix string
}

// newServer connects to the dialect's test server (skipping as dbtest
// does when its variable is unset) and drops the test's databases when it
// ends.
func newServer(t *testing.T, d schema.Dialect) *server {
	t.Helper()
	env := dbtest.PostgresEnv
	if d == schema.MySQL {
		env = dbtest.MySQLEnv
	}
	raw := os.Getenv(env)
	if raw == "" {
		if os.Getenv(dbtest.RequireEnv) != "" {
			t.Fatalf("%s is not set", env)
		}
		t.Skipf("%s is not set; set it to a %s URL to run this test", env, d)
	}
	base, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := connect.Parse(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := ct.Open()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	s := &server{dialect: d, base: base, admin: admin, prefix: "pm_fleet_" + hex.EncodeToString(b) + "_"}
	t.Cleanup(func() {
		defer admin.Close()
		names := s.databases(t)
		each(len(names), 8, func(i int) {
			drop := "DROP DATABASE IF EXISTS " + s.quote(names[i])
			if d == schema.Postgres {
				drop += " WITH (FORCE)"
			}
			if _, err := admin.Exec(drop); err != nil {
				t.Errorf("drop %s: %v", names[i], err)
			}
		})
	})
	return s
}

func (s *server) quote(name string) string {
	if s.dialect == schema.MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

// databases lists the test's databases on the server.
func (s *server) databases(t *testing.T) []string {
	t.Helper()
	q := mysqlDatabases
	if s.dialect == schema.Postgres {
		q = postgresDatabases
	}
	names, err := listNames(context.Background(), s.admin, q, s.prefix+"%")
	if err != nil {
		t.Fatalf("list databases: %v", err)
	}
	return names
}

// create makes n databases named prefix00, prefix01, ...
func (s *server) create(t *testing.T, n int) {
	t.Helper()
	// Creating databases is slow on PostgreSQL (files are copied and
	// synced); several at once go faster.
	errs := make([]error, n)
	each(n, 8, func(i int) {
		_, errs[i] = s.admin.Exec("CREATE DATABASE " + s.quote(fmt.Sprintf("%s%02d", s.prefix, i)))
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("create databases: %v", err)
	}
}

// url is the connection URL of one of the test's databases.
func (s *server) url(name string) string {
	u := *s.base
	u.Path = "/" + name
	return u.String()
}

// exec runs statements on one of the test's databases.
func (s *server) exec(t *testing.T, name string, stmts ...string) {
	t.Helper()
	db := s.open(t, name)
	defer db.Close()
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %s: %v", name, stmt, err)
		}
	}
}

func (s *server) open(t *testing.T, name string) *sql.DB {
	t.Helper()
	ct, err := connect.Parse(s.url(name), "")
	if err != nil {
		t.Fatal(err)
	}
	db, _, err := ct.Open()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// checkExact fails unless the target's history holds every migration of
// g, nothing part-way, and its tables are what g's state implies.
func checkExact(t *testing.T, target Target, g *migrations.Graph) {
	t.Helper()
	db, ed, err := target.open(context.Background())
	if err != nil {
		t.Error(err)
		return
	}
	defer db.Close()
	ctx := context.Background()
	h := migrations.NewHistory(db, ed)
	applied, err := h.Applied(ctx)
	if err != nil {
		t.Errorf("%s: %v", target.Name, err)
		return
	}
	var got []string
	for k := range applied {
		got = append(got, k.String())
	}
	sort.Strings(got)
	var want []string
	for _, m := range g.Order() {
		want = append(want, m.Key().String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: history %v, want %v", target.Name, got, want)
	}
	if partials, err := h.Partials(ctx); err != nil || len(partials) > 0 {
		t.Errorf("%s: partials %v, %v", target.Name, partials, err)
	}
	p, err := g.State()
	if err != nil {
		t.Error(err)
		return
	}
	wantTables, err := ed.Expected(p)
	if err != nil {
		t.Error(err)
		return
	}
	tables, err := ed.Inspect(ctx, db)
	if err != nil {
		t.Errorf("%s: inspect: %v", target.Name, err)
		return
	}
	var gotTables []schema.Table
	for _, tb := range tables {
		if tb.Name != schema.HistoryTable {
			gotTables = append(gotTables, tb)
		}
	}
	if diff := cmp.Diff(wantTables, gotTables, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: schema differs from the history (-want +got):\n%s", target.Name, diff)
	}
}

// sqliteFleet makes n SQLite targets in a temporary folder.
func sqliteFleet(t *testing.T, n int) []Target {
	t.Helper()
	dir := t.TempDir()
	var urls []string
	for i := 0; i < n; i++ {
		urls = append(urls, "sqlite://"+filepath.Join(dir, fmt.Sprintf("tenant_%02d.db", i)))
	}
	ts, err := FromURLs(urls, "")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
