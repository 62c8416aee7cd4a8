package optimizer

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/casefile"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/internal/randstate"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// Shorthands for the reduction table.
func idField() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }

func charField(name string, max int) *state.Field {
	return &state.Field{Name: name, Kind: state.Char, MaxLength: max}
}

func fkField(name, to string) *state.Field {
	return &state.Field{Name: name, Kind: state.ForeignKey, Relation: &state.Relation{To: to, OnDelete: "CASCADE"}}
}

func create(name string, fields ...*state.Field) operations.CreateModel {
	return operations.CreateModel{Name: name, Table: strings.ToLower(name), Fields: append([]*state.Field{idField()}, fields...)}
}

func TestOptimizeReductions(t *testing.T) {
	t.Parallel()
	withOptions := func(c operations.CreateModel, change func(*operations.CreateModel)) operations.CreateModel {
		change(&c)
		return c
	}
	fill := state.Str("x")
	cases := []struct {
		name string
		in   []operations.Operation
		want []operations.Operation
	}{
		{
			name: "create model + add field",
			in:   []operations.Operation{create("Car"), operations.AddField{Model: "Car", Field: charField("name", 10), Fill: fill}},
			want: []operations.Operation{create("Car", charField("name", 10))},
		},
		{
			name: "create model + alter field",
			in:   []operations.Operation{create("Car", charField("name", 10)), operations.AlterField{Model: "car", Name: "name", Field: charField("name", 20)}},
			want: []operations.Operation{create("Car", charField("name", 20))},
		},
		{
			name: "create model + remove field",
			in:   []operations.Operation{create("Car", charField("name", 10), charField("vin", 5)), operations.RemoveField{Model: "Car", Name: "name"}},
			want: []operations.Operation{create("Car", charField("vin", 5))},
		},
		{
			name: "create model + remove field named by an index stays",
			in: []operations.Operation{
				withOptions(create("Car", charField("name", 10)), func(c *operations.CreateModel) {
					c.Indexes = []state.Index{{Name: "car_name", Fields: []string{"-name"}}}
				}),
				operations.RemoveField{Model: "Car", Name: "name"},
			},
			want: []operations.Operation{
				withOptions(create("Car", charField("name", 10)), func(c *operations.CreateModel) {
					c.Indexes = []state.Index{{Name: "car_name", Fields: []string{"-name"}}}
				}),
				operations.RemoveField{Model: "Car", Name: "name"},
			},
		},
		{
			name: "create model + rename field renames its options",
			in: []operations.Operation{
				withOptions(create("Car", charField("name", 10)), func(c *operations.CreateModel) {
					c.UniqueTogether = [][]string{{"id", "name"}}
					c.Options.Ordering = []string{"-name"}
				}),
				operations.RenameField{Model: "Car", OldName: "name", NewName: "title"},
			},
			want: []operations.Operation{
				withOptions(create("Car", charField("title", 10)), func(c *operations.CreateModel) {
					c.UniqueTogether = [][]string{{"id", "title"}}
					c.Options.Ordering = []string{"-title"}
					c.Indexes = []state.Index{}
					c.Constraints = []state.Constraint{}
				}),
			},
		},
		{
			name: "create model + delete model",
			in:   []operations.Operation{create("Car"), operations.AddField{Model: "Car", Field: charField("name", 10)}, operations.DeleteModel{Name: "Car"}},
			want: nil,
		},
		{
			name: "create model + alter model table",
			in:   []operations.Operation{create("Car"), operations.AlterModelTable{Name: "Car", Table: "cars"}},
			want: []operations.Operation{withOptions(create("Car"), func(c *operations.CreateModel) { c.Table = "cars" })},
		},
		{
			name: "create model + alter model options",
			in:   []operations.Operation{create("Car"), operations.AlterModelOptions{Name: "Car", Options: state.Options{VerboseName: "auto", Ordering: []string{"id"}}}},
			want: []operations.Operation{withOptions(create("Car"), func(c *operations.CreateModel) {
				c.Options = state.Options{VerboseName: "auto", Ordering: []string{"id"}}
			})},
		},
		{
			name: "create model + alter unique together",
			in:   []operations.Operation{create("Car", charField("name", 10)), operations.AlterUniqueTogether{Name: "Car", UniqueTogether: [][]string{{"id", "name"}}}},
			want: []operations.Operation{withOptions(create("Car", charField("name", 10)), func(c *operations.CreateModel) {
				c.UniqueTogether = [][]string{{"id", "name"}}
			})},
		},
		{
			name: "create model + add index + add constraint go into its options",
			in: []operations.Operation{
				create("Car", charField("name", 10)),
				operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name", Fields: []string{"name"}}},
				operations.AddConstraint{Model: "Car", Constraint: state.Constraint{Kind: state.CheckConstraint, Name: "car_ok", Check: "1 = 1"}},
			},
			want: []operations.Operation{withOptions(create("Car", charField("name", 10)), func(c *operations.CreateModel) {
				c.Indexes = []state.Index{{Name: "car_name", Fields: []string{"name"}}}
				c.Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "car_ok", Check: "1 = 1"}}
			})},
		},
		{
			name: "create model moves past an unrelated model to meet its field",
			in: []operations.Operation{
				create("Car"),
				create("Owner"),
				operations.AddField{Model: "Car", Field: fkField("owner", "main.Owner")},
			},
			want: []operations.Operation{create("Owner"), create("Car", fkField("owner", "main.Owner"))},
		},
		{
			name: "models that point at each other keep their split",
			in: []operations.Operation{
				create("Car"),
				create("Owner", fkField("car", "Car")),
				operations.AddField{Model: "Car", Field: fkField("owner", "Owner")},
			},
			want: []operations.Operation{
				create("Car"),
				create("Owner", fkField("car", "Car")),
				operations.AddField{Model: "Car", Field: fkField("owner", "Owner")},
			},
		},
		{
			name: "create and delete around a model that points at it stay",
			in: []operations.Operation{
				create("Car"),
				create("Owner", fkField("car", "Car")),
				operations.DeleteModel{Name: "Car"},
			},
			want: []operations.Operation{
				create("Car"),
				create("Owner", fkField("car", "Car")),
				operations.DeleteModel{Name: "Car"},
			},
		},
		{
			name: "add field + alter field",
			in: []operations.Operation{
				operations.AddField{Model: "Car", Field: &state.Field{Name: "n", Kind: state.Integer, Null: true}},
				operations.AlterField{Model: "Car", Name: "n", Field: &state.Field{Name: "n", Kind: state.Integer}, Fill: fill},
			},
			want: []operations.Operation{operations.AddField{Model: "Car", Field: &state.Field{Name: "n", Kind: state.Integer}, Fill: fill}},
		},
		{
			name: "add field with a default + alter field dropping it keeps the default as fill",
			in: []operations.Operation{
				operations.AddField{Model: "Car", Field: &state.Field{Name: "n", Kind: state.Integer, Default: state.Str("7")}},
				operations.AlterField{Model: "Car", Name: "n", Field: &state.Field{Name: "n", Kind: state.Integer}},
			},
			want: []operations.Operation{operations.AddField{Model: "Car", Field: &state.Field{Name: "n", Kind: state.Integer}, Fill: state.Str("7")}},
		},
		{
			name: "add field + remove field",
			in:   []operations.Operation{operations.AddField{Model: "Car", Field: charField("name", 10)}, operations.RemoveField{Model: "Car", Name: "name"}},
			want: nil,
		},
		{
			name: "add field + rename field",
			in:   []operations.Operation{operations.AddField{Model: "Car", Field: charField("name", 10)}, operations.RenameField{Model: "Car", OldName: "name", NewName: "title"}},
			want: []operations.Operation{operations.AddField{Model: "Car", Field: charField("title", 10)}},
		},
		{
			name: "add field + remove field across another model's changes",
			in: []operations.Operation{
				operations.AddField{Model: "Car", Field: charField("name", 10)},
				operations.AddField{Model: "Owner", Field: charField("name", 10)},
				operations.AlterField{Model: "Car", Name: "vin", Field: charField("vin", 9)},
				operations.RemoveField{Model: "Car", Name: "name"},
			},
			want: []operations.Operation{
				operations.AddField{Model: "Owner", Field: charField("name", 10)},
				operations.AlterField{Model: "Car", Name: "vin", Field: charField("vin", 9)},
			},
		},
		{
			name: "add field + remove field not across an index on it",
			in: []operations.Operation{
				operations.AddField{Model: "Car", Field: charField("name", 10)},
				operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name", Fields: []string{"name"}}},
				operations.RemoveIndex{Model: "Car", Name: "car_name"},
				operations.RemoveField{Model: "Car", Name: "name"},
			},
			want: nil,
		},
		{
			name: "alter field + alter field",
			in: []operations.Operation{
				operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 20), Fill: fill},
				operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 30)},
			},
			want: []operations.Operation{operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 30), Fill: fill}},
		},
		{
			name: "alter field + remove field",
			in: []operations.Operation{
				operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 20)},
				operations.RemoveField{Model: "Car", Name: "name"},
			},
			want: []operations.Operation{operations.RemoveField{Model: "Car", Name: "name"}},
		},
		{
			name: "rename field chain",
			in: []operations.Operation{
				operations.RenameField{Model: "Car", OldName: "a", NewName: "b"},
				operations.RenameField{Model: "Car", OldName: "b", NewName: "c"},
				operations.RenameField{Model: "Car", OldName: "c", NewName: "d"},
			},
			want: []operations.Operation{operations.RenameField{Model: "Car", OldName: "a", NewName: "d"}},
		},
		{
			name: "rename field and back",
			in: []operations.Operation{
				operations.RenameField{Model: "Car", OldName: "a", NewName: "b"},
				operations.RenameField{Model: "Car", OldName: "b", NewName: "a"},
			},
			want: nil,
		},
		{
			name: "rename field + remove field",
			in: []operations.Operation{
				operations.RenameField{Model: "Car", OldName: "a", NewName: "b"},
				operations.RemoveField{Model: "Car", Name: "b"},
			},
			want: []operations.Operation{operations.RemoveField{Model: "Car", Name: "a"}},
		},
		{
			name: "add index + remove index",
			in: []operations.Operation{
				operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name", Fields: []string{"name"}}},
				operations.RemoveIndex{Model: "Car", Name: "car_name"},
			},
			want: nil,
		},
		{
			name: "add index + rename index",
			in: []operations.Operation{
				operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name", Fields: []string{"name"}}},
				operations.RenameIndex{Model: "Car", OldName: "car_name", NewName: "car_title"},
			},
			want: []operations.Operation{operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_title", Fields: []string{"name"}}}},
		},
		{
			name: "add constraint + remove constraint",
			in: []operations.Operation{
				operations.AddConstraint{Model: "Car", Constraint: state.Constraint{Kind: state.CheckConstraint, Name: "ok", Check: "1 = 1"}},
				operations.RemoveConstraint{Model: "Car", Name: "ok"},
			},
			want: nil,
		},
		{
			name: "nothing folds across RunSQL",
			in: []operations.Operation{
				create("Car"),
				operations.RunSQL{SQL: []string{"SELECT 1"}},
				operations.AddField{Model: "Car", Field: charField("name", 10)},
			},
			want: []operations.Operation{
				create("Car"),
				operations.RunSQL{SQL: []string{"SELECT 1"}},
				operations.AddField{Model: "Car", Field: charField("name", 10)},
			},
		},
		{
			name: "nothing folds across RunGo",
			in: []operations.Operation{
				operations.AddField{Model: "Car", Field: charField("name", 10)},
				operations.RunGo{Forward: operations.Noop},
				operations.RemoveField{Model: "Car", Name: "name"},
			},
			want: []operations.Operation{
				operations.AddField{Model: "Car", Field: charField("name", 10)},
				operations.RunGo{Forward: operations.Noop},
				operations.RemoveField{Model: "Car", Name: "name"},
			},
		},
		{
			name: "nothing folds across SeparateDatabaseAndState",
			in: []operations.Operation{
				operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 20)},
				operations.SeparateDatabaseAndState{},
				operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 30)},
			},
			want: []operations.Operation{
				operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 20)},
				operations.SeparateDatabaseAndState{},
				operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 30)},
			},
		},
		{
			name: "folds on each side of a barrier",
			in: []operations.Operation{
				operations.AddField{Model: "Car", Field: charField("a", 10)},
				operations.AlterField{Model: "Car", Name: "a", Field: charField("a", 20)},
				operations.RunSQL{SQL: []string{"SELECT 1"}},
				operations.RenameField{Model: "Car", OldName: "a", NewName: "b"},
				operations.RenameField{Model: "Car", OldName: "b", NewName: "c"},
			},
			want: []operations.Operation{
				operations.AddField{Model: "Car", Field: charField("a", 20)},
				operations.RunSQL{SQL: []string{"SELECT 1"}},
				operations.RenameField{Model: "Car", OldName: "a", NewName: "c"},
			},
		},
		{
			name: "two added fields keep their order",
			in: []operations.Operation{
				operations.AddField{Model: "Car", Field: charField("a", 10)},
				operations.AddField{Model: "Car", Field: charField("b", 10)},
				operations.RenameField{Model: "Car", OldName: "a", NewName: "c"},
			},
			want: []operations.Operation{
				operations.AddField{Model: "Car", Field: charField("c", 10)},
				operations.AddField{Model: "Car", Field: charField("b", 10)},
			},
		},
		{
			name: "create model + rename model",
			in:   []operations.Operation{create("Car", charField("name", 10)), operations.RenameModel{OldName: "Car", NewName: "Auto"}},
			want: []operations.Operation{create("Auto", charField("name", 10))},
		},
		{
			name: "create model + rename model keeps an explicit table and follows its own relations",
			in: []operations.Operation{
				withOptions(create("Car", fkField("parent", "main.Car")), func(c *operations.CreateModel) { c.Table = "local_car" }),
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
			},
			want: []operations.Operation{
				withOptions(create("Auto", fkField("parent", "main.Auto")), func(c *operations.CreateModel) {
					c.Name, c.Table = "Auto", "local_car"
				}),
			},
		},
		{
			name: "create model + rename model + add field",
			in: []operations.Operation{
				create("Car"),
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.AddField{Model: "Auto", Field: charField("name", 10)},
			},
			want: []operations.Operation{create("Auto", charField("name", 10))},
		},
		{
			name: "create model + rename model: relations in between follow the new name",
			in: []operations.Operation{
				create("Car"),
				create("Part", fkField("car", "main.Car")),
				operations.AddField{Model: "Part", Field: fkField("spare", "Car")},
				operations.AddField{Model: "Part", Field: charField("name", 10)},
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
			},
			want: []operations.Operation{
				create("Auto"),
				create("Part", fkField("car", "main.Auto"), fkField("spare", "main.Auto"), charField("name", 10)),
			},
		},
		{
			name: "create model + rename model: a change of the old model in between blocks",
			in: []operations.Operation{
				create("Car", charField("name", 10)),
				create("Part", fkField("car", "main.Car")),
				operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name", Fields: []string{"name"}}},
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
			},
			want: []operations.Operation{
				create("Car", charField("name", 10)),
				create("Part", fkField("car", "main.Car")),
				operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name", Fields: []string{"name"}}},
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
			},
		},
		{
			name: "rename model + rename model",
			in:   []operations.Operation{operations.RenameModel{OldName: "Car", NewName: "Auto"}, operations.RenameModel{OldName: "auto", NewName: "Vehicle"}},
			want: []operations.Operation{operations.RenameModel{OldName: "Car", NewName: "Vehicle"}},
		},
		{
			name: "rename model + rename back",
			in:   []operations.Operation{operations.RenameModel{OldName: "Car", NewName: "Auto"}, operations.RenameModel{OldName: "Auto", NewName: "Car"}},
			want: nil,
		},
		{
			name: "rename model + unrelated operations + delete model",
			in: []operations.Operation{
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.RemoveField{Model: "Part", Name: "car"},
				operations.DeleteModel{Name: "Auto"},
			},
			want: []operations.Operation{
				operations.RemoveField{Model: "Part", Name: "car"},
				operations.DeleteModel{Name: "Car"},
			},
		},
		{
			name: "rename model + delete model",
			in:   []operations.Operation{operations.RenameModel{OldName: "Car", NewName: "Auto"}, operations.DeleteModel{Name: "Auto"}},
			want: []operations.Operation{operations.DeleteModel{Name: "Car"}},
		},
		{
			name: "rename model + unrelated operations + rename model",
			in: []operations.Operation{
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.AddField{Model: "Wheel", Field: charField("size", 4)},
				operations.RenameModel{OldName: "Auto", NewName: "Vehicle"},
			},
			want: []operations.Operation{
				operations.AddField{Model: "Wheel", Field: charField("size", 4)},
				operations.RenameModel{OldName: "Car", NewName: "Vehicle"},
			},
		},
		{
			name: "a change of the renamed model blocks folding across it",
			in: []operations.Operation{
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.AddField{Model: "Auto", Field: charField("name", 10)},
				operations.RenameModel{OldName: "Auto", NewName: "Vehicle"},
			},
			want: []operations.Operation{
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.AddField{Model: "Auto", Field: charField("name", 10)},
				operations.RenameModel{OldName: "Auto", NewName: "Vehicle"},
			},
		},
		{
			name: "a relation to the new name blocks folding a rename and a delete",
			in: []operations.Operation{
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.AddField{Model: "Wheel", Field: fkField("car", "main.Auto")},
				operations.DeleteModel{Name: "Wheel"},
				operations.DeleteModel{Name: "Auto"},
			},
			want: []operations.Operation{
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.AddField{Model: "Wheel", Field: fkField("car", "main.Auto")},
				operations.DeleteModel{Name: "Wheel"},
				operations.DeleteModel{Name: "Auto"},
			},
		},
		{
			name: "nothing folds a rename across RunSQL",
			in: []operations.Operation{
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.RunSQL{SQL: []string{"SELECT 1"}},
				operations.RenameModel{OldName: "Auto", NewName: "Car"},
			},
			want: []operations.Operation{
				operations.RenameModel{OldName: "Car", NewName: "Auto"},
				operations.RunSQL{SQL: []string{"SELECT 1"}},
				operations.RenameModel{OldName: "Auto", NewName: "Car"},
			},
		},
		{
			name: "pointer operations fold once normalized, as registration does",
			in:   normalized(&operations.AddField{Model: "Car", Field: charField("a", 10)}, &operations.RemoveField{Model: "Car", Name: "a"}),
			want: nil,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Optimize("main", tc.in)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty(), cmp.Comparer(sameFunc)); diff != "" {
				t.Errorf("Optimize (-want +got):\n%s", diff)
			}
		})
	}
}

