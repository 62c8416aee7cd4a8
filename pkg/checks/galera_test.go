package checks

import (
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// A model without a primary key (a state a hand-written migration can
// build; the reader always gives one) is reported when a connection is a
// Galera cluster, and only then.
func TestGaleraPrimaryKeyCheck(t *testing.T) {
	p := state.NewProject()
	if err := p.Add(&state.Model{App: "main", Name: "Log", Table: "log", Fields: []*state.Field{{Name: "line", Kind: state.Text}}}); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(&state.Model{App: "main", Name: "Keyed", Table: "keyed", Fields: []*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}}); err != nil {
		t.Fatal(err)
	}
	plain := Project(p, Options{Targets: []Target{{Name: "default", Dialect: schema.MySQL}}})
	for _, i := range plain.Issues {
		if i.ID == "pm.W011" {
			t.Errorf("pm.W011 without a Galera connection: %s", i)
		}
	}
	report := Project(p, Options{Targets: []Target{{Name: "default", Dialect: schema.MySQL}, {Name: "cluster", Dialect: schema.MySQL, Galera: true}}})
	var got []Issue
	for _, i := range report.Issues {
		if i.ID == "pm.W011" {
			got = append(got, i)
		}
	}
	if len(got) != 1 || got[0].Object != "main.Log" || !strings.Contains(got[0].Message, "table log has no primary key, and connection cluster is a Galera cluster") ||
		got[0].Hint == "" || got[0].Level.String() != "warning" {
		t.Fatalf("pm.W011 issues = %v; want one warning on main.Log naming connection cluster", got)
	}
}
