package migrations

import (
	"bytes"
	"context"
	"flag"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ (and the round-trip test file) from the current output")

// goldenTime is the generation time written into golden files.
var goldenTime = time.Date(2026, 11, 22, 10, 10, 0, 0, time.UTC)

// EveryOperation is a migration using every operation type that can be
// written to a file and every option of a field. It is exported (in a test
// file only) so the external round-trip test can compare against it.
func EveryOperation() *Migration {
	return &Migration{
		App:  "main",
		Name: "0002_everything",
		Dependencies: []Key{
			{App: "main", Name: "0001_initial"},
			{App: "auth", Name: "0003_user_email"},
		},
		Replaces: []Key{{App: "main", Name: "0002_a"}, {App: "main", Name: "0003_b"}},
		Initial:  true,
		// NonAtomic is written like any other field.
		NonAtomic: true,
		Operations: []operations.Operation{
			operations.CreateModel{
				Name:  "Manufacturer",
				Table: "manufacturer",
				Fields: []*state.Field{
					{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
					{Name: "name", Kind: state.Char, MaxLength: 100, Unique: true},
				},
			},
			operations.CreateModel{
				Name:  "Car",
				Table: "local_car",
				Fields: []*state.Field{
					{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
					{Name: "name", Kind: state.Char, MaxLength: 30, Index: true, Blank: true, Comment: "the model's \"name\""},
					{Name: "manufacturer", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "CASCADE", RelatedName: "cars"}},
					{Name: "owner", Kind: state.ForeignKey, Null: true, Column: "owner_ref", Relation: &state.Relation{
						To: "auth.User", ToField: "email", OnDelete: "SET_NULL", NoConstraint: true}},
					{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2, Default: state.Str("0.00")},
					{Name: "made_at", Kind: state.DateTime, DBDefault: state.DBNow},
					{Name: "serial", Kind: state.UUID, Unique: true, DBDefault: state.DBUUID},
					{Name: "country", Kind: state.Char, MaxLength: 2, Default: state.Str("KE"), Choices: []string{"KE", "UG", "TZ"}},
					{Name: "notes", Kind: state.Text, Default: state.Str("")},
					{Name: "addr", Kind: state.SQL, Null: true, SQLTypes: []state.SQLType{
						{Dialect: "postgres", Type: "inet"}, {Dialect: "mysql", Type: "varchar(45)"}, {Dialect: "sqlite", Type: "text"}}},
					{Name: "features", Kind: state.ManyToMany, Relation: &state.Relation{To: "Feature", Table: "car_features_x", FromColumn: "car_ref", ToColumn: "feature_ref"}},
					{Name: "drivers", Kind: state.ManyToMany, Relation: &state.Relation{To: "auth.User", Through: "main.Driving"}},
					{Name: "spec", Kind: state.OneToOne, Relation: &state.Relation{To: "main.Spec", OnDelete: "PROTECT"}},
				},
				UniqueTogether: [][]string{{"manufacturer", "name"}},
				Indexes:        []state.Index{{Name: "car_name_idx", Fields: []string{"name", "-price"}, Condition: "price > 0"}},
				Constraints: []state.Constraint{
					{Kind: state.CheckConstraint, Name: "price_gte_0", Check: "price >= 0"},
					{Kind: state.UniqueConstraint, Name: "car_owner_uniq", Fields: []string{"owner", "name"}, Condition: "owner_ref IS NOT NULL"},
				},
				Options: state.Options{Ordering: []string{"-price", "name", "manufacturer__name", "-pk"}, VerboseName: "car", Comment: "Cars on sale"},
			},
			operations.CreateModel{Name: "Legacy", Table: "legacy", Unmanaged: true, Fields: []*state.Field{{Name: "code", Kind: state.Char, MaxLength: 8, PrimaryKey: true}}},
			operations.DeleteModel{Name: "Old"},
			operations.AlterModelTable{Name: "Car", Table: "car"},
			operations.AlterModelOptions{Name: "Car", Options: state.Options{Ordering: []string{"?"}}},
			operations.AlterModelOptions{Name: "Manufacturer"},
			operations.AlterUniqueTogether{Name: "Car", UniqueTogether: [][]string{{"manufacturer", "name"}, {"owner", "country"}}},
			operations.AlterUniqueTogether{Name: "Car", UniqueTogether: [][]string{}},
			operations.AddField{Model: "Car", Field: &state.Field{Name: "released", Kind: state.Date, Null: true}},
			operations.AddField{Model: "Car", Field: &state.Field{Name: "wheels", Kind: state.SmallInteger}, Fill: state.Str("4")},
			operations.RemoveField{Model: "Car", Name: "notes"},
			operations.AlterField{Model: "Car", Name: "name", Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 60}, Fill: state.Str("unnamed")},
			operations.RenameField{Model: "Car", OldName: "released", NewName: "released_on"},
			operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_released_idx", Fields: []string{"-released_on"}}},
			operations.RemoveIndex{Model: "Car", Name: "car_name_idx"},
			operations.RenameIndex{Model: "Car", OldName: "car_released_idx", NewName: "car_released_on_idx"},
			operations.AddConstraint{Model: "Car", Constraint: state.Constraint{Kind: state.UniqueConstraint, Name: "car_name_uniq", Fields: []string{"name"}}},
			operations.RemoveConstraint{Model: "Car", Name: "price_gte_0"},
			operations.RunSQL{SQL: []string{"UPDATE car SET wheels = 4 WHERE wheels IS NULL"}},
			operations.RunSQL{SQL: []string{"INSERT INTO manufacturer (name) VALUES ('Toyota')", "INSERT INTO manufacturer (name) VALUES ('Subaru, the one with \"boxer\" engines and a long name')"},
				Reverse: []string{}},
			operations.SeparateDatabaseAndState{
				Database: []operations.Operation{operations.RunSQL{SQL: []string{"ALTER TABLE legacy RENAME TO legacy_codes"}, Reverse: []string{"ALTER TABLE legacy_codes RENAME TO legacy"}}},
				State:    []operations.Operation{operations.AlterModelTable{Name: "Legacy", Table: "legacy_codes"}},
			},
			operations.RenameModel{OldName: "Manufacturer", NewName: "Maker"},
		},
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func TestRenderGolden(t *testing.T) {
	// Not parallel: -update writes files other tests read.
	empty := &Migration{App: "blog", Name: "0003_auto_20261122_1010", Dependencies: []Key{{App: "blog", Name: "0002_post"}}}
	example := carMigrations()[1]
	tests := []struct {
		file string
		pkg  string
		m    *Migration
	}{
		{"testdata/every_operation.golden", "migrations", EveryOperation()},
		{"testdata/empty.golden", "blogmigrations", empty},
		{"testdata/car_manufacturer.golden", "migrations", example},
		// The same migration written as a file of the external test
		// package, which compiles it: the round trip of TestRoundTrip.
		{"roundtrip_gen_test.go", "migrations_test", EveryOperation()},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			src, err := WriteSource(tt.m, tt.pkg, "0.1.0", goldenTime)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, src)
			checkGoSource(t, src)
		})
	}
}

