package loader

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBuildFix checks the one line shown for each way a module can lack
// what the generated main needs, with go build's real wording.
func TestBuildFix(t *testing.T) {
	t.Parallel()
	plain := t.TempDir()
	vendored := t.TempDir()
	if err := os.MkdirAll(filepath.Join(vendored, "vendor"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(vendored, "vendor", "modules.txt"), []byte("# x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	required := map[string]string{LibraryModule: "v0.3.1"}
	noTool := &Module{Root: plain, Path: "example.com/app", Requires: []string{LibraryModule}, Versions: required}
	tool := &Module{Root: plain, Path: "example.com/app", Requires: []string{LibraryModule}, Versions: required, Tools: []string{ToolPackage}}
	vendorNoTool := &Module{Root: vendored, Path: "example.com/app", Requires: []string{LibraryModule}, Versions: required}
	vendorTool := &Module{Root: vendored, Path: "example.com/app", Requires: []string{LibraryModule}, Versions: required, Tools: []string{ToolPackage}}
	const (
		noModule = ".pmanager/main.go:6:2: no required module provides package github.com/urfave/cli/v2; to add it:\n\tgo get github.com/urfave/cli/v2\n"
		noSum    = "../cli/cli.go:16:2: missing go.sum entry for module providing package github.com/urfave/cli/v2 (imported by github.com/pmanager/pmanager/cmd/pmanager/cli); to add:\n\tgo get github.com/pmanager/pmanager/cmd/pmanager/cli@v0.3.1\n"
		stale    = "go: inconsistent vendoring in /x:\n\tgithub.com/urfave/cli/v2@v2.27.7: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt\n"
		work     = "directory .pmanager is contained in a module that is not one of the workspace modules listed in go.work. You can add the module to the workspace using:\n\tgo work use .\n"
		compile  = "models/models.go:7:2: undefined: Nope\n"
	)
	tests := []struct {
		name string
		out  string
		mod  *Module
		want string
	}{
		{"tidied away without the tool", noModule, noTool, "go.mod lacks modules pmanager's generated program needs (go mod tidy keeps them only while pmanager is a tool of the module); run: go get -tool github.com/pmanager/pmanager/cmd/pmanager@v0.3.1"},
		{"missing checksum with the tool", noSum, tool, "go.mod or go.sum lacks modules pmanager's generated program needs; run: go mod tidy"},
		{"vendored without the tool", noModule, vendorNoTool, "go.mod lacks modules pmanager's generated program needs (go mod tidy keeps them only while pmanager is a tool of the module); run: go get -tool github.com/pmanager/pmanager/cmd/pmanager@v0.3.1 && go mod vendor"},
		{"stale vendor", stale, vendorTool, "vendor/ does not hold every package pmanager's generated program needs; run: go mod vendor"},
		{"outside the workspace", work, tool, "the module at . is not in the go.work workspace; run: go work use ."},
		{"a compile error is the compiler's", compile, tool, ""},
	}
	for _, tt := range tests {
		if got := BuildFix([]byte(tt.out), tt.mod, plain); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestAddToolCommand checks that the command keeps a required version.
func TestAddToolCommand(t *testing.T) {
	t.Parallel()
	m := &Module{Path: "example.com/app"}
	if got := m.AddToolCommand(""); got != "go get -tool "+ToolPackage {
		t.Errorf("not required, development build: %q", got)
	}
	if got := m.AddToolCommand("v1.0.0"); got != "go get -tool "+ToolPackage+"@v1.0.0" {
		t.Errorf("not required, released build: %q", got)
	}
	m.Versions = map[string]string{LibraryModule: "v0.9.0"}
	if got := m.AddToolCommand("v1.0.0"); got != "go get -tool "+ToolPackage+"@v0.9.0" {
		t.Errorf("required: %q", got)
	}
}
