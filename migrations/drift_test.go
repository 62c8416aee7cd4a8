package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// driftMigrations: shop.0001 creates Maker, Car (with a Meta index and a
// foreign key to Maker), Tag (with a many-to-many to Car) and Note; 0002
// adds Car.note; 0003 (left unapplied by the tests) adds Car.vin;
// blog.0001 creates Post.
func driftMigrations() []*Migration {
	id := func() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }
	return []*Migration{
		{App: "shop", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
			operations.CreateModel{Name: "Maker", Table: "shop_maker", Fields: []*state.Field{id(),
				{Name: "name", Kind: state.Char, MaxLength: 50, Unique: true}}},
			operations.CreateModel{Name: "Car", Table: "shop_car", Fields: []*state.Field{id(),
				{Name: "name", Kind: state.Char, MaxLength: 30},
				{Name: "color", Kind: state.Char, MaxLength: 10, Default: state.Str("red")},
				{Name: "price", Kind: state.Integer, Null: true},
				{Name: "maker", Kind: state.ForeignKey, Relation: &state.Relation{To: "shop.Maker", OnDelete: "CASCADE"}},
			}, Indexes: []state.Index{{Name: "car_name_idx", Fields: []string{"name"}}}},
			operations.CreateModel{Name: "Tag", Table: "shop_tag", Fields: []*state.Field{id(),
				{Name: "label", Kind: state.Char, MaxLength: 20},
				{Name: "cars", Kind: state.ManyToMany, Relation: &state.Relation{To: "shop.Car"}}}},
			operations.CreateModel{Name: "Note", Table: "shop_note", Fields: []*state.Field{id(),
				{Name: "body", Kind: state.Text}}},
		}},
		{App: "shop", Name: "0002_car_note", Dependencies: []Key{{App: "shop", Name: "0001_initial"}}, Operations: []operations.Operation{
			operations.AddField{Model: "Car", Field: &state.Field{Name: "note", Kind: state.Text, Null: true}},
		}},
		{App: "shop", Name: "0003_car_vin", Dependencies: []Key{{App: "shop", Name: "0002_car_note"}}, Operations: []operations.Operation{
			operations.AddField{Model: "Car", Field: &state.Field{Name: "vin", Kind: state.Char, MaxLength: 17, Null: true}},
		}},
		{App: "blog", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
			operations.CreateModel{Name: "Post", Table: "blog_post", Fields: []*state.Field{id(),
				{Name: "title", Kind: state.Char, MaxLength: 80}}},
		}},
	}
}

// handDrift is, per dialect, what a person changes by hand in a database
// migrated to shop.0002 and blog.0001: one change of each kind on the
// shop tables, and changes outside them (a table of no model, an index
// on it, a view, and blog's table, which Drift of shop alone leaves out).
var handDrift = map[schema.Dialect][]string{
	schema.Postgres: {
		`ALTER TABLE shop_tag DROP COLUMN label`,
		`ALTER TABLE shop_car ADD COLUMN extra integer`,
		`ALTER TABLE shop_car ALTER COLUMN name TYPE varchar(60)`,
		`ALTER TABLE shop_maker ALTER COLUMN name DROP NOT NULL`,
		`ALTER TABLE shop_car ALTER COLUMN color SET DEFAULT 'blue'`,
		`DROP INDEX car_name_idx`,
		`CREATE INDEX hand_idx ON shop_car (color)`,
		`ALTER TABLE shop_car DROP CONSTRAINT shop_car_maker_id_fk`,
		`DROP TABLE shop_note`,
		`CREATE TABLE hand_made (id integer, label text)`,
		`CREATE INDEX hand_made_idx ON hand_made (label)`,
		`CREATE VIEW hand_view AS SELECT id FROM shop_car`,
		`ALTER TABLE blog_post ADD COLUMN subtitle text`,
	},
	schema.MySQL: {
		"ALTER TABLE shop_tag DROP COLUMN label",
		"ALTER TABLE shop_car ADD COLUMN extra int NULL",
		"ALTER TABLE shop_car MODIFY name varchar(60) NOT NULL",
		"ALTER TABLE shop_maker MODIFY name varchar(50) NULL",
		"ALTER TABLE shop_car ALTER COLUMN color SET DEFAULT 'blue'",
		"DROP INDEX car_name_idx ON shop_car",
		"CREATE INDEX hand_idx ON shop_car (color)",
		"ALTER TABLE shop_car DROP FOREIGN KEY shop_car_maker_id_fk",
		"DROP TABLE shop_note",
		"CREATE TABLE hand_made (id int, label varchar(20))",
		"CREATE INDEX hand_made_idx ON hand_made (label)",
		"CREATE VIEW hand_view AS SELECT id FROM shop_car",
		"ALTER TABLE blog_post ADD COLUMN subtitle longtext NULL",
	},
	// SQLite alters little in place: the rest is the tables' definitions
	// edited where SQLite keeps them, which changes no stored row.
	schema.SQLite: {
		`ALTER TABLE shop_tag DROP COLUMN label`,
		`ALTER TABLE shop_car ADD COLUMN extra integer`,
		`PRAGMA writable_schema = ON`,
		`UPDATE sqlite_master SET sql = replace(sql, '"name" varchar(30)', '"name" varchar(60)') WHERE name = 'shop_car'`,
		`UPDATE sqlite_master SET sql = replace(sql, '"name" varchar(50) NOT NULL', '"name" varchar(50)') WHERE name = 'shop_maker'`,
		`UPDATE sqlite_master SET sql = replace(sql, 'DEFAULT ''red''', 'DEFAULT ''blue''') WHERE name = 'shop_car'`,
		`UPDATE sqlite_master SET sql = replace(sql, ' REFERENCES "shop_maker" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED', '') WHERE name = 'shop_car'`,
		`PRAGMA writable_schema = OFF`,
		`DROP INDEX car_name_idx`,
		`CREATE INDEX hand_idx ON shop_car (color)`,
		`DROP TABLE shop_note`,
		`CREATE TABLE hand_made (id integer, label text)`,
		`CREATE INDEX hand_made_idx ON hand_made (label)`,
		`CREATE VIEW hand_view AS SELECT id FROM shop_car`,
		`ALTER TABLE blog_post ADD COLUMN subtitle text`,
	},
}

