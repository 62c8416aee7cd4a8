package autodetect

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

func TestEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ch   *Changes
		want bool
	}{
		{"nil", nil, true},
		{"zero", &Changes{}, true},
		{"app without operations", &Changes{Ops: map[string][]operations.Operation{"main": {}}}, true},
		{"one operation", &Changes{Ops: map[string][]operations.Operation{"main": {operations.DeleteModel{Name: "Car"}}}}, false},
	}
	for _, tt := range tests {
		if got := tt.ch.Empty(); got != tt.want {
			t.Errorf("%s: Empty() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestDetectRefusesBadInput checks every malformed input is an error that
// says what is wrong, never a panic.
func TestDetectRefusesBadInput(t *testing.T) {
	t.Parallel()
	car := func(f *state.Field) *state.Project {
		p := state.NewProject()
		p.Models["main.car"] = &state.Model{App: "main", Name: "Car", Table: "car", Fields: []*state.Field{f}}
		return p
	}
	misfiled := state.NewProject()
	misfiled.Models["main.truck"] = &state.Model{App: "main", Name: "Car", Table: "car"}
	nilModel := &state.Project{Models: map[string]*state.Model{"main.car": nil}}
	twice := car(&state.Field{Name: "a", Kind: state.Text})
	twice.Models["main.car"].Fields = append(twice.Models["main.car"].Fields, &state.Field{Name: "a", Kind: state.Text})
	tests := []struct {
		name     string
		from, to *state.Project
		want     string
	}{
		{"nil from", nil, state.NewProject(), "autodetect: Detect needs both"},
		{"nil to", state.NewProject(), nil, "autodetect: Detect needs both"},
		{"nil model", nilModel, state.NewProject(), `autodetect: the migration state: no model under key "main.car"`},
		{"misfiled model", state.NewProject(), misfiled, `autodetect: the models: model main.Car is filed under key "main.truck"`},
		{"nil field", state.NewProject(), car(nil), "autodetect: the models: field 1 of main.Car is missing"},
		{"duplicate field", state.NewProject(), twice, `autodetect: the models: main.Car has two fields named "a"`},
		{"relation without target", state.NewProject(), car(&state.Field{Name: "maker", Kind: state.ForeignKey}),
			"autodetect: the models: main.Car.maker is a foreignkey field without a target model"},
		{"missing through", state.NewProject(), car(&state.Field{Name: "tags", Kind: state.ManyToMany,
			Relation: &state.Relation{To: "Car", Through: "Tagging"}}),
			"autodetect: the models: main.Car.tags goes through Tagging, which is not a model"},
	}
	for _, tt := range tests {
		ch, err := Detect(tt.from, tt.to, NonInteractive())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, %v; want an error containing %q", tt.name, ch, err, tt.want)
		}
	}
}

// TestDetectNilQuestioner checks a nil questioner refuses like --noinput.
func TestDetectNilQuestioner(t *testing.T) {
	t.Parallel()
	from, err := parseProject("model main.Article\n  title text")
	if err != nil {
		t.Fatal(err)
	}
	to, err := parseProject("model main.Article\n  title text\n  rank integer")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Detect(from, to, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "cannot add the NOT NULL field rank to Article without a default") {
		t.Fatalf("got %v, want the --noinput refusal", err)
	}
}

// TestDetectedOperationsAreCopies checks the operations do not share
// memory with the states, so editing one cannot change the other.
func TestDetectedOperationsAreCopies(t *testing.T) {
	t.Parallel()
	to, err := parseProject(`
model main.Article
  title char max=10 default=x choices=a|b
  index article_idx title
  together title,id`)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := Detect(state.NewProject(), to, NonInteractive())
	if err != nil {
		t.Fatal(err)
	}
	op := ch.Ops["main"][0].(operations.CreateModel)
	op.Fields[1].Choices[0] = "changed"
	*op.Fields[1].Default = "changed"
	op.Indexes[0].Fields[0] = "changed"
	op.UniqueTogether[0][0] = "changed"
	m := to.Model("main", "Article")
	if m.Fields[1].Choices[0] != "a" || *m.Fields[1].Default != "x" || m.Indexes[0].Fields[0] != "title" || m.UniqueTogether[0][0] != "title" {
		t.Fatalf("editing the operation changed the state: %+v", m)
	}
}

// TestPlanOrder checks the model ordering on its own, cycles included.
func TestPlanOrder(t *testing.T) {
	t.Parallel()
	fk := func(from, field, to string) edge { return edge{from: from, to: to, field: field} }
	m2m := func(from, field, to string) edge { return edge{from: from, to: to, field: field, m2m: true} }
	tests := []struct {
		name         string
		nodes        []string
		edges        []edge
		targetsFirst bool
		order        string
		cut          string
	}{
		{"independent", []string{"a", "b", "c"}, nil, true, "a b c", ""},
		{"chain", []string{"a", "b", "c"}, []edge{fk("a", "x", "b"), fk("b", "y", "c")}, true, "c b a", ""},
		{"chain deleted", []string{"a", "b", "c"}, []edge{fk("a", "x", "b"), fk("b", "y", "c")}, false, "a b c", ""},
		{"self", []string{"a"}, []edge{fk("a", "x", "a")}, true, "a", ""},
		{"pair", []string{"a", "b"}, []edge{fk("a", "x", "b"), fk("b", "y", "a")}, true, "a b", "a.x"},
		{"pair deleted", []string{"a", "b"}, []edge{fk("a", "x", "b"), fk("b", "y", "a")}, false, "b a", "a.x"},
		{"m2m preferred", []string{"a", "b"}, []edge{fk("a", "x", "b"), m2m("b", "y", "a")}, true, "b a", "b.y"},
		{"downstream of a cycle is not cut", []string{"a", "b", "c"},
			[]edge{fk("a", "x", "b"), fk("b", "y", "c"), fk("c", "z", "b")}, true, "b a c", "b.y"},
		{"two fields of one model", []string{"a", "b"},
			[]edge{fk("a", "x", "b"), fk("a", "w", "b"), fk("b", "y", "a")}, true, "a b", "a.x a.w"},
	}
	for _, tt := range tests {
		order, cut := planOrder(tt.nodes, tt.edges, tt.targetsFirst)
		var cuts []string
		for _, e := range cut {
			cuts = append(cuts, e.from+"."+e.field)
		}
		if got := strings.Join(order, " "); got != tt.order {
			t.Errorf("%s: order %q, want %q", tt.name, got, tt.order)
		}
		if got := strings.Join(cuts, " "); got != tt.cut {
			t.Errorf("%s: cut %q, want %q", tt.name, got, tt.cut)
		}
	}
}

// TestSameFieldCoversEveryAttribute changes each attribute of state.Field
// and state.Relation in turn and expects sameField to notice, so a new
// attribute cannot be forgotten by the hand-written comparison.
func TestSameFieldCoversEveryAttribute(t *testing.T) {
	t.Parallel()
	base := &state.Field{Name: "n", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.A"}}
	if !sameField("main", base, "main", base.Clone()) {
		t.Fatal("a field differs from its copy")
	}
	change := func(v reflect.Value, name string) {
		t.Helper()
		switch v.Kind() {
		case reflect.String:
			if name == "Kind" {
				v.SetString(string(state.OneToOne))
			} else {
				v.SetString("x")
			}
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Int:
			v.SetInt(v.Int() + 5)
		case reflect.Slice:
			if v.Type() == reflect.TypeOf([]state.SQLType(nil)) {
				v.Set(reflect.ValueOf([]state.SQLType{{Dialect: "postgres", Type: "inet"}}))
			} else {
				v.Set(reflect.ValueOf([]string{"x"}))
			}
		case reflect.Pointer:
			switch v.Type().Elem().Kind() {
			case reflect.String:
				v.Set(reflect.ValueOf(state.Str("x")))
			default:
				v.Set(reflect.ValueOf(&state.Relation{To: "main.B"}))
			}
		default:
			t.Fatalf("attribute %s has a new type %s: teach sameField and this test about it", name, v.Type())
		}
	}
	ft := reflect.TypeOf(state.Field{})
	for i := range ft.NumField() {
		if ft.Field(i).Tag.Get("json") == "-" {
			continue // a model-reading hint, outside equality by design
		}
		f := base.Clone()
		change(reflect.ValueOf(f).Elem().Field(i), ft.Field(i).Name)
		if sameField("main", base, "main", f) {
			t.Errorf("sameField misses a change of Field.%s", ft.Field(i).Name)
		}
	}
	rt := reflect.TypeOf(state.Relation{})
	for i := range rt.NumField() {
		f := base.Clone()
		change(reflect.ValueOf(f.Relation).Elem().Field(i), rt.Field(i).Name)
		if sameField("main", base, "main", f) {
			t.Errorf("sameField misses a change of Relation.%s", rt.Field(i).Name)
		}
	}
}

// TestDetectWithInteractive runs the terminal questioner through Detect:
// the answers typed become the operations' fills, in the order asked.
func TestDetectWithInteractive(t *testing.T) {
	t.Parallel()
	from, err := parseProject(`
model main.Article
  title text
  rank integer null`)
	if err != nil {
		t.Fatal(err)
	}
	to, err := parseProject(`
model main.Article
  title text
  rank integer
  slug char max=50`)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ch, err := Detect(from, to, Interactive(strings.NewReader("1\n'x'\n1\n0\n"), &out))
	if err != nil {
		t.Fatal(err)
	}
	got := renderChanges(ch)
	want := []string{`main: Add Field slug To Article fill="x"`, `main: Alter Field rank On Article fill="0"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %q, want %q", got, want)
	}
	if n := strings.Count(out.String(), "Select an option: "); n != 2 {
		t.Errorf("asked %d questions, want 2:\n%s", n, out.String())
	}
}
