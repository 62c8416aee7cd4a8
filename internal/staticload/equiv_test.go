package staticload_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/pmanager/pmanager/internal/staticload"
	"github.com/pmanager/pmanager/internal/synth"
)

// libraryRoot is the folder of the pmanager module.
func libraryRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// library is the pmanager module as the reader sees it.
func library(t *testing.T) staticload.Module {
	return staticload.Module{Path: "github.com/pmanager/pmanager", Dir: libraryRoot(t)}
}

// equivProgram compiles the corpus's models and migrations into a program,
// as the generated loader does, and has it compare, in one process, what
// reflection reads (models.Load of the compiled types, the checks, the
// registered migrations and the state they replay to) with what the static
// reader reads from the same folders. It prints nothing when they agree.
var equivProgram = template.Must(template.New("main").Delims("[[", "]]").Parse(`package main

import (
	"fmt"
	"os"
	"reflect"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/staticload"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/checks"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
	m0 "[[.ModelsImport]]"
	_ "[[.MigrationsImport]]"
)

var all = cmp.Exporter(func(reflect.Type) bool { return true })

func main() {
	compiled := []models.App{{Label: "main", Types: []any{ [[- range .Types]]m0.[[.]]{}, [[end -]] }}}
	mod := staticload.Module{Path: [[printf "%q" .ModulePath]], Dir: [[printf "%q" .ModuleDir]]}
	dirs := []staticload.App{{Label: "main", ModelsDir: [[printf "%q" .ModelsDir]], MigrationsDir: [[printf "%q" .MigrationsDir]]}}
	static, err := staticload.Models(mod, dirs)
	if err != nil {
		fmt.Println("static models:", err)
		os.Exit(1)
	}
	pc, errC := models.Load(compiled...)
	ps, errS := models.Load(static...)
	errLoad := errC
	if fmt.Sprint(errC) != fmt.Sprint(errS) {
		fmt.Printf("models.Load errors differ: compiled %v, static %v\n", errC, errS)
	}
	if d := cmp.Diff(pc, ps, all); d != "" {
		fmt.Printf("models state (-compiled +static):\n%s\n", d)
	}
	opts := checks.Options{Targets: []checks.Target{{Name: "pg", Dialect: schema.Postgres}, {Name: "my", Dialect: schema.MySQL}, {Name: "lite", Dialect: schema.SQLite}}}
	rc, _, errC := checks.Run(compiled, opts)
	rs, _, errS := checks.Run(static, opts)
	if fmt.Sprint(errC) != fmt.Sprint(errS) {
		fmt.Printf("checks errors differ: compiled %v, static %v\n", errC, errS)
	}
	if d := cmp.Diff(rc, rs, all); d != "" {
		fmt.Printf("checks report (-compiled +static):\n%s\n", d)
	}
	reg, err := staticload.Migrations(mod, dirs, nil)
	if err != nil {
		fmt.Println("static migrations:", err)
		os.Exit(1)
	}
	if d := cmp.Diff(migrations.Default().Migrations(), reg.Migrations(), all); d != "" {
		fmt.Printf("migrations (-compiled +static):\n%s\n", d)
	}
	gc, errC := migrations.Default().Graph()
	gs, errS := reg.Graph()
	if errC != nil || errS != nil {
		fmt.Printf("graphs: compiled %v, static %v\n", errC, errS)
		return
	}
	sc, errC := gc.State()
	ss, errS := gs.State()
	if fmt.Sprint(errC) != fmt.Sprint(errS) {
		fmt.Printf("replay errors differ: compiled %v, static %v\n", errC, errS)
	}
	if d := cmp.Diff(sc, ss, all); d != "" {
		fmt.Printf("replayed state (-compiled +static):\n%s\n", d)
	}
	issues := -1
	if rc != nil {
		issues = len(rc.Issues)
	}
	loaded := "error " + fmt.Sprint(errLoad)
	if errLoad == nil {
		loaded = fmt.Sprint(len(pc.Models))
	}
	fmt.Printf("compared %d types (models read: %s), %d checks issues, %d migrations\n", len(compiled[0].Types), loaded, issues, len(reg.Migrations()))
}
`))

