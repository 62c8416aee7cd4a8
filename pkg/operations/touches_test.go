package operations

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/pkg/state"
)

// TestAllNamesEveryType: All lists every operation type of the package (a
// type with a Describe method), each once and as a value, so the compiler's
// check that it implements Operation covers every type there is.
func TestAllNamesEveryType(t *testing.T) {
	t.Parallel()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || fn.Name.Name != "Describe" {
					continue
				}
				typ := fn.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				declared[typ.(*ast.Ident).Name] = true
			}
		}
	}
	listed := map[string]bool{}
	for _, op := range All() {
		typ := reflect.TypeOf(op)
		if typ.Kind() != reflect.Struct {
			t.Errorf("All lists %s, want a struct value", typ)
			continue
		}
		if listed[typ.Name()] {
			t.Errorf("All lists %s twice", typ.Name())
		}
		listed[typ.Name()] = true
		if !declared[typ.Name()] {
			t.Errorf("All lists %s, which has no Describe method of its own", typ.Name())
		}
	}
	for name := range declared {
		if !listed[name] {
			t.Errorf("operation type %s is missing from All", name)
		}
	}
}

// TestAbilities pins which operation types have which optional ability:
// adding a type, or an ability to a type, is a decision this table records.
func TestAbilities(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"CreateModel":              "reduce retarget subject",
		"DeleteModel":              "subject",
		"RenameModel":              "reduce subject",
		"AlterModelTable":          "subject",
		"AlterModelOptions":        "subject",
		"AlterUniqueTogether":      "preflight subject",
		"AddField":                 "reduce retarget preflight subject",
		"RemoveField":              "preflight subject",
		"AlterField":               "reduce retarget preflight subject",
		"RenameField":              "reduce subject",
		"AddIndex":                 "reduce subject",
		"RemoveIndex":              "subject",
		"RenameIndex":              "subject",
		"AddConstraint":            "reduce preflight subject",
		"RemoveConstraint":         "preflight subject",
		"RunSQL":                   "data advice",
		"RunGo":                    "data advice",
		"SeparateDatabaseAndState": "",
	}
	for _, op := range All() {
		var got []string
		for _, a := range []struct {
			name string
			has  bool
		}{
			{"reduce", is[Reducer](op)}, {"retarget", is[Retargeter](op)}, {"preflight", is[Preflighter](op)},
			{"data", is[DataChanger](op)}, {"advice", is[ReverseAdvisor](op)}, {"subject", is[HasSubject](op)},
		} {
			if a.has {
				got = append(got, a.name)
			}
		}
		name := reflect.TypeOf(op).Name()
		if w, ok := want[name]; !ok || w != strings.Join(got, " ") {
			t.Errorf("%s has %q, want %q", name, strings.Join(got, " "), w)
		}
	}
}

func is[T any](op Operation) bool {
	_, ok := op.(T)
	return ok
}

