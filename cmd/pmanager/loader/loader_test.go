package loader

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// writeFiles creates files (path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func noEnv(string) (string, bool) { return "", false }

func TestScanPackage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"models.go": `package models

import "time"

type Car struct {
	Name string
	Made time.Time
}

type (
	Manufacturer struct{ Name string }
	unexported   struct{}
	Named        string
	Alias        = Car
	Iface        interface{ M() }
)

type Generic[T any] struct{ V T }

func Helper() {
	type Local struct{}
}
`,
		"more.go":         "package models\n\ntype User struct{ Email string }\n",
		"models_test.go":  "package models\n\ntype TestOnly struct{}\n",
		"ignored.go":      "//go:build ignore\n\npackage models\n\ntype Ignored struct{}\n",
		"x_test.go":       "package models_test\n\ntype External struct{}\n",
		"notes.txt":       "type NotGo struct{}",
		"sub/deeper.go":   "package sub\n\ntype Deeper struct{}\n",
		"other_linux.go":  "package models\n\ntype OnLinux struct{}\n",
		"other_plan9.go":  "package models\n\ntype OnPlan9 struct{}\n",
		"zz_generated.go": "// Code generated. DO NOT EDIT.\n\npackage models\n\ntype Zed struct{}\n",
	})
	pkg, err := ScanPackage(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Car", "Manufacturer", "User", "Zed"}
	if got := pkg.Structs; !containsAll(got, want) || contains(got, "OnPlan9") || contains(got, "TestOnly") || contains(got, "Ignored") ||
		contains(got, "Generic") || contains(got, "Alias") || contains(got, "Named") || contains(got, "Local") || contains(got, "Deeper") {
		t.Errorf("Structs = %v, want %v (plus OnLinux on linux)", got, want)
	}
	if pkg.Name != "models" {
		t.Errorf("Name = %q", pkg.Name)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsAll(list, want []string) bool {
	for _, w := range want {
		if !contains(list, w) {
			return false
		}
	}
	return true
}

func TestScanPackageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"empty/README":     "nothing",
		"main/main.go":     "package main\n\nfunc main() {}\n",
		"broken/broken.go": "package broken\n\ntype X struct {\n",
		"mixed/a.go":       "package a\n",
		"mixed/b.go":       "package b\n",
	})
	tests := []struct{ dir, want string }{
		{"empty", "has no Go files; put the app's models package there (pmanager init writes one)"},
		{"missing", "does not exist; create the app's models package there (pmanager init writes one) or point pmanager.toml at it"},
		{"main", "is package main, which cannot be imported; give the models package a name of its own"},
		{"mixed", "found packages a (a.go) and b (b.go)"},
	}
	for _, tt := range tests {
		_, err := ScanPackage(filepath.Join(dir, tt.dir))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "loader: ") {
			t.Errorf("ScanPackage(%s) error = %v, want it to contain %q", tt.dir, err, tt.want)
		}
	}
}

// TestScanPackageLeavesSyntaxErrorsToTheCompiler: a file that does not
// parse still yields the types declared before the error; the build of the
// generated main then reports the error in the compiler's words.
func TestScanPackageLeavesSyntaxErrorsToTheCompiler(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"broken/broken.go": "package broken\n\ntype Car struct{}\n\ntype X struct {\n",
	})
	pkg, err := ScanPackage(filepath.Join(dir, "broken"))
	if err != nil {
		t.Fatalf("ScanPackage(broken) = %v, want the partial package", err)
	}
	if len(pkg.Structs) == 0 || pkg.Structs[0] != "Car" {
		t.Fatalf("structs = %v, want Car first", pkg.Structs)
	}
}

