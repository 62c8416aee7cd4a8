package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/pmanager/pmanager/pkg/state"
)

// BenchmarkRenameColumn renames a column of a file-backed table of
// 1,000,000 rows in place, with ALTER TABLE RENAME COLUMN as the editor
// does now, and by the table rebuild it did before (docs/PERFORMANCE.md
// has the figures). Each iteration renames
// the column and back, inside one transaction, as migrate would. Run:
//
//	go test ./pkg/schema/sqlite -run '^$' -bench RenameColumn -benchtime 3x
func BenchmarkRenameColumn(b *testing.B) {
	const rows = 1_000_000
	path := filepath.Join(b.TempDir(), "bench.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	name := &state.Field{Name: "name", Kind: state.Char, MaxLength: 100}
	other := &state.Field{Name: "full_name", Kind: state.Char, MaxLength: 100}
	v1 := &state.Model{App: "main", Name: "Person", Table: "person", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true}, name,
		{Name: "age", Kind: state.Integer}, {Name: "joined", Kind: state.DateTime, Null: true}}}
	v2 := v1.Clone()
	v2.Fields[1] = other
	p1, p2 := state.NewProject(), state.NewProject()
	if err := p1.Add(v1); err != nil {
		b.Fatal(err)
	}
	if err := p2.Add(v2); err != nil {
		b.Fatal(err)
	}
	e := New()
	create, err := e.CreateModel(p1, v1)
	if err != nil {
		b.Fatal(err)
	}
	setup := append(create, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
		INSERT INTO person (name, age, joined) SELECT 'person number ' || i, i % 90, '2024-01-31 10:00:00' FROM n`)
	for _, s := range setup {
		if _, err := db.ExecContext(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	var count int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM person").Scan(&count); err != nil || count != rows {
		b.Fatalf("setup: %d rows (%v), want %d", count, err, rows)
	}
	inPlace := func(from, to *state.Model, p *state.Project, oldName, newName string) ([]string, error) {
		return e.AlterField(p, from, to, oldName, newName, nil)
	}
	rebuilt := func(from, to *state.Model, p *state.Project, oldName, newName string) ([]string, error) {
		copies, err := copyPlan(p, from, to, map[string]string{newName: oldName}, newName, nil)
		if err != nil {
			return nil, err
		}
		return rebuild(p, from, to, copies)
	}
	for _, bc := range []struct {
		name   string
		render func(from, to *state.Model, p *state.Project, oldName, newName string) ([]string, error)
	}{{"in_place", inPlace}, {"rebuild", rebuilt}} {
		forth, err := bc.render(v1, v2, p2, "name", "full_name")
		if err != nil {
			b.Fatal(err)
		}
		back, err := bc.render(v2, v1, p1, "full_name", "name")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				for _, stmts := range [][]string{forth, back} {
					if err := runTx(ctx, e, db, stmts); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(2*b.N), "ms/rename")
		})
	}
}

// runTx runs stmts in one transaction on a prepared connection, as the
// executor does.
func runTx(ctx context.Context, e *Editor, db *sql.DB, stmts []string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := e.Prepare(ctx, conn); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if err := e.Run(ctx, tx, s); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}
