package sqlite

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// The in-place ALTER TABLE forms the editor writes need SQLite 3.35 (DROP
// COLUMN; RENAME COLUMN needs 3.25). The library is linked in, so a
// downgrade of modernc.org/sqlite below that is caught here.
func TestLinkedSQLiteVersion(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	var v string
	if err := db.QueryRowContext(context.Background(), "SELECT sqlite_version()").Scan(&v); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(v, ".")
	major, _ := strconv.Atoi(parts[0])
	minor, _ := strconv.Atoi(parts[1])
	if major < 3 || major == 3 && minor < 35 {
		t.Fatalf("linked SQLite is %s; the editor's DROP COLUMN needs 3.35 or later", v)
	}
}

// Renaming a column, adding a nullable or defaulted column and dropping a
// plain column run in place, keep every value, and leave the schema equal
// to the state; a trigger and a view that name the renamed column follow it.
func TestInPlaceAlterations(t *testing.T) {
	t.Parallel()
	c := conn(t)
	e := New()
	note := &state.Field{Name: "note", Kind: state.Text, Null: true}
	v1 := project(t, model("Author", "author", id(), char("name", 50), note))
	createAll(t, c, v1)
	exec(t, c,
		`INSERT INTO author (name, note) VALUES ('Ada', 'first'), ('Grace', NULL)`,
		`CREATE TABLE audit (name text)`,
		`CREATE TRIGGER author_audit AFTER INSERT ON author BEGIN INSERT INTO audit VALUES (new.name); END`,
		`CREATE VIEW author_names AS SELECT name FROM author`)

	// Rename name → full_name.
	renamed := char("full_name", 50)
	v2 := project(t, model("Author", "author", id(), renamed, note))
	stmts, err := e.AlterField(v2, v1.Models["main.author"], v2.Models["main.author"], "name", "full_name", nil)
	if want := []string{`ALTER TABLE "author" RENAME COLUMN "name" TO "full_name"`}; err == nil && strings.Join(stmts, ";") != strings.Join(want, ";") {
		t.Errorf("rename: %q, want %q", stmts, want)
	}
	mustMigrate(t, c, stmts, err)
	exec(t, c, `INSERT INTO author (full_name) VALUES ('Linus')`)
	if got := rowsOf(t, c, `SELECT name FROM audit`); got != "Linus" {
		t.Errorf("audit after the rename: %q, want the trigger to follow the column", got)
	}
	if got := rowsOf(t, c, `SELECT full_name FROM author_names ORDER BY 1`); got != "Ada;Grace;Linus" {
		t.Errorf("view after the rename: %q", got)
	}

	// Add a NOT NULL column with a default, last: ADD COLUMN.
	rank := &state.Field{Name: "rank", Kind: state.Integer, Default: state.Str("7")}
	v3 := project(t, model("Author", "author", id(), renamed, note, rank))
	stmts, err = e.AddField(v3, v2.Models["main.author"], v3.Models["main.author"], "rank", nil)
	if want := `ALTER TABLE "author" ADD COLUMN "rank" integer NOT NULL DEFAULT 7`; err == nil && (len(stmts) != 1 || stmts[0] != want) {
		t.Errorf("add: %q, want [%q]", stmts, want)
	}
	mustMigrate(t, c, stmts, err)

	// Drop the plain column note: DROP COLUMN.
	v4 := project(t, model("Author", "author", id(), renamed, rank))
	stmts, err = e.RemoveField(v4, v3.Models["main.author"], v4.Models["main.author"], "note")
	if want := `ALTER TABLE "author" DROP COLUMN "note"`; err == nil && (len(stmts) != 1 || stmts[0] != want) {
		t.Errorf("remove: %q, want [%q]", stmts, want)
	}
	mustMigrate(t, c, stmts, err)

	if got := rowsOf(t, c, `SELECT id, full_name, rank FROM author ORDER BY id`); got != "1|Ada|7;2|Grace|7;3|Linus|7" {
		t.Errorf("rows after the in-place changes: %q", got)
	}
	exec(t, c, `DROP VIEW author_names`, `DROP TRIGGER author_audit`, `DROP TABLE audit`)
	assertSchema(t, c, v4)
}

// What SQLite cannot do in place is rebuilt: a NOT NULL column with only a
// one-off fill (a DEFAULT left behind would differ from the state), a
// foreign key with a default, an indexed or unique column dropped, a
// column named by a check constraint dropped.
func TestInPlaceFallsBackToRebuild(t *testing.T) {
	t.Parallel()
	e := New()
	author := model("Author", "author", id(), char("name", 50))
	indexed := &state.Field{Name: "code", Kind: state.Char, MaxLength: 5, Null: true, Index: true}
	unique := &state.Field{Name: "slug", Kind: state.Char, MaxLength: 5, Null: true, Unique: true}
	checked := &state.Field{Name: "price", Kind: state.Integer, Null: true}
	book := model("Book", "book", id(), char("title", 50), indexed, unique, checked)
	book.Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "price_gte_0", Check: "price >= 0"}}
	p := project(t, author, book)
	rebuilds := func(what string, stmts []string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(stmts) == 0 || !strings.HasPrefix(stmts[0], `CREATE TABLE "new__`) {
			t.Errorf("%s: %q, want a rebuild", what, stmts)
		}
	}
	for _, name := range []string{"code", "slug", "price"} {
		to := book.Clone()
		to.Fields = nil
		for _, f := range book.Fields {
			if f.Name != name {
				to.Fields = append(to.Fields, f)
			}
		}
		if name == "price" {
			to.Constraints = book.Constraints
		}
		stmts, err := e.RemoveField(p, book, to, name)
		rebuilds("remove "+name, stmts, err)
	}
	added := book.Clone()
	added.Fields = append(added.Fields, &state.Field{Name: "pages", Kind: state.Integer})
	stmts, err := e.AddField(p, book, added, "pages", state.Str("1"))
	rebuilds("add NOT NULL with a fill", stmts, err)
	withFK := book.Clone()
	withFK.Fields = append(withFK.Fields, &state.Field{Name: "author", Kind: state.ForeignKey, Null: true, Default: state.Str("1"),
		Relation: &state.Relation{To: "main.Author", OnDelete: "CASCADE"}})
	stmts, err = e.AddField(p, book, withFK, "author", nil)
	rebuilds("add a foreign key with a default", stmts, err)
}
