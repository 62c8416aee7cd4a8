package loader

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// SameLibrary reports whether the running pmanager carries the very
// pmanager library the module would compile into its generated main, so
// the running program may serve a command itself from models and migration
// files read without the compiler (internal/staticload). It is so when the
// module requires the running program's own released version with no
// replacement, or when the module replaces pmanager with (or is) the
// checkout this program was built from, unchanged since the build, and
// does not vendor it (vendor/ then holds a copy of the checkout as it was
// when go mod vendor ran, and that copy is what builds). In any other case
// (a go.work workspace among them, which may put another pmanager in the
// build) the answer is no, and the command is compiled as before.
func SameLibrary(mod *Module) bool {
	if workspace(mod.Root, os.Environ()) || !sameDependencies(mod) {
		return false
	}
	if mod.Path == LibraryModule {
		return builtFromUnchanged(mod.Root)
	}
	data, err := os.ReadFile(filepath.Join(mod.Root, "go.mod"))
	if err != nil {
		return false
	}
	target, replaced := libraryReplacement(data)
	if !replaced {
		own := OwnVersion()
		return own != "" && mod.Versions[LibraryModule] == own
	}
	if target == "" || vendorDir(mod.Root) {
		return false // replaced by another module version, or by vendor/'s copy of the folder
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(mod.Root, target)
	}
	return builtFromUnchanged(target)
}

// sameDependencies reports whether every module this program was built
// with that go.mod also requires is required at the version built in (the
// database drivers among them), so that the generated main would link the
// same code.
func sameDependencies(mod *Module) bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, d := range info.Deps {
		if v, ok := mod.Versions[d.Path]; ok && (d.Replace != nil || v != d.Version) {
			return false
		}
	}
	return true
}

// libraryReplacement finds a replace directive for pmanager: the folder it
// points at, or "" when it names another module version.
func libraryReplacement(gomod []byte) (target string, ok bool) {
	for _, r := range replaceDirectives(gomod) {
		if r.old != LibraryModule {
			continue
		}
		if r.version != "" {
			return "", true
		}
		return r.target, true
	}
	return "", false
}

// sourceRoot is the folder of the pmanager checkout this program was
// compiled from, "" when the build did not record it (-trimpath).
func sourceRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(file))))
}

// builtFromUnchanged reports whether dir is the checkout this program was
// built from and no Go source or module file of it changed after the
// program's executable was written.
func builtFromUnchanged(dir string) bool {
	root := sourceRoot()
	if root == "" {
		return false
	}
	if !sameDir(root, dir) {
		return false
	}
	exe, err := os.Executable()
	if err != nil {
		return false
	}
	info, err := os.Stat(exe)
	if err != nil {
		return false
	}
	return !changedSince(root, info.ModTime())
}

// sameDir compares two folders after resolving symbolic links.
func sameDir(a, b string) bool {
	ra, err := filepath.EvalSymlinks(a)
	if err != nil {
		return false
	}
	rb, err := filepath.EvalSymlinks(b)
	if err != nil {
		return false
	}
	return ra == rb
}

// changedSince reports whether a non-test Go file, go.mod or go.sum of the
// checkout at root was modified after t (or cannot be read). Folders no
// program is built from (testdata, examples, bench, docs, hidden ones)
// are skipped.
func changedSince(root string, t time.Time) bool {
	changed := false
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // gone since its folder was listed: not newer than anything
		}
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" ||
				(filepath.Dir(path) == root && (name == "examples" || name == "bench" || name == "docs" || name == "scripts"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if (strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")) || (filepath.Dir(path) == root && (name == "go.mod" || name == "go.sum")) {
			info, err := d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			if info.ModTime().After(t) {
				changed = true
				return filepath.SkipAll
			}
		}
		return nil
	})
	return changed || err != nil
}
