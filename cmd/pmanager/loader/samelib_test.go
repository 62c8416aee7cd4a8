package loader

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLibraryReplacement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		gomod  string
		target string
		ok     bool
	}{
		{"module a\n\nrequire github.com/pmanager/pmanager v0.1.0\n", "", false},
		{"module a\n\nreplace github.com/pmanager/pmanager => ../pm\n", "../pm", true},
		{"module a\n\nreplace github.com/pmanager/pmanager v0.1.0 => /src/pm // local\n", "/src/pm", true},
		{"module a\n\nreplace (\n\tgithub.com/other/x => ../x\n\tgithub.com/pmanager/pmanager => github.com/fork/pm v0.2.0\n)\n", "", true},
		{"module a\n\nreplace github.com/other/x => ../x\n", "", false},
	}
	for _, tt := range tests {
		target, ok := libraryReplacement([]byte(tt.gomod))
		if target != tt.target || ok != tt.ok {
			t.Errorf("libraryReplacement(%q) = %q, %v; want %q, %v", tt.gomod, target, ok, tt.target, tt.ok)
		}
	}
}

// TestSameLibraryRefuses lists modules whose generated main would not be
// built from this program's library: the command must compile them.
func TestSameLibraryRefuses(t *testing.T) {
	t.Parallel()
	for name, gomod := range map[string]string{
		"another version":   "module example.com/a\n\ngo 1.24\n\nrequire github.com/pmanager/pmanager v0.0.1-never\n",
		"a module replaced": "module example.com/a\n\ngo 1.24\n\nrequire github.com/pmanager/pmanager v0.1.0\n\nreplace github.com/pmanager/pmanager => github.com/fork/pm v0.2.0\n",
		"another checkout":  "module example.com/a\n\ngo 1.24\n\nrequire github.com/pmanager/pmanager v0.0.0\n\nreplace github.com/pmanager/pmanager => ./nowhere\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			mod, err := FindModule(dir)
			if err != nil {
				t.Fatal(err)
			}
			if SameLibrary(mod) {
				t.Errorf("SameLibrary = true; want false")
			}
		})
	}
}

// TestSameLibraryWorkspace: a go.work may put another pmanager in the build.
func TestSameLibraryWorkspace(t *testing.T) {
	dir := t.TempDir()
	gomod := "module example.com/a\n\ngo 1.24\n\nrequire github.com/pmanager/pmanager v0.0.0\n\nreplace github.com/pmanager/pmanager => " + sourceRoot() + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.work"), []byte("go 1.24\n\nuse .\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mod, err := FindModule(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOWORK", "") // the go command's default: find go.work above the module
	if SameLibrary(mod) {
		t.Errorf("SameLibrary = true inside a workspace; want false")
	}
}

// TestSameLibraryVendored: a module that replaces pmanager with this very
// checkout is served as source (the control), unless it vendors its
// dependencies: the build then reads vendor/'s copy of the checkout, which
// may be older than the checkout.
func TestSameLibraryVendored(t *testing.T) {
	t.Parallel()
	if sourceRoot() == "" {
		t.Skip("built with -trimpath: this program does not know its checkout")
	}
	dir := t.TempDir()
	gomod := "module example.com/a\n\ngo 1.24\n\nrequire github.com/pmanager/pmanager v0.0.0\n\nreplace github.com/pmanager/pmanager => " + sourceRoot() + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	mod, err := FindModule(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !SameLibrary(mod) {
		t.Fatal("SameLibrary = false for this checkout, not vendored; want true (unless a Go file of the checkout changed after this test binary was built)")
	}
	if err := os.MkdirAll(filepath.Join(dir, "vendor"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vendor", "modules.txt"), []byte("# github.com/pmanager/pmanager v0.0.0 => "+sourceRoot()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if SameLibrary(mod) {
		t.Errorf("SameLibrary = true with pmanager vendored from a folder; want false")
	}
}
