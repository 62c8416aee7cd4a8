package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// library is the state most alteration tests start from: authors and their
// books; mods change it before it is returned.
func library(t *testing.T, mods ...func(p *state.Project)) *state.Project {
	t.Helper()
	author := model("Author", "author",
		id(),
		char("name", 50),
		&state.Field{Name: "age", Kind: state.Integer, Null: true},
		&state.Field{Name: "bio", Kind: state.Text, Default: state.Str("")})
	book := model("Book", "book",
		id(),
		char("title", 100),
		fk("author", "main.Author", "CASCADE"))
	p := project(t, author, book)
	for _, mod := range mods {
		mod(p)
	}
	return p
}

// librarySeed is the data every alteration starts with.
var librarySeed = []string{
	`INSERT INTO "author" ("id", "name", "age", "bio") VALUES (1, 'Ann', 30, 'x'), (2, 'Bob', NULL, '')`,
	`INSERT INTO "book" ("id", "title", "author_id") VALUES (10, 'A', 1), (11, 'B', 2)`,
}

// Queries and their results on the seeded library.
const (
	authorsQuery = `SELECT "id", "name", "age" FROM "author" ORDER BY "id"`
	authorsRows  = "1|Ann|30;2|Bob|NULL"
	booksQuery   = `SELECT "id", "title", "author_id" FROM "book" ORDER BY "id"`
	booksRows    = "10|A|1;11|B|2"
)

func mdl(p *state.Project, name string) *state.Model { return p.Model("main", name) }

// addTo appends a field to a model of the project.
func addTo(modelName string, f *state.Field) func(*state.Project) {
	return func(p *state.Project) {
		m := mdl(p, modelName)
		m.Fields = append(m.Fields, f)
	}
}

// change edits a field of a model of the project.
func change(modelName, field string, edit func(*state.Field)) func(*state.Project) {
	return func(p *state.Project) { edit(mdl(p, modelName).Field(field)) }
}

// edit edits a model of the project.
func edit(modelName string, fn func(*state.Model)) func(*state.Project) {
	return func(p *state.Project) { fn(mdl(p, modelName)) }
}

// drop removes a field from a model of the project.
func drop(modelName, field string) func(*state.Project) {
	return func(p *state.Project) {
		m := mdl(p, modelName)
		m.Fields = append(m.Fields[:m.FieldIndex(field)], m.Fields[m.FieldIndex(field)+1:]...)
	}
}

// op renders one direction of an alteration from state from to state to,
// the way pkg/operations calls the editor.
type op func(e *Editor, from, to *state.Project) ([]string, error)

func addField(m, f string, fill *string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.AddField(to, mdl(from, m), mdl(to, m), f, fill)
	}
}

func removeField(m, f string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.RemoveField(to, mdl(from, m), mdl(to, m), f)
	}
}

func alterField(m, oldName, newName string, fill *string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.AlterField(to, mdl(from, m), mdl(to, m), oldName, newName, fill)
	}
}

func alterUniqueTogether(m string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.AlterUniqueTogether(to, mdl(from, m), mdl(to, m))
	}
}

func addIndex(m, name string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.AddIndex(to, mdl(from, m), mdl(to, m), *mdl(to, m).Index(name))
	}
}

func removeIndex(m, name string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.RemoveIndex(to, mdl(from, m), mdl(to, m), *mdl(from, m).Index(name))
	}
}

func renameIndex(m, oldName, newName string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.RenameIndex(to, mdl(from, m), mdl(to, m), oldName, newName)
	}
}

func addConstraint(m, name string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.AddConstraint(to, mdl(from, m), mdl(to, m), *mdl(to, m).Constraint(name))
	}
}

func removeConstraint(m, name string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.RemoveConstraint(to, mdl(from, m), mdl(to, m), *mdl(from, m).Constraint(name))
	}
}

func alterModelTable(m string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) {
		return e.AlterModelTable(to, mdl(from, m), mdl(to, m))
	}
}

func createModel(m string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) { return e.CreateModel(to, mdl(to, m)) }
}

func deleteModel(m string) op {
	return func(e *Editor, from, to *state.Project) ([]string, error) { return e.DeleteModel(from, mdl(from, m)) }
}

// check is a query and its result after the forward and after the backward
// step; "-" skips a step (the table does not exist then).
type check struct {
	query, forward, backward string
}

// keep asserts that the seeded authors and books are untouched both ways.
var keep = []check{{authorsQuery, authorsRows, authorsRows}, {booksQuery, booksRows, booksRows}}

func with(checks ...check) []check { return append(append([]check(nil), keep...), checks...) }