func TestTouches(t *testing.T) {
	t.Parallel()
	fk := &state.Field{Name: "maker", Kind: state.ForeignKey, Relation: &state.Relation{To: "shop.Maker", Through: ""}}
	m2m := &state.Field{Name: "tags", Kind: state.ManyToMany, Relation: &state.Relation{To: "Tag", Through: "CarTag"}}
	tests := []struct {
		op   Operation
		want Touches
	}{
		{CreateModel{Name: "Car", Fields: []*state.Field{{Name: "id"}, fk, m2m}},
			Touches{Changes: []Ref{{Model: "Car"}}, Reads: []Ref{{Model: "shop.Maker"}, {Model: "Tag"}, {Model: "CarTag"}}}},
		{DeleteModel{Name: "Car"}, Touches{Changes: []Ref{{Model: "Car"}}}},
		{RenameModel{OldName: "Car", NewName: "Auto"}, Touches{Changes: []Ref{{Model: "Car"}, {Model: "Auto"}}, Redirects: true}},
		{AlterModelTable{Name: "Car", Table: "cars"}, Touches{Changes: []Ref{{Model: "Car"}}}},
		{AlterModelOptions{Name: "Car"}, Touches{Changes: []Ref{{Model: "Car", Option: "options"}}}},
		{AlterUniqueTogether{Name: "Car", UniqueTogether: [][]string{{"a", "b"}}},
			Touches{Changes: []Ref{{Model: "Car", Option: "unique_together"}}, Reads: []Ref{{Model: "Car", Field: "a"}, {Model: "Car", Field: "b"}}}},
		{AddField{Model: "Car", Field: fk},
			Touches{Changes: []Ref{{Model: "Car", Field: "maker"}}, Reads: []Ref{{Model: "shop.Maker"}}, Appends: "fields"}},
		{AddField{Model: "Car"}, Touches{Changes: []Ref{{Model: "Car"}}, Appends: "fields"}},
		{RemoveField{Model: "Car", Name: "a"}, Touches{Changes: []Ref{{Model: "Car", Field: "a"}}}},
		{AlterField{Model: "Car", Name: "maker", Field: fk},
			Touches{Changes: []Ref{{Model: "Car", Field: "maker"}}, Reads: []Ref{{Model: "shop.Maker"}}}},
		{RenameField{Model: "Car", OldName: "a", NewName: "b"},
			Touches{Changes: []Ref{{Model: "Car", Field: "a"}, {Model: "Car", Field: "b"}}}},
		{AddIndex{Model: "Car", Index: state.Index{Name: "car_idx", Fields: []string{"a", "-b"}}},
			Touches{Changes: []Ref{{Model: "Car", Option: "index car_idx", Within: []string{"a", "b"}}},
				Reads: []Ref{{Model: "Car", Field: "a"}, {Model: "Car", Field: "b"}}, Appends: "indexes"}},
		{RemoveIndex{Model: "Car", Name: "car_idx"}, Touches{Changes: []Ref{{Model: "Car", Option: "index car_idx"}}}},
		{RenameIndex{Model: "Car", OldName: "x", NewName: "y"},
			Touches{Changes: []Ref{{Model: "Car", Option: "index x"}, {Model: "Car", Option: "index y"}}}},
		{AddConstraint{Model: "Car", Constraint: state.Constraint{Kind: state.UniqueConstraint, Name: "u", Fields: []string{"a"}}},
			Touches{Changes: []Ref{{Model: "Car", Option: "constraint u", Within: []string{"a"}}},
				Reads: []Ref{{Model: "Car", Field: "a"}}, Appends: "constraints"}},
		{AddConstraint{Model: "Car", Constraint: state.Constraint{Kind: state.CheckConstraint, Name: "c", Check: "a > 0"}},
			Touches{Changes: []Ref{{Model: "Car", Option: "constraint c"}}, Appends: "constraints"}},
		{RemoveConstraint{Model: "Car", Name: "u"}, Touches{Changes: []Ref{{Model: "Car", Option: "constraint u"}}}},
		{RunSQL{SQL: []string{"SELECT 1"}}, Touches{Opaque: true}},
		{RunGo{}, Touches{Opaque: true}},
		{SeparateDatabaseAndState{Database: []Operation{RunSQL{}}, State: []Operation{DeleteModel{Name: "Car"}, AddField{Model: "Bus", Field: fk}}},
			Touches{Changes: []Ref{{Model: "Car"}, {Model: "Bus", Field: "maker"}}, Reads: []Ref{{Model: "shop.Maker"}}, Opaque: true}},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%d %T", i, tt.op), func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.op.Touches(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Touches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNaming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op   Operation
		want Naming
	}{
		{CreateModel{Name: "Car"}, Naming{Fragment: "Car", Creates: "Car"}},
		{DeleteModel{Name: "Car"}, Naming{Fragment: "delete_Car"}},
		{RenameModel{OldName: "Car", NewName: "Auto"}, Naming{Fragment: "rename_Car_Auto"}},
		{AlterModelTable{Name: "Car", Table: "cars"}, Naming{Fragment: "alter_Car_table"}},
		{AlterModelOptions{Name: "Car"}, Naming{Fragment: "alter_Car_options"}},
		{AlterUniqueTogether{Name: "Car"}, Naming{Fragment: "alter_Car_unique_together", Extends: "Car"}},
		{AddField{Model: "Car", Field: &state.Field{Name: "maker"}}, Naming{Fragment: "Car_maker", Extends: "Car"}},
		{AddField{Model: "Car"}, Naming{Extends: "Car"}},
		{RemoveField{Model: "Car", Name: "a"}, Naming{Fragment: "remove_Car_a"}},
		{AlterField{Model: "Car", Name: "a"}, Naming{Fragment: "alter_Car_a"}},
		{RenameField{Model: "Car", OldName: "a", NewName: "b"}, Naming{Fragment: "rename_a_Car_b"}},
		{AddIndex{Model: "Car", Index: state.Index{Name: "car_idx"}}, Naming{Fragment: "Car_car_idx", Extends: "Car"}},
		{RemoveIndex{Model: "Car", Name: "car_idx"}, Naming{Fragment: "remove_Car_car_idx"}},
		{RenameIndex{Model: "Car", OldName: "x", NewName: "y"}, Naming{Fragment: "rename_Car_x_y"}},
		{AddConstraint{Model: "Car", Constraint: state.Constraint{Name: "u"}}, Naming{Fragment: "Car_u", Extends: "Car"}},
		{RemoveConstraint{Model: "Car", Name: "u"}, Naming{Fragment: "remove_Car_u"}},
		{RunSQL{}, Naming{}},
		{RunGo{}, Naming{}},
		{SeparateDatabaseAndState{}, Naming{}},
	}
	for _, tt := range tests {
		if got := tt.op.Naming(); got != tt.want {
			t.Errorf("%T.Naming() = %+v, want %+v", tt.op, got, tt.want)
		}
	}
}