func TestParseGoMod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      *Module
		uses      bool
		err       string
	}{
		{
			name: "block require",
			src:  "// comment\nmodule example.com/app // trailing\n\ngo 1.24\n\nrequire (\n\tgithub.com/pmanager/pmanager v0.1.0\n\tgithub.com/x/y v1.0.0 // indirect\n)\n\nreplace github.com/pmanager/pmanager => ../pmanager\n",
			want: &Module{Path: "example.com/app", Requires: []string{"github.com/pmanager/pmanager", "github.com/x/y"},
				Versions: map[string]string{"github.com/pmanager/pmanager": "v0.1.0", "github.com/x/y": "v1.0.0"}},
			uses: true,
		},
		{
			name: "single require, quoted module",
			src:  "module \"example.com/q\"\nrequire github.com/pmanager/pmanager v0.0.0\n",
			want: &Module{Path: "example.com/q", Requires: []string{"github.com/pmanager/pmanager"}, Versions: map[string]string{"github.com/pmanager/pmanager": "v0.0.0"}},
			uses: true,
		},
		{
			name: "pmanager itself",
			src:  "module github.com/pmanager/pmanager\n\ngo 1.24\n",
			want: &Module{Path: "github.com/pmanager/pmanager"},
			uses: true,
		},
		{
			name: "not required",
			src:  "module example.com/app\nrequire github.com/pmanager/pmanager-extras v1.0.0\n",
			want: &Module{Path: "example.com/app", Requires: []string{"github.com/pmanager/pmanager-extras"}, Versions: map[string]string{"github.com/pmanager/pmanager-extras": "v1.0.0"}},
		},
		{
			name: "tools, single and in a block, after a replace block",
			src:  "module example.com/t\nreplace (\n\tx.org/a => ../a\n)\nrequire github.com/pmanager/pmanager v1.2.3\ntool x.org/b/cmd\ntool (\n\tgithub.com/pmanager/pmanager/cmd/pmanager\n)\n",
			want: &Module{Path: "example.com/t", Requires: []string{"github.com/pmanager/pmanager"}, Versions: map[string]string{"github.com/pmanager/pmanager": "v1.2.3"},
				Tools: []string{"x.org/b/cmd", "github.com/pmanager/pmanager/cmd/pmanager"}},
			uses: true,
		},
		{name: "no module", src: "go 1.24\n", err: "no module directive"},
	}
	for _, tt := range tests {
		got, err := ParseGoMod([]byte(tt.src))
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if got.UsesLibrary() != tt.uses {
			t.Errorf("%s: UsesLibrary = %v", tt.name, !tt.uses)
		}
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":                         "module example.com/big\n",
		"examples/cars/pmanager.toml":    "[apps.cars]\nmodels = \"models\"\n",
		"examples/cars/models/models.go": "package models\n",
		"examples/plain/models/x.go":     "package models\n",
		"elsewhere/pmanager.toml":        "[apps.main]\nmodels = \"m\"\n",
		"elsewhere/mod/go.mod":           "module example.com/inner\n",
		"elsewhere/mod/pkg/x.go":         "package pkg\n",
	})
	tests := []struct {
		from, root, app string
		hasFile         bool
	}{
		{from: "examples/cars/models", root: "examples/cars", app: "cars", hasFile: true},
		{from: "examples/cars", root: "examples/cars", app: "cars", hasFile: true},
		{from: "examples/plain/models", root: ".", app: "main"},
		{from: ".", root: ".", app: "main"},
		// A pmanager.toml above the nearest go.mod belongs to another project.
		{from: "elsewhere/mod/pkg", root: "elsewhere/mod", app: "main"},
	}
	for _, tt := range tests {
		p, err := Find(filepath.Join(root, tt.from), noEnv)
		if err != nil {
			t.Fatalf("Find(%s): %v", tt.from, err)
		}
		if want := filepath.Join(root, tt.root); p.Root != want {
			t.Errorf("Find(%s).Root = %s, want %s", tt.from, p.Root, want)
		}
		if got := p.Config.Labels(); len(got) != 1 || got[0] != tt.app {
			t.Errorf("Find(%s) apps = %v, want [%s]", tt.from, got, tt.app)
		}
		if (p.Config.File != "") != tt.hasFile {
			t.Errorf("Find(%s).Config.File = %q", tt.from, p.Config.File)
		}
	}
	nowhere := t.TempDir()
	if _, err := Find(nowhere, noEnv); err == nil || !strings.Contains(err.Error(), "run pmanager init in a Go module (go mod init first)") {
		t.Errorf("Find outside a module: %v", err)
	}
}

