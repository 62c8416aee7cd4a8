package sqlite

import (
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/state"
)

// TestCommentsAreStateOnly: SQLite keeps no comments, so a table created
// with them says none, and a change of one alone renders nothing.
func TestCommentsAreStateOnly(t *testing.T) {
	t.Parallel()
	e := New()
	before := library(t)
	after := library(t, change("Author", "age", func(f *state.Field) { f.Comment = "how old" }),
		edit("Author", func(m *state.Model) { m.Options.Comment = "who wrote" }))
	created, err := e.CreateModel(after, mdl(after, "Author"))
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(created, ";\n"); strings.Contains(s, "how old") || strings.Contains(s, "who wrote") {
		t.Errorf("CREATE TABLE carries a comment:\n%s", s)
	}
	for name, render := range map[string]op{
		"alter field": alterField("Author", "age", "age", nil),
		"table comment": func(e *Editor, from, to *state.Project) ([]string, error) {
			return e.AlterTableComment(to, mdl(from, "Author"), mdl(to, "Author"))
		},
	} {
		got, err := render(e, before, after)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 0 {
			t.Errorf("%s renders %q, want nothing", name, got)
		}
	}
}