func TestSubject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op   HasSubject
		want []string
	}{
		{CreateModel{Name: "Car"}, []string{"Car"}},
		{AlterModelTable{Name: "Car", Table: "cars"}, []string{"Car", "cars"}},
		{AddField{Model: "Car"}, []string{"Car", ""}},
		{AddField{Model: "Car", Field: &state.Field{Name: "a"}}, []string{"Car", "a"}},
		{RenameField{Model: "Car", OldName: "a", NewName: "b"}, []string{"Car", "a", "b"}},
		{AddIndex{Model: "Car", Index: state.Index{Name: "i"}}, []string{"Car", "i"}},
		{AddConstraint{Model: "Car", Constraint: state.Constraint{Name: "u"}}, []string{"Car", "u"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.op.Subject()); diff != "" {
			t.Errorf("%T.Subject() (-want +got):\n%s", tt.op, diff)
		}
	}
}

func TestOptionalHelpers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		op     Operation
		data   bool
		advice string
	}{
		{RunSQL{}, true, "give that RunSQL a Reverse"},
		{RunGo{}, true, "give that RunGo a Reverse function"},
		{SeparateDatabaseAndState{}, false, ""},
		{AddField{}, false, ""},
	} {
		if got := ChangesData(tt.op); got != tt.data {
			t.Errorf("ChangesData(%T) = %v, want %v", tt.op, got, tt.data)
		}
		if got := ReverseAdvice(tt.op); !strings.Contains(got, tt.advice) || (tt.advice == "") != (got == "") {
			t.Errorf("ReverseAdvice(%T) = %q, want it to say %q", tt.op, got, tt.advice)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	nested := SeparateDatabaseAndState{Database: []Operation{&RunSQL{SQL: []string{"SELECT 1"}}}, State: []Operation{DeleteModel{Name: "A"}}}
	tests := []struct {
		name    string
		in      Operation
		want    Operation
		changed bool
	}{
		{"value", AddField{Model: "Car"}, AddField{Model: "Car"}, false},
		{"pointer", &AddField{Model: "Car"}, AddField{Model: "Car"}, true},
		{"nil pointer stays", (*AddField)(nil), (*AddField)(nil), false},
		{"nested pointer", nested,
			SeparateDatabaseAndState{Database: []Operation{RunSQL{SQL: []string{"SELECT 1"}}}, State: []Operation{DeleteModel{Name: "A"}}}, true},
		{"pointer to nested pointer", &nested,
			SeparateDatabaseAndState{Database: []Operation{RunSQL{SQL: []string{"SELECT 1"}}}, State: []Operation{DeleteModel{Name: "A"}}}, true},
		{"nested values", SeparateDatabaseAndState{State: []Operation{DeleteModel{Name: "A"}}},
			SeparateDatabaseAndState{State: []Operation{DeleteModel{Name: "A"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, changed := Normalize(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" || changed != tt.changed {
				t.Errorf("Normalize = %v (-want +got):\n%s", changed, diff)
			}
		})
	}
	if _, ok := nested.Database[0].(*RunSQL); !ok {
		t.Error("Normalize changed the operation it was given")
	}
	ops := []Operation{DeleteModel{Name: "A"}}
	if out, changed := NormalizeAll(ops); changed || &out[0] != &ops[0] {
		t.Error("NormalizeAll copied a list of values")
	}
}