func TestAlterations(t *testing.T) {
	t.Parallel()
	mentor := func() *state.Field {
		return &state.Field{Name: "mentor", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "Author", OnDelete: "SET_NULL"}}
	}
	favourites := func() *state.Field {
		return &state.Field{Name: "favourites", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Book"}}
	}
	tests := []struct {
		name              string
		before, after     []func(*state.Project)
		seed              []string
		forward, backward op
		checks            []check
	}{
		{
			name:    "add nullable field",
			after:   []func(*state.Project){addTo("Author", &state.Field{Name: "nickname", Kind: state.Char, MaxLength: 20, Null: true})},
			forward: addField("Author", "nickname", nil), backward: removeField("Author", "nickname"),
			checks: with(check{`SELECT "nickname" FROM "author"`, "NULL;NULL", "-"}),
		},
		{
			name:    "add not null field with fill",
			after:   []func(*state.Project){addTo("Author", &state.Field{Name: "rank", Kind: state.Integer})},
			forward: addField("Author", "rank", state.Str("7")), backward: removeField("Author", "rank"),
			checks: with(check{`SELECT "id", "rank" FROM "author" ORDER BY "id"`, "1|7;2|7", "-"}),
		},
		{
			name:    "add not null field with default and fill",
			after:   []func(*state.Project){addTo("Author", &state.Field{Name: "score", Kind: state.Integer, Default: state.Str("0")})},
			forward: addField("Author", "score", state.Str("5")), backward: removeField("Author", "score"),
			checks: with(check{`SELECT "id", "score" FROM "author" ORDER BY "id"`, "1|5;2|5", "-"}),
		},
		{
			name:    "add not null field with default",
			after:   []func(*state.Project){addTo("Author", &state.Field{Name: "active", Kind: state.Boolean, Default: state.Str("true")})},
			forward: addField("Author", "active", nil), backward: removeField("Author", "active"),
			checks: with(check{`SELECT "active" FROM "author"`, "1;1", "-"}),
		},
		{
			name:    "add unique field",
			after:   []func(*state.Project){addTo("Author", &state.Field{Name: "email", Kind: state.Char, MaxLength: 100, Null: true, Unique: true})},
			forward: addField("Author", "email", nil), backward: removeField("Author", "email"),
			checks: keep,
		},
		{
			name:    "add indexed field",
			after:   []func(*state.Project){addTo("Author", &state.Field{Name: "city", Kind: state.Char, MaxLength: 30, Null: true, Index: true})},
			forward: addField("Author", "city", nil), backward: removeField("Author", "city"),
			checks: keep,
		},
		{
			name: "add foreign key",
			after: []func(*state.Project){addTo("Book", &state.Field{Name: "editor", Kind: state.ForeignKey, Null: true,
				Relation: &state.Relation{To: "main.Author", OnDelete: "SET_NULL"}})},
			forward: addField("Book", "editor", nil), backward: removeField("Book", "editor"),
			checks: keep,
		},
		{
			name:    "add self foreign key",
			after:   []func(*state.Project){addTo("Author", mentor())},
			forward: addField("Author", "mentor", nil), backward: removeField("Author", "mentor"),
			checks: keep,
		},
		{
			name:    "add many-to-many",
			after:   []func(*state.Project){addTo("Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})},
			forward: addField("Book", "coauthors", nil), backward: removeField("Book", "coauthors"),
			checks: with(check{`SELECT count(*) FROM "book_coauthors"`, "0", "-"}),
		},
		{
			name:    "remove field",
			after:   []func(*state.Project){drop("Author", "age")},
			forward: removeField("Author", "age"), backward: addField("Author", "age", nil),
			checks: []check{
				{`SELECT "id", "name", "bio" FROM "author" ORDER BY "id"`, "1|Ann|x;2|Bob|", "1|Ann|x;2|Bob|"},
				{booksQuery, booksRows, booksRows},
			},
		},
		{
			name:    "remove many-to-many",
			before:  []func(*state.Project){addTo("Author", favourites())},
			seed:    []string{`INSERT INTO "author_favourites" ("author_id", "book_id") VALUES (1, 10)`},
			forward: removeField("Author", "favourites"), backward: addField("Author", "favourites", nil),
			checks: with(check{`SELECT count(*) FROM "author_favourites"`, "-", "0"}),
		},
		{
			name:    "alter max_length of a referenced table",
			after:   []func(*state.Project){change("Author", "name", func(f *state.Field) { f.MaxLength = 200 })},
			forward: alterField("Author", "name", "name", nil), backward: alterField("Author", "name", "name", nil),
			checks: keep,
		},
		{
			name:    "null to not null with fill",
			after:   []func(*state.Project){change("Author", "age", func(f *state.Field) { f.Null = false })},
			forward: alterField("Author", "age", "age", state.Str("18")), backward: alterField("Author", "age", "age", nil),
			checks: []check{{authorsQuery, "1|Ann|30;2|Bob|18", "1|Ann|30;2|Bob|18"}, {booksQuery, booksRows, booksRows}},
		},
		{
			name:    "null to not null with new default",
			after:   []func(*state.Project){change("Author", "age", func(f *state.Field) { f.Null, f.Default = false, state.Str("21") })},
			forward: alterField("Author", "age", "age", nil), backward: alterField("Author", "age", "age", nil),
			checks: []check{{authorsQuery, "1|Ann|30;2|Bob|21", "1|Ann|30;2|Bob|21"}},
		},
		{
			name:    "not null to null",
			after:   []func(*state.Project){change("Author", "name", func(f *state.Field) { f.Null = true })},
			forward: alterField("Author", "name", "name", nil), backward: alterField("Author", "name", "name", state.Str("anonymous")),
			checks: keep,
		},
		{
			name:    "set and drop default",
			after:   []func(*state.Project){change("Author", "age", func(f *state.Field) { f.Default = state.Str("0") })},
			forward: alterField("Author", "age", "age", nil), backward: alterField("Author", "age", "age", nil),
			checks: keep,
		},
		{
			name:    "unique on and off",
			after:   []func(*state.Project){change("Author", "name", func(f *state.Field) { f.Unique = true })},
			forward: alterField("Author", "name", "name", nil), backward: alterField("Author", "name", "name", nil),
			checks: keep,
		},
		{
			name:    "index on and off",
			after:   []func(*state.Project){change("Author", "age", func(f *state.Field) { f.Index = true })},
			forward: alterField("Author", "age", "age", nil), backward: alterField("Author", "age", "age", nil),
			checks: keep,
		},
		{
			name:    "int to bigint",
			after:   []func(*state.Project){change("Author", "age", func(f *state.Field) { f.Kind = state.BigInteger })},
			forward: alterField("Author", "age", "age", nil), backward: alterField("Author", "age", "age", nil),
			checks: keep,
		},
		{
			name:    "smallint to int",
			before:  []func(*state.Project){change("Author", "age", func(f *state.Field) { f.Kind = state.SmallInteger })},
			forward: alterField("Author", "age", "age", nil), backward: alterField("Author", "age", "age", nil),
			checks: keep,
		},
		{
			name:    "char to text",
			after:   []func(*state.Project){change("Author", "name", func(f *state.Field) { f.Kind, f.MaxLength = state.Text, 0 })},
			forward: alterField("Author", "name", "name", nil), backward: alterField("Author", "name", "name", nil),
			checks: keep,
		},
		{
			name:    "foreign key on_delete",
			after:   []func(*state.Project){change("Book", "author", func(f *state.Field) { f.Relation.OnDelete = "PROTECT" })},
			forward: alterField("Book", "author", "author", nil), backward: alterField("Book", "author", "author", nil),
			checks: keep,
		},
		{
			name:    "foreign key constraint dropped",
			after:   []func(*state.Project){change("Book", "author", func(f *state.Field) { f.Relation.NoConstraint = true })},
			forward: alterField("Book", "author", "author", nil), backward: alterField("Book", "author", "author", nil),
			checks: keep,
		},
		{
			name: "column rename keeps generated names",
			before: []func(*state.Project){change("Author", "name", func(f *state.Field) { f.Index = true }),
				edit("Author", func(m *state.Model) { m.UniqueTogether = [][]string{{"name", "age"}} })},
			after: []func(*state.Project){change("Author", "name", func(f *state.Field) { f.Index = true; f.Name = "full_name" }),
				edit("Author", func(m *state.Model) { m.UniqueTogether = [][]string{{"full_name", "age"}} })},
			forward: alterField("Author", "name", "full_name", nil), backward: alterField("Author", "full_name", "name", nil),
			checks: []check{
				{`SELECT * FROM "author" ORDER BY "id"`, "1|Ann|30|x;2|Bob|NULL|", "1|Ann|30|x;2|Bob|NULL|"},
				{booksQuery, booksRows, booksRows},
			},
		},
		{
			name:    "foreign key rename",
			after:   []func(*state.Project){change("Book", "author", func(f *state.Field) { f.Name = "writer" })},
			forward: alterField("Book", "author", "writer", nil), backward: alterField("Book", "writer", "author", nil),
			checks: []check{{`SELECT * FROM "book" ORDER BY "id"`, booksRows, booksRows}},
		},
		{
			name:    "db column change",
			after:   []func(*state.Project){change("Author", "name", func(f *state.Field) { f.Column = "author name" })},
			forward: alterField("Author", "name", "name", nil), backward: alterField("Author", "name", "name", nil),
			checks: []check{{`SELECT * FROM "author" ORDER BY "id"`, "1|Ann|30|x;2|Bob|NULL|", "1|Ann|30|x;2|Bob|NULL|"}},
		},
		{
			name:    "rebuild keeps a self reference",
			before:  []func(*state.Project){addTo("Author", mentor())},
			after:   []func(*state.Project){addTo("Author", mentor()), change("Author", "name", func(f *state.Field) { f.MaxLength = 80 })},
			seed:    []string{`UPDATE "author" SET "mentor_id" = 1 WHERE "id" = 2`},
			forward: alterField("Author", "name", "name", nil), backward: alterField("Author", "name", "name", nil),
			checks: with(check{`SELECT "id", "mentor_id" FROM "author" ORDER BY "id"`, "1|NULL;2|1", "1|NULL;2|1"}),
		},
		{
			name:    "unique_together",
			before:  []func(*state.Project){edit("Book", func(m *state.Model) { m.UniqueTogether = [][]string{{"title"}} })},
			after:   []func(*state.Project){edit("Book", func(m *state.Model) { m.UniqueTogether = [][]string{{"author", "title"}, {"title"}} })},
			forward: alterUniqueTogether("Book"), backward: alterUniqueTogether("Book"),
			checks: keep,
		},
		{
			name: "add index",
			after: []func(*state.Project){edit("Author", func(m *state.Model) {
				m.Indexes = []state.Index{{Name: "author_name_age_idx", Fields: []string{"name", "-age"}}}
			})},
			forward: addIndex("Author", "author_name_age_idx"), backward: removeIndex("Author", "author_name_age_idx"),
			checks: keep,
		},
		{
			name: "add partial index",
			after: []func(*state.Project){edit("Author", func(m *state.Model) {
				m.Indexes = []state.Index{{Name: "author_adults_idx", Fields: []string{"age"}, Condition: "age >= 18"}}
			})},
			forward: addIndex("Author", "author_adults_idx"), backward: removeIndex("Author", "author_adults_idx"),
			checks: keep,
		},
		{
			name: "rename index",
			before: []func(*state.Project){edit("Author", func(m *state.Model) {
				m.Indexes = []state.Index{{Name: "a_idx", Fields: []string{"-name"}}}
			})},
			after: []func(*state.Project){edit("Author", func(m *state.Model) {
				m.Indexes = []state.Index{{Name: "b_idx", Fields: []string{"-name"}}}
			})},
			forward: renameIndex("Author", "a_idx", "b_idx"), backward: renameIndex("Author", "b_idx", "a_idx"),
			checks: keep,
		},
		{
			name: "add check constraint",
			after: []func(*state.Project){edit("Author", func(m *state.Model) {
				m.Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "age_gte_0", Check: "age >= 0"}}
			})},
			forward: addConstraint("Author", "age_gte_0"), backward: removeConstraint("Author", "age_gte_0"),
			checks: keep,
		},
		{
			name: "add unique constraint",
			after: []func(*state.Project){edit("Author", func(m *state.Model) {
				m.Constraints = []state.Constraint{{Kind: state.UniqueConstraint, Name: "author_name_aged_uniq", Fields: []string{"name"}, Condition: "age IS NOT NULL"}}
			})},
			forward: addConstraint("Author", "author_name_aged_uniq"), backward: removeConstraint("Author", "author_name_aged_uniq"),
			checks: keep,
		},
		{
			name:   "rename table with a many-to-many and a foreign key pointing at it",
			before: []func(*state.Project){addTo("Author", favourites()), addTo("Author", mentor())},
			after: []func(*state.Project){addTo("Author", favourites()), addTo("Author", mentor()),
				edit("Author", func(m *state.Model) { m.Table = "writer" })},
			seed:    []string{`INSERT INTO "author_favourites" ("author_id", "book_id") VALUES (1, 10), (2, 11)`},
			forward: alterModelTable("Author"), backward: alterModelTable("Author"),
			checks: []check{
				{`SELECT "id", "name" FROM "writer" ORDER BY "id"`, "1|Ann;2|Bob", "-"},
				{`SELECT "author_id", "book_id" FROM "writer_favourites" ORDER BY "id"`, "1|10;2|11", "-"},
				{`SELECT "author_id", "book_id" FROM "author_favourites" ORDER BY "id"`, "-", "1|10;2|11"},
				{booksQuery, booksRows, booksRows},
			},
		},
		{
			name:   "many-to-many table name",
			before: []func(*state.Project){addTo("Author", favourites())},
			after: []func(*state.Project){addTo("Author", favourites()),
				change("Author", "favourites", func(f *state.Field) { f.Relation.Table = "liked books" })},
			seed:    []string{`INSERT INTO "author_favourites" ("author_id", "book_id") VALUES (1, 11)`},
			forward: alterField("Author", "favourites", "favourites", nil), backward: alterField("Author", "favourites", "favourites", nil),
			checks: []check{
				{`SELECT "author_id", "book_id" FROM "liked books"`, "1|11", "-"},
				{`SELECT "author_id", "book_id" FROM "author_favourites"`, "-", "1|11"},
			},
		},
		{
			name:    "delete model",
			after:   []func(*state.Project){func(p *state.Project) { p.Remove("main", "Book") }},
			forward: deleteModel("Book"), backward: createModel("Book"),
			checks: []check{{authorsQuery, authorsRows, authorsRows}, {`SELECT count(*) FROM "book"`, "-", "0"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := library(t, tt.before...)
			after := library(t, tt.after...)
			c := conn(t)
			createAll(t, c, before)
			exec(t, c, librarySeed...)
			exec(t, c, tt.seed...)
			assertSchema(t, c, before)
			e := New()

			stmts, err := tt.forward(e, before, after)
			t.Logf("forward:\n%s", strings.Join(stmts, "\n"))
			mustMigrate(t, c, stmts, err)
			assertSchema(t, c, after)
			for _, ch := range tt.checks {
				if ch.forward != "-" {
					if got := rowsOf(t, c, ch.query); got != ch.forward {
						t.Errorf("after forward, %s = %q, want %q", ch.query, got, ch.forward)
					}
				}
			}

			stmts, err = tt.backward(e, after, before)
			t.Logf("backward:\n%s", strings.Join(stmts, "\n"))
			mustMigrate(t, c, stmts, err)
			assertSchema(t, c, before)
			for _, ch := range tt.checks {
				if ch.backward != "-" {
					if got := rowsOf(t, c, ch.query); got != ch.backward {
						t.Errorf("after backward, %s = %q, want %q", ch.query, got, ch.backward)
					}
				}
			}
		})
	}
}

// TestCreateModelDDL pins the exact SQL of a small model, so reviewers see it.
func TestCreateModelDDL(t *testing.T) {
	t.Parallel()
	manufacturer := model("Manufacturer", "manufacturer", id(), char("name", 100))
	car := model("Car", "car",
		id(),
		&state.Field{Name: "name", Kind: state.Char, MaxLength: 30, Default: state.Str("it's; DROP TABLE x")},
		&state.Field{Name: "manufacturer", Kind: state.ForeignKey, Relation: &state.Relation{To: "Manufacturer", OnDelete: "CASCADE"}},
		&state.Field{Name: "code", Kind: state.UUID, Unique: true},
		&state.Field{Name: "sold", Kind: state.Boolean, Default: state.Str("false")},
		&state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2, Null: true},
		&state.Field{Name: "tags", Kind: state.ManyToMany, Relation: &state.Relation{To: "Manufacturer"}})
	car.Indexes = []state.Index{{Name: "car_recent_idx", Fields: []string{"-price", "name"}, Condition: "sold = 0"}}
	car.Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "price_gte_0", Check: "price >= 0"}}
	p := project(t, manufacturer, car)
	got, err := New().CreateModel(p, car)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`CREATE TABLE "car" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, ` +
			`"name" varchar(30) NOT NULL DEFAULT 'it''s; DROP TABLE x', ` +
			`"manufacturer_id" integer NOT NULL REFERENCES "manufacturer" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, ` +
			`"code" char(32) NOT NULL, "sold" bool NOT NULL DEFAULT 0, "price" decimal, ` +
			`CONSTRAINT "price_gte_0" CHECK (price >= 0))`,
		`CREATE INDEX "car_manufacturer_id_idx" ON "car" ("manufacturer_id")`,
		`CREATE UNIQUE INDEX "car_code_uniq" ON "car" ("code")`,
		`CREATE INDEX "car_recent_idx" ON "car" ("price" DESC, "name") WHERE sold = 0`,
		`CREATE TABLE "car_tags" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, ` +
			`"car_id" integer NOT NULL REFERENCES "car" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, ` +
			`"manufacturer_id" integer NOT NULL REFERENCES "manufacturer" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)`,
		`CREATE INDEX "car_tags_car_id_idx" ON "car_tags" ("car_id")`,
		`CREATE INDEX "car_tags_manufacturer_id_idx" ON "car_tags" ("manufacturer_id")`,
		`CREATE UNIQUE INDEX "car_tags_car_id_manufacturer_id_uniq" ON "car_tags" ("car_id", "manufacturer_id")`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CreateModel (-want +got):\n%s", diff)
	}
	del, err := New().DeleteModel(p, car)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{`DROP TABLE "car_tags"`, `DROP TABLE "car"`}, del); diff != "" {
		t.Errorf("DeleteModel (-want +got):\n%s", diff)
	}
}