// sameFunc compares Go functions by name: RunGo operations must come out
// of the optimizer holding the functions they went in with.
// normalized is ops as the migrations registry hands them on.
func normalized(ops ...operations.Operation) []operations.Operation {
	out, _ := operations.NormalizeAll(ops)
	return out
}

func sameFunc(a, b operations.GoFunc) bool { return operations.FuncName(a) == operations.FuncName(b) }

func TestOptimizeLeavesInputAlone(t *testing.T) {
	t.Parallel()
	in := []operations.Operation{
		create("Car", charField("name", 10)),
		operations.AlterField{Model: "Car", Name: "name", Field: charField("name", 99)},
		operations.RenameField{Model: "Car", OldName: "name", NewName: "title"},
	}
	before := fmt.Sprintf("%+v %+v", *in[0].(operations.CreateModel).Fields[1], *in[1].(operations.AlterField).Field)
	out := Optimize("main", in)
	if len(out) != 1 {
		t.Fatalf("Optimize returned %d operations, want 1", len(out))
	}
	after := fmt.Sprintf("%+v %+v", *in[0].(operations.CreateModel).Fields[1], *in[1].(operations.AlterField).Field)
	if before != after {
		t.Errorf("Optimize changed its input:\nbefore %s\nafter  %s", before, after)
	}
}

