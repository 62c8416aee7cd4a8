package migrations

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/operations"
)

// appliedOf records the keys ("app.name") as applied.
func appliedOf(keys ...string) map[Key]Applied {
	out := map[Key]Applied{}
	for _, k := range keys {
		out[key(k)] = Applied{Key: key(k)}
	}
	return out
}

func TestPending(t *testing.T) {
	t.Parallel()
	g, err := NewGraph(project())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		applied []string
		apps    []string
		n       int
		want    []string
	}{
		{name: "everything", n: 0, want: []string{
			"Apply blog.0001_initial", "Apply main.0001_initial", "Apply main.0002_b", "Apply blog.0002_post_author", "Apply main.0003_c"}},
		{name: "first two of all apps", n: 2, want: []string{"Apply blog.0001_initial", "Apply main.0001_initial"}},
		{name: "one step of blog pulls in what it needs from main", applied: []string{"blog.0001_initial"}, apps: []string{"blog"}, n: 1,
			want: []string{"Apply main.0001_initial", "Apply main.0002_b", "Apply blog.0002_post_author"}},
		{name: "only main", apps: []string{"main"}, want: []string{"Apply main.0001_initial", "Apply main.0002_b", "Apply main.0003_c"}},
		{name: "nothing pending", applied: []string{"blog.0001_initial", "main.0001_initial", "main.0002_b", "blog.0002_post_author", "main.0003_c"}, want: []string{}},
		{name: "more steps than pending", applied: []string{"main.0001_initial", "main.0002_b"}, apps: []string{"main"}, n: 5, want: []string{"Apply main.0003_c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planOf(Pending(g, appliedOf(tt.applied...), tt.apps, tt.n))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLatest(t *testing.T) {
	t.Parallel()
	// Graph order, not file names, decides what is newest: blog.0002 needs
	// main.0002_b, so it comes after it, and main.0003_c comes last.
	g, err := NewGraph(project())
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"blog.0001_initial", "main.0001_initial", "main.0002_b", "blog.0002_post_author", "main.0003_c"}
	tests := []struct {
		name    string
		applied []string
		apps    []string
		n       int
		want    []string
		err     string
	}{
		{name: "newest one", applied: all, n: 1, want: []string{"Unapply main.0003_c"}},
		{name: "newest two by graph order", applied: all, n: 2, want: []string{"Unapply main.0003_c", "Unapply blog.0002_post_author"}},
		{name: "all", applied: all, n: 0, want: []string{
			"Unapply main.0003_c", "Unapply blog.0002_post_author", "Unapply main.0002_b", "Unapply main.0001_initial", "Unapply blog.0001_initial"}},
		{name: "only blog", applied: all, apps: []string{"blog"}, n: 0, want: []string{"Unapply blog.0002_post_author", "Unapply blog.0001_initial"}},
		{name: "nothing applied", n: 3, want: []string{}},
		{name: "main under an applied blog migration", applied: all, apps: []string{"main"}, n: 2,
			err: "cannot unapply main.0002_b: blog.0002_post_author depends on it and is still applied; unapply blog first"},
		{name: "main once blog is gone", applied: []string{"blog.0001_initial", "main.0001_initial", "main.0002_b"}, apps: []string{"main"}, n: 2,
			want: []string{"Unapply main.0002_b", "Unapply main.0001_initial"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := Latest(g, appliedOf(tt.applied...), tt.apps, tt.n)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, planOf(plan)); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			back := planOf(Reverse(plan))
			for i, s := range back {
				if want := "Apply " + strings.TrimPrefix(tt.want[len(tt.want)-1-i], "Unapply "); s != want {
					t.Errorf("Reverse step %d = %q, want %q", i, s, want)
				}
			}
		})
	}
}

func TestIrreversible(t *testing.T) {
	t.Parallel()
	ok := mig("main", "0001_initial")
	ok.Operations = []operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}, Reverse: []string{}}}
	bad := mig("main", "0002_data", "main.0001_initial")
	bad.Operations = []operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}}}
	plan := []Step{{Migration: bad, Backwards: true}, {Migration: ok, Backwards: true}}
	var ie *IrreversibleError
	if err := Irreversible(plan); !errors.As(err, &ie) || ie.Migration != bad.Key() {
		t.Fatalf("Irreversible = %v, want the error of main.0002_data", err)
	}
	if err := Irreversible(plan[1:]); err != nil {
		t.Fatalf("Irreversible of a reversible plan = %v", err)
	}
}
