package staticload_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pmanager/pmanager/internal/staticload"
)

const modelsHeader = "package models\n\nimport \"github.com/pmanager/pmanager/pkg/models\"\n\ntype Car struct {\n\tmodels.Model\n\tName string `pm:\"max_length=10\"`\n}\n"

// TestFallbackTriggers lists what the reader refuses, so the command
// compiles the project instead: each case is a models or migrations
// package it cannot read with certainty.
func TestFallbackTriggers(t *testing.T) {
	t.Parallel()
	migHeader := "package migrations\n\nimport (\n\t\"github.com/pmanager/pmanager/migrations\"\n\t\"github.com/pmanager/pmanager/pkg/operations\"\n)\n\nfunc init() { migrations.Register(m1) }\n\n"
	tests := []struct {
		name       string
		models     string
		migrations string
	}{
		{name: "syntax error", models: modelsHeader + "type Broken struct {\n"},
		{name: "function", models: modelsHeader + "func Helper() int { return 1 }\n"},
		{name: "other method", models: modelsHeader + "func (Car) String() string { return \"car\" }\n"},
		{name: "pointer receiver Meta", models: modelsHeader + "func (*Car) Meta() models.Meta { return models.Meta{} }\n"},
		{name: "Meta that computes", models: modelsHeader + "func (Car) Meta() models.Meta {\n\tm := models.Meta{}\n\treturn m\n}\n"},
		{name: "Meta with a constant", models: modelsHeader + "func (Car) Meta() models.Meta { return models.Meta{Table: table} }\n"},
		{name: "Meta calling a function", models: modelsHeader + "func (Car) Meta() models.Meta { return models.Meta{Table: string(rune(65))} }\n"},
		{name: "Meta with parameters", models: modelsHeader + "func (Car) Meta(x int) models.Meta { return models.Meta{} }\n"},
		{name: "Meta of another type", models: modelsHeader + "func (Car) Meta() int { return 1 }\n"},
		{name: "constant", models: modelsHeader + "const table = \"cars\"\n"},
		{name: "variable with a value", models: modelsHeader + "var x = 1\n"},
		{name: "named variable", models: modelsHeader + "var x int\n"},
		{name: "unknown package", models: "package models\n\nimport \"github.com/shopspring/decimal\"\n\ntype Car struct{ Price decimal.Decimal }\n"},
		{name: "unknown standard type", models: "package models\n\nimport \"net\"\n\ntype Car struct{ IP net.IP }\n"},
		{name: "unused import", models: "package models\n\nimport (\n\t\"time\"\n\n\t\"github.com/pmanager/pmanager/pkg/models\"\n)\n\ntype Car struct{ models.Model }\n\nvar _ = time.Now\n"},
		{name: "import never used", models: "package models\n\nimport (\n\t\"time\"\n\n\t\"github.com/pmanager/pmanager/pkg/models\"\n)\n\ntype Car struct{ models.Model }\n"},
		{name: "undefined type", models: modelsHeader + "type Bus struct {\n\tmodels.Model\n\tDriver *Driver\n}\n"},
		{name: "generic type", models: modelsHeader + "type Box[T any] struct{ V T }\n"},
		{name: "blank import", models: "package models\n\nimport (\n\t_ \"embed\"\n\n\t\"github.com/pmanager/pmanager/pkg/models\"\n)\n\ntype Car struct{ models.Model }\n"},
		{name: "struct containing itself", models: modelsHeader + "type Loop struct {\n\tmodels.Model\n\tNext Loop\n}\n"},
		{name: "Meta from two embedded structs", models: modelsHeader + "type A struct{ models.Model }\n\nfunc (A) Meta() models.Meta { return models.Meta{Abstract: true} }\n\ntype B struct{ X int }\n\nfunc (B) Meta() models.Meta { return models.Meta{} }\n\ntype C struct {\n\tA\n\tB\n}\n"},
		{name: "field and method Meta", models: modelsHeader + "type D struct {\n\tmodels.Model\n\tMeta string\n}\n\nfunc (D) Meta() models.Meta { return models.Meta{} }\n"},
		{name: "array of computed length", models: modelsHeader + "type E struct {\n\tmodels.Model\n\tK [2 * 8]byte `pm:\"type=uuid\"`\n}\n"},
		{name: "migration with RunGo", migrations: migHeader + "var m1 = &migrations.Migration{App: \"main\", Name: \"0001_x\", Operations: []operations.Operation{operations.RunGo{}}}\n"},
		{name: "migration helper function", migrations: migHeader + "var m1 = &migrations.Migration{App: \"main\", Name: \"0001_x\", Operations: []operations.Operation{ops()}}\n\nfunc ops() operations.Operation { return operations.RunSQL{} }\n"},
		{name: "migration with an unused import", migrations: "package migrations\n\nimport (\n\t\"github.com/pmanager/pmanager/migrations\"\n\t\"github.com/pmanager/pmanager/pkg/state\"\n)\n\nfunc init() { migrations.Register(m1) }\n\nvar m1 = &migrations.Migration{App: \"main\", Name: \"0001_x\"}\n"},
		{name: "migration built by a call", migrations: migHeader + "var m1 = build()\n"},
		{name: "migration registering an undeclared variable", migrations: migHeader + "var m2 = &migrations.Migration{App: \"main\", Name: \"0001_x\", Operations: []operations.Operation{}}\n"},
		{name: "migration with a constant", migrations: migHeader + "const name = \"0001_x\"\n\nvar m1 = &migrations.Migration{App: \"main\", Name: name, Operations: []operations.Operation{}}\n"},
		{name: "migration literal of an unknown field", migrations: migHeader + "var m1 = &migrations.Migration{App: \"main\", Nom: \"0001_x\", Operations: []operations.Operation{}}\n"},
		{name: "migration with a renamed import", migrations: "package migrations\n\nimport m \"github.com/pmanager/pmanager/migrations\"\n\nfunc init() { m.Register(m1) }\n\nvar m1 = &m.Migration{App: \"main\", Name: \"0001_x\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mod, app := project(t, tt.models, tt.migrations)
			_, errM := staticload.Models(mod, []staticload.App{app})
			_, errR := staticload.Migrations(mod, []staticload.App{app}, nil)
			err := errM
			if tt.migrations != "" {
				err = errR
			} else if errR != nil {
				t.Fatalf("the plain migrations package was refused: %v", errR)
			}
			if !errors.Is(err, staticload.ErrUnsupported) {
				t.Fatalf("got %v, want an error wrapping ErrUnsupported", err)
			}
		})
	}
}