// TestOptimizeRandomWalks is the property test: for random sequences of
// valid operations, replaying the optimized list ends in the same state as
// replaying the original, never fails, keeps the barriers in order, and
// is never longer.
func TestOptimizeRandomWalks(t *testing.T) {
	t.Parallel()
	const walks = 2000
	shorter := 0
	renamesFolded := map[string]int{}
	for seed := int64(1); seed <= walks; seed++ {
		r := rand.New(rand.NewSource(seed))
		base, ops := randomWalk(r)
		opt := checkOptimizedWalk(t, seed, base, ops)
		if len(opt) < len(ops) {
			shorter++
		}
		for kind, n := range countRenames(ops) {
			if countRenames(opt)[kind] < n {
				renamesFolded[kind]++
			}
		}
	}
	// The walks are built to give the optimizer work; if it folds almost
	// nothing the test proves little.
	if shorter < walks/3 {
		t.Fatalf("only %d of %d walks got shorter", shorter, walks)
	}
	t.Logf("%d of %d walks got shorter; renames folded away: %v", shorter, walks, renamesFolded)
	for _, kind := range []string{"model", "field"} {
		if renamesFolded[kind] < walks/20 {
			t.Fatalf("%s renames were folded in only %d of %d walks", kind, renamesFolded[kind], walks)
		}
	}
}