// corpus is one models package and its migrations package, in the
// library module.
type corpus struct {
	name                     string
	modelsDir, migrationsDir string
}

// runEquivalence builds and runs the comparison program for c.
func runEquivalence(t *testing.T, c corpus) {
	t.Helper()
	mod := library(t)
	imp := func(dir string) string {
		rel, err := filepath.Rel(mod.Dir, dir)
		if err != nil {
			t.Fatal(err)
		}
		return mod.Path + "/" + filepath.ToSlash(rel)
	}
	apps, err := staticload.Models(mod, []staticload.App{{Label: "main", ModelsDir: c.modelsDir, MigrationsDir: c.migrationsDir}})
	if err != nil {
		t.Fatalf("%s: static reader refused the corpus: %v", c.name, err)
	}
	var types []string
	for _, v := range apps[0].Types {
		types = append(types, v.(interface{ Name() string }).Name())
	}
	prog := scratch(t, "prog")
	var src bytes.Buffer
	err = equivProgram.Execute(&src, map[string]any{
		"ModelsImport": imp(c.modelsDir), "MigrationsImport": imp(c.migrationsDir), "Types": types,
		"ModulePath": mod.Path, "ModuleDir": mod.Dir, "ModelsDir": c.modelsDir, "MigrationsDir": c.migrationsDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(prog, "main.go"), src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "./"+mustRel(t, mod.Dir, prog))
	cmd.Dir = mod.Dir
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err != nil || strings.Count(text, "\n") != 1 || !strings.HasPrefix(text, "compared ") {
		t.Fatalf("%s: compiled and static readings differ (%v):\n%s", c.name, err, text)
	}
	t.Logf("%s: %s", c.name, strings.TrimSpace(text))
}

// scratch makes a folder inside the module (under testdata, so no
// pattern lists it) and removes it after the test.
func scratch(t *testing.T, name string) string {
	dir, err := os.MkdirTemp(filepath.Join(libraryRoot(t), "internal", "staticload", "testdata"), "equiv-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func mustRel(t *testing.T, base, dir string) string {
	rel, err := filepath.Rel(base, dir)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

// TestEquivalenceExamples reads the example projects, and testdata/rich
// (every reading rule, hand-written migration forms), both ways.
func TestEquivalenceExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles programs")
	}
	root := libraryRoot(t)
	for _, name := range []string{"cars", "blog"} {
		runEquivalence(t, corpus{name: name,
			modelsDir:     filepath.Join(root, "examples", name, "models"),
			migrationsDir: filepath.Join(root, "examples", name, "migrations")})
	}
	rich := filepath.Join(root, "internal", "staticload", "testdata", "rich")
	runEquivalence(t, corpus{name: "rich", modelsDir: filepath.Join(rich, "models"), migrationsDir: filepath.Join(rich, "migrations")})
}

// TestEquivalenceGeneratedProjects reads bench/genproject projects of a
// few sizes and seeds both ways.
func TestEquivalenceGeneratedProjects(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles programs")
	}
	for _, s := range []synth.Size{
		{Models: 5, Fields: 4, Migrations: 8, Seed: 1},
		{Models: 40, Fields: 10, Migrations: 120, Seed: 7},
		{Models: 200, Fields: 10, Migrations: 400, Seed: 3},
	} {
		dir := filepath.Join(scratch(t, "gen"), "p")
		err := synth.WriteProject(s, synth.ProjectOptions{Dir: dir, Module: "example.com/equiv", Library: libraryRoot(t), Version: "test", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		// Without its go.mod the project is a folder of the library module,
		// which the comparison program can import.
		for _, f := range []string{"go.mod", "go.sum"} {
			if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		removeTests(t, filepath.Join(dir, "models"))
		runEquivalence(t, corpus{name: fmt.Sprintf("genproject %dx%d seed %d", s.Models, s.Migrations, s.Seed),
			modelsDir: filepath.Join(dir, "models"), migrationsDir: filepath.Join(dir, "migrations")})
	}
}

// removeTests deletes the benchmark files synth writes beside the models.
func removeTests(t *testing.T, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), "_test.go") {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
