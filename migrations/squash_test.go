package migrations

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

func TestSquash(t *testing.T) {
	t.Parallel()
	g, err := NewGraph(appMigrations())
	if err != nil {
		t.Fatal(err)
	}
	find := func(name string) *Migration {
		m := g.Migration(key(name))
		if m == nil {
			t.Fatalf("no migration %s", name)
		}
		return m
	}
	tests := []struct {
		name     string
		app      string
		from, to string
		newName  string
		want     string   // the squash's name
		deps     []string // its dependencies
		replaces []string
		ops      []string // its operations, described
		before   int
	}{
		{
			name: "the whole app", app: "main", to: "main.0003_car_released",
			want:     "0001_squashed_0003_car_released",
			replaces: []string{"main.0001_initial", "main.0002_car_manufacturer", "main.0003_car_released"},
			ops:      []string{"Create Model Manufacturer", "Create Model Car"},
			before:   5,
		},
		{
			name: "a range keeps what it starts from", app: "main", from: "main.0002_car_manufacturer", to: "main.0003_car_released",
			newName:  "car_details",
			want:     "0002_car_details",
			deps:     []string{"main.0001_initial"},
			replaces: []string{"main.0002_car_manufacturer", "main.0003_car_released"},
			ops:      []string{"Add Field manufacturer To Car", "Add Field released To Car", "Create Index car_name_idx On Field(s) name, -released Of Model Car"},
			before:   3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var from *Migration
			if tt.from != "" {
				from = find(tt.from)
			}
			sq, err := Squash(g, tt.app, from, find(tt.to), tt.newName)
			if err != nil {
				t.Fatal(err)
			}
			m := sq.Migration
			if m.Name != tt.want || m.App != tt.app {
				t.Errorf("squash is %s, want %s.%s", m.Key(), tt.app, tt.want)
			}
			var ops []string
			for _, op := range m.Operations {
				ops = append(ops, op.Describe())
			}
			for _, c := range []struct {
				what      string
				want, got []string
			}{{"dependencies", tt.deps, strs(m.Dependencies)}, {"replaces", tt.replaces, strs(m.Replaces)}, {"operations", tt.ops, ops}} {
				if diff := cmp.Diff(c.want, c.got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.what, diff)
				}
			}
			if sq.Before != tt.before || sq.After != len(m.Operations) {
				t.Errorf("counted %d → %d operations, want %d → %d", sq.Before, sq.After, tt.before, len(m.Operations))
			}
			// The graph with the squash replays to the same state as without.
			next, err := NewGraph(append(appMigrations(), m))
			if err != nil {
				t.Fatal(err)
			}
			if next.Migration(m.Key()) == nil {
				t.Fatalf("the new graph does not use %s", m.Key())
			}
			want, err := g.State()
			if err != nil {
				t.Fatal(err)
			}
			got, err := next.State()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("state with the squash (-without +with):\n%s", diff)
			}
		})
	}
}

