package operations

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/pkg/state"
)

func carProject(t *testing.T) *state.Project {
	t.Helper()
	p := state.NewProject()
	ops := []Operation{
		CreateModel{Name: "Manufacturer", Table: "manufacturer", Fields: []*state.Field{
			{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
			{Name: "name", Kind: state.Char, MaxLength: 100, Unique: true},
		}},
		CreateModel{Name: "Car", Table: "car", Fields: []*state.Field{
			{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
			{Name: "name", Kind: state.Char, MaxLength: 30},
			{Name: "maker", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "CASCADE", ToField: "name"}},
		}, UniqueTogether: [][]string{{"maker", "name"}}, Indexes: []state.Index{{Name: "car_name_idx", Fields: []string{"-name"}}}},
	}
	if err := Apply("main", ops, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStateForwards checks each operation's effect on the state, and that a
// shallow snapshot taken before it is left untouched (copy on write).
func TestStateForwards(t *testing.T) {
	cases := []struct {
		name  string
		op    Operation
		check func(t *testing.T, p *state.Project)
	}{
		{"add field", AddField{Model: "Car", Field: &state.Field{Name: "year", Kind: state.Integer, Null: true}}, func(t *testing.T, p *state.Project) {
			if f := p.Model("main", "car").Field("year"); f == nil || !f.Null {
				t.Fatalf("year not added: %+v", f)
			}
		}},
		{"remove field", RemoveField{Model: "Car", Name: "name"}, func(t *testing.T, p *state.Project) {
			if p.Model("main", "car").Field("name") != nil {
				t.Fatal("name still there")
			}
		}},
		{"alter field", AlterField{Model: "Car", Name: "name", Field: &state.Field{Kind: state.Char, MaxLength: 60}}, func(t *testing.T, p *state.Project) {
			if f := p.Model("main", "car").Field("name"); f.MaxLength != 60 || f.Name != "name" {
				t.Fatalf("name not altered: %+v", f)
			}
		}},
		{"rename field follows indexes and unique_together", RenameField{Model: "Car", OldName: "name", NewName: "title"}, func(t *testing.T, p *state.Project) {
			m := p.Model("main", "car")
			if m.Field("title") == nil || m.Field("name") != nil {
				t.Fatal("not renamed")
			}
			if diff := cmp.Diff([][]string{{"maker", "title"}}, m.UniqueTogether); diff != "" {
				t.Fatal(diff)
			}
			if diff := cmp.Diff([]string{"-title"}, m.Indexes[0].Fields); diff != "" {
				t.Fatal(diff)
			}
		}},
		{"rename target field follows to_field", RenameField{Model: "Manufacturer", OldName: "name", NewName: "label"}, func(t *testing.T, p *state.Project) {
			if got := p.Model("main", "car").Field("maker").Relation.ToField; got != "label" {
				t.Fatalf("to_field = %q", got)
			}
		}},
		{"alter table", AlterModelTable{Name: "Car", Table: "local_car"}, func(t *testing.T, p *state.Project) {
			if got := p.Model("main", "car").Table; got != "local_car" {
				t.Fatalf("table = %q", got)
			}
		}},
		{"unique together", AlterUniqueTogether{Name: "Car"}, func(t *testing.T, p *state.Project) {
			if got := p.Model("main", "car").UniqueTogether; len(got) != 0 {
				t.Fatalf("unique_together = %v", got)
			}
		}},
		{"add index", AddIndex{Model: "Car", Index: state.Index{Name: "car_maker_idx2", Fields: []string{"maker"}}}, func(t *testing.T, p *state.Project) {
			if p.Model("main", "car").Index("car_maker_idx2") == nil {
				t.Fatal("index missing")
			}
		}},
		{"remove index", RemoveIndex{Model: "Car", Name: "car_name_idx"}, func(t *testing.T, p *state.Project) {
			if len(p.Model("main", "car").Indexes) != 0 {
				t.Fatal("index still there")
			}
		}},
		{"rename index", RenameIndex{Model: "Car", OldName: "car_name_idx", NewName: "car_title_idx"}, func(t *testing.T, p *state.Project) {
			if p.Model("main", "car").Index("car_title_idx") == nil {
				t.Fatal("index not renamed")
			}
		}},
		{"add constraint", AddConstraint{Model: "Car", Constraint: state.Constraint{Kind: state.CheckConstraint, Name: "named", Check: "name <> ''"}}, func(t *testing.T, p *state.Project) {
			if p.Model("main", "car").Constraint("named") == nil {
				t.Fatal("constraint missing")
			}
		}},
		{"options", AlterModelOptions{Name: "Car", Options: state.Options{Ordering: []string{"-name"}}}, func(t *testing.T, p *state.Project) {
			if diff := cmp.Diff([]string{"-name"}, p.Model("main", "car").Options.Ordering); diff != "" {
				t.Fatal(diff)
			}
		}},
		{"rename model follows its referrers and derived table", RenameModel{OldName: "Manufacturer", NewName: "Maker"}, func(t *testing.T, p *state.Project) {
			if p.Model("main", "manufacturer") != nil {
				t.Fatal("the old model is still there")
			}
			m := p.Model("main", "maker")
			if m == nil || m.Name != "Maker" || m.Table != "maker" {
				t.Fatalf("renamed model = %+v, want Maker in table maker", m)
			}
			if got := p.Model("main", "car").Field("maker").Relation.To; got != "main.Maker" {
				t.Fatalf("car.maker points at %q", got)
			}
		}},
		{"rename model renames a derived table", RenameModel{OldName: "Car", NewName: "Auto"}, func(t *testing.T, p *state.Project) {
			if got := p.Model("main", "auto").Table; got != "auto" {
				t.Fatalf("table = %q, want the derived auto", got)
			}
		}},
		{"delete model", DeleteModel{Name: "Car"}, func(t *testing.T, p *state.Project) {
			if p.Model("main", "car") != nil {
				t.Fatal("car still there")
			}
		}},
		{"separate database and state", SeparateDatabaseAndState{State: []Operation{DeleteModel{Name: "Car"}}}, func(t *testing.T, p *state.Project) {
			if p.Model("main", "car") != nil {
				t.Fatal("state operations not applied")
			}
		}},
		{"run sql leaves state", RunSQL{SQL: []string{"SELECT 1"}}, func(t *testing.T, p *state.Project) {
			if p.Model("main", "car") == nil {
				t.Fatal("state changed")
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := carProject(t)
			before := p.CloneShallow()
			deep := p.Clone()
			if err := tc.op.StateForwards("main", p); err != nil {
				t.Fatal(err)
			}
			tc.check(t, p)
			if diff := cmp.Diff(deep, before, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("the snapshot taken before the operation changed (-want +got):\n%s", diff)
			}
			if tc.op.Describe() == "" {
				t.Fatal("empty description")
			}
		})
	}
}

func TestStateForwardsErrors(t *testing.T) {
	cases := []struct {
		op   Operation
		want string
	}{
		{AddField{Model: "Car", Field: &state.Field{Name: "name", Kind: state.Text}}, "already has a field name"},
		{AddField{Model: "Boat", Field: &state.Field{Name: "x", Kind: state.Text}}, "main.Boat does not exist"},
		{AddField{Model: "Car", Field: &state.Field{Name: "x", Kind: "money"}}, `unknown kind "money"`},
		{AddField{Model: "Car", Field: &state.Field{Name: "x", Kind: state.Char}}, "needs MaxLength"},
		{RemoveField{Model: "Car", Name: "nope"}, "has no field nope"},
		{CreateModel{Name: "Car", Table: "car2"}, "already exists"},
		{AddIndex{Model: "Car", Index: state.Index{Name: "i", Fields: []string{"nope"}}}, `has no field "nope"`},
		{RemoveConstraint{Model: "Car", Name: "nope"}, "has no constraint nope"},
		{AlterUniqueTogether{Name: "Car", UniqueTogether: [][]string{{"nope"}}}, `has no field "nope"`},
		{RenameModel{OldName: "Boat", NewName: "Ship"}, "main.Boat does not exist"},
		{RenameModel{OldName: "Car", NewName: "Manufacturer"}, "main.Manufacturer already exists"},
		{RenameModel{OldName: "Car"}, "both OldName and NewName are needed"},
	}
	for _, tc := range cases {
		err := tc.op.StateForwards("main", carProject(t))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.op.Describe(), err, tc.want)
		}
	}
}

func TestNarrows(t *testing.T) {
	cases := []struct {
		old, new state.Field
		want     bool
	}{
		{state.Field{Kind: state.Char, MaxLength: 50}, state.Field{Kind: state.Char, MaxLength: 20}, true},
		{state.Field{Kind: state.Char, MaxLength: 20}, state.Field{Kind: state.Char, MaxLength: 50}, false},
		{state.Field{Kind: state.Char, MaxLength: 20}, state.Field{Kind: state.Text}, false},
		{state.Field{Kind: state.Text}, state.Field{Kind: state.Char, MaxLength: 20}, true},
		{state.Field{Kind: state.Integer}, state.Field{Kind: state.BigInteger}, false},
		{state.Field{Kind: state.BigInteger}, state.Field{Kind: state.Integer}, true},
		{state.Field{Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2}, state.Field{Kind: state.Decimal, MaxDigits: 8, DecimalPlaces: 2}, true},
	}
	for _, tc := range cases {
		if got := Narrows(&tc.old, &tc.new); got != tc.want {
			t.Errorf("Narrows(%v, %v) = %v, want %v", tc.old, tc.new, got, tc.want)
		}
	}
}

// TestRenameModelRelations checks that a model rename reaches every
// relation naming the model, in its own app and others, as target or
// through model, self-references included, and leaves an explicit table.
func TestRenameModelRelations(t *testing.T) {
	p := state.NewProject()
	id := func() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }
	models := []*state.Model{
		{App: "main", Name: "Person", Table: "people", Fields: []*state.Field{id(),
			{Name: "parent", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "Person", OnDelete: "SET_NULL"}},
			{Name: "friends", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Person", Through: "Friendship"}},
		}},
		{App: "main", Name: "Friendship", Table: "friendship", Fields: []*state.Field{id(),
			{Name: "a", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.person", OnDelete: "CASCADE"}},
			{Name: "b", Kind: state.ForeignKey, Relation: &state.Relation{To: "Person", OnDelete: "CASCADE"}},
		}},
		{App: "shop", Name: "Order", Table: "order", Fields: []*state.Field{id(),
			{Name: "buyer", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Person", OnDelete: "PROTECT"}},
			{Name: "seller", Kind: state.ForeignKey, Relation: &state.Relation{To: "Person", OnDelete: "PROTECT"}},
		}},
		{App: "shop", Name: "Person", Table: "shop_person", Fields: []*state.Field{id()}},
	}
	for _, m := range models {
		if err := p.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	before := p.Clone()
	if err := (RenameModel{OldName: "Person", NewName: "Member"}).StateForwards("main", p); err != nil {
		t.Fatal(err)
	}
	m := p.Model("main", "Member")
	if m == nil || m.Table != "people" {
		t.Fatalf("renamed model = %+v, want Member keeping table people", m)
	}
	want := map[string]string{
		"main.member.parent":  "main.Member",
		"main.member.friends": "main.Member",
		"main.friendship.a":   "main.Member",
		"main.friendship.b":   "main.Member",
		"shop.order.buyer":    "main.Member",
		"shop.order.seller":   "Person", // shop's own Person, untouched
	}
	for path, to := range want {
		i := strings.LastIndexByte(path, '.')
		f := p.Models[path[:i]].Field(path[i+1:])
		if f.Relation.To != to {
			t.Errorf("%s points at %q, want %q", path, f.Relation.To, to)
		}
	}
	if got := m.Field("friends").Relation.Through; got != "Friendship" {
		t.Errorf("through = %q, want Friendship untouched", got)
	}
	if diff := cmp.Diff(before.Model("shop", "Person"), p.Model("shop", "Person")); diff != "" {
		t.Errorf("shop.Person changed:\n%s", diff)
	}
}