// TestPlainProjectIsRead is the control of TestFallbackTriggers: the
// same headers, nothing refused.
func TestPlainProjectIsRead(t *testing.T) {
	t.Parallel()
	mod, app := project(t, "", "")
	apps, err := staticload.Models(mod, []staticload.App{app})
	if err != nil || len(apps) != 1 || len(apps[0].Types) != 1 {
		t.Fatalf("Models = %v, %v; want one app with Car", apps, err)
	}
	reg, err := staticload.Migrations(mod, []staticload.App{app}, nil)
	if err != nil || len(reg.Migrations()) != 1 {
		t.Fatalf("Migrations = %v, %v; want one migration", reg, err)
	}
}

// project writes a module with a models and a migrations package; ""
// stands for a plain, readable package.
func project(t *testing.T, models, migs string) (staticload.Module, staticload.App) {
	dir := t.TempDir()
	if models == "" {
		models = modelsHeader
	}
	if migs == "" {
		migs = "package migrations\n\nimport \"github.com/pmanager/pmanager/migrations\"\n\nfunc init() { migrations.Register(m1) }\n\nvar m1 = &migrations.Migration{App: \"main\", Name: \"0001_initial\"}\n"
	}
	files := map[string]string{
		"go.mod":                    "module example.com/m\n\ngo 1.24\n",
		"models/models.go":          models,
		"migrations/0001_x.go":      migs,
		"migrations/doc.go":         "// Package migrations holds migrations.\npackage migrations\n",
		"models/models_test.go":     "package models\n\nfunc helper() {}\n",
		"migrations/ignore_test.go": "package migrations\n\nfunc helper() {}\n",
	}
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return staticload.Module{Path: "example.com/m", Dir: dir},
		staticload.App{Label: "main", ModelsDir: filepath.Join(dir, "models"), MigrationsDir: filepath.Join(dir, "migrations")}
}