// TestRebuildDDL pins the shape of a table rebuild: a null → not null change
// with a fill value and a rename in one.
func TestRebuildDDL(t *testing.T) {
	t.Parallel()
	before := library(t, edit("Author", func(m *state.Model) {
		m.Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "age_gte_0", Check: "age >= 0"}}
	}))
	after := library(t, edit("Author", func(m *state.Model) {
		m.Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "age_gte_0", Check: "years >= 0"}}
	}), change("Author", "age", func(f *state.Field) { f.Name, f.Null, f.Index = "years", false, true }))
	got, err := New().AlterField(after, mdl(before, "Author"), mdl(after, "Author"), "age", "years", state.Str("18"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`CREATE TABLE "new__author" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(50) NOT NULL, ` +
			`"years" integer NOT NULL, "bio" text NOT NULL DEFAULT '', CONSTRAINT "age_gte_0" CHECK (years >= 0))`,
		`INSERT INTO "new__author" ("id", "name", "years", "bio") SELECT "id", "name", COALESCE("age", 18), "bio" FROM "author"`,
		`DROP TABLE "author"`,
		`ALTER TABLE "new__author" RENAME TO "author"`,
		`CREATE INDEX "author_years_idx" ON "author" ("years")`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AlterField (-want +got):\n%s", diff)
	}
	c := conn(t)
	createAll(t, c, before)
	exec(t, c, librarySeed...)
	mustMigrate(t, c, got, nil)
	assertSchema(t, c, after)
	if got := rowsOf(t, c, `SELECT "id", "years" FROM "author" ORDER BY "id"`); got != "1|30;2|18" {
		t.Errorf("years = %q, want 1|30;2|18", got)
	}
}

func TestLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind    state.Kind
		value   string
		want    string
		wantErr string
	}{
		{state.Integer, "42", "42", ""},
		{state.BigInteger, "-7", "-7", ""},
		{state.SmallInteger, "+3", "+3", ""},
		{state.Integer, "4.2", "", "not an integer"},
		{state.Integer, "1; DROP TABLE x", "", "not an integer"},
		{state.Duration, "1000", "1000", ""},
		{state.Float, "1.5e-3", "1.5e-3", ""},
		{state.Decimal, ".5", ".5", ""},
		{state.Decimal, "NaN", "", "not a number"},
		{state.Float, "", "", "not a number"},
		{state.Boolean, "true", "1", ""},
		{state.Boolean, "FALSE", "0", ""},
		{state.Boolean, "1", "1", ""},
		{state.Boolean, "0", "0", ""},
		{state.Boolean, "yes", "", "not a boolean"},
		{state.Char, "it's; DROP TABLE x", `'it''s; DROP TABLE x'`, ""},
		{state.Text, "", `''`, ""},
		{state.Text, `back\slash "q"`, `'back\slash "q"'`, ""},
		{state.JSON, `{"a": 1}`, `'{"a": 1}'`, ""},
		{state.DateTime, "2024-01-01 10:00:00", `'2024-01-01 10:00:00'`, ""},
		{state.UUID, "0E984725-C51C-4BF4-9960-E1C80E27ABA0", `'0e984725c51c4bf49960e1c80e27aba0'`, ""},
		{state.UUID, "0e984725", "", "not a UUID"},
	}
	for _, tt := range tests {
		got, err := literal(tt.kind, tt.value)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("literal(%s, %q) error = %v, want one containing %q", tt.kind, tt.value, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("literal(%s, %q) = %q, %v; want %q", tt.kind, tt.value, got, err, tt.want)
		}
	}
}

