package operations

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/state"
)

// TestHandWrittenDoc: docs/migrations-by-hand.md has a row for every
// operation type of this package, and the descriptions it shows are the
// ones the operations give.
func TestHandWrittenDoc(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "migrations-by-hand.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || fn.Name.Name != "Describe" {
					continue
				}
				typ := fn.Recv.List[0].Type
				if star, ok := typ.(*ast.StarExpr); ok {
					typ = star.X
				}
				methods[typ.(*ast.Ident).Name] = true
			}
		}
	}
	if len(methods) < 15 {
		t.Fatalf("found only %d operation types", len(methods))
	}
	for name := range methods {
		if !strings.Contains(doc, "| `"+name+"` |") {
			t.Errorf("operation %s has no row in docs/migrations-by-hand.md", name)
		}
	}
	for _, op := range []Operation{
		AddField{Model: "Customer", Field: &state.Field{Name: "country"}},
		RenameField{Model: "Product", OldName: "name", NewName: "title"},
		AlterModelTable{Name: "Car", Table: "local_car"},
		AlterUniqueTogether{Name: "Car", UniqueTogether: [][]string{{"manufacturer", "name"}}},
		AddIndex{Model: "Car", Index: state.Index{Name: "car_name_idx", Fields: []string{"name"}}},
		AddConstraint{Model: "Car", Constraint: state.Constraint{Name: "price_gte_0"}},
		RemoveConstraint{Model: "Car", Name: "price_gte_0"},
		RunSQL{}, RunGo{},
		SeparateDatabaseAndState{Database: []Operation{RunSQL{}}, State: []Operation{RunSQL{}}},
	} {
		if d := op.Describe(); !strings.Contains(doc, "`"+d+"`") {
			t.Errorf("docs/migrations-by-hand.md does not show %T's description %q", op, d)
		}
	}
}
