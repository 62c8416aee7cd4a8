package loader

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLocalReplacements(t *testing.T) {
	t.Parallel()
	gomod := `module example.com/app

require github.com/pmanager/pmanager v0.0.0

replace github.com/pmanager/pmanager => ../pmanager // a checkout beside the app

replace (
	example.com/a => ./third_party/a
	example.com/b v1.2.0 => /abs/b
	example.com/c => example.com/c-fork v1.0.0
	"example.com/d" => "../d"
)
`
	got := LocalReplacements([]byte(gomod))
	want := []string{"../pmanager", "./third_party/a", "/abs/b", "../d"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("LocalReplacements (-want +got):\n%s", diff)
	}
}

// TestBuildKey changes one input at a time and expects the key to follow
// exactly the changes a build depends on.
func TestBuildKey(t *testing.T) {
	root := t.TempDir()
	lib := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":                "module example.com/app\n\nreplace github.com/pmanager/pmanager => " + lib + "\n",
		"models/models.go":      "package models\n",
		"migrations/0001.go":    "package migrations\n",
		".pmanager/main.go":     "package main\n",
		".pmanager/pmanager":    "binary",
		".git/HEAD":             "ref: main\n",
		"models/testdata/x.go":  "package x\n",
		"pmanager.db":           "SQLite format 3",
		"pmanager.db-journal":   "",
		"pmanager.db.lock":      "",
		"web/node_modules/x.js": "",
	})
	writeFiles(t, lib, map[string]string{"pkg/state/state.go": "package state\n"})
	goTool, err := os.Executable() // any existing file stands for the go command
	if err != nil {
		t.Fatal(err)
	}
	mod := &Module{Root: root, Path: "example.com/app"}
	env := []string{"HOME=/root", "GOFLAGS=-trimpath"}
	key := func(env []string) string {
		t.Helper()
		k, ok, err := BuildKey(mod, goTool, env)
		if err != nil || !ok {
			t.Fatalf("BuildKey: %q, %v, %v", k, ok, err)
		}
		return k
	}
	touch := func(path string) {
		t.Helper()
		later := time.Now().Add(time.Hour)
		if err := os.Chtimes(path, later, later); err != nil {
			t.Fatal(err)
		}
	}
	base := key(env)
	if again := key(env); again != base {
		t.Fatal("the key changed with nothing changed")
	}
	if k := key([]string{"HOME=/elsewhere", "GOFLAGS=-trimpath"}); k != base {
		t.Error("an environment variable the build ignores changed the key")
	}
	for _, ignored := range []string{".git/HEAD", ".pmanager/pmanager", "models/testdata/x.go", "pmanager.db", "pmanager.db-journal", "pmanager.db.lock", "web/node_modules/x.js"} {
		touch(filepath.Join(root, ignored))
		if k := key(env); k != base {
			t.Errorf("touching %s changed the key", ignored)
		}
	}
	steps := []struct {
		name   string
		change func() []string // returns the environment to use
	}{
		{"GOFLAGS changed", func() []string { return []string{"HOME=/root", "GOFLAGS=-race"} }},
		{"a model edited", func() []string { touch(filepath.Join(root, "models/models.go")); return env }},
		{"a migration added", func() []string {
			writeFiles(t, root, map[string]string{"migrations/0002.go": "package migrations\n"})
			return env
		}},
		{"the generated main rewritten", func() []string { touch(filepath.Join(root, ".pmanager/main.go")); return env }},
		{"the replaced library edited", func() []string { touch(filepath.Join(lib, "pkg/state/state.go")); return env }},
	}
	seen := map[string]string{base: "the start"}
	for _, st := range steps {
		k := key(st.change())
		if prev, ok := seen[k]; ok {
			t.Errorf("%s: the key is the one of %s", st.name, prev)
		}
		seen[k] = st.name
	}
	writeFiles(t, root, map[string]string{"go.work": "go 1.26\n\nuse .\n"})
	if _, ok, err := BuildKey(mod, goTool, env); err != nil || ok {
		t.Errorf("with a go.work file: ok = %v, err = %v; want no key", ok, err)
	}
	if _, ok, err := BuildKey(mod, goTool, append(env, "GOWORK=off")); err != nil || !ok {
		t.Errorf("with GOWORK=off: ok = %v, err = %v; want a key", ok, err)
	}
}
