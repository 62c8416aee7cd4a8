package cli

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update", false, "rewrite the generated part of docs/commands.md")

const (
	refStart = "<!-- The reference below is generated from the command definitions; do not edit it by hand. -->\n"
	refEnd   = "<!-- End of the generated reference. -->\n"
)

// TestCommandsDoc: docs/commands.md lists exactly the commands and flags
// the command line defines, with their defaults and help. After changing a
// command or a flag, run go test ./cmd/pmanager/cli -run TestCommandsDoc -update.
func TestCommandsDoc(t *testing.T) {
	path := filepath.Join("..", "..", "..", "docs", "commands.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j := strings.Index(doc, refStart), strings.Index(doc, refEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/commands.md has no generated reference between %q and %q", strings.TrimSpace(refStart), strings.TrimSpace(refEnd))
	}
	want := CommandReference()
	got := doc[i+len(refStart) : j]
	if got == want {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(path, []byte(doc[:i+len(refStart)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("docs/commands.md is out of date with the command definitions; run: go test ./cmd/pmanager/cli -run TestCommandsDoc -update")
}

// TestNoOutsideReferences: the code and docs state their rules themselves
// and never point at design files that are not in the repository. The
// repository's own docs/ARCHITECTURE.md may be named; TestDocLinks checks
// that links to it resolve.
func TestNoOutsideReferences(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	banned := []string{"SP" + "EC", "STY" + "LE.md", "/work/" + "shared"}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".pmanager", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".txtar", ".toml", ".sh":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, b := range banned {
			if strings.Contains(string(data), b) {
				t.Errorf("%s mentions %s; state the rule itself instead", path, b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocLinks: every relative link between the documentation pages
// points at a file of the repository.
func TestDocLinks(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, filepath.Join(root, "README.md"))
	link := regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(page), target)); err != nil {
				t.Errorf("%s links to %s, which does not exist", page, target)
			}
		}
	}
}
