package models

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestModelsDoc: docs/models.md documents every tag option, every type=
// value and every Meta field this package reads, and its Go examples are
// valid Go.
func TestModelsDoc(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "models.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, opt := range strings.Split(knownOptions, ", ") {
		if !regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(opt) + "[`=]").MatchString(doc) {
			t.Errorf("tag option %s has no row in the tag options table of docs/models.md", opt)
		}
	}
	for _, kind := range strings.Split(typeOverrides, ", ") {
		if !strings.Contains(doc, "`"+kind+"`") && !strings.Contains(doc, "type="+kind) {
			t.Errorf("type=%s is not in docs/models.md", kind)
		}
	}
	meta := reflect.TypeFor[Meta]()
	for i := 0; i < meta.NumField(); i++ {
		name := meta.Field(i).Name
		if !strings.Contains(doc, "| `"+name+"` |") {
			t.Errorf("Meta.%s has no row in the Meta table of docs/models.md", name)
		}
	}
	for _, typ := range []string{"models.Decimal", "time.Time", "time.Duration", "[]byte", "json.RawMessage", "sql.NullString", "sql.Null[T]", "[16]byte", "*OtherModel", "[]*OtherModel", "int16", "int32", "float32"} {
		if !strings.Contains(doc, "`"+typ+"`") {
			t.Errorf("Go type %s is not in docs/models.md", typ)
		}
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("docs/models.md has no go examples")
	}
	for _, b := range blocks {
		src := b[1]
		if !strings.HasPrefix(strings.TrimSpace(src), "package ") {
			src = "package models\n\n" + src
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "models.md", src, parser.AllErrors); err != nil {
			t.Errorf("a go example of docs/models.md does not parse: %v\n%s", err, b[1])
		}
	}
}
