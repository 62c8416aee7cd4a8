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

// ToolPackage is the pmanager command as a tool of a module (`go get -tool`):
// the tool directive keeps every module the generated main needs in go.mod
// and go.sum through go mod tidy, and in vendor/ through go mod vendor,
// because the launcher imports all the packages the generated main does.
const ToolPackage = LibraryModule + "/cmd/pmanager"

// Module is the Go module a project lives in.
type Module struct {
	// Root is the folder of go.mod; it may be above the project root.
	Root string
	// Path is the module path from the module directive.
	Path string
	// Requires lists the module paths of the require directives.
	Requires []string
	// Versions maps a required module path to the version go.mod requires.
	Versions map[string]string
	// Tools lists the package paths of the tool directives.
	Tools []string
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

// ParseGoMod reads the module path, the requirements and the tools of a
// go.mod file. It understands the directives it needs (module, require,
// tool, single or in a block) and skips the rest.
func ParseGoMod(data []byte) (*Module, error) {
	m := &Module{}
	block := "" // the directive of the block being read
	for n, raw := range strings.Split(string(data), "\n") {
		line := raw
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if block != "" {
			if fields[0] == ")" {
				block = ""
				continue
			}
			m.directive(block, fields)
			continue
		}
		switch fields[0] {
		case "module":
			if len(fields) < 2 {
				return nil, fmt.Errorf("line %d: module directive without a path", n+1)
			}
			m.Path = unquote(fields[1])
		case "require", "tool":
			if len(fields) >= 2 && fields[1] == "(" {
				block = fields[0]
			} else if len(fields) >= 2 {
				m.directive(fields[0], fields[1:])
			}
		case "replace", "exclude", "retract", "ignore", "godebug":
			if len(fields) >= 2 && fields[1] == "(" {
				block = fields[0]
			}
		}
	}
	if m.Path == "" {
		return nil, fmt.Errorf("no module directive")
	}
	return m, nil
}

// directive records one require or tool line (its fields after the
// directive's name); the other directives are skipped.
func (m *Module) directive(name string, fields []string) {
	switch name {
	case "require":
		path := unquote(fields[0])
		m.Requires = append(m.Requires, path)
		if len(fields) >= 2 {
			if m.Versions == nil {
				m.Versions = map[string]string{}
			}
			m.Versions[path] = unquote(fields[1])
		}
	case "tool":
		m.Tools = append(m.Tools, unquote(fields[0]))
	}
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

// HasTool reports whether pmanager is a tool of the module (or the module
// is pmanager itself), so go mod tidy and go mod vendor keep what the
// generated main needs.
func (m *Module) HasTool() bool {
	if m.Path == LibraryModule {
		return true
	}
	for _, t := range m.Tools {
		if t == ToolPackage {
			return true
		}
	}
	return false
}

// AddToolCommand is the one command that makes pmanager a tool of the
// module: pinned to the version go.mod requires, so it changes nothing
// else; or, when the module does not require pmanager yet, to version
// (the running pmanager's own, "" for the latest).
func (m *Module) AddToolCommand(version string) string {
	if v := m.Versions[LibraryModule]; v != "" {
		version = v
	}
	if version == "" {
		return "go get -tool " + ToolPackage
	}
	return "go get -tool " + ToolPackage + "@" + version
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
