package autocases

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/state"
)

// TestNextAndTargets checks the migrations built from detected changes:
// numbering per app, the same-app parent, cross-app dependencies on the
// other app's new migration when it creates what is needed and on its
// leaf otherwise, and where each app is migrated back to.
func TestNextAndTargets(t *testing.T) {
	t.Parallel()
	parse := func(src string) *state.Project {
		p, err := statedsl.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	keys := func(ms []*migrations.Migration) []string {
		var out []string
		for _, m := range ms {
			deps := []string{}
			for _, d := range m.Dependencies {
				deps = append(deps, d.String())
			}
			out = append(out, m.Key().String()+" <- "+strings.Join(deps, ","))
		}
		return out
	}
	empty := state.NewProject()
	first := parse("model main.Author\n  name char max=10\n")
	second := parse("model main.Author\n  name char max=10\nmodel shop.Order\n  author fk to=main.Author\n")
	third := parse("model main.Author\n  name char max=10\n  bio text null\nmodel main.Tag\n  x integer null\n" +
		"model shop.Order\n  author fk to=main.Author\n  tag fk to=main.Tag null\n")
	var prior []*migrations.Migration
	tests := []struct {
		from, to    *state.Project
		want        []string
		wantTargets []migrations.Target
	}{
		{empty, first, []string{"main.0001_s <- "}, []migrations.Target{{App: "main", Name: "zero"}}},
		{first, second, []string{"shop.0001_s <- main.0001_s"}, []migrations.Target{{App: "shop", Name: "zero"}}},
		{second, third, []string{"main.0002_s <- main.0001_s", "shop.0002_s <- shop.0001_s,main.0002_s"},
			[]migrations.Target{{App: "main", Name: "0001_s"}, {App: "shop", Name: "0001_s"}}},
	}
	for i, tt := range tests {
		ch, err := autodetect.Detect(tt.from, tt.to, Answers{})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		added := Next(prior, ch, "s")
		if diff := cmp.Diff(tt.want, keys(added)); diff != "" {
			t.Errorf("step %d: migrations (-want +got):\n%s", i, diff)
		}
		if diff := cmp.Diff(tt.wantTargets, Targets(prior, added)); diff != "" {
			t.Errorf("step %d: targets (-want +got):\n%s", i, diff)
		}
		prior = append(prior, added...)
		if _, err := migrations.NewGraph(prior); err != nil {
			t.Fatalf("step %d: graph: %v", i, err)
		}
	}
}