// kindsOf writes differences as "table kind object" lines.
func kindsOf(ds []schema.Difference) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s", d.Table, d.Kind, d.Object)))
	}
	return out
}

// TestDrift migrates shop to 0002 (0003 stays unapplied) and blog, makes
// drift by hand with SQL, and checks that Drift reports each change once,
// with its kind, and nothing of the objects outside the apps' tables.
func TestDrift(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		e, g := newExecutor(t, db, ed, driftMigrations())
		migrateTo(t, e, []Target{{App: "shop", Name: "0002"}, {App: "blog"}},
			[]string{"Apply shop.0001_initial", "Apply shop.0002_car_note", "Apply blog.0001_initial"}, Options{})

		r, err := Drift(ctx, db, ed, g, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Differences) != 0 {
			t.Errorf("freshly migrated: %v", r.Differences)
		}
		wantTables := []string{"blog_post", "shop_car", "shop_maker", "shop_note", "shop_tag", "shop_tag_cars"}
		if diff := cmp.Diff(wantTables, r.Tables); diff != "" {
			t.Errorf("tables compared (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"blog.0001_initial", "shop.0001_initial", "shop.0002_car_note"}, strs(r.Applied)); diff != "" {
			t.Errorf("applied (-want +got):\n%s", diff)
		}

		for _, stmt := range handDrift[ed.Dialect()] {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		r, err = Drift(ctx, db, ed, g, []string{"shop"})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"shop_car type name",
			"shop_car default color",
			"shop_car extra_column extra",
			"shop_car missing_index car_name_idx",
			"shop_car extra_index hand_idx",
			"shop_car missing_foreign_key maker_id",
			"shop_maker nullability name",
			"shop_note missing_table",
			"shop_tag missing_column label",
		}
		if diff := cmp.Diff(want, kindsOf(r.Differences)); diff != "" {
			t.Errorf("drift of shop (-want +got):\n%s\nall: %v", diff, r.Differences)
		}
		if diff := cmp.Diff(wantTables[1:], r.Tables); diff != "" {
			t.Errorf("tables of shop (-want +got):\n%s", diff)
		}
		r, err = Drift(ctx, db, ed, g, []string{"blog"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"blog_post extra_column subtitle"}, kindsOf(r.Differences)); diff != "" {
			t.Errorf("drift of blog (-want +got):\n%s", diff)
		}
	})
}

// TestDriftDoubtfulHistory: a migration left part-way stops Drift with a
// *PartialError rather than a guess; an applied migration edited since,
// and one no file declares, are reported beside the comparison.
func TestDriftDoubtfulHistory(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	db.SetMaxOpenConns(1)
	ed := connect.EditorFor(schema.SQLite)
	ctx := context.Background()
	e, g := newExecutor(t, db, ed, driftMigrations())
	migrateTo(t, e, []Target{{App: "shop", Name: "0002"}}, []string{"Apply shop.0001_initial", "Apply shop.0002_car_note"}, Options{})
	h := NewHistory(db, ed)
	if err := h.Accept(ctx, db, key("shop.0002_car_note"), "edited"); err != nil {
		t.Fatal(err)
	}
	if err := h.Record(ctx, db, key("shop.0009_gone"), ""); err != nil {
		t.Fatal(err)
	}
	r, err := Drift(ctx, db, ed, g, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"shop.0002_car_note"}, strs(r.Edited)); diff != "" {
		t.Errorf("edited (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"shop.0009_gone"}, strs(r.Unknown)); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
	if len(r.Differences) != 0 {
		t.Errorf("differences: %v", r.Differences)
	}

	vin := key("shop.0003_car_vin")
	if err := h.Begin(ctx, db, vin, Checksum(g.Migration(vin)), false); err != nil {
		t.Fatal(err)
	}
	_, err = Drift(ctx, db, ed, g, []string{"shop"})
	var pe *PartialError
	if !errors.As(err, &pe) || len(pe.Partials) != 1 || pe.Partials[0].Key != vin {
		t.Fatalf("Drift with shop.0003 part-way: %v, want a *PartialError for it", err)
	}
	if _, err := Drift(ctx, db, ed, g, []string{"blog"}); err != nil {
		t.Errorf("Drift of blog, which has nothing part-way: %v", err)
	}
}
