package operations_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// walkStep is one operation of the walk, with SQL to run after it (to seed
// rows) and a query whose single-column rows must read back as want.
type walkStep struct {
	op    operations.Operation
	after []string
	query string
	want  []string
	// noSQL marks an operation that changes the state only: it must render
	// no statement in either direction.
	noSQL bool
}

func str(s string) *string { return &s }

// walk exercises every schema-changing operation, in an order where each one
// has something to act on, with rows in the tables throughout.
func walk() []walkStep {
	id := func() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }
	return []walkStep{
		{op: operations.CreateModel{Name: "Manufacturer", Table: "manufacturer", Fields: []*state.Field{
			id(),
			{Name: "name", Kind: state.Char, MaxLength: 100, Unique: true},
			{Name: "country", Kind: state.Char, MaxLength: 2, Default: str("KE")},
		}}, after: []string{`INSERT INTO manufacturer (name) VALUES ('Toyota'), ('Volvo')`}},
		{op: operations.CreateModel{Name: "Feature", Table: "feature", Fields: []*state.Field{
			id(), {Name: "label", Kind: state.Char, MaxLength: 40},
		}}, after: []string{`INSERT INTO feature (label) VALUES ('ABS'), ('GPS')`}},
		{op: operations.CreateModel{Name: "Car", Table: "car", Fields: []*state.Field{
			id(),
			{Name: "name", Kind: state.Char, MaxLength: 30},
			{Name: "manufacturer", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "CASCADE"}},
			{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2, Default: str("0")},
			{Name: "released", Kind: state.DateTime, Null: true},
			{Name: "features", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Feature"}},
		}, UniqueTogether: [][]string{{"manufacturer", "name"}}},
			after: []string{`INSERT INTO car (name, manufacturer_id, price) VALUES ('Corolla', 1, 10), ('XC90', 2, 20)`,
				`INSERT INTO car_features (car_id, feature_id) VALUES (1, 1), (2, 1), (2, 2)`},
			query: `SELECT name FROM car ORDER BY id`, want: []string{"Corolla", "XC90"}},
		{op: operations.AddField{Model: "Car", Field: &state.Field{Name: "doors", Kind: state.SmallInteger}, Fill: str("4")},
			query: `SELECT doors FROM car ORDER BY id`, want: []string{"4", "4"}},
		{op: operations.AddField{Model: "Car", Field: &state.Field{Name: "notes", Kind: state.Text, Null: true}}},
		{op: operations.AddField{Model: "Car", Field: &state.Field{Name: "remark", Kind: state.Text, Blank: true}, Fill: str("")}},
		{op: operations.AlterField{Model: "Car", Name: "name", Field: &state.Field{Kind: state.Char, MaxLength: 60, Index: true}},
			query: `SELECT name FROM car ORDER BY id`, want: []string{"Corolla", "XC90"}},
		{op: operations.AlterField{Model: "Car", Name: "notes", Field: &state.Field{Kind: state.Text, Default: str("")}, Fill: str("none")},
			query: `SELECT notes FROM car ORDER BY id`, want: []string{"none", "none"}},
		{op: operations.AlterField{Model: "Car", Name: "doors", Field: &state.Field{Kind: state.Integer, Default: str("5")}},
			query: `SELECT doors FROM car ORDER BY id`, want: []string{"4", "4"}},
		{op: operations.RenameField{Model: "Car", OldName: "name", NewName: "title"},
			query: `SELECT title FROM car ORDER BY id`, want: []string{"Corolla", "XC90"}},
		{op: operations.AlterField{Model: "Car", Name: "manufacturer", Field: &state.Field{Kind: state.ForeignKey, Null: true,
			Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "SET_NULL"}}}},
		{op: operations.AlterUniqueTogether{Name: "Car", UniqueTogether: [][]string{{"title", "doors"}}}},
		{op: operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_title_released_idx", Fields: []string{"title", "-released"}}}},
		{op: operations.RenameIndex{Model: "Car", OldName: "car_title_released_idx", NewName: "car_tr_idx"}},
		{op: operations.AddConstraint{Model: "Car", Constraint: state.Constraint{Kind: state.CheckConstraint, Name: "price_gte_0", Check: "price >= 0"}}},
		{op: operations.AddConstraint{Model: "Manufacturer", Constraint: state.Constraint{Kind: state.UniqueConstraint, Name: "manufacturer_name_country_uniq", Fields: []string{"name", "country"}}}},
		// A model others point at by foreign key and many-to-many is
		// renamed: its derived table, the join-table column named after it
		// and every relation follow, and the rows stay.
		{op: operations.RenameModel{OldName: "Feature", NewName: "Extra"},
			query: `SELECT e.label FROM car_features cf JOIN extra e ON e.id = cf.extra_id ORDER BY cf.car_id, e.id`,
			want:  []string{"ABS", "ABS", "GPS"}},
		{op: operations.RenameField{Model: "Car", OldName: "features", NewName: "extras"},
			query: `SELECT count(*) FROM car_extras WHERE extra_id = 1`, want: []string{"2"}},
		{op: operations.RenameModel{OldName: "Manufacturer", NewName: "Maker"},
			query: `SELECT m.name FROM car c JOIN maker m ON m.id = c.manufacturer_id ORDER BY c.id`,
			want:  []string{"Toyota", "Volvo"}},
		{op: operations.AlterModelTable{Name: "Car", Table: "local_car"},
			query: `SELECT title FROM local_car ORDER BY id`, want: []string{"Corolla", "XC90"}},
		{op: operations.AlterModelTable{Name: "Maker", Table: "producer"},
			query: `SELECT name FROM producer ORDER BY id`, want: []string{"Toyota", "Volvo"}},
		// With an explicit table, a rename leaves the table alone.
		{op: operations.RenameModel{OldName: "Maker", NewName: "Brand"},
			query: `SELECT name FROM producer ORDER BY id`, want: []string{"Toyota", "Volvo"}},
		// Backwards, the blank NOT NULL column comes back filled with '' on
		// rows that exist. Columns are removed last first, so PostgreSQL,
		// which appends re-added columns, restores the original order.
		{op: operations.RemoveField{Model: "Car", Name: "remark"}},
		{op: operations.RemoveField{Model: "Car", Name: "notes"}},
		{op: operations.RemoveField{Model: "Car", Name: "extras"}},
		{op: operations.RemoveConstraint{Model: "Car", Name: "price_gte_0"}},
		{op: operations.RemoveIndex{Model: "Car", Name: "car_tr_idx"},
			query: `SELECT title FROM local_car ORDER BY id`, want: []string{"Corolla", "XC90"}},
		{op: operations.RunSQL{SQL: []string{`UPDATE producer SET country = 'SE' WHERE name = 'Volvo'`}, Reverse: []string{`UPDATE producer SET country = 'KE'`}},
			query: `SELECT country FROM producer ORDER BY id`, want: []string{"KE", "SE"}},
		{op: operations.DeleteModel{Name: "Extra"}},
	}
}

