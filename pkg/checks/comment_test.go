package checks

import (
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

type LongTableComment struct {
	models.Model
	Name string `pm:"max_length=20"`
}

// The limit counts characters, not bytes: 2049 two-byte characters are
// over it, 2048 are not (ShortEnoughTableComment).
func (LongTableComment) Meta() models.Meta { return models.Meta{Comment: strings.Repeat("é", 2049)} }

type ShortEnoughTableComment struct {
	models.Model
	Name string `pm:"max_length=20"`
}

func (ShortEnoughTableComment) Meta() models.Meta {
	return models.Meta{Comment: strings.Repeat("é", 2048)}
}

// TestLongCommentsOnMySQL: pm.E033 names the model or field and the fix,
// only for a MySQL target, and counts characters.
func TestLongCommentsOnMySQL(t *testing.T) {
	report := check(t, []Target{pg, my, lite}, nil, LongTableComment{}, ShortEnoughTableComment{})
	if len(report.Issues) != 1 {
		t.Fatalf("want one issue:\n%s", report.Text())
	}
	is := report.Issues[0]
	if is.ID != "pm.E033" || is.Object != "checks.LongTableComment.Meta" ||
		!strings.Contains(is.Message, "Meta.Comment is 2049 characters long, more than the 2048 MySQL/MariaDB keeps for a table (connection my)") ||
		!strings.Contains(is.Hint, "shorten Meta.Comment") {
		t.Fatalf("issue: %+v", is)
	}
	if report := check(t, []Target{pg, lite}, nil, LongTableComment{}); len(report.Issues) != 0 {
		t.Fatalf("issues without a MySQL target:\n%s", report.Text())
	}

	p := state.NewProject()
	m := &state.Model{App: "main", Name: "Note", Table: "note", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "body", Kind: state.Text, Comment: strings.Repeat("x", 1025)},
		{Name: "tag", Kind: state.Text, Comment: strings.Repeat("日", 1024)},
	}}
	if err := p.Add(m); err != nil {
		t.Fatal(err)
	}
	report = Project(p, Options{Targets: []Target{{Name: "my", Dialect: schema.MySQL}}})
	if len(report.Issues) != 1 || report.Issues[0].ID != "pm.E033" ||
		!strings.Contains(report.Issues[0].Object, "body") ||
		!strings.Contains(report.Issues[0].Message, "comment= is 1025 characters long, more than the 1024 MySQL/MariaDB keeps for a column") {
		t.Fatalf("issues:\n%s", report.Text())
	}
}