// TestDefaultsRoundTrip stores awkward defaults and reads back exactly the
// text the state holds.
func TestDefaultsRoundTrip(t *testing.T) {
	t.Parallel()
	values := []string{"it's; DROP TABLE x", "", "''", `a\b`, "multi\nline", "ünïcode ✓", "--", "/*"}
	m := model("Def", "def", id())
	for i, v := range values {
		m.Fields = append(m.Fields, &state.Field{Name: "f" + string(rune('a'+i)), Kind: state.Text, Default: state.Str(v)})
	}
	p := project(t, m)
	c := conn(t)
	createAll(t, c, p)
	assertSchema(t, c, p)
	exec(t, c, `INSERT INTO "def" DEFAULT VALUES`)
	got := rowsOf(t, c, `SELECT * FROM "def"`)
	if want := "1|" + strings.Join(values, "|"); got != want {
		t.Errorf("stored defaults = %q, want %q", got, want)
	}
}

func TestErrorsNameTheField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		field   *state.Field
		wantErr string
	}{
		{"bad integer default", &state.Field{Name: "n", Kind: state.Integer, Default: state.Str("abc")}, "main.Car.n"},
		{"bad boolean default", &state.Field{Name: "b", Kind: state.Boolean, Default: state.Str("maybe")}, "main.Car.b"},
		{"char without length", &state.Field{Name: "c", Kind: state.Char}, "main.Car.c"},
		{"unknown target", fk("owner", "main.Nobody", "CASCADE"), "main.Car.owner"},
		{"auto not key", &state.Field{Name: "seq", Kind: state.Auto}, "main.Car.seq"},
		{"unknown kind", &state.Field{Name: "k", Kind: "money"}, "money"},
	}
	for _, tt := range tests {
		m := model("Car", "car", id(), tt.field)
		p := project(t, m)
		if _, err := New().CreateModel(p, m); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: CreateModel error = %v, want one naming %q", tt.name, err, tt.wantErr)
		}
		if _, err := New().Expected(p); err == nil {
			t.Errorf("%s: Expected accepted what CreateModel rejects", tt.name)
		}
	}
	m := model("Car", "car", id(), char("name", 10))
	m.Indexes = []state.Index{{Name: "bad_idx", Fields: []string{"nope"}}}
	if _, err := New().CreateModel(project(t, m), m); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("index on unknown field: error = %v", err)
	}
}

