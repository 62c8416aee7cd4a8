package checks

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/state"
)

// A model no reader produces (a char field without a length) is refused by
// every editor; pm.E025 reports it per dialect before migrate would.
func TestRenderCheck(t *testing.T) {
	p := state.NewProject()
	m := &state.Model{App: "main", Name: "Odd", Table: "odd", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "code", Kind: state.Char},
	}}
	if err := p.Add(m); err != nil {
		t.Fatal(err)
	}
	report := Project(p, Options{Targets: allKinds})
	var dialects []string
	for _, i := range report.Issues {
		if i.ID == "pm.E025" && i.Object == "main.Odd" {
			dialects = append(dialects, i.Message)
		}
	}
	if len(dialects) != 3 || !strings.Contains(strings.Join(dialects, "\n"), "cannot create its table on PostgreSQL (connection pg): postgres: main.Odd.code: a char field needs MaxLength") {
		t.Fatalf("want pm.E025 once per dialect, got:\n%s", report.Text())
	}
}

// A dialect check runs only against the dialects of the targets: a 64-byte
// column is fine where no PostgreSQL connection is.
func TestDialectChecksFollowTargets(t *testing.T) {
	for _, tc := range []struct {
		types   []any
		targets []Target
	}{
		{[]any{LongColumn{}}, []Target{my, lite}},
		{[]any{PartialIndex{}}, []Target{pg, lite}},
		{[]any{ConditionalUnique{}}, []Target{pg, lite}},
		{[]any{TextUnique{}}, []Target{pg, lite}},
		{[]any{WideDecimal{}}, []Target{pg, lite}},
		{[]any{BadDuration{}}, []Target{pg}},
		{[]any{ZonedDateTime{}}, []Target{pg, lite}},
		{[]any{QuotedInCheck{}}, []Target{pg, lite}},
		{[]any{LongColumn{}}, nil},
	} {
		if report := check(t, tc.targets, nil, tc.types...); len(report.Issues) != 0 {
			t.Errorf("%T against %v: want no issue, got:\n%s", tc.types[0], tc.targets, report.Text())
		}
	}
}

// Silenced issues are counted, not reported; an id that names no check is
// itself a warning.
func TestSilence(t *testing.T) {
	report := check(t, allKinds, []string{"pm.E017", "pm.W999"}, PartialIndex{})
	if report.Silenced != 1 {
		t.Fatalf("Silenced = %d, want 1", report.Silenced)
	}
	if len(report.Issues) != 1 || report.Issues[0].ID != "pm.W010" || report.Errors() != 0 {
		t.Fatalf("want only pm.W010, got:\n%s", report.Text())
	}
	want := `System check identified some issues:

WARNINGS:
[checks] silence: (pm.W010) "pm.W999" is not a check id; remove it, or fix its spelling (ids look like pm.W004; docs/checks.md lists them)

System check identified 1 issue (1 silenced).
`
	if got := report.Text(); got != want {
		t.Fatalf("Text:\n%s\nwant:\n%s", got, want)
	}
}

// A malformed tag stops before the models are read: the reader would work
// from a field that lost its options.
func TestTagErrorStopsBeforeLoad(t *testing.T) {
	report, p, err := Run([]models.App{{Label: "main", Types: []any{tagSpace}}}, Options{})
	if err != nil || p != nil || report.Errors() != 1 {
		t.Fatalf("Run = %v, %v, %v; want one error and no state", report, p, err)
	}
	want := tagSpaceObject + ": (pm.E001) struct tag `pm: \"max_length=254,unique\"` is not in Go's key:\"value\" form (bad syntax for struct tag value), so Go does not see its pm options and the field is read without them; write `pm:\"max_length=254,unique\"`"
	if got := report.Issues[0].String(); got != want {
		t.Fatalf("issue:\n%s\nwant:\n%s", got, want)
	}
	// Silenced, the model is read as Go sees it.
	report, p, err = Run([]models.App{{Label: "main", Types: []any{tagSpace}}}, Options{Silence: []string{"pm.E001"}})
	if err != nil || p == nil || report.Silenced != 1 {
		t.Fatalf("silenced: Run = %v, %v, %v", report, p, err)
	}
}

// The hint rewrites each malformed tag of the findings into Go's form.
func TestRepairTag(t *testing.T) {
	for tag, want := range map[string]string{
		`pm: "max_length=254,unique"`:        `pm:"max_length=254,unique"`,
		`pm:max_length=8`:                    `pm:"max_length=8"`,
		`json:"x",pm:"max_length=10,unique"`: `json:"x" pm:"max_length=10,unique"`,
		`json:"x" , db : "name" pm:unique`:   `json:"x" db:"name" pm:"unique"`,
		`pm:"unterminated`:                   ``,
		`pm:"max_length=10" json:"name"`:     ``, // already right
	} {
		if got := repairTag(tag); got != want {
			t.Errorf("repairTag(%q) = %q, want %q", tag, got, want)
		}
	}
}

// A report is a stable value for tools: id, level, object, message, hint.
func TestJSON(t *testing.T) {
	data, err := check(t, allKinds, nil, PartialIndex{}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Issues []map[string]string
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	i := got.Issues[0]
	if i["id"] != "pm.E017" || i["level"] != "error" || i["object"] != "checks.PartialIndex.Meta" || i["message"] == "" || i["hint"] == "" {
		t.Fatalf("JSON issue = %v", i)
	}
}

// Every check of the catalog has a case that triggers it, and is listed in
// docs/checks.md.
func TestCatalogIsCoveredAndDocumented(t *testing.T) {
	tested := map[string]bool{"pm.E025": true, "pm.W010": true, "pm.W011": true} // TestRenderCheck, TestSilence, TestGaleraPrimaryKeyCheck
	for _, tc := range cases {
		tested[tc.id] = true
	}
	for _, tc := range planCases {
		if tc.id != "" {
			tested[tc.id] = true
		}
	}
	docs, err := os.ReadFile("../../docs/checks.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Catalog {
		if !tested[c.ID] {
			t.Errorf("%s has no case that triggers it", c.ID)
		}
		if !strings.Contains(string(docs), "### "+c.ID) {
			t.Errorf("docs/checks.md does not document %s", c.ID)
		}
	}
	for id := range tested {
		if !known(id) {
			t.Errorf("case for %s, which is not in the catalog", id)
		}
	}
}
