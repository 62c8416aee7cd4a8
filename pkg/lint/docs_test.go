package lint

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update", false, "rewrite the generated rule list of docs/lint.md")

const (
	docsFile  = "../../docs/lint.md"
	docsStart = "<!-- The rule list below is generated from pkg/lint's rule table; do not edit it by hand. -->\n"
	docsEnd   = "<!-- End of the generated rule list. -->\n"
)

// ruleDocs is the generated list of every rule: id, risk, dialects, what
// a finding means and the safe alternative.
func ruleDocs() string {
	var b strings.Builder
	for _, r := range Rules() {
		on := "every dialect"
		if r.Dialects != nil {
			names := make([]string, len(r.Dialects))
			for i, d := range r.Dialects {
				names[i] = map[string]string{"postgres": "PostgreSQL", "mysql": "MySQL / MariaDB", "sqlite": "SQLite"}[string(d)]
			}
			on = strings.Join(names, ", ")
		}
		b.WriteString("### " + r.ID + ": " + string(r.Risk) + "\n\n")
		b.WriteString("*On:* " + on + ".\n\n")
		b.WriteString(upper(r.Means) + ".\n\n")
		b.WriteString("*Instead:* " + r.Instead + ".\n\n")
	}
	return b.String()
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// TestRulesDoc: docs/lint.md lists every rule as the table says it.
func TestRulesDoc(t *testing.T) {
	data, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j := strings.Index(doc, docsStart), strings.Index(doc, docsEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/lint.md has no generated rule list between %q and %q", strings.TrimSpace(docsStart), strings.TrimSpace(docsEnd))
	}
	want := doc[:i+len(docsStart)] + "\n" + ruleDocs() + doc[j:]
	if want == doc {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(docsFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Error("docs/lint.md is out of date with the rule table; run: go test ./pkg/lint -run TestRulesDoc -update")
}