// checkOptimizedWalk optimizes a walk and fails t unless replaying the
// result ends in the state the walk ends in, never fails, keeps the
// barriers in order and is no longer than the walk.
func checkOptimizedWalk(t *testing.T, seed int64, base *state.Project, ops []operations.Operation) []operations.Operation {
	t.Helper()
	want := base.Clone()
	if err := operations.Apply("main", ops, want); err != nil {
		t.Fatalf("seed %d: the generated walk does not replay: %v", seed, err)
	}
	opt := Optimize("main", ops)
	got := base.Clone()
	report := func(format string, args ...any) {
		t.Fatalf("seed %d: %s\noriginal:\n%s\noptimized:\n%s\nbase:\n%s", seed, fmt.Sprintf(format, args...),
			renderOps(ops), renderOps(opt), randstate.Dump(base))
	}
	if err := operations.Apply("main", opt, got); err != nil {
		report("the optimized operations do not replay: %v", err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		report("the optimized operations end in another state (-original +optimized):\n%s", diff)
	}
	if len(opt) > len(ops) {
		report("the optimized list is longer")
	}
	if a, b := barriers(ops), barriers(opt); a != b {
		report("barriers changed: %q became %q", a, b)
	}
	return opt
}

// TestOptimizeLongRandomWalks is the property test on histories the size
// of a long squash, where many folds happen in one sweep of the list.
func TestOptimizeLongRandomWalks(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 30; seed++ {
		base, ops := walkOf(rand.New(rand.NewSource(seed)), 400)
		if opt := checkOptimizedWalk(t, seed, base, ops); len(opt) >= len(ops) {
			t.Fatalf("seed %d: %d operations did not get shorter", seed, len(ops))
		}
	}
}

// countRenames counts the model and field renames of ops.
func countRenames(ops []operations.Operation) map[string]int {
	out := map[string]int{}
	for _, op := range ops {
		switch op.(type) {
		case operations.RenameModel:
			out["model"]++
		case operations.RenameField:
			out["field"]++
		}
	}
	return out
}

// mentions reports whether a table-level option of m names the field.
func mentions(m *state.Model, field string) bool {
	names := slices.Clone(m.Options.Ordering)
	for _, g := range m.UniqueTogether {
		names = append(names, g...)
	}
	for _, idx := range m.Indexes {
		names = append(names, idx.Fields...)
	}
	for _, con := range m.Constraints {
		names = append(names, con.Fields...)
	}
	for _, n := range names {
		if strings.TrimPrefix(n, "-") == field {
			return true
		}
	}
	return false
}

func renderOps(ops []operations.Operation) string {
	lines := make([]string, len(ops))
	for i, op := range ops {
		lines[i] = "  " + casefile.Operation(op)
	}
	return strings.Join(lines, "\n")
}

// barriers lists the operations nothing folds across, in order.
func barriers(ops []operations.Operation) string {
	var out []string
	for _, op := range ops {
		if op.Touches().Opaque {
			out = append(out, casefile.Operation(op))
		}
	}
	return strings.Join(out, "; ")
}

// walker builds a random walk of valid operations on one app.
type walker struct {
	r     *rand.Rand
	cur   *state.Project
	ops   []operations.Operation
	names int
	// recent are models created during the walk; most operations pick one
	// of them, so the walk gives the optimizer something to fold.
	recent []string
}

// randomWalk returns a starting project and 4 to 30 operations that
// replay on it.
func randomWalk(r *rand.Rand) (*state.Project, []operations.Operation) {
	return walkOf(r, 4+r.Intn(27))
}

// BenchmarkOptimize folds the operations of a long history, up to the size
// of what squashmigrations gives it for a thousand migrations.
func BenchmarkOptimize(b *testing.B) {
	for _, n := range []int{50, 200, 1000, 5000} {
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			_, ops := walkOf(rand.New(rand.NewSource(1)), n)
			for b.Loop() {
				Optimize("main", ops)
			}
		})
	}
}