// TestOperationsOnEveryDialect runs the walk forwards, then backwards, on a
// live database of each dialect; after every step the introspected schema
// must equal what the editor says the state implies, and rows must survive.
func TestOperationsOnEveryDialect(t *testing.T) {
	walkOnEveryDialect(t, walk())
}

// walkOnEveryDialect runs steps forwards then backwards on each dialect.
func walkOnEveryDialect(t *testing.T, steps []walkStep) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			ed := connect.EditorFor(d)
			ctx := context.Background()
			snapshots := []*state.Project{state.NewProject()}
			for i, st := range steps {
				from := snapshots[len(snapshots)-1]
				to := from.CloneShallow()
				if err := st.op.StateForwards("main", to); err != nil {
					t.Fatalf("step %d %s: state: %v", i+1, st.op.Describe(), err)
				}
				if st.noSQL {
					checkNoSQL(t, fmt.Sprintf("step %d %s", i+1, st.op.Describe()), ed, st.op, from, to)
				}
				run(t, ctx, db.DB, ed, fmt.Sprintf("forwards %d %s", i+1, st.op.Describe()), func() ([]operations.Statement, error) {
					return st.op.Forwards("main", ed, from, to)
				}, st.after)
				compareSchema(t, ctx, db.DB, ed, to, fmt.Sprintf("after forwards %d (%s)", i+1, st.op.Describe()))
				if st.query != "" {
					checkRows(t, ctx, db.DB, st.query, st.want)
				}
				snapshots = append(snapshots, to)
			}
			for i := len(steps) - 1; i >= 0; i-- {
				op := steps[i].op
				from, to := snapshots[i], snapshots[i+1]
				run(t, ctx, db.DB, ed, fmt.Sprintf("backwards %d %s", i+1, op.Describe()), func() ([]operations.Statement, error) {
					return op.Backwards("main", ed, from, to)
				}, nil)
				compareSchema(t, ctx, db.DB, ed, from, fmt.Sprintf("after backwards %d (%s)", i+1, op.Describe()))
			}
			if tables, _ := ed.Inspect(ctx, db.DB); len(tables) != 0 {
				t.Fatalf("tables left after walking back: %v", tables)
			}
		})
	}
}