// checkGoSource parses src and checks gofmt leaves it as it is.
func checkGoSource(t *testing.T, src []byte) {
	t.Helper()
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "m.go", src, parser.ParseComments|parser.AllErrors); err != nil {
		t.Fatalf("rendered source does not parse: %v\n%s", err, src)
	}
	formatted, err := format.Source(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(formatted, src) {
		t.Errorf("rendered source is not gofmt-stable:\n%s", cmp.Diff(string(src), string(formatted)))
	}
}

func TestRenderImports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    *Migration
		want []string
		not  []string
	}{
		{"empty migration is ready to be filled by hand", &Migration{App: "a", Name: "0001"},
			[]string{`"github.com/pmanager/pmanager/migrations"`, `"github.com/pmanager/pmanager/pkg/operations"`, "Operations: []operations.Operation{\n"},
			[]string{"pkg/state"}},
		{"no state without fields", &Migration{App: "a", Name: "0002", Operations: []operations.Operation{operations.RemoveField{Model: "Car", Name: "x"}}},
			[]string{"pkg/operations", `operations.RemoveField{Model: "Car", Name: "x"},`}, []string{"pkg/state"}},
		{"state for a default", &Migration{App: "a", Name: "0002", Operations: []operations.Operation{
			operations.AddField{Model: "Car", Field: &state.Field{Name: "x", Kind: state.JSON}, Fill: state.Str("{}")}}},
			[]string{"pkg/state", `Fill: state.Str("{}")`, "&state.Field{Name: \"x\", Kind: state.JSON}"}, nil},
		{"unknown kind is converted", &Migration{App: "a", Name: "0002", Operations: []operations.Operation{
			operations.AddField{Model: "Car", Field: &state.Field{Name: "x", Kind: "money"}}}},
			[]string{`Kind: state.Kind("money")`}, nil},
		{"nil reverse stays nil", &Migration{App: "a", Name: "0002", Operations: []operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}}}},
			[]string{`operations.RunSQL{SQL: []string{"SELECT 1"}},`}, []string{"Reverse"}},
		{"empty reverse stays empty", &Migration{App: "a", Name: "0002", Operations: []operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}, Reverse: []string{}}}},
			[]string{`Reverse: []string{}`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := WriteSource(tt.m, "migrations", "0.1.0", goldenTime)
			if err != nil {
				t.Fatal(err)
			}
			checkGoSource(t, src)
			for _, w := range tt.want {
				if !strings.Contains(string(src), w) {
					t.Errorf("source does not contain %s:\n%s", w, src)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(string(src), w) {
					t.Errorf("source contains %s:\n%s", w, src)
				}
			}
		})
	}
}

