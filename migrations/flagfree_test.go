package migrations

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// cliFlag matches a command-line flag (--resume, --accept-edited).
var cliFlag = regexp.MustCompile(`(^|[^-\w])--[a-z][a-z-]*`)

// TestNoFlagInLibraryText: the library's messages name its own Options,
// never a flag of the command line, which phrases them for its user. Every
// string literal of the library's packages is checked, tests left out.
func TestNoFlagInLibraryText(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "../migrate", "../pkg/autodetect", "../pkg/optimizer", "../pkg/checks"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, file, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if m := cliFlag.FindString(lit.Value); m != "" || strings.Contains(lit.Value, "pmanager migrate") {
						t.Errorf("%s: a library text names the command line (%s): %s", fset.Position(lit.Pos()), strings.TrimSpace(m), lit.Value)
					}
				}
				return true
			})
		}
	}
}

// TestTypedErrors: the errors a caller acts on carry their data, match
// errors.As / errors.Is, and say what to do in the library's words.
func TestTypedErrors(t *testing.T) {
	t.Parallel()
	step := Step{Migration: &Migration{App: "main", Name: "0002_x"}}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"conflict", &ConflictError{Leaves: map[string][]Key{"shop": {key("shop.0002_a"), key("shop.0002_b")}, "main": {key("main.0003_c"), key("main.0003_d")}}},
			[]string{"Conflicting migrations detected; multiple leaf nodes in the migration graph: (0003_c, 0003_d in main; 0002_a, 0002_b in shop)"}},
		{"left part-way", &MigrateError{Failed: step, Operation: 2, Description: "Add Field f To M", Partial: true, NonAtomic: true, Err: errors.New("boom")},
			[]string{"applying main.0002_x failed at operation 2 (Add Field f To M): boom", "Options.Resume", "Options.RollbackPartial"}},
		{"partial found", &PartialError{Reports: []string{"main.0002_x was left part-way"}},
			[]string{"main.0002_x was left part-way\nset Options.Resume"}},
		{"edited", &EditedError{Migrations: []Key{key("main.0001_initial")}},
			[]string{"main.0001_initial was edited after it was applied", "accept it with Options.AcceptEdited"}},
		{"locked", &LockError{Holder: schema.LockHolder{Who: "process 7"}, Waited: time.Second},
			[]string{"another migrate run holds the migration lock", "Options.LockTimeout"}},
		{"in doubt", &DoubtError{Migration: key("main.0002_x"), Operation: 3, Index: 1, Count: 2, Statement: "UPDATE t SET a = 1", Why: "it may change rows", Rollback: true},
			[]string{"operation 3", "Options.RollbackPartial and Options.AssumeDone 3", "Options.AssumeNotDone 3"}},
		{"rollback failed", &RollbackError{Migration: key("main.0002_x"), Err: errors.New("boom")},
			[]string{"cannot roll back main.0002_x: boom", "Options.Resume"}},
		{"history table", &HistoryTableError{Table: "pmanager_migrations", Missing: []string{"checksum"}, Django: true},
			[]string{"Django's django_migrations", "Options.Fake"}},
	}
	for _, tt := range tests {
		msg := tt.err.Error()
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not say %q", tt.name, msg, w)
			}
		}
		if m := cliFlag.FindString(msg); m != "" {
			t.Errorf("%s: %q names the flag %s", tt.name, msg, m)
		}
	}
	if !errors.Is(&LockError{}, ErrLocked) || !errors.Is(&PartialError{}, ErrPartial) {
		t.Error("LockError or PartialError does not match its sentinel")
	}
}

// TestCheckConflicts names only the apps asked about.
func TestCheckConflicts(t *testing.T) {
	t.Parallel()
	g, err := NewGraph(append(project(), mig("main", "0003_d", "main.0002_b")))
	if err != nil {
		t.Fatal(err)
	}
	var ce *ConflictError
	if err := CheckConflicts(g, nil); !errors.As(err, &ce) || len(ce.Leaves["main"]) != 2 {
		t.Errorf("CheckConflicts(every app) = %v; want main's two leaves", err)
	}
	if err := CheckConflicts(g, []string{"blog"}); err != nil {
		t.Errorf("CheckConflicts(blog) = %v; want nil, blog has one leaf", err)
	}
}