func TestRenderMainGolden(t *testing.T) {
	t.Parallel()
	src, err := WriteMain([]AppSource{
		{Label: "main", ModelsImport: "example.com/app/models", MigrationsImport: "example.com/app/migrations", SeedersImport: "example.com/app/seeders", Types: []string{"Car", "Manufacturer", "User"}},
		{Label: "blog", ModelsImport: "example.com/app/blog/models", MigrationsImport: "example.com/app/blog/migrations", Types: []string{"Post"}},
		{Label: "empty", ModelsImport: "example.com/app/empty", MigrationsImport: "example.com/app/empty", Types: nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "main.go.golden")
	if *update {
		if err := os.WriteFile(golden, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(src)); diff != "" {
		t.Errorf("generated main differs from %s (-want +got):\n%s", golden, diff)
	}
}

// module writes a go.mod that requires pmanager.
const requiringGoMod = "module example.com/big\n\ngo 1.24\n\nrequire github.com/pmanager/pmanager v0.0.0\n"

func TestPrepareModuleAboveProject(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":                                        requiringGoMod,
		"examples/cars/pmanager.toml":                   "[apps.main]\nmodels = \"models\"\n[apps.shop]\nmodels = \"shop/models\"\nmigrations = \"shop/migrations\"\n",
		"examples/cars/models/models.go":                "package models\n\ntype Car struct{}\ntype Manufacturer struct{}\n",
		"examples/cars/shop/models/m.go":                "package shopmodels\n\ntype Order struct{}\n",
		"examples/cars/shop/migrations/0001_initial.go": "package migrations\n",
	})
	p, err := Find(filepath.Join(root, "examples/cars/models"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := Prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "examples/cars", GeneratedDir); dir != want {
		t.Errorf("Prepare dir = %s, want %s", dir, want)
	}
	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`m0 "example.com/big/examples/cars/models"`,
		`m1 "example.com/big/examples/cars/shop/models"`,
		`_ "example.com/big/examples/cars/migrations"`,
		`_ "example.com/big/examples/cars/shop/migrations"`,
		`{Label: "main", Types: []any{m0.Car{}, m0.Manufacturer{}}},`,
		`{Label: "shop", Types: []any{m1.Order{}}},`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated main lacks %s:\n%s", want, src)
		}
	}
	doc, err := os.ReadFile(filepath.Join(root, "examples/cars/migrations/doc.go"))
	if err != nil || !strings.Contains(string(doc), "package migrations\n") {
		t.Errorf("migrations/doc.go = %q, %v", doc, err)
	}
	if _, err := os.Stat(filepath.Join(root, "examples/cars/shop/migrations/doc.go")); !os.IsNotExist(err) {
		t.Errorf("doc.go written into a migrations folder that has Go files: %v", err)
	}

	// Unchanged content is not rewritten: the build cache keys on it.
	mainGo := filepath.Join(dir, "main.go")
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(mainGo, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(p); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(mainGo); err != nil || !info.ModTime().Equal(old) {
		t.Errorf("unchanged main.go was rewritten (mtime %v, %v)", info.ModTime(), err)
	}
	// A new model changes it.
	writeFiles(t, root, map[string]string{"examples/cars/models/user.go": "package models\n\ntype User struct{}\n"})
	if _, err := Prepare(p); err != nil {
		t.Fatal(err)
	}
	src, _ = os.ReadFile(mainGo)
	if !strings.Contains(string(src), "m0.User{}") {
		t.Errorf("new model not in generated main:\n%s", src)
	}
}

func TestPrepareErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{
			name:  "go.mod without pmanager",
			files: map[string]string{"go.mod": "module example.com/app\n", "models/m.go": "package models\n"},
			want:  "loader: go.mod does not require github.com/pmanager/pmanager; run: go get -tool github.com/pmanager/pmanager/cmd/pmanager",
		},
		{
			name:  "no models folder",
			files: map[string]string{"go.mod": requiringGoMod},
			want:  "models does not exist; create the app's models package there (pmanager init writes one) or point pmanager.toml at it (models of app main)",
		},
		{
			name: "models outside the module",
			files: map[string]string{
				"proj/go.mod":        requiringGoMod,
				"proj/pmanager.toml": "[apps.main]\nmodels = \"../outside\"\n",
				"outside/m.go":       "package m\n",
			},
			want: "is outside the Go module example.com/big",
		},
		{
			name:  "models package main",
			files: map[string]string{"go.mod": requiringGoMod, "models/m.go": "package main\n"},
			want:  "is package main, which cannot be imported",
		},
		{
			name: "configured seeders folder absent",
			files: map[string]string{"go.mod": requiringGoMod, "models/m.go": "package models\n",
				"pmanager.toml": "[apps.main]\nmodels = \"models\"\nseeders = \"db/seed\"\n"},
			want: "the seeders folder db/seed of app main has no Go files",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tt.files)
			start := root
			if _, err := os.Stat(filepath.Join(root, "proj")); err == nil {
				start = filepath.Join(root, "proj")
			}
			p, err := Find(start, noEnv)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Prepare(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Prepare error = %v, want it to contain %q", err, tt.want)
			}
			if cerr := Check(p); fmt.Sprint(cerr) != fmt.Sprint(err) {
				t.Errorf("Check error = %v, want Prepare's, %v", cerr, err)
			}
		})
	}
}