// customOp is an operation of a package a migration file cannot import.
type customOp struct{ operations.RunSQL }

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	fn := func(context.Context, schema.ExecQuerier) error { return nil }
	tests := []struct {
		name string
		m    *Migration
		pkg  string
		want string
	}{
		{"RunGo", &Migration{App: "a", Name: "0002", Operations: []operations.Operation{operations.RunSQL{}, operations.RunGo{Forward: fn}}},
			"migrations", "operation 2 is RunGo"},
		{"nested RunGo", &Migration{App: "a", Name: "0002", Operations: []operations.Operation{
			operations.SeparateDatabaseAndState{Database: []operations.Operation{operations.RunGo{Forward: fn}}}}},
			"migrations", "Go function"},
		{"foreign type", &Migration{App: "a", Name: "0002", Operations: []operations.Operation{customOp{}}}, "migrations", "cannot be written"},
		{"bad package", &Migration{App: "a", Name: "0002"}, "my-migrations", "not a Go package name"},
		{"nil", nil, "migrations", "nil migration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := WriteSource(tt.m, tt.pkg, "0.1.0", goldenTime)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteSource error = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	ms := carMigrations()
	g, err := NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	after, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	m := &Migration{App: "main", Name: "0004_x", Operations: []operations.Operation{
		operations.AlterField{Model: "Car", Name: "name", Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 10}},
		operations.AlterField{Model: "Car", Name: "name", Field: &state.Field{Name: "name", Kind: state.Char, MaxLength: 50}},
		operations.RemoveField{Model: "Car", Name: "released"},
		operations.AddField{Model: "Car", Field: &state.Field{Name: "notes", Kind: state.Text, Blank: true}},
		operations.DeleteModel{Name: "Car"},
	}}
	want := []string{
		"Alter Field name On Car (destructive)",
		"Alter Field name On Car",
		"Remove Field released From Car (destructive)",
		"Add Field notes To Car",
		"Delete Model Car (destructive)",
	}
	if diff := cmp.Diff(want, Describe(m, after)); diff != "" {
		t.Errorf("Describe (-want +got):\n%s", diff)
	}
	if got := Describe(&Migration{App: "main", Name: "0001"}, nil); len(got) != 0 {
		t.Errorf("Describe(empty) = %v", got)
	}
}

// TestRenderLeavesOutHints checks that the rename hints a state read from
// models may carry never reach a migration file.
func TestRenderLeavesOutHints(t *testing.T) {
	t.Parallel()
	m := &Migration{App: "main", Name: "0002_hints", Operations: []operations.Operation{
		operations.AddField{Model: "Car", Field: &state.Field{Name: "title", Kind: state.Text, Null: true, Was: "name"}},
	}}
	src, err := WriteSource(m, "migrations", "0.1.0", goldenTime)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(src, []byte("Was")) {
		t.Errorf("the hint was written:\n%s", src)
	}
	if !bytes.Contains(src, []byte(`Name: "title"`)) {
		t.Errorf("the field itself is missing:\n%s", src)
	}
}