func TestUnmanagedModelsEmitNothing(t *testing.T) {
	t.Parallel()
	m := model("Legacy", "legacy", id(), char("name", 10), &state.Field{Name: "tags", Kind: state.ManyToMany, Relation: &state.Relation{To: "Legacy"}})
	m.Unmanaged = true
	m.Indexes = []state.Index{{Name: "legacy_name_idx", Fields: []string{"name"}}}
	m.Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "c", Check: "1"}}
	p := project(t, m)
	moved := m.Clone()
	moved.Table = "elsewhere"
	e := New()
	results := map[string]func() ([]string, error){
		"CreateModel":         func() ([]string, error) { return e.CreateModel(p, m) },
		"DeleteModel":         func() ([]string, error) { return e.DeleteModel(p, m) },
		"AlterModelTable":     func() ([]string, error) { return e.AlterModelTable(p, m, moved) },
		"AddField":            func() ([]string, error) { return e.AddField(p, m, m, "name", nil) },
		"RemoveField":         func() ([]string, error) { return e.RemoveField(p, m, m, "name") },
		"AlterField":          func() ([]string, error) { return e.AlterField(p, m, m, "name", "name", nil) },
		"AlterUniqueTogether": func() ([]string, error) { return e.AlterUniqueTogether(p, m, m) },
		"AddIndex":            func() ([]string, error) { return e.AddIndex(p, m, m, m.Indexes[0]) },
		"RemoveIndex":         func() ([]string, error) { return e.RemoveIndex(p, m, m, m.Indexes[0]) },
		"RenameIndex":         func() ([]string, error) { return e.RenameIndex(p, m, m, "legacy_name_idx", "x") },
		"AddConstraint":       func() ([]string, error) { return e.AddConstraint(p, m, m, m.Constraints[0]) },
		"RemoveConstraint":    func() ([]string, error) { return e.RemoveConstraint(p, m, m, m.Constraints[0]) },
	}
	for name, fn := range results {
		if stmts, err := fn(); err != nil || len(stmts) != 0 {
			t.Errorf("%s on an unmanaged model = %q, %v; want nothing", name, stmts, err)
		}
	}
	if tables, err := e.Expected(p); err != nil || len(tables) != 0 {
		t.Errorf("Expected = %v, %v; want no tables", tables, err)
	}
}

