package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LibraryModule is the module path of pmanager itself, which a project's
// go.mod must require for the generated main to build.
const LibraryModule = "github.com/pmanager/pmanager"

// Module is the Go module a project lives in.
type Module struct {
	// Root is the folder of go.mod; it may be above the project root.
	Root string
	// Path is the module path from the module directive.
	Path string
	// Requires lists the module paths of the require directives.
	Requires []string
}

// FindModule reads the go.mod of the module that contains dir.
func FindModule(dir string) (*Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	for cur := abs; ; {
		data, err := os.ReadFile(filepath.Join(cur, "go.mod"))
		if err == nil {
			m, err := ParseGoMod(data)
			if err != nil {
				return nil, fmt.Errorf("loader: %s: %w", filepath.Join(cur, "go.mod"), err)
			}
			m.Root = cur
			return m, nil
		}
		if !os.IsNotExist(err) {
			return nil, fmt.Errorf("loader: %w", err)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return nil, fmt.Errorf("loader: %s is not inside a Go module; run go mod init <module path> first", abs)
		}
		cur = parent
	}
}

// ParseGoMod reads the module path and the required module paths of a
// go.mod file. It understands the directives it needs (module, require,
// single or in a block) and skips the rest.
func ParseGoMod(data []byte) (*Module, error) {
	m := &Module{}
	inRequire := false
	for n, raw := range strings.Split(string(data), "\n") {
		line := raw
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if inRequire {
			if fields[0] == ")" {
				inRequire = false
				continue
			}
			m.Requires = append(m.Requires, unquote(fields[0]))
			continue
		}
		switch fields[0] {
		case "module":
			if len(fields) < 2 {
				return nil, fmt.Errorf("line %d: module directive without a path", n+1)
			}
			m.Path = unquote(fields[1])
		case "require":
			if len(fields) >= 2 && fields[1] == "(" {
				inRequire = true
			} else if len(fields) >= 2 {
				m.Requires = append(m.Requires, unquote(fields[1]))
			}
		}
	}
	if m.Path == "" {
		return nil, fmt.Errorf("no module directive")
	}
	return m, nil
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// UsesLibrary reports whether code of the module can import pmanager: it
// requires it, or it is pmanager itself.
func (m *Module) UsesLibrary() bool {
	if m.Path == LibraryModule {
		return true
	}
	for _, r := range m.Requires {
		if r == LibraryModule {
			return true
		}
	}
	return false
}

// ImportPath is the import path of the package in dir, which must be inside
// the module.
func (m *Module) ImportPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("loader: %w", err)
	}
	rel, err := filepath.Rel(m.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("loader: %s is outside the Go module %s (rooted at %s); keep app folders inside the module", abs, m.Path, m.Root)
	}
	if rel == "." {
		return m.Path, nil
	}
	return m.Path + "/" + filepath.ToSlash(rel), nil
}
