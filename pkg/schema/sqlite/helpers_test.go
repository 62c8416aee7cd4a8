package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// conn opens a fresh SQLite database and a dedicated connection on it, the
// way the executor runs a migration.
func conn(t *testing.T) *sql.Conn {
	t.Helper()
	db := dbtest.Open(t, schema.SQLite)
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatalf("dedicated connection: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// migrate runs statements as the executor does: Prepare on the connection,
// BEGIN, every statement, CheckIntegrity, COMMIT; on any failure it rolls
// back and returns the error.
func migrate(c *sql.Conn, stmts []string) error {
	ctx := context.Background()
	e := New()
	if err := e.Prepare(ctx, c); err != nil {
		return err
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	if err := e.CheckIntegrity(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// mustMigrate is migrate failing the test on error.
func mustMigrate(t *testing.T, c *sql.Conn, stmts []string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if err := migrate(c, stmts); err != nil {
		t.Fatalf("migrate: %v\nstatements:\n%s", err, strings.Join(stmts, "\n"))
	}
}

// exec runs plain statements (test data) on the connection.
func exec(t *testing.T, c *sql.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := c.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// createAll creates every model of p, in key order.
func createAll(t *testing.T, c *sql.Conn, p *state.Project) {
	t.Helper()
	e := New()
	var stmts []string
	for _, m := range p.Sorted() {
		more, err := e.CreateModel(p, m)
		if err != nil {
			t.Fatalf("CreateModel(%s): %v", m.Label(), err)
		}
		stmts = append(stmts, more...)
	}
	mustMigrate(t, c, stmts, nil)
}

// assertSchema compares what Inspect finds with what Expected says of p.
func assertSchema(t *testing.T, c *sql.Conn, p *state.Project) {
	t.Helper()
	e := New()
	want, err := e.Expected(p)
	if err != nil {
		t.Fatalf("Expected: %v", err)
	}
	got, err := e.Inspect(context.Background(), c)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("schema differs from Expected (-want +got):\n%s", diff)
	}
}

// rowsOf renders a query's result as "a|b;c|d" (NULL for nulls), so a test
// can assert the values that survived an alteration.
func rowsOf(t *testing.T, c *sql.Conn, query string) string {
	t.Helper()
	rows, err := c.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				cells[i] = "NULL"
			case []byte:
				cells[i] = string(v)
			default:
				cells[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return strings.Join(out, ";")
}

// project builds a state from models.
func project(t *testing.T, models ...*state.Model) *state.Project {
	t.Helper()
	p := state.NewProject()
	for _, m := range models {
		if err := p.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// model builds a model of app main.
func model(name, table string, fields ...*state.Field) *state.Model {
	return &state.Model{App: "main", Name: name, Table: table, Fields: fields}
}

// id is the implicit big auto-increment key.
func id() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }

// fk builds a foreign key field.
func fk(name, to, onDelete string) *state.Field {
	return &state.Field{Name: name, Kind: state.ForeignKey, Relation: &state.Relation{To: to, OnDelete: onDelete}}
}

// char builds a char field.
func char(name string, n int) *state.Field {
	return &state.Field{Name: name, Kind: state.Char, MaxLength: n}
}