// TestFailedMigrationRollsBack adds a NOT NULL column without default or
// fill: the database decides, refusing when rows exist, and the whole
// rebuild rolls back; on an empty table the same statements succeed.
func TestFailedMigrationRollsBack(t *testing.T) {
	t.Parallel()
	before := library(t)
	after := library(t, addTo("Author", &state.Field{Name: "rank", Kind: state.Integer}))
	stmts, err := New().AddField(after, mdl(before, "Author"), mdl(after, "Author"), "rank", nil)
	if err != nil {
		t.Fatal(err)
	}

	c := conn(t)
	createAll(t, c, before)
	exec(t, c, librarySeed...)
	if err := migrate(c, stmts); err == nil || !strings.Contains(err.Error(), "NOT NULL") {
		t.Fatalf("migrate = %v, want a NOT NULL failure", err)
	}
	assertSchema(t, c, before)
	if got := rowsOf(t, c, authorsQuery); got != authorsRows {
		t.Errorf("authors after rollback = %q, want %q", got, authorsRows)
	}
	if got := rowsOf(t, c, booksQuery); got != booksRows {
		t.Errorf("books after rollback = %q, want %q", got, booksRows)
	}

	empty := conn(t)
	createAll(t, empty, before)
	mustMigrate(t, empty, stmts, nil)
	assertSchema(t, empty, after)
}