// checkNoSQL fails when a state-only operation renders a statement.
func checkNoSQL(t *testing.T, what string, ed schema.Editor, op operations.Operation, from, to *state.Project) {
	t.Helper()
	fw, err := op.Forwards("main", ed, from, to)
	if err != nil {
		t.Fatalf("%s: forwards: %v", what, err)
	}
	bw, err := op.Backwards("main", ed, from, to)
	if err != nil {
		t.Fatalf("%s: backwards: %v", what, err)
	}
	if len(fw)+len(bw) > 0 {
		t.Fatalf("%s changes the state only, but renders %v forwards and %v backwards", what, fw, bw)
	}
}

// keyAndStateOnlyWalk swaps a primary key with rows in the table, then
// changes what only the state holds (choices, comment, blank,
// related_name, model options, an unmanaged model), which must render
// nothing, and an on_delete, which the database keeps; last, a model
// pointing at itself is renamed with rows in its table and join table.
func keyAndStateOnlyWalk() []walkStep {
	id := func() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }
	code := &state.Field{Name: "code", Kind: state.Char, MaxLength: 2}
	pk := code.Clone()
	pk.PrimaryKey = true
	fk := func(onDelete, related string) *state.Field {
		return &state.Field{Name: "country", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Country", OnDelete: onDelete, RelatedName: related}}
	}
	name := &state.Field{Name: "name", Kind: state.Char, MaxLength: 40}
	return []walkStep{
		// The key comes last: PostgreSQL appends the column it adds back.
		{op: operations.CreateModel{Name: "Country", Table: "country", Fields: []*state.Field{code.Clone(), id()}},
			after: []string{`INSERT INTO country (code) VALUES ('KE'), ('SE')`}},
		{op: operations.RemoveField{Model: "Country", Name: "id"}},
		{op: operations.AlterField{Model: "Country", Name: "code", Field: pk},
			query: `SELECT code FROM country ORDER BY code`, want: []string{"KE", "SE"}},
		{op: operations.CreateModel{Name: "City", Table: "city", Fields: []*state.Field{id(), name.Clone(), fk("CASCADE", "")}},
			after: []string{`INSERT INTO city (name, country_id) VALUES ('Nairobi', 'KE')`}},
		{op: operations.AlterField{Model: "City", Name: "country", Field: fk("CASCADE", "cities")}, noSQL: true},
		{op: operations.AlterField{Model: "City", Name: "name", Field: &state.Field{Kind: state.Char, MaxLength: 40, Blank: true,
			Choices: []string{"Nairobi", "Lund"}}}, noSQL: true},
		{op: operations.AlterModelOptions{Name: "City", Options: state.Options{Ordering: []string{"-name"}, VerboseName: "town"}}, noSQL: true},
		// Comments reach the database (state only on SQLite); the rows stay.
		{op: operations.AlterField{Model: "City", Name: "name", Field: &state.Field{Kind: state.Char, MaxLength: 40, Blank: true,
			Choices: []string{"Nairobi", "Lund"}, Comment: "where"}}, query: `SELECT name FROM city`, want: []string{"Nairobi"}},
		{op: operations.AlterModelOptions{Name: "City", Options: state.Options{Ordering: []string{"-name"}, VerboseName: "town", Comment: "towns"}}},
		{op: operations.CreateModel{Name: "Capital", Table: "capital_view", Unmanaged: true, Fields: []*state.Field{id(), fk("DO_NOTHING", "")}}, noSQL: true},
		{op: operations.AddField{Model: "Capital", Field: &state.Field{Name: "since", Kind: state.Integer}}, noSQL: true},
		{op: operations.RenameModel{OldName: "Capital", NewName: "Seat"}, noSQL: true},
		{op: operations.AlterField{Model: "City", Name: "country", Field: fk("PROTECT", "cities")},
			query: `SELECT name FROM city`, want: []string{"Nairobi"}},
		// A model pointing at itself by foreign key and many-to-many.
		{op: operations.CreateModel{Name: "Person", Table: "person", Fields: []*state.Field{id(),
			{Name: "name", Kind: state.Char, MaxLength: 20},
			{Name: "parent", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Person", OnDelete: "SET_NULL"}},
			{Name: "friends", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Person"}},
		}}, after: []string{
			`INSERT INTO person (name) VALUES ('Ann')`,
			`INSERT INTO person (name, parent_id) VALUES ('Bo', 1)`,
			`INSERT INTO person_friends (from_person_id, to_person_id) VALUES (1, 2)`,
		}},
		{op: operations.RenameModel{OldName: "Person", NewName: "Member"},
			query: `SELECT p.name FROM member c JOIN member p ON p.id = c.parent_id WHERE c.name = 'Bo'`, want: []string{"Ann"}},
		{op: operations.RunSQL{SQL: []string{`SELECT 1`}, Reverse: []string{`SELECT 1`}},
			query: `SELECT to_member_id FROM member_friends WHERE from_member_id = 1`, want: []string{"2"}},
		// The renamed table's own foreign key is found under its new name.
		{op: operations.AlterField{Model: "Member", Name: "parent", Field: &state.Field{Kind: state.ForeignKey, Null: true,
			Relation: &state.Relation{To: "main.Member", OnDelete: "CASCADE"}}},
			query: `SELECT name FROM member ORDER BY id`, want: []string{"Ann", "Bo"}},
	}
}

// TestPrimaryKeyAndStateOnlyChanges walks keyAndStateOnlyWalk on every dialect.
func TestPrimaryKeyAndStateOnlyChanges(t *testing.T) {
	walkOnEveryDialect(t, keyAndStateOnlyWalk())
}

// run executes one operation's steps the way the executor does: on one
// connection, prepared, in a transaction where DDL is transactional.
func run(t *testing.T, ctx context.Context, db *sql.DB, ed schema.Editor, what string, steps func() ([]operations.Statement, error), after []string) {
	t.Helper()
	if err := execSteps(ctx, db, ed, steps, after); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func execSteps(ctx context.Context, db *sql.DB, ed schema.Editor, steps func() ([]operations.Statement, error), after []string) error {
	list, err := steps()
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if p, ok := ed.(schema.Preparer); ok {
		if err := p.Prepare(ctx, conn); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		defer p.Restore(ctx, conn)
	}
	var q schema.ExecQuerier = conn
	if ed.AtomicDDL() {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		q = tx
	}
	for _, s := range list {
		if s.Go != nil {
			err = s.Go(ctx, q)
		} else {
			err = schema.Exec(ctx, ed, q, s.SQL)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s.SQL, err)
		}
	}
	for _, s := range after {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("seed %s: %w", s, err)
		}
	}
	if c, ok := ed.(schema.IntegrityChecker); ok {
		if err := c.CheckIntegrity(ctx, q); err != nil {
			return fmt.Errorf("integrity: %w", err)
		}
	}
	if tx, ok := q.(*sql.Tx); ok {
		return tx.Commit()
	}
	return nil
}

func compareSchema(t *testing.T, ctx context.Context, db *sql.DB, ed schema.Editor, p *state.Project, when string) {
	t.Helper()
	want, err := ed.Expected(p)
	if err != nil {
		t.Fatalf("%s: expected: %v", when, err)
	}
	got, err := ed.Inspect(ctx, db)
	if err != nil {
		t.Fatalf("%s: inspect: %v", when, err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("%s: live schema differs from the state (-state +database):\n%s", when, diff)
	}
}

func checkRows(t *testing.T, ctx context.Context, db *sql.DB, query string, want []string) {
	t.Helper()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s: rows changed (-want +got):\n%s", query, diff)
	}
}