func TestSquashRefuses(t *testing.T) {
	t.Parallel()
	squashed := []*Migration{
		{App: "main", Name: "0001_squashed_0002", Replaces: []Key{key("main.0001_a"), key("main.0002_b")}},
		mig("main", "0003_c", "main.0002_b"),
	}
	tests := []struct {
		name     string
		ms       []*Migration
		from, to string
		want     string
	}{
		{"a range backwards", carMigrations(), "main.0003_car_released", "main.0001_initial", "main.0003_car_released does not come before main.0001_initial"},
		{"one migration", carMigrations(), "main.0002_car_manufacturer", "main.0002_car_manufacturer", "holds one migration only"},
		{"a squash of a squash", squashed, "", "main.0003_c", "main.0001_squashed_0002 is itself a squashed migration"},
		{"a name another migration has", []*Migration{mig("main", "0001_a"), mig("main", "0002_b", "main.0001_a"), mig("main", "0001_squashed_0002_b", "main.0002_b")},
			"main.0001_a", "main.0002_b", "main.0001_squashed_0002_b does not fit the migration graph"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := NewGraph(tt.ms)
			if err != nil {
				t.Fatal(err)
			}
			var from *Migration
			if tt.from != "" {
				from = g.Migration(key(tt.from))
			}
			_, err = Squash(g, "main", from, g.Migration(key(tt.to)), "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Squash: %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestSquashName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ first, last, name, want string }{
		{"0001_initial", "0020_foo", "", "0001_squashed_0020_foo"},
		{"0003_a", "0007_b", "tidy", "0003_tidy"},
		{"initial", "later", "", "initial_squashed_later"},
	} {
		if got := SquashName(tt.first, tt.last, tt.name); got != tt.want {
			t.Errorf("SquashName(%q, %q, %q) = %q, want %q", tt.first, tt.last, tt.name, got, tt.want)
		}
	}
}

// TestSquashOnEveryHistory runs Django's three cases on each database: a
// database that applied every replaced migration uses the squash as
// applied, one that applied some applies the rest of them, a fresh one
// applies the squash and records it with what it replaces. All end with
// the same schema, and keep it once the originals are deleted.
func TestSquashOnEveryHistory(t *testing.T) {
	originals := carMigrations()
	g, err := NewGraph(originals)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := Squash(g, "main", nil, g.Migration(key("main.0003_car_released")), "")
	if err != nil {
		t.Fatal(err)
	}
	squash := sq.Migration
	full, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	all := append(carMigrations(), squash)
	replaced := []string{"main.0001_initial", "main.0001_squashed_0003_car_released", "main.0002_car_manufacturer", "main.0003_car_released"}
	tests := []struct {
		name    string
		applied string // the original applied before the squash exists ("" for none)
		plan    []string
	}{
		{"all applied", "main.0003_car_released", []string{}},
		{"some applied", "main.0001_initial", []string{"Apply main.0002_car_manufacturer", "Apply main.0003_car_released"}},
		{"none applied", "", []string{"Apply main.0001_squashed_0003_car_released"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
				if tt.applied != "" {
					e, _ := newExecutor(t, db, ed, carMigrations())
					plan, err := e.Plan(context.Background(), []Target{{App: "main", Name: key(tt.applied).Name}})
					if err != nil {
						t.Fatal(err)
					}
					if err := e.Migrate(context.Background(), plan, Options{}); err != nil {
						t.Fatal(err)
					}
				}
				e, _ := newExecutor(t, db, ed, all)
				migrateTo(t, e, nil, tt.plan, Options{})
				checkSchema(t, db, ed, full, "with the originals present")
				want := without(replaced, "main.0001_squashed_0003_car_released")
				if tt.applied == "" {
					want = replaced
				}
				if diff := cmp.Diff(want, appliedKeys(t, e.History())); diff != "" {
					t.Errorf("history (-want +got):\n%s", diff)
				}

				// The originals are deleted: nothing is left to apply.
				e, _ = newExecutor(t, db, ed, []*Migration{squash})
				migrateTo(t, e, nil, []string{}, Options{})
				checkSchema(t, db, ed, full, "with the squash alone")
			})
		})
	}
}

// without returns list minus s.
func without(list []string, s string) []string {
	out := []string{}
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func TestRenderSquashNamesGoFunctions(t *testing.T) {
	t.Parallel()
	const pkgPath = "github.com/pmanager/pmanager/migrations"
	m := &Migration{App: "main", Name: "0001_squashed_0002_data", Replaces: []Key{key("main.0001_a"), key("main.0002_data")},
		Operations: []operations.Operation{
			operations.RunSQL{SQL: []string{"SELECT 1"}},
			operations.RunGo{Forward: goInsert, Reverse: operations.Noop},
			operations.RunGo{Forward: goFail},
		}}
	_, err := WriteSquash(m, "migrations", pkgPath, "test", time.Unix(0, 0))
	if err == nil || !strings.Contains(err.Error(), "RunGo runs github.com/pmanager/pmanager/pkg/operations.Noop, which a file of package "+pkgPath+" cannot name") {
		t.Errorf("WriteSquash with a function of another package: %v", err)
	}
	m.Operations[1] = operations.RunGo{Forward: goInsert}
	src, err := WriteSquash(m, "migrations", pkgPath, "test", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"//   - Raw SQL Operation\n//   - Raw Go Operation\n//   - Raw Go Operation\n",
		"\t\toperations.RunSQL{SQL: []string{\"SELECT 1\"}},\n\t\toperations.RunGo{Forward: goInsert},\n\t\toperations.RunGo{Forward: goFail},\n",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("rendered squash lacks %q:\n%s", want, src)
		}
	}
	m.Operations[2] = operations.RunGo{Forward: func(context.Context, schema.ExecQuerier) error { return nil }}
	if _, err := WriteSquash(m, "migrations", pkgPath, "test", time.Unix(0, 0)); err == nil || !strings.Contains(err.Error(), "make it a top-level function") {
		t.Errorf("WriteSquash with a closure: %v", err)
	}
}

