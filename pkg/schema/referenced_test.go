package schema

import (
	"testing"

	"github.com/pmanager/pmanager/pkg/state"
)

func TestMayBeReferenced(t *testing.T) {
	t.Parallel()
	maker := &state.Model{App: "main", Name: "Maker", Table: "maker", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "code", Kind: state.Char, MaxLength: 10, Unique: true},
		{Name: "name", Kind: state.Char, MaxLength: 50},
	}}
	car := &state.Model{App: "main", Name: "Car", Table: "car", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "maker", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Maker", ToField: "code", OnDelete: "CASCADE"}},
	}}
	p := state.NewProject()
	for _, m := range []*state.Model{maker, car} {
		if err := p.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	// The model as an operation sees it may differ from p's: a key renamed.
	renamed := maker.Clone()
	renamed.Fields[0] = &state.Field{Name: "uid", Kind: state.BigAuto, PrimaryKey: true}
	tests := []struct {
		model *state.Model
		field string
		want  bool
	}{
		{maker, "id", true},    // a primary key
		{maker, "code", true},  // named by a to_field
		{maker, "name", false}, // neither
		{car, "maker", false},  // a relation column itself
		{renamed, "uid", true}, // the given model's key
		{renamed, "id", true},  // the project's model's key
		{renamed, "name", false},
		{maker, "gone", false}, // no such field, and no to_field names it
	}
	for _, tt := range tests {
		if got := MayBeReferenced(p, tt.model, tt.field); got != tt.want {
			t.Errorf("MayBeReferenced(%s.%s) = %v, want %v", tt.model.Name, tt.field, got, tt.want)
		}
	}
}
