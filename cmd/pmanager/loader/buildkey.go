package loader

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// BuildKeyFile is the file, in GeneratedDir, that holds the BuildKey the
// program there was built from.
const BuildKeyFile = "buildkey"

// BuildKey fingerprints everything the generated program's build can depend
// on outside the module cache: the name, size and modification time of
// every file of the module (and of every local folder go.mod replaces a
// module with), the go command itself, and the Go environment. While the key
// is unchanged the program built last time is still the program `go build`
// would produce, so the launcher can run it without asking the Go toolchain,
// whose own check hashes every source file and costs more than the whole
// command on a large project. Modules in the module cache are immutable and
// pinned by go.mod and go.sum, which the key covers. A go.work file, which
// can pull other folders in, makes BuildKey report ok == false: the
// launcher then always builds.
func BuildKey(mod *Module, goTool string, environ []string) (key string, ok bool, err error) {
	if workspace(mod.Root, environ) {
		return "", false, nil
	}
	h := sha256.New()
	info, err := os.Stat(goTool)
	if err != nil {
		return "", false, fmt.Errorf("loader: %w", err)
	}
	fmt.Fprintf(h, "go %s %d %d\n", goTool, info.Size(), info.ModTime().UnixNano())
	if cfg, err := os.UserConfigDir(); err == nil {
		// `go env -w` settings live in this file.
		if info, err := os.Stat(filepath.Join(cfg, "go", "env")); err == nil {
			fmt.Fprintf(h, "goenv %d %d\n", info.Size(), info.ModTime().UnixNano())
		}
	}
	var env []string
	for _, kv := range environ {
		if strings.HasPrefix(kv, "GO") || strings.HasPrefix(kv, "CGO_") ||
			strings.HasPrefix(kv, "CC=") || strings.HasPrefix(kv, "CXX=") || strings.HasPrefix(kv, "PKG_CONFIG") {
			env = append(env, kv)
		}
	}
	sort.Strings(env)
	for _, kv := range env {
		fmt.Fprintf(h, "env %s\n", kv)
	}
	roots := []string{mod.Root}
	data, err := os.ReadFile(filepath.Join(mod.Root, "go.mod"))
	if err != nil {
		return "", false, fmt.Errorf("loader: %w", err)
	}
	for _, dir := range LocalReplacements(data) {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(mod.Root, dir)
		}
		roots = append(roots, filepath.Clean(dir))
	}
	for _, root := range roots {
		fmt.Fprintf(h, "root %s\n", root)
		if err := hashTree(h, root); err != nil {
			return "", false, err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true, nil
}

// workspace reports whether a go.work file takes part in builds under root:
// GOWORK names one, or one lies in root or a folder above it.
func workspace(root string, environ []string) bool {
	for _, kv := range environ {
		// An empty GOWORK is the go command's default: look for go.work.
		if v, ok := strings.CutPrefix(kv, "GOWORK="); ok && v != "" {
			return v != "off"
		}
	}
	for dir := root; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// hashTree writes the relative path, size and modification time of every
// regular file under root to h, in a fixed order. It skips the folders the
// go command ignores (names starting with "." or "_", and testdata), except
// the generated main's own source, node_modules (a web front end's
// dependencies, often tens of thousands of files no Go build reads), and
// SQLite databases.
func hashTree(h interface{ Write([]byte) (int, error) }, root string) error {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 || database(name) {
			return nil
		}
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fmt.Fprintf(h, "%s %d %d\n", rel, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return fmt.Errorf("loader: fingerprint %s: %w", root, err)
	}
	main := filepath.Join(root, GeneratedDir, "main.go")
	if info, err := os.Stat(main); err == nil {
		fmt.Fprintf(h, "%s %d %d\n", filepath.Join(GeneratedDir, "main.go"), info.Size(), info.ModTime().UnixNano())
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("loader: %w", err)
	}
	return nil
}

// databaseSuffixes end the names of SQLite databases, their journals and
// the migration lock file beside them, which migrate rewrites inside the
// module (pmanager.db by default) and no build reads.
var databaseSuffixes = []string{".db", ".sqlite", ".sqlite3", "-journal", "-wal", "-shm", ".lock"}

// database reports whether a file name is an SQLite database, its journal
// or its migration lock.
func database(name string) bool {
	for _, suffix := range databaseSuffixes {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// LocalReplacements lists the folders that replace directives of a go.mod
// point at (`replace a => ../a`), in the order written; replacements by
// another module version are left out.
func LocalReplacements(gomod []byte) []string {
	var out []string
	for _, r := range replaceDirectives(gomod) {
		if r.version != "" {
			continue // a module, not a folder
		}
		if t := r.target; strings.HasPrefix(t, "./") || strings.HasPrefix(t, "../") || filepath.IsAbs(t) || t == "." || t == ".." {
			out = append(out, t)
		}
	}
	return out
}

// replaceDirective is one `replace old [v] => new [v]` of a go.mod.
type replaceDirective struct {
	old     string // the module path replaced
	target  string // a folder, or the replacing module's path
	version string // the replacing module's version, "" for a folder
}

// replaceDirectives reads the replace directives of a go.mod, single-line
// and in blocks, in the order written; malformed lines are left out.
func replaceDirectives(gomod []byte) []replaceDirective {
	var out []replaceDirective
	inBlock := false
	for _, raw := range strings.Split(string(gomod), "\n") {
		line := raw
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
			continue
		case inBlock && fields[0] == ")":
			inBlock = false
			continue
		case !inBlock && fields[0] == "replace":
			if len(fields) == 2 && fields[1] == "(" {
				inBlock = true
				continue
			}
			fields = fields[1:]
		case !inBlock:
			continue
		}
		arrow := -1
		for i, f := range fields {
			if f == "=>" {
				arrow = i
			}
		}
		if arrow < 1 || arrow+1 >= len(fields) || arrow+3 < len(fields) {
			continue
		}
		r := replaceDirective{old: unquote(fields[0]), target: unquote(fields[arrow+1])}
		if len(fields) == arrow+3 {
			r.version = fields[arrow+2]
		}
		out = append(out, r)
	}
	return out
}