func TestPrepareAndCheckIntegrity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := conn(t)
	createAll(t, c, library(t))
	exec(t, c, librarySeed...)
	e := New()
	if err := e.Prepare(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(t, c, "PRAGMA foreign_keys"); got != "0" {
		t.Errorf("foreign_keys after Prepare = %s, want 0", got)
	}
	if got := rowsOf(t, c, "PRAGMA legacy_alter_table"); got != "0" {
		t.Errorf("legacy_alter_table after Prepare = %s, want 0", got)
	}
	if err := e.CheckIntegrity(ctx, c); err != nil {
		t.Fatalf("CheckIntegrity on consistent data: %v", err)
	}

	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM "author" WHERE "id" = 2`); err != nil {
		t.Fatal(err)
	}
	err = e.CheckIntegrity(ctx, tx)
	if err == nil {
		t.Fatal("CheckIntegrity accepted a book whose author is gone")
	}
	for _, want := range []string{`"book"`, "rowid 11", `"author"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckIntegrity error %q does not mention %s", err, want)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := e.Restore(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(t, c, "PRAGMA foreign_keys"); got != "1" {
		t.Errorf("foreign_keys after Restore = %s, want 1", got)
	}
}

func TestEditorBasics(t *testing.T) {
	t.Parallel()
	e := New()
	if e.Dialect() != schema.SQLite || !e.AtomicDDL() {
		t.Errorf("Dialect, AtomicDDL = %s, %v", e.Dialect(), e.AtomicDDL())
	}
	for in, want := range map[string]string{"user": `"user"`, `we"ird col`: `"we""ird col"`, "a b": `"a b"`} {
		if got := e.Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestAlterModelTableAfterModelRename renames a model and its table: the
// join table's name and its column (named after the model) both change, so
// it is rebuilt with its rows.
func TestAlterModelTableAfterModelRename(t *testing.T) {
	t.Parallel()
	favourites := &state.Field{Name: "favourites", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Book"}}
	before := library(t, addTo("Author", favourites.Clone()))
	after := library(t, addTo("Author", favourites.Clone()), func(p *state.Project) {
		author := mdl(p, "Author")
		if err := p.Remove("main", "Author"); err != nil {
			t.Fatal(err)
		}
		author.Name, author.Table = "Writer", "writer"
		if err := p.Add(author); err != nil {
			t.Fatal(err)
		}
		mdl(p, "Book").Field("author").Relation.To = "main.Writer"
	})
	c := conn(t)
	createAll(t, c, before)
	exec(t, c, librarySeed...)
	exec(t, c, `INSERT INTO "author_favourites" ("author_id", "book_id") VALUES (1, 11), (2, 10)`)
	e := New()

	stmts, err := e.AlterModelTable(after, mdl(before, "Author"), mdl(after, "Writer"))
	t.Logf("forward:\n%s", strings.Join(stmts, "\n"))
	mustMigrate(t, c, stmts, err)
	assertSchema(t, c, after)
	if got := rowsOf(t, c, `SELECT "writer_id", "book_id" FROM "writer_favourites" ORDER BY "id"`); got != "1|11;2|10" {
		t.Errorf("join rows after rename = %q", got)
	}

	stmts, err = e.AlterModelTable(before, mdl(after, "Writer"), mdl(before, "Author"))
	mustMigrate(t, c, stmts, err)
	assertSchema(t, c, before)
	if got := rowsOf(t, c, `SELECT "author_id", "book_id" FROM "author_favourites" ORDER BY "id"`); got != "1|11;2|10" {
		t.Errorf("join rows after renaming back = %q", got)
	}
	if got := rowsOf(t, c, booksQuery); got != booksRows {
		t.Errorf("books = %q, want %q", got, booksRows)
	}
}
