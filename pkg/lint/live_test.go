package lint

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// liveTarget opens a fresh database of d, creates the author table in it
// with one row, and returns the database, the target as its server says
// and the state with the table.
func liveTarget(t *testing.T, d schema.Dialect) (*dbtest.DB, Target, *state.Project) {
	t.Helper()
	db := dbtest.Open(t, d)
	ctx := context.Background()
	v, err := ServerVersion(ctx, db, d)
	if err != nil {
		t.Fatal(err)
	}
	if v.Major == 0 {
		t.Fatalf("%s server version %v", d, v)
	}
	t.Logf("%s server version %v (MariaDB %v)", d, v, v.MariaDB)
	before := state.NewProject()
	after, err := statedsl.Parse(author)
	if err != nil {
		t.Fatal(err)
	}
	create := operations.CreateModel{Name: "Author", Fields: after.Model("main", "Author").Fields}
	stmts, err := forwards("main", create, before, after, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(stmts, "INSERT INTO author (name, views) VALUES ('Ada', 1)") {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db, Target{Dialect: d, Version: v}, after
}

// judged returns the rule ids op triggers on target, its statements and
// the state after it.
func judged(t *testing.T, tg Target, op operations.Operation, from *state.Project) ([]string, []string, *state.Project) {
	t.Helper()
	to := from.Clone()
	if err := op.StateForwards("main", to); err != nil {
		t.Fatal(err)
	}
	fs, err := Analyze("main", []operations.Operation{op}, from, []Target{tg})
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := forwards("main", op, from, to, tg.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	return ids(fs), stmts, to
}

// TestLivePostgresRewrites: on the real server, the statements lint says
// rewrite the table give it a new file (pg_class.relfilenode), and those
// it lets pass keep the file.
func TestLivePostgresRewrites(t *testing.T) {
	t.Parallel()
	db, tg, st := liveTarget(t, schema.Postgres)
	ctx := context.Background()
	filenode := func() int64 {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT relfilenode FROM pg_class WHERE relname = 'author'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	steps := []struct {
		op      operations.Operation
		rewrite string // the rule that says it rewrites, "" for none
	}{
		{operations.AddField{Model: "Author", Field: &state.Field{Name: "rank", Kind: state.Integer, Default: state.Str("1")}}, ""},
		{operations.AlterField{Model: "Author", Name: "views", Field: &state.Field{Name: "views", Kind: state.BigInteger, Default: state.Str("0")}}, "pm.L202"},
		// Binary-compatible: a longer varchar, varchar to text, more
		// digits at the same scale keep the table.
		{operations.AlterField{Model: "Author", Name: "name", Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 200}}, ""},
		{operations.AlterField{Model: "Author", Name: "name", Field: &state.Field{Name: "name", Kind: state.Text}}, ""},
		{operations.AddField{Model: "Author", Field: &state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 6, DecimalPlaces: 2, Null: true}}, ""},
		{operations.AlterField{Model: "Author", Name: "price", Field: &state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2, Null: true}}, ""},
		// More places, text to varchar, a shorter varchar: every row is
		// converted or checked.
		{operations.AlterField{Model: "Author", Name: "price", Field: &state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 12, DecimalPlaces: 4, Null: true}}, "pm.L202"},
		{operations.AlterField{Model: "Author", Name: "name", Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 150}}, "pm.L202"},
		{operations.AlterField{Model: "Author", Name: "name", Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 120}}, "pm.L202"},
		{operations.AddField{Model: "Author", Field: &state.Field{Name: "token", Kind: state.UUID, DBDefault: state.DBUUID}}, "pm.L206"},
	}
	for _, s := range steps {
		got, stmts, to := judged(t, tg, s.op, st)
		before := filenode()
		for _, q := range stmts {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		rewrote := filenode() != before
		if says := s.rewrite != "" && slices.Contains(got, s.rewrite); says != rewrote {
			t.Errorf("%s on PostgreSQL %v: lint says rewrite %v (%v), the server rewrote %v", s.op.Describe(), tg.Version, says, got, rewrote)
		}
		st = to
	}
}

// TestLiveMySQLAlgorithms: on the real server, an ADD COLUMN lint lets
// pass runs with ALGORITHM=INSTANT and one it flags is refused it; a type
// change it says copies the table is refused ALGORITHM=INPLACE.
func TestLiveMySQLAlgorithms(t *testing.T) {
	t.Parallel()
	db, tg, st := liveTarget(t, schema.MySQL)
	ctx := context.Background()
	steps := []struct {
		op        operations.Operation
		rule      string // the rule whose finding means the algorithm is refused
		algorithm string
	}{
		{operations.AddField{Model: "Author", Field: &state.Field{Name: "born", Kind: state.Date, Null: true}}, "pm.L211", "INSTANT"},
		{operations.AlterField{Model: "Author", Name: "views", Field: &state.Field{Name: "views", Kind: state.BigInteger, Default: state.Str("0")}}, "pm.L212", "INPLACE"},
		{operations.AlterField{Model: "Author", Name: "name", Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 200}}, "pm.L212", "INPLACE"},
		{operations.RemoveField{Model: "Author", Name: "bio"}, "pm.L215", "INSTANT"},
	}
	for _, s := range steps {
		got, stmts, to := judged(t, tg, s.op, st)
		if len(stmts) != 1 || !strings.HasPrefix(stmts[0], "ALTER TABLE ") {
			t.Fatalf("%s: want one ALTER TABLE, got %q", s.op.Describe(), stmts)
		}
		_, err := db.ExecContext(ctx, stmts[0]+", ALGORITHM="+s.algorithm)
		flagged := slices.Contains(got, s.rule)
		if refused := err != nil; refused != flagged {
			t.Errorf("%s on %v: lint flags %s %v (%v); with ALGORITHM=%s the server said %v", s.op.Describe(), tg.Version, s.rule, flagged, got, s.algorithm, err)
		}
		if err != nil {
			for _, q := range stmts {
				if _, err := db.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
		}
		st = to
	}
}

// TestLiveSQLiteRebuild: the linked SQLite's version is read, and the
// tables lint says are rebuilt really are new tables (a new rootpage),
// while the others keep theirs.
func TestLiveSQLiteRebuild(t *testing.T) {
	t.Parallel()
	db, tg, st := liveTarget(t, schema.SQLite)
	ctx := context.Background()
	rootpage := func() int64 {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT rootpage FROM sqlite_master WHERE name = 'author'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	steps := []operations.Operation{
		operations.AddField{Model: "Author", Field: &state.Field{Name: "born", Kind: state.Date, Null: true}},
		operations.AlterField{Model: "Author", Name: "bio", Field: &state.Field{Name: "bio", Kind: state.Text, Default: state.Str("")}},
		operations.RenameField{Model: "Author", OldName: "born", NewName: "birth"},
		operations.AlterField{Model: "Author", Name: "name", Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 10}},
	}
	for _, op := range steps {
		got, stmts, to := judged(t, tg, op, st)
		before := rootpage()
		if _, err := db.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			t.Fatal(err)
		}
		for _, q := range stmts {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if says, rebuilt := slices.Contains(got, "pm.L221"), rootpage() != before; says != rebuilt {
			t.Errorf("%s on SQLite %v: lint says rebuild %v (%v), the table was rebuilt %v", op.Describe(), tg.Version, says, got, rebuilt)
		}
		st = to
	}
}