func TestSquashKeepsRunGoInPlace(t *testing.T) {
	t.Parallel()
	ms := carMigrations()
	ms[1].Operations = append([]operations.Operation{operations.RunGo{Forward: goInsert}}, ms[1].Operations...)
	g, err := NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := Squash(g, "main", nil, g.Migration(key("main.0003_car_released")), "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range sq.Migration.Operations {
		got = append(got, op.Describe())
	}
	want := []string{"Create Model Manufacturer", "Create Model Car", "Raw Go Operation", "Add Field manufacturer To Car",
		"Add Field released To Car", "Create Index car_name_idx On Field(s) name, -released Of Model Car"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("squashed operations (-want +got):\n%s", diff)
	}
}

// twentyMigrations is a history of twenty migrations of app main that
// creates, alters, renames and drops, with raw SQL in the middle.
func twentyMigrations() []*Migration {
	id := func() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }
	char := func(name string, n int, null bool) *state.Field {
		return &state.Field{Name: name, Kind: state.Char, MaxLength: n, Null: null}
	}
	steps := [][]operations.Operation{
		{operations.CreateModel{Name: "Manufacturer", Table: "manufacturer", Fields: []*state.Field{id(), char("name", 50, false)}},
			operations.CreateModel{Name: "Car", Table: "car", Fields: []*state.Field{id(), char("name", 30, false)}}},
		{operations.AddField{Model: "Car", Field: &state.Field{Name: "color", Kind: state.Char, MaxLength: 20, Default: state.Str("red")}}},
		{operations.AlterField{Model: "Car", Name: "color", Field: &state.Field{Name: "color", Kind: state.Char, MaxLength: 40, Default: state.Str("red")}}},
		{operations.AddField{Model: "Car", Field: &state.Field{Name: "manufacturer", Kind: state.ForeignKey, Null: true,
			Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "CASCADE"}}}},
		{operations.RenameField{Model: "Car", OldName: "name", NewName: "title"}},
		{operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_title_idx", Fields: []string{"title"}}}},
		{operations.AddField{Model: "Car", Field: &state.Field{Name: "tmp", Kind: state.Integer, Null: true}}},
		{operations.RemoveField{Model: "Car", Name: "tmp"}},
		{operations.CreateModel{Name: "Dealer", Table: "dealer", Fields: []*state.Field{id(), char("city", 20, false)}}},
		{operations.RunSQL{SQL: []string{"INSERT INTO manufacturer (name) VALUES ('Acme')"}, Reverse: []string{"DELETE FROM manufacturer"}}},
		{operations.AddField{Model: "Dealer", Field: char("code", 5, true)}},
		{operations.AlterField{Model: "Dealer", Name: "code", Field: char("code", 10, true)}},
		{operations.RenameField{Model: "Dealer", OldName: "code", NewName: "ref"}},
		{operations.AddConstraint{Model: "Car", Constraint: state.Constraint{Kind: state.CheckConstraint, Name: "car_title_len", Check: "LENGTH(title) >= 0"}}},
		{operations.AlterModelTable{Name: "Dealer", Table: "dealers"}},
		{operations.AlterUniqueTogether{Name: "Car", UniqueTogether: [][]string{{"manufacturer", "title"}}}},
		{operations.AddField{Model: "Car", Field: &state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2, Default: state.Str("0")}}},
		{operations.CreateModel{Name: "Tmp", Table: "tmp", Fields: []*state.Field{id()}},
			operations.AddField{Model: "Tmp", Field: &state.Field{Name: "note", Kind: state.Text, Null: true}}},
		{operations.DeleteModel{Name: "Tmp"}},
		{operations.AddField{Model: "Manufacturer", Field: &state.Field{Name: "country", Kind: state.Char, MaxLength: 2, Default: state.Str("KE")}}},
	}
	var out []*Migration
	for i, ops := range steps {
		m := &Migration{App: "main", Name: fmt.Sprintf("%04d_step", i+1), Operations: ops, Initial: i == 0}
		if i > 0 {
			m.Dependencies = []Key{out[i-1].Key()}
		}
		out = append(out, m)
	}
	return out
}

// TestSquashTwentyOnEveryDatabase squashes twenty migrations and checks, on
// every dialect, that a database that applied all of them, one that applied
// ten and a fresh one end with the same schema, the one the state implies.
func TestSquashTwentyOnEveryDatabase(t *testing.T) {
	t.Parallel()
	squashOnEveryDatabase(t, twentyMigrations, "0020_step", "0010_step", nil)
}

