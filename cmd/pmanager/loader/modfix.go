package loader

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// BuildFix reads the output of a failed go build of the generated main and,
// when the failure is the module's (not the code's), returns the one line
// that says what the module lacks and the single command that fixes it;
// "" when the compiler's own messages are the ones to show. wd is the
// folder the user runs pmanager in, for paths the command names.
func BuildFix(out []byte, m *Module, wd string) string {
	text := string(out)
	switch {
	case strings.Contains(text, "not one of the workspace modules listed in go.work"),
		strings.Contains(text, "outside modules listed in go.work"):
		return "the module at " + shown(m.Root, wd) + " is not in the go.work workspace; run: go work use " + shown(m.Root, wd)
	case !lacksModule(text):
		return ""
	}
	vendored := vendorDir(m.Root)
	if !m.HasTool() {
		cmd := m.AddToolCommand(OwnVersion())
		if vendored {
			cmd += " && go mod vendor"
		}
		return "go.mod lacks modules pmanager's generated program needs (go mod tidy keeps them only while pmanager is a tool of the module); run: " + cmd
	}
	if vendored {
		return "vendor/ does not hold every package pmanager's generated program needs; run: go mod vendor"
	}
	return "go.mod or go.sum lacks modules pmanager's generated program needs; run: go mod tidy"
}

// lacksModule reports whether go build failed because a module or its
// checksum is missing, rather than because the code does not compile.
func lacksModule(text string) bool {
	for _, s := range [...]string{
		"no required module provides package",
		"missing go.sum entry",
		"updates to go.mod needed",
		"inconsistent vendoring",
		"is not in vendor/modules.txt",
		"import lookup disabled by -mod=vendor",
		"go: updates to go.sum needed",
		"cannot find module providing package",
	} {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// vendorDir reports whether the module keeps its dependencies in vendor/,
// where go build then reads them from.
func vendorDir(root string) bool {
	info, err := os.Stat(filepath.Join(root, "vendor", "modules.txt"))
	return err == nil && info.Mode().IsRegular()
}

// shown is dir as a user at wd would type it.
func shown(dir, wd string) string {
	rel, err := filepath.Rel(wd, dir)
	if err != nil || strings.HasPrefix(rel, "..") && len(rel) > len(dir) {
		return dir
	}
	return rel
}

// ownVersion is the released version of the pmanager module this program
// was built from, "" for a development build.
func OwnVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range append([]*debug.Module{&info.Main}, info.Deps...) {
		if d.Path == LibraryModule && strings.HasPrefix(d.Version, "v") && !strings.Contains(d.Version, "00010101000000") {
			return d.Version
		}
	}
	return ""
}
