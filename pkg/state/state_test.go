package state

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSnakeCase(t *testing.T) {
	cases := map[string]string{
		"FirstName": "first_name", "HTTPPort": "http_port", "ID": "id", "BlogPost": "blog_post",
		"UserID": "user_id", "Car": "car", "URLPath2": "url_path2", "already_snake": "already_snake",
		"V2Engine": "v2_engine",
	}
	for in, want := range cases {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnName(t *testing.T) {
	cases := []struct {
		f    Field
		want string
	}{
		{Field{Name: "name", Kind: Char}, "name"},
		{Field{Name: "maker", Kind: ForeignKey}, "maker_id"},
		{Field{Name: "owner", Kind: OneToOne}, "owner_id"},
		{Field{Name: "maker", Kind: ForeignKey, Column: "made_by"}, "made_by"},
		{Field{Name: "tags", Kind: ManyToMany}, ""},
	}
	for _, tc := range cases {
		if got := tc.f.ColumnName(); got != tc.want {
			t.Errorf("%+v: ColumnName = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestCloneIsDeep guards the copy-on-write rule operations rely on: editing
// a clone never shows through in the original.
func TestCloneIsDeep(t *testing.T) {
	m := &Model{App: "main", Name: "Car", Table: "car",
		Fields: []*Field{{Name: "maker", Kind: ForeignKey, Default: Str("1"), Choices: []string{"a"},
			Relation: &Relation{To: "main.Maker", OnDelete: "CASCADE"}}},
		UniqueTogether: [][]string{{"maker"}},
		Indexes:        []Index{{Name: "i", Fields: []string{"maker"}}},
		Constraints:    []Constraint{{Kind: UniqueConstraint, Name: "u", Fields: []string{"maker"}}},
		Options:        Options{Ordering: []string{"maker"}},
	}
	p := NewProject()
	if err := p.Add(m); err != nil {
		t.Fatal(err)
	}
	want := p.Clone()
	c := p.Clone().Model("main", "car")
	f := c.Fields[0]
	f.Name, *f.Default, f.Choices[0], f.Relation.OnDelete = "x", "2", "b", "SET_NULL"
	c.UniqueTogether[0][0], c.Indexes[0].Fields[0], c.Constraints[0].Fields[0], c.Options.Ordering[0] = "x", "x", "x", "x"
	if diff := cmp.Diff(want, p); diff != "" {
		t.Fatalf("editing a clone changed the original:\n%s", diff)
	}
}

func TestResolveAndReferrers(t *testing.T) {
	p := NewProject()
	maker := &Model{App: "main", Name: "Maker", Table: "maker"}
	car := &Model{App: "main", Name: "Car", Table: "car", Fields: []*Field{
		{Name: "maker", Kind: ForeignKey, Relation: &Relation{To: "main.Maker"}},
	}}
	review := &Model{App: "blog", Name: "Review", Table: "review", Fields: []*Field{
		{Name: "maker", Kind: ForeignKey, Relation: &Relation{To: "main.Maker"}},
	}}
	for _, m := range []*Model{maker, car, review} {
		if err := p.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	if p.Resolve("main", "Maker") != maker || p.Resolve("blog", "main.maker") != maker || p.Resolve("blog", "Maker") != nil {
		t.Fatal("Resolve does not follow app labels")
	}
	refs := p.Referrers(maker)
	if len(refs) != 2 || refs[0].Model != review || refs[1].Model != car {
		t.Fatalf("Referrers = %+v, want blog.Review then main.Car", refs)
	}
	if err := p.Add(&Model{App: "main", Name: "car"}); err == nil {
		t.Fatal("a second main.Car was accepted")
	}
}

func TestColumnsErrors(t *testing.T) {
	m := &Model{App: "main", Name: "Car", Fields: []*Field{
		{Name: "name", Kind: Char}, {Name: "tags", Kind: ManyToMany},
	}}
	if got, err := m.Columns([]string{"-name"}); err != nil || got[0] != "-name" {
		t.Fatalf("Columns(-name) = %v, %v", got, err)
	}
	if _, err := m.Columns([]string{"nope"}); err == nil {
		t.Fatal("unknown field accepted")
	}
	if _, err := m.Columns([]string{"tags"}); err == nil {
		t.Fatal("many-to-many field accepted as a column")
	}
}