// BenchmarkOptimizeOneModel folds a long history of a single model: every
// operation shares the model, so the index cannot skip any of them.
func BenchmarkOptimizeOneModel(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			ops := []operations.Operation{create("Car")}
			for i := 0; len(ops) < n; i++ {
				name := fmt.Sprintf("f%d", i)
				ops = append(ops,
					operations.AddField{Model: "Car", Field: charField(name, 10)},
					operations.AlterField{Model: "Car", Name: name, Field: charField(name, 20)},
					operations.RenameField{Model: "Car", OldName: name, NewName: name + "_r"})
			}
			for b.Loop() {
				if got := Optimize("main", ops); len(got) != 1 {
					b.Fatalf("%d operations left, want 1", len(got))
				}
			}
		})
	}
}

// walkOf returns a starting project and n operations that replay on it.
func walkOf(r *rand.Rand, n int) (*state.Project, []operations.Operation) {
	base := state.NewProject()
	for i := range r.Intn(3) {
		randstate.MustAdd(base, randstate.Model(r, "main", fmt.Sprintf("Base%d", i)))
	}
	if len(base.Models) > 0 {
		randstate.Link(r, base)
	}
	w := &walker{r: r, cur: base.Clone()}
	for len(w.ops) < n {
		w.step()
	}
	return base, w.ops
}

