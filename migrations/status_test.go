package migrations

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	root := &Migration{App: "main", Name: "0001_initial"}
	car := &Migration{App: "main", Name: "0002_car", Dependencies: []Key{root.Key()}}
	post := &Migration{App: "blog", Name: "0001_initial", Dependencies: []Key{root.Key()}}
	g, err := NewGraph([]*Migration{root, car, post})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	applied := map[Key]Applied{
		root.Key(): {Checksum: Checksum(root), AppliedAt: at},
		car.Key():  {Checksum: "not its checksum"},
	}
	partial := Partial{Key: post.Key(), OpsDone: 1}
	if _, err := ResolveHistory(g, map[Key]Applied{car.Key(): {}}); err == nil {
		t.Error("ResolveHistory accepted a migration applied before its dependency")
	}
	rg, err := ResolveHistory(g, applied)
	if err != nil {
		t.Fatal(err)
	}
	st := NewStatus(rg, applied, []Partial{partial})
	line := func(s MigrationStatus) string {
		out := s.Migration.Key().String()
		if s.Applied {
			out += " applied"
		}
		if !s.AppliedAt.IsZero() {
			out += " at " + s.AppliedAt.Format(time.RFC3339)
		}
		if s.Edited {
			out += " edited"
		}
		if s.Partial != nil {
			out += " partial"
		}
		return out
	}
	lines := func(ss []MigrationStatus) []string {
		var out []string
		for _, s := range ss {
			out = append(out, line(s))
		}
		return out
	}
	if diff := cmp.Diff([]string{"blog.0001_initial partial", "main.0001_initial applied at 2026-01-02T03:04:05Z", "main.0002_car applied edited"},
		lines(st.ByApp([]string{"blog", "main"}))); diff != "" {
		t.Errorf("ByApp (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"main.0001_initial applied at 2026-01-02T03:04:05Z", "blog.0001_initial partial"},
		lines(st.InPlanOrder([]string{"blog"}))); diff != "" {
		t.Errorf("InPlanOrder(blog) (-want +got):\n%s", diff)
	}
	if got := len(st.InPlanOrder(nil)); got != 3 {
		t.Errorf("InPlanOrder(nil) lists %d migrations, want 3", got)
	}
}