// renameMigrations is a history that renames models: created then renamed,
// renamed twice, renamed while another model points at it, renamed then
// deleted.
func renameMigrations() []*Migration {
	id := func() *state.Field { return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true} }
	fk := func(name, to string) *state.Field {
		return &state.Field{Name: name, Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: to, OnDelete: "CASCADE"}}
	}
	steps := [][]operations.Operation{
		{operations.CreateModel{Name: "Maker", Table: "maker", Fields: []*state.Field{id(), {Name: "name", Kind: state.Char, MaxLength: 50}}},
			operations.CreateModel{Name: "Car", Table: "car", Fields: []*state.Field{id(), fk("maker", "main.Maker")}}},
		{operations.RenameModel{OldName: "Maker", NewName: "Brand"}},
		{operations.RenameModel{OldName: "Car", NewName: "Auto"}},
		{operations.AddField{Model: "Auto", Field: &state.Field{Name: "color", Kind: state.Char, MaxLength: 20, Default: state.Str("red")}}},
		{operations.RenameModel{OldName: "Auto", NewName: "Vehicle"}},
		{operations.CreateModel{Name: "Tmp", Table: "tmp", Fields: []*state.Field{id()}}},
		{operations.RenameModel{OldName: "Tmp", NewName: "Scratch"}},
		{operations.DeleteModel{Name: "Scratch"}},
		{operations.CreateModel{Name: "Garage", Table: "garage", Fields: []*state.Field{id(), fk("car", "main.Vehicle")}}},
		{operations.RenameModel{OldName: "Garage", NewName: "Depot"}},
	}
	var out []*Migration
	for i, ops := range steps {
		m := &Migration{App: "main", Name: fmt.Sprintf("%04d_step", i+1), Operations: ops, Initial: i == 0}
		if i > 0 {
			m.Dependencies = []Key{out[i-1].Key()}
		}
		out = append(out, m)
	}
	return out
}

// TestSquashRenamesOnEveryDatabase squashes a history of model renames
// into the creation of the models under their last names, and checks the
// squash on every dialect as the twenty-migration test does.
func TestSquashRenamesOnEveryDatabase(t *testing.T) {
	t.Parallel()
	squashOnEveryDatabase(t, renameMigrations, "0010_step", "0005_step",
		[]string{"Create Model Brand", "Create Model Vehicle", "Create Model Depot"})
}

// squashOnEveryDatabase squashes the history build returns up to last and
// checks, on every dialect, that a database that applied all of it, one
// that applied it up to middle and a fresh one end with the same schema,
// the one the state implies. want, when not nil, are the squash's
// operations, described.
func squashOnEveryDatabase(t *testing.T, build func() []*Migration, last, middle string, want []string) {
	originals := build()
	g, err := NewGraph(originals)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := Squash(g, "main", nil, g.Migration(key("main."+last)), "")
	if err != nil {
		t.Fatal(err)
	}
	if sq.After >= sq.Before {
		t.Fatalf("optimizing kept %d of %d operations", sq.After, sq.Before)
	}
	if want != nil {
		var got []string
		for _, op := range sq.Migration.Operations {
			got = append(got, op.Describe())
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("squashed operations (-want +got):\n%s", diff)
		}
	}
	full, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	withSquash := append(build(), sq.Migration)
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ed := connect.EditorFor(d)
			var schemas [][]schema.Table
			for _, before := range []string{last, middle, ""} {
				db := dbtest.Open(t, d)
				if before != "" {
					e, _ := newExecutor(t, db, ed, build())
					plan, err := e.Plan(context.Background(), []Target{{App: "main", Name: before}})
					if err != nil {
						t.Fatal(err)
					}
					if err := e.Migrate(context.Background(), plan, Options{}); err != nil {
						t.Fatal(err)
					}
				}
				e, _ := newExecutor(t, db, ed, withSquash)
				plan, err := e.Plan(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Migrate(context.Background(), plan, Options{}); err != nil {
					t.Fatalf("after %q: %v", before, err)
				}
				checkSchema(t, db, ed, full, "after "+before)
				schemas = append(schemas, userTables(t, db, ed))
			}
			for i := 1; i < len(schemas); i++ {
				if diff := cmp.Diff(schemas[0], schemas[i], cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("schema %d differs from the fully migrated one (-all +other):\n%s", i, diff)
				}
			}
		})
	}
}