// step appends one random operation that applies to the current state.
func (w *walker) step() {
	op := w.randomOp()
	if op == nil {
		return
	}
	next := w.cur.CloneShallow()
	if err := op.StateForwards("main", next); err != nil {
		return
	}
	w.cur = next
	w.ops = append(w.ops, op)
}

func (w *walker) name(prefix string) string {
	w.names++
	return fmt.Sprintf("%s%d", prefix, w.names)
}

// model picks a model, preferring those the walk created.
func (w *walker) model() *state.Model {
	var live []*state.Model
	for _, n := range w.recent {
		if m := w.cur.Model("main", n); m != nil {
			live = append(live, m)
		}
	}
	if len(live) == 0 || w.r.Intn(4) == 0 {
		live = w.cur.App("main")
	}
	if len(live) == 0 {
		return nil
	}
	return live[w.r.Intn(len(live))]
}

// field picks a field of m that is not its primary key, or nil.
func (w *walker) field(m *state.Model) *state.Field {
	var fs []*state.Field
	for _, f := range m.Fields {
		if !f.PrimaryKey {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return nil
	}
	return fs[w.r.Intn(len(fs))]
}

func (w *walker) newField() *state.Field {
	name := w.name("f")
	switch w.r.Intn(4) {
	case 0:
		if m := w.model(); m != nil {
			return fkField(name, m.Label())
		}
		fallthrough
	case 1:
		return &state.Field{Name: name, Kind: state.Integer, Null: w.r.Intn(2) == 0}
	default:
		return charField(name, 10+w.r.Intn(3))
	}
}

// mentioned reports whether an option of m, or a to_field anywhere, names f.
func (w *walker) mentioned(m *state.Model, f string) bool {
	if mentions(m, f) {
		return true
	}
	for _, ref := range w.cur.Referrers(m) {
		if ref.Field.Relation.ToField == f {
			return true
		}
	}
	return false
}

func (w *walker) randomOp() operations.Operation {
	if w.r.Intn(6) == 0 || len(w.cur.Models) == 0 {
		name := w.name("M")
		w.recent = append(w.recent, name)
		c := create(name)
		for range w.r.Intn(3) {
			c.Fields = append(c.Fields, w.newField())
		}
		return c
	}
	m := w.model()
	f := w.field(m)
	columns := func() []string {
		var out []string
		for _, f := range m.Fields {
			if f.HasColumn() && w.r.Intn(2) == 0 {
				out = append(out, f.Name)
			}
		}
		if len(out) == 0 {
			out = []string{"id"}
		}
		return out
	}
	switch w.r.Intn(17) {
	case 0, 1, 2:
		return operations.AddField{Model: m.Name, Field: w.newField()}
	case 3, 4:
		if f == nil || f.Kind.IsRelation() {
			return nil
		}
		c := f.Clone()
		c.Null = !c.Null
		if c.Kind == state.Char {
			c.MaxLength += 1 + w.r.Intn(5)
		}
		if w.r.Intn(3) == 0 {
			c.Default = state.Str("0")
		}
		return operations.AlterField{Model: m.Name, Name: f.Name, Field: c}
	case 5, 6:
		if f == nil || w.mentioned(m, f.Name) {
			return nil
		}
		return operations.RemoveField{Model: m.Name, Name: f.Name}
	case 7:
		if f == nil {
			return nil
		}
		return operations.RenameField{Model: m.Name, OldName: f.Name, NewName: w.name("r")}
	case 8:
		if len(w.cur.Referrers(m)) > 0 {
			return nil
		}
		return operations.DeleteModel{Name: m.Name}
	case 9:
		return operations.AlterModelTable{Name: m.Name, Table: w.name("t")}
	case 10:
		return operations.AlterModelOptions{Name: m.Name, Options: state.Options{VerboseName: w.name("v"), Ordering: columns()[:1]}}
	case 11:
		if w.r.Intn(3) == 0 {
			return operations.AlterUniqueTogether{Name: m.Name}
		}
		return operations.AlterUniqueTogether{Name: m.Name, UniqueTogether: [][]string{columns()}}
	case 12:
		return operations.AddIndex{Model: m.Name, Index: state.Index{Name: w.name("idx"), Fields: columns()}}
	case 13:
		if len(m.Indexes) == 0 {
			return nil
		}
		idx := m.Indexes[w.r.Intn(len(m.Indexes))]
		if w.r.Intn(2) == 0 {
			return operations.RenameIndex{Model: m.Name, OldName: idx.Name, NewName: w.name("idx")}
		}
		return operations.RemoveIndex{Model: m.Name, Name: idx.Name}
	case 14:
		if len(m.Constraints) > 0 && w.r.Intn(2) == 0 {
			return operations.RemoveConstraint{Model: m.Name, Name: m.Constraints[w.r.Intn(len(m.Constraints))].Name}
		}
		if w.r.Intn(2) == 0 {
			return operations.AddConstraint{Model: m.Name, Constraint: state.Constraint{Kind: state.CheckConstraint, Name: w.name("ck"), Check: "1 = 1"}}
		}
		return operations.AddConstraint{Model: m.Name, Constraint: state.Constraint{Kind: state.UniqueConstraint, Name: w.name("uq"), Fields: columns()}}
	case 15:
		name := w.name("M")
		w.recent = append(w.recent, name)
		return operations.RenameModel{OldName: m.Name, NewName: name}
	default:
		return operations.RunSQL{SQL: []string{w.name("SELECT ")}}
	}
}

// TestOptimizeRandomWalksOnSQLite runs random walks on real databases: the
// original operations on one SQLite database, the optimized ones on
// another, both starting from the same tables. The schemas must match:
// folding keeps the SQL's outcome, not only the state.
func TestOptimizeRandomWalksOnSQLite(t *testing.T) {
	t.Parallel()
	const walks = 90
	ran := 0
	ed := connect.EditorFor(schema.SQLite)
	for seed := int64(1); seed <= walks; seed++ {
		r := rand.New(rand.NewSource(seed))
		base, ops := randomWalk(r)
		opt := Optimize("main", ops)
		if len(opt) == len(ops) {
			continue
		}
		original := dbtest.Open(t, schema.SQLite)
		if err := runOps(original, ed, base, ops); err != nil {
			continue // a walk valid in the state may still be refused by SQL; the state test covers it
		}
		optimized := dbtest.Open(t, schema.SQLite)
		if err := runOps(optimized, ed, base, opt); err != nil {
			t.Fatalf("seed %d: the optimized operations fail where the originals ran: %v\noriginal:\n%s\noptimized:\n%s", seed, err, renderOps(ops), renderOps(opt))
		}
		want, err := ed.Inspect(context.Background(), original)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ed.Inspect(context.Background(), optimized)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("seed %d: the schemas differ (-original +optimized):\n%s\noriginal:\n%s\noptimized:\n%s", seed, diff, renderOps(ops), renderOps(opt))
		}
		ran++
	}
	t.Logf("%d of %d walks compared", ran, walks)
	if ran < walks/3 {
		t.Fatalf("only %d of %d walks were compared", ran, walks)
	}
}

// runOps creates base's tables on db, then runs ops forwards, one
// statement at a time.
func runOps(db *dbtest.DB, ed schema.Editor, base *state.Project, ops []operations.Operation) error {
	ctx := context.Background()
	exec := func(stmts []string) error {
		for _, s := range stmts {
			if _, err := db.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}
	for _, m := range base.Sorted() {
		if m.Unmanaged {
			continue
		}
		stmts, err := ed.CreateModel(base, m)
		if err != nil {
			return err
		}
		if err := exec(stmts); err != nil {
			return err
		}
	}
	cur := base.CloneShallow()
	for i, op := range ops {
		next := cur.CloneShallow()
		if err := op.StateForwards("main", next); err != nil {
			return fmt.Errorf("operation %d: %w", i+1, err)
		}
		steps, err := op.Forwards("main", ed, cur, next)
		if err != nil {
			return fmt.Errorf("operation %d (%s): %w", i+1, op.Describe(), err)
		}
		for _, st := range steps {
			if err := exec([]string{st.SQL}); err != nil {
				return fmt.Errorf("operation %d (%s): %w", i+1, op.Describe(), err)
			}
		}
		cur = next
	}
	return nil
}
