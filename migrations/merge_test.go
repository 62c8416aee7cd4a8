package migrations

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

func TestMergeClashes(t *testing.T) {
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
			root := &Migration{App: "main", Name: "0001_initial"}
			dep := []Key{root.Key()}
			a := &Migration{App: "main", Name: "0002_a", Dependencies: dep, Operations: tt.a}
			b := &Migration{App: "main", Name: "0002_b", Dependencies: dep, Operations: tt.b}
			g, err := NewGraph([]*Migration{root, a, b})
			if err != nil {
				t.Fatal(err)
			}
			ms := Merges(g, nil)
			if len(ms) != 1 {
				t.Fatalf("Merges = %d merges, want 1", len(ms))
			}
			if diff := cmp.Diff(tt.want, ms[0].Clashes); diff != "" {
				t.Errorf("Merge.Clashes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeMigration(t *testing.T) {
	t.Parallel()
	root := &Migration{App: "main", Name: "0001_initial"}
	dep := []Key{root.Key()}
	a := &Migration{App: "main", Name: "0002_a", Dependencies: dep, Operations: []operations.Operation{operations.DeleteModel{Name: "Owner"}}}
	b := &Migration{App: "main", Name: "0002_" + strings.Repeat("b", 60), Dependencies: dep}
	g, err := NewGraph([]*Migration{root, a, b})
	if err != nil {
		t.Fatal(err)
	}
	ms := Merges(g, []string{"main"})
	if len(ms) != 1 || len(Merges(g, []string{"blog"})) != 0 {
		t.Fatalf("Merges: %d for main, want 1 and none for another app", len(ms))
	}
	mg := ms[0]
	if diff := cmp.Diff([][]BranchOp{{{Migration: a.Key(), Operation: a.Operations[0]}}, nil}, mg.Branches); diff != "" {
		t.Errorf("Branches (-want +got):\n%s", diff)
	}
	now := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
	got := mg.Migration(g, "", now)
	if got.Name != "0003_merge_20260304_0506" || !cmp.Equal(got.Dependencies, mg.Leaves) || len(got.Operations) != 0 {
		t.Errorf("Migration = %s depending on %v, want 0003_merge_20260304_0506 on both leaves and no operations", got.Name, got.Dependencies)
	}
	if got := mg.Migration(g, "join", now).Name; got != "0003_join" {
		t.Errorf("named Migration = %s, want 0003_join", got)
	}
	if got := mergeName([]Key{a.Key(), root.Key()}, "x"); got != "merge_0002_a_0001_initial" {
		t.Errorf("mergeName = %s", got)
	}
}
