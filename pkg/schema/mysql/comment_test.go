package mysql

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// trickyComments are comments whose quoting can go wrong: quotes, a
// backslash (an escape to MySQL), a newline, non-ASCII text.
var trickyComments = []string{"it's \"quoted\"", `C:\path\n not a newline`, "two\nlines\ttab", "naïve — 日本語 ✓"}

func commentProject(t testing.TB, table, column string) *state.Project {
	return project(t, &state.Model{App: "main", Name: "Note", Table: "note", Options: state.Options{Comment: table}, Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "body", Kind: state.Text, Comment: column},
	}})
}

// TestCommentSQL: a column's comment is part of its definition, so a
// changed comment restates the column (and nothing else); the table's is
// a CREATE TABLE option, and ALTER TABLE … COMMENT= on a change.
func TestCommentSQL(t *testing.T) {
	t.Parallel()
	e := New()
	p := commentProject(t, "notes it's", `back\slash`)
	note := func(p *state.Project) *state.Model { return p.Model("main", "Note") }
	got, err := e.CreateModel(p, note(p))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CREATE TABLE `note` (\n    `id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    `body` longtext NOT NULL COMMENT 'back\\\\slash'\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='notes it''s'"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("create (-want +got):\n%s", d)
	}
	after := commentProject(t, "", "")
	got, err = e.AlterField(after, note(p), note(after), "body", "body", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"ALTER TABLE `note` MODIFY COLUMN `body` longtext NOT NULL"}, got); d != "" {
		t.Errorf("alter field (-want +got):\n%s", d)
	}
	got, err = e.AlterTableComment(after, note(p), note(after))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"ALTER TABLE `note` COMMENT=''"}, got); d != "" {
		t.Errorf("table comment removed (-want +got):\n%s", d)
	}
}

// TestCommentsRoundTrip: every tricky comment, set at CREATE TABLE and
// by a change, reads back from the server exactly as the state holds it,
// and the rows stay.
func TestCommentsRoundTrip(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.MySQL)
	e := New()
	note := func(p *state.Project) *state.Model { return p.Model("main", "Note") }
	p := commentProject(t, trickyComments[0], trickyComments[1])
	createAll(t, db.DB, p)
	apply(t, db.DB, []string{"INSERT INTO `note` (`body`) VALUES ('kept')"})
	assertSchema(t, db.DB, p)
	for i := range trickyComments {
		next := commentProject(t, trickyComments[(i+2)%len(trickyComments)], trickyComments[(i+3)%len(trickyComments)])
		table, err := e.AlterTableComment(next, note(p), note(next))
		if err != nil {
			t.Fatal(err)
		}
		column, err := e.AlterField(next, note(p), note(next), "body", "body", nil)
		if err != nil {
			t.Fatal(err)
		}
		apply(t, db.DB, append(table, column...))
		assertSchema(t, db.DB, next)
		p = next
	}
	if d := cmp.Diff([]string{"kept"}, queryRows(t, db.DB, "SELECT body FROM note")); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
}
