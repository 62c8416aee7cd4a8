package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// TestRetypeRewritesOnlyWhenNeeded: on the real server, a longer
// varchar, varchar to text and a numeric with more digits at the same
// scale keep the table's file (pg_class.relfilenode), while a change that
// converts the values gives it a new one; a value too long for a shorter
// varchar stops the statement and stays whole, never cut.
func TestRetypeRewritesOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.Postgres)
	ctx := context.Background()
	e := New()
	cur := project(t, &state.Model{Name: "Note", Table: "note", Fields: []*state.Field{
		bigID(),
		{Name: "title", Kind: state.Char, MaxLength: 100},
		{Name: "body", Kind: state.Text},
		{Name: "price", Kind: state.Decimal, MaxDigits: 6, DecimalPlaces: 2},
	}})
	createAll(t, e, db.DB, cur, "Note")
	long := strings.Repeat("x", 60)
	run(t, db.DB, []string{"INSERT INTO note (title, body, price) VALUES ('" + long + "', 'abcdefgh', 1234.56)"})
	filenode := func() int64 {
		t.Helper()
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT relfilenode FROM pg_class WHERE relname = 'note'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// retype renders the change of field name to f and runs it in one
	// transaction; it returns the statements and the server's error.
	retype := func(name string, f *state.Field) ([]string, error) {
		t.Helper()
		next := cur.Clone()
		m := model(next, "Note")
		for i, old := range m.Fields {
			if old.Name == name {
				m.Fields[i] = f
			}
		}
		stmts, err := e.AlterField(next, model(cur, "Note"), m, name, name, nil)
		if err != nil {
			t.Fatalf("AlterField %s: %v", name, err)
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				_ = tx.Rollback()
				return stmts, err
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		cur = next
		return stmts, nil
	}
	steps := []struct {
		name    string
		field   *state.Field
		rewrite bool
	}{
		{"title", &state.Field{Name: "title", Kind: state.Char, MaxLength: 200}, false},
		{"title", &state.Field{Name: "title", Kind: state.Text}, false},
		{"price", &state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2}, false},
		{"price", &state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 12, DecimalPlaces: 4}, true},
		{"body", &state.Field{Name: "body", Kind: state.Char, MaxLength: 100}, true},
	}
	for _, s := range steps {
		before := filenode()
		stmts, err := retype(s.name, s.field)
		if err != nil {
			t.Fatalf("%s: %v", strings.Join(stmts, "; "), err)
		}
		if rewrote := filenode() != before; rewrote != s.rewrite {
			t.Errorf("%s: the server rewrote the table %v, want %v", strings.Join(stmts, "; "), rewrote, s.rewrite)
		}
	}

	for _, f := range []*state.Field{
		{Name: "title", Kind: state.Char, MaxLength: 50},
		{Name: "body", Kind: state.Char, MaxLength: 5},
	} {
		stmts, err := retype(f.Name, f)
		if err == nil || !strings.Contains(err.Error(), "value too long") {
			t.Errorf("%s: want the server to refuse the long value, got %v", strings.Join(stmts, "; "), err)
		}
	}
	assertRows(t, db.DB, "SELECT title, body, price::text FROM note", [][]string{{long, "abcdefgh", "1234.5600"}})
}
