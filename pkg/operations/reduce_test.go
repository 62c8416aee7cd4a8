package operations

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/pkg/state"
)

func TestReduce(t *testing.T) {
	t.Parallel()
	char := func(name string, n int) *state.Field { return &state.Field{Name: name, Kind: state.Char, MaxLength: n} }
	car := CreateModel{Name: "Car", Table: "car", Fields: []*state.Field{char("a", 1)}}
	self := &state.Field{Name: "parent", Kind: state.ForeignKey, Relation: &state.Relation{To: "Car", OnDelete: "CASCADE"}}
	tests := []struct {
		name  string
		op    Reducer
		next  Operation
		want  Operation
		folds bool
	}{
		{"create + delete vanish", car, DeleteModel{Name: "car"}, nil, true},
		{"create + add field", car, AddField{Model: "Car", Field: char("b", 2)},
			CreateModel{Name: "Car", Table: "car", Fields: []*state.Field{char("a", 1), char("b", 2)}}, true},
		{"create + add field of another model", car, AddField{Model: "Bus", Field: char("b", 2)}, nil, false},
		{"create + add existing field", car, AddField{Model: "Car", Field: char("a", 2)}, nil, false},
		{"create + rename follows the table and self relations",
			CreateModel{Name: "Car", Table: "car", Fields: []*state.Field{self}}, RenameModel{OldName: "Car", NewName: "Auto"},
			CreateModel{Name: "Auto", Table: "auto", Fields: []*state.Field{{Name: "parent", Kind: state.ForeignKey,
				Relation: &state.Relation{To: "main.Auto", OnDelete: "CASCADE"}}}}, true},
		{"create + raw SQL", car, RunSQL{}, nil, false},
		{"add + alter keeps the fill", AddField{Model: "Car", Field: char("b", 2), Fill: state.Str("x")},
			AlterField{Model: "car", Name: "b", Field: char("b", 5)},
			AddField{Model: "Car", Field: char("b", 5), Fill: state.Str("x")}, true},
		{"add + remove vanish", AddField{Model: "Car", Field: char("b", 2)}, RemoveField{Model: "Car", Name: "b"}, nil, true},
		{"add + rename", AddField{Model: "Car", Field: char("b", 2)}, RenameField{Model: "Car", OldName: "b", NewName: "c"},
			AddField{Model: "Car", Field: char("c", 2)}, true},
		{"alter + alter is the last", AlterField{Model: "Car", Name: "a", Field: char("a", 2), Fill: state.Str("x")},
			AlterField{Model: "Car", Name: "a", Field: char("a", 3)},
			AlterField{Model: "Car", Name: "a", Field: char("a", 3), Fill: state.Str("x")}, true},
		{"alter + remove is the removal", AlterField{Model: "Car", Name: "a", Field: char("a", 2)},
			RemoveField{Model: "Car", Name: "a"}, RemoveField{Model: "Car", Name: "a"}, true},
		{"alter + alter of another field", AlterField{Model: "Car", Name: "a", Field: char("a", 2)},
			AlterField{Model: "Car", Name: "b", Field: char("b", 3)}, nil, false},
		{"rename field chain", RenameField{Model: "Car", OldName: "a", NewName: "b"}, RenameField{Model: "Car", OldName: "b", NewName: "c"},
			RenameField{Model: "Car", OldName: "a", NewName: "c"}, true},
		{"rename field back vanishes", RenameField{Model: "Car", OldName: "a", NewName: "b"}, RenameField{Model: "Car", OldName: "b", NewName: "a"}, nil, true},
		{"rename field + remove", RenameField{Model: "Car", OldName: "a", NewName: "b"}, RemoveField{Model: "Car", Name: "b"},
			RemoveField{Model: "Car", Name: "a"}, true},
		{"rename model chain", RenameModel{OldName: "A", NewName: "B"}, RenameModel{OldName: "b", NewName: "C"},
			RenameModel{OldName: "A", NewName: "C"}, true},
		{"rename model + delete", RenameModel{OldName: "A", NewName: "B"}, DeleteModel{Name: "B"}, DeleteModel{Name: "A"}, true},
		{"add index + remove vanish", AddIndex{Model: "Car", Index: state.Index{Name: "i", Fields: []string{"a"}}},
			RemoveIndex{Model: "Car", Name: "i"}, nil, true},
		{"add index + rename", AddIndex{Model: "Car", Index: state.Index{Name: "i", Fields: []string{"a"}}},
			RenameIndex{Model: "Car", OldName: "i", NewName: "j"}, AddIndex{Model: "Car", Index: state.Index{Name: "j", Fields: []string{"a"}}}, true},
		{"add constraint + remove vanish", AddConstraint{Model: "Car", Constraint: state.Constraint{Name: "u"}},
			RemoveConstraint{Model: "Car", Name: "u"}, nil, true},
		{"add constraint + remove another", AddConstraint{Model: "Car", Constraint: state.Constraint{Name: "u"}},
			RemoveConstraint{Model: "Car", Name: "v"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, folds := tt.op.Reduce("main", tt.next)
			if folds != tt.folds {
				t.Fatalf("Reduce folds = %v, want %v", folds, tt.folds)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Reduce (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRetargetLeavesInputAlone: following a rename copies the field it changes.
func TestRetargetLeavesInputAlone(t *testing.T) {
	t.Parallel()
	f := &state.Field{Name: "car", Kind: state.ForeignKey, Relation: &state.Relation{To: "Car", OnDelete: "CASCADE"}}
	op, ok := AddField{Model: "Bus", Field: f}.Retarget("main", RenameModel{OldName: "Car", NewName: "Auto"})
	if !ok || op.(AddField).Field.Relation.To != "main.Auto" {
		t.Fatalf("Retarget = %+v, %v; want the relation on main.Auto", op, ok)
	}
	if f.Relation.To != "Car" {
		t.Errorf("Retarget changed its input: %q", f.Relation.To)
	}
	if _, ok := (AlterField{Model: "Bus", Name: "x", Field: &state.Field{Name: "x", Kind: state.Text}}).Retarget("main", RenameModel{OldName: "Car", NewName: "Auto"}); ok {
		t.Error("Retarget reported a change for a field without relations")
	}
}