// TestCheck: Check makes the migrations folder as Prepare does, but
// writes no generated main.
func TestCheck(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"go.mod": requiringGoMod, "models/m.go": "package models\n\ntype Car struct{}\n"})
	p, err := Find(root, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "migrations", "doc.go")); err != nil {
		t.Errorf("no migrations package made: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, GeneratedDir)); !os.IsNotExist(err) {
		t.Errorf("Check wrote %s (%v)", GeneratedDir, err)
	}
}

func TestPackageName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"m/0001_initial.go": "package dbmigrations\n", "empty/.keep": "",
		// Files the build leaves out come first by name and are skipped.
		"c/0000_doc.go": "package documentation\n", "c/0001_a_test.go": "package other\n",
		"c/0002_b.go": "//go:build ignore\n\npackage tool\n", "c/0003_c_plan9.go": "package plan\n",
		"c/0004_d.go": "package real\n", "c/0005_e.go": "package real\n",
		"tests/a_test.go": "package x\n",
	})
	tests := []struct{ dir, want string }{{"m", "dbmigrations"}, {"empty", ""}, {"missing", ""}, {"c", "real"}, {"tests", ""}}
	for _, tt := range tests {
		got, err := PackageName(filepath.Join(dir, tt.dir))
		if err != nil || got != tt.want {
			t.Errorf("PackageName(%s) = %q, %v; want %q", tt.dir, got, err, tt.want)
		}
	}
}

// TestPrepareSeeders: the default seeders folder is imported when it holds
// Go files and left out otherwise; a folder pmanager.toml names must exist.
func TestPrepareSeeders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		want    string
		wantErr string
	}{
		{
			name:  "default folder with a package",
			files: map[string]string{"seeders/seed.go": "package seeders\n"},
			want:  `_ "example.com/big/seeders"`,
		},
		{
			name:  "default folder absent",
			files: map[string]string{},
		},
		{
			name:  "configured folder",
			files: map[string]string{"pmanager.toml": "[apps.main]\nmodels = \"models\"\nseeders = \"db/seed\"\n", "db/seed/seed.go": "package seed\n"},
			want:  `_ "example.com/big/db/seed"`,
		},
		{
			name:    "configured folder absent",
			files:   map[string]string{"pmanager.toml": "[apps.main]\nmodels = \"models\"\nseeders = \"db/seed\"\n"},
			wantErr: "loader: the seeders folder db/seed of app main has no Go files; create the seeders package there (pmanager init writes one) or take seeders out of pmanager.toml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			tt.files["go.mod"] = requiringGoMod
			tt.files["models/m.go"] = "package models\n\ntype Car struct{}\n"
			writeFiles(t, root, tt.files)
			p, err := Find(root, noEnv)
			if err != nil {
				t.Fatal(err)
			}
			dir, err := Prepare(p)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Prepare error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			src, err := os.ReadFile(filepath.Join(dir, "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && !strings.Contains(string(src), tt.want) {
				t.Errorf("generated main lacks %s:\n%s", tt.want, src)
			}
			if tt.want == "" && strings.Contains(string(src), "seed") {
				t.Errorf("generated main imports seeders that do not exist:\n%s", src)
			}
			bin, err := PrepareBinary(p)
			if err != nil {
				t.Fatal(err)
			}
			src, err = os.ReadFile(filepath.Join(bin, "main.go"))
			if err != nil || !strings.Contains(string(src), "pmcli.RunBinary(") {
				t.Errorf("binary main = %s, %v; want a call of RunBinary", src, err)
			}
		})
	}
}
