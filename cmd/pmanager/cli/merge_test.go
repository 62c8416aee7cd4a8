package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

func TestBranchClashes(t *testing.T) {
	t.Parallel()
	char := func(name string) *state.Field { return &state.Field{Name: name, Kind: state.Char, MaxLength: 9} }
	fk := func(name, to string) *state.Field {
		return &state.Field{Name: name, Kind: state.ForeignKey, Relation: &state.Relation{To: to, OnDelete: "CASCADE"}}
	}
	tests := []struct {
		name string
		a, b []operations.Operation
		want []string
	}{
		{"different fields", []operations.Operation{operations.AddField{Model: "Car", Field: char("color")}},
			[]operations.Operation{operations.AlterField{Model: "Car", Name: "size", Field: char("size")}}, []string{}},
		{"one field", []operations.Operation{operations.AddField{Model: "Car", Field: char("color")}},
			[]operations.Operation{operations.RemoveField{Model: "car", Name: "color"}}, []string{"Car.color (0002_a and 0002_b)"}},
		{"a rename and a change of the old name", []operations.Operation{operations.RenameField{Model: "Car", OldName: "name", NewName: "title"}},
			[]operations.Operation{operations.AlterField{Model: "Car", Name: "name", Field: char("name")}}, []string{"Car.name (0002_a and 0002_b)"}},
		{"a deleted model another branch points at", []operations.Operation{operations.DeleteModel{Name: "Owner"}},
			[]operations.Operation{operations.AddField{Model: "Car", Field: fk("owner", "main.Owner")}}, []string{"model Owner (0002_a and 0002_b)"}},
		{"a new foreign key and a new field on its target", []operations.Operation{operations.AddField{Model: "Owner", Field: char("phone")}},
			[]operations.Operation{operations.AddField{Model: "Car", Field: fk("owner", "main.Owner")}}, []string{}},
		{"an index on a field the other branch removes", []operations.Operation{operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_color", Fields: []string{"-color"}}}},
			[]operations.Operation{operations.RemoveField{Model: "Car", Name: "color"}}, []string{"Car.color (0002_a and 0002_b)"}},
		{"the same index name", []operations.Operation{operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_idx", Fields: []string{"a"}}}},
			[]operations.Operation{operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_idx", Fields: []string{"b"}}}}, []string{"Car index car_idx (0002_a and 0002_b)"}},
		{"raw SQL names nothing", []operations.Operation{operations.RunSQL{SQL: []string{"UPDATE car SET color = 'x'"}}},
			[]operations.Operation{operations.RemoveField{Model: "Car", Name: "color"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := &migrations.Migration{App: "main", Name: "0001_initial"}
			dep := []migrations.Key{root.Key()}
			a := &migrations.Migration{App: "main", Name: "0002_a", Dependencies: dep, Operations: tt.a}
			b := &migrations.Migration{App: "main", Name: "0002_b", Dependencies: dep, Operations: tt.b}
			g, err := migrations.NewGraph([]*migrations.Migration{root, a, b})
			if err != nil {
				t.Fatal(err)
			}
			got := branchClashes(g, "main", g.Leaves("main"))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("branchClashes (-want +got):\n%s", diff)
			}
		})
	}
}
