package migrations

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// mig builds a migration without operations; deps are "app.name".
func mig(app, name string, deps ...string) *Migration {
	m := &Migration{App: app, Name: name}
	for _, d := range deps {
		m.Dependencies = append(m.Dependencies, key(d))
	}
	return m
}

// key parses "app.name".
func key(s string) Key {
	app, name, _ := strings.Cut(s, ".")
	return Key{App: app, Name: name}
}

// keysOf lists the keys of ms as "app.name".
func keysOf(ms []*Migration) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Key().String()
	}
	return out
}

// strs renders keys as "app.name".
func strs(ks []Key) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.String()
	}
	return out
}

// project is a two-app project: blog depends on main.
func project() []*Migration {
	return []*Migration{
		mig("main", "0003_c", "main.0002_b"),
		mig("blog", "0002_post_author", "blog.0001_initial", "main.0002_b"),
		mig("main", "0001_initial"),
		mig("blog", "0001_initial"),
		mig("main", "0002_b", "main.0001_initial"),
	}
}

func TestGraphOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ms   []*Migration
		want []string
	}{
		{"empty", nil, []string{}},
		{"two apps", project(), []string{"blog.0001_initial", "main.0001_initial", "main.0002_b", "blog.0002_post_author", "main.0003_c"}},
		{"ties by name", []*Migration{mig("a", "0002_y", "a.0001"), mig("a", "0002_x", "a.0001"), mig("a", "0001")},
			[]string{"a.0001", "a.0002_x", "a.0002_y"}},
		{"dependency beats name", []*Migration{mig("a", "0001", "z.0001"), mig("z", "0001")}, []string{"z.0001", "a.0001"}},
		{"duplicate dependency", []*Migration{mig("a", "0001"), mig("a", "0002", "a.0001", "a.0001")}, []string{"a.0001", "a.0002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := NewGraph(tt.ms)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, keysOf(g.Order())); diff != "" {
				t.Errorf("Order() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGraphErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ms   []*Migration
		want []string
	}{
		{"missing dependency", []*Migration{mig("main", "0003_x", "main.0002_y")},
			[]string{"main.0003_x depends on main.0002_y, which does not exist"}},
		{"duplicate", []*Migration{mig("main", "0001"), mig("main", "0001")}, []string{"duplicate migration main.0001"}},
		{"nil", []*Migration{mig("main", "0001"), nil}, []string{"migration #2 is nil"}},
		{"no name", []*Migration{{App: "main"}}, []string{"needs both App and Name"}},
		{"self cycle", []*Migration{mig("main", "0001", "main.0001")},
			[]string{"dependency cycle: main.0001 → main.0001"}},
		{"cycle", []*Migration{mig("main", "0001"), mig("main", "0002", "main.0001", "main.0004"), mig("main", "0003", "main.0002"), mig("main", "0004", "main.0003")},
			[]string{"dependency cycle: main.0002 → main.0004 → main.0003 → main.0002"}},
		{"cross-app cycle", []*Migration{mig("a", "0001", "b.0001"), mig("b", "0001", "a.0001")},
			[]string{"dependency cycle: a.0001 → b.0001 → a.0001"}},
		{"partly replaced", []*Migration{mig("main", "0001"), {App: "main", Name: "0001_squashed_0002", Replaces: []Key{key("main.0001"), key("main.0002")}}},
			[]string{"main.0001_squashed_0002 replaces main.0001, which are present, and main.0002, which are not"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewGraph(tt.ms)
			if err == nil {
				t.Fatal("NewGraph succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestGraphLeavesAndConflicts(t *testing.T) {
	t.Parallel()
	ms := append(project(), mig("main", "0003_d", "main.0002_b"), mig("blog", "0003_x", "blog.0002_post_author"))
	g, err := NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"blog", "main"}, g.Apps()); diff != "" {
		t.Errorf("Apps() (-want +got):\n%s", diff)
	}
	leaves := map[string][]string{"main": {"main.0003_c", "main.0003_d"}, "blog": {"blog.0003_x"}, "none": {}}
	for app, want := range leaves {
		if diff := cmp.Diff(want, strs(g.Leaves(app))); diff != "" {
			t.Errorf("Leaves(%s) (-want +got):\n%s", app, diff)
		}
	}
	conflicts := map[string][]string{}
	for app, ks := range g.Conflicts() {
		conflicts[app] = strs(ks)
	}
	if diff := cmp.Diff(map[string][]string{"main": {"main.0003_c", "main.0003_d"}}, conflicts); diff != "" {
		t.Errorf("Conflicts() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"main.0001_initial", "main.0002_b", "main.0003_c", "main.0003_d"}, keysOf(g.Migrations("main"))); diff != "" {
		t.Errorf("Migrations(main) (-want +got):\n%s", diff)
	}
	// A migration of another app depending on main.0002_b does not make it a non-leaf of main.
	g2, err := NewGraph(project()[1:])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"main.0002_b"}, strs(g2.Leaves("main"))); diff != "" {
		t.Errorf("Leaves(main) without 0003 (-want +got):\n%s", diff)
	}
	if len(g2.Conflicts()) != 0 {
		t.Errorf("Conflicts() = %v, want none", g2.Conflicts())
	}
}

func TestGraphFind(t *testing.T) {
	t.Parallel()
	g, err := NewGraph([]*Migration{mig("main", "0001_initial"), mig("main", "0002_a", "main.0001_initial"),
		mig("main", "0002_b", "main.0001_initial"), mig("main", "0003_c", "main.0002_a", "main.0002_b"), mig("main", "0003_c2", "main.0003_c")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		app, prefix string
		want        string
		wantErr     []string
	}{
		{"main", "0001", "0001_initial", nil},
		{"main", "0001_initial", "0001_initial", nil},
		{"main", "0002_b", "0002_b", nil},
		{"main", "0003_c", "0003_c", nil}, // exact beats the longer 0003_c2
		{"main", "0002", "", []string{"more than one", "0002_a, 0002_b"}},
		{"main", "0009", "", []string{"no migration matching \"0009\"", "0001_initial, 0002_a"}},
		{"main", "", "", []string{"no migration matching"}},
		{"blog", "0001", "", []string{`app "blog" has no migrations`}},
	}
	for _, tt := range tests {
		m, err := g.Find(tt.app, tt.prefix)
		if tt.wantErr != nil {
			if err == nil {
				t.Errorf("Find(%s, %q) = %s, want an error", tt.app, tt.prefix, m.Name)
				continue
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Find(%s, %q) error %q does not say %q", tt.app, tt.prefix, err, w)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("Find(%s, %q): %v", tt.app, tt.prefix, err)
		} else if m.Name != tt.want {
			t.Errorf("Find(%s, %q) = %s, want %s", tt.app, tt.prefix, m.Name, tt.want)
		}
	}
}

func TestGraphAncestorsAndNextNumber(t *testing.T) {
	t.Parallel()
	g, err := NewGraph(append(project(), mig("other", "custom")))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want []string
	}{
		{"main.0001_initial", []string{"main.0001_initial"}},
		{"blog.0002_post_author", []string{"blog.0001_initial", "main.0001_initial", "main.0002_b", "blog.0002_post_author"}},
		{"main.0003_c", []string{"main.0001_initial", "main.0002_b", "main.0003_c"}},
		{"main.0009_none", []string{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, keysOf(g.Ancestors(key(tt.key)))); diff != "" {
			t.Errorf("Ancestors(%s) (-want +got):\n%s", tt.key, diff)
		}
	}
	numbers := map[string]int{"main": 4, "blog": 3, "other": 1, "new": 1}
	for app, want := range numbers {
		if got := g.NextNumber(app); got != want {
			t.Errorf("NextNumber(%s) = %d, want %d", app, got, want)
		}
	}
	if g.Migration(key("main.0002_b")) == nil || g.Migration(key("main.0009")) != nil {
		t.Error("Migration() does not find exactly the graph's migrations")
	}
}

// carMigrations builds a car/manufacturer history over three migrations.
func carMigrations() []*Migration {
	id := &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true}
	return []*Migration{
		{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
			operations.CreateModel{Name: "Manufacturer", Table: "manufacturer", Fields: []*state.Field{id,
				{Name: "name", Kind: state.Char, MaxLength: 100, Unique: true}}},
			operations.CreateModel{Name: "Car", Table: "car", Fields: []*state.Field{id,
				{Name: "name", Kind: state.Char, MaxLength: 30}}},
		}},
		{App: "main", Name: "0002_car_manufacturer", Dependencies: []Key{key("main.0001_initial")}, Operations: []operations.Operation{
			operations.AddField{Model: "Car", Field: &state.Field{Name: "manufacturer", Kind: state.ForeignKey, Null: true,
				Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "CASCADE"}}},
		}},
		{App: "main", Name: "0003_car_released", Dependencies: []Key{key("main.0002_car_manufacturer")}, Operations: []operations.Operation{
			operations.AddField{Model: "Car", Field: &state.Field{Name: "released", Kind: state.DateTime, Null: true}},
			operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name_idx", Fields: []string{"name", "-released"}}},
		}},
	}
}

// fieldNames lists a model's field names.
func fieldNames(m *state.Model) []string {
	var out []string
	for _, f := range m.Fields {
		out = append(out, f.Name)
	}
	return out
}

func TestGraphState(t *testing.T) {
	t.Parallel()
	g, err := NewGraph(carMigrations())
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"id", "name", "manufacturer", "released"}, fieldNames(p.Model("main", "Car"))); diff != "" {
		t.Errorf("State() Car fields (-want +got):\n%s", diff)
	}
	before, err := g.StateBefore(key("main.0003_car_released"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"id", "name", "manufacturer"}, fieldNames(before.Model("main", "Car"))); diff != "" {
		t.Errorf("StateBefore(0003) Car fields (-want +got):\n%s", diff)
	}
	first, err := g.StateBefore(key("main.0001_initial"))
	if err != nil || len(first.Models) != 0 {
		t.Errorf("StateBefore(0001) = %v, %v; want an empty project", first, err)
	}
	if _, err := g.StateBefore(key("main.0004")); err == nil {
		t.Error("StateBefore(unknown) succeeded")
	}

	broken := carMigrations()
	broken[2].Operations = append(broken[2].Operations, operations.RemoveField{Model: "Car", Name: "nope"})
	g, err = NewGraph(broken)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.State()
	if err == nil || !strings.Contains(err.Error(), "main.0003_car_released: operation 3 (Remove Field nope From Car)") {
		t.Errorf("State() of a broken migration: %v; want it to name the migration and operation", err)
	}
}

func TestGraphReplaces(t *testing.T) {
	t.Parallel()
	squash := &Migration{App: "main", Name: "0001_squashed_0002", Replaces: []Key{key("main.0001_initial"), key("main.0002_b")}}
	originals := []*Migration{mig("main", "0001_initial"), mig("main", "0002_b", "main.0001_initial"), squash}
	history := func(names ...string) map[Key]Applied {
		out := map[Key]Applied{}
		for _, n := range names {
			out[key(n)] = Applied{}
		}
		return out
	}
	tests := []struct {
		name    string
		ms      []*Migration
		applied map[Key]Applied
		order   []string
		leaves  []string
		next    int
	}{
		{"originals present, nothing applied: the squash is used", append(originals[:3:3], mig("main", "0003_c", "main.0002_b")), nil,
			[]string{"main.0001_squashed_0002", "main.0003_c"}, []string{"main.0003_c"}, 4},
		{"originals present, all applied: the squash is used", append(originals[:3:3], mig("main", "0003_c", "main.0002_b")),
			history("main.0001_initial", "main.0002_b"),
			[]string{"main.0001_squashed_0002", "main.0003_c"}, []string{"main.0003_c"}, 4},
		{"originals present, some applied: the originals are used", append(originals[:3:3], mig("main", "0003_c", "main.0002_b")),
			history("main.0001_initial"),
			[]string{"main.0001_initial", "main.0002_b", "main.0003_c"}, []string{"main.0003_c"}, 4},
		{"some applied, a later migration on the squash follows the last original", append(originals[:3:3], mig("main", "0003_c", "main.0001_squashed_0002")),
			history("main.0001_initial"),
			[]string{"main.0001_initial", "main.0002_b", "main.0003_c"}, []string{"main.0003_c"}, 4},
		{"originals deleted: dependencies follow the squash", []*Migration{squash, mig("main", "0003_c", "main.0002_b"),
			mig("blog", "0001", "main.0001_initial")}, history("main.0001_initial", "main.0002_b"),
			[]string{"main.0001_squashed_0002", "blog.0001", "main.0003_c"}, []string{"main.0003_c"}, 4},
		{"only the squash: numbering goes on after what it replaces", []*Migration{squash}, nil,
			[]string{"main.0001_squashed_0002"}, []string{"main.0001_squashed_0002"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := NewGraph(tt.ms)
			if err != nil {
				t.Fatal(err)
			}
			if g, err = g.ForHistory(tt.applied); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.order, keysOf(g.Order())); diff != "" {
				t.Errorf("Order() (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.leaves, strs(g.Leaves("main"))); diff != "" {
				t.Errorf("Leaves(main) (-want +got):\n%s", diff)
			}
			if got := g.NextNumber("main"); got != tt.next {
				t.Errorf("NextNumber(main) = %d, want %d", got, tt.next)
			}
		})
	}
}

func TestCheckConsistent(t *testing.T) {
	t.Parallel()
	squash := &Migration{App: "main", Name: "0001_squashed_0002", Replaces: []Key{key("main.0001_a"), key("main.0002_b")}}
	ms := []*Migration{squash, mig("main", "0003_c", "main.0002_b"), mig("blog", "0001_x", "main.0003_c")}
	tests := []struct {
		name    string
		applied []string
		want    []string
	}{
		{"nothing applied", nil, nil},
		{"a prefix applied", []string{"main.0001_squashed_0002", "main.0003_c"}, nil},
		{"the squash counts as applied through what it replaces", []string{"main.0001_a", "main.0002_b", "main.0003_c"}, nil},
		{"a gap", []string{"main.0001_squashed_0002", "blog.0001_x"},
			[]string{"migration blog.0001_x is applied before its dependency main.0003_c; if the changes of main.0003_c are in the database, add its row"}},
		{"a gap under a squash", []string{"main.0003_c"},
			[]string{"migration main.0003_c is applied before its dependency main.0001_squashed_0002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			applied := map[Key]Applied{}
			for _, a := range tt.applied {
				applied[key(a)] = Applied{}
			}
			g, err := NewGraph(ms)
			if err == nil {
				g, err = g.ForHistory(applied)
			}
			if err != nil {
				t.Fatal(err)
			}
			err = CheckConsistent(g, applied)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("CheckConsistent: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckConsistent: no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("CheckConsistent: %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	for _, m := range project() {
		r.Register(m)
	}
	g, err := r.Graph()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Order()) != 5 || len(r.Migrations()) != 5 {
		t.Errorf("registry graph has %d migrations, want 5", len(g.Order()))
	}
	r.Register(nil)
	r.Register(mig("main", "0001_initial"))
	_, err = r.Graph()
	if err == nil || !strings.Contains(err.Error(), "nil migration") || !strings.Contains(err.Error(), "duplicate migration main.0001_initial") {
		t.Errorf("Graph() after bad registrations: %v; want both problems", err)
	}
	if Default() == nil || Default() != Default() {
		t.Error("Default() is not one registry")
	}
}

func TestGraphFindReplaced(t *testing.T) {
	t.Parallel()
	squash := &Migration{App: "main", Name: "0001_squashed_0002_b", Replaces: []Key{key("main.0001_a"), key("main.0002_b")}}
	g, err := NewGraph([]*Migration{mig("main", "0001_a"), mig("main", "0002_b", "main.0001_a"), squash})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Find("main", "0002")
	if err == nil || !strings.Contains(err.Error(), "main.0002 is replaced by main.0001_squashed_0002_b here") {
		t.Errorf("Find of a replaced migration: %v", err)
	}
	if m, err := g.Find("main", "0001_sq"); err != nil || m != squash {
		t.Errorf("Find(0001_sq) = %v, %v; want the squash", m, err)
	}
}
