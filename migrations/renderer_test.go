package migrations

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// renderBySnapshots is the plain way to render m forwards: a fresh copy of
// the project before and after every operation. Renderer must say the same.
func renderBySnapshots(t *testing.T, m *Migration, render func(op operations.Operation, from, to *state.Project) ([]operations.Statement, error), before *state.Project) ([]string, *state.Project) {
	t.Helper()
	var out []string
	cur := before
	for i, op := range m.Operations {
		next := cur.CloneShallow()
		if err := op.StateForwards(m.App, next); err != nil {
			t.Fatalf("%s operation %d: %v", m.Key(), i+1, err)
		}
		steps, err := render(op, cur, next)
		if err != nil {
			t.Fatalf("%s operation %d: %v", m.Key(), i+1, err)
		}
		for _, st := range steps {
			out = append(out, fmt.Sprintf("%d: %s%s", i+1, st.SQL, st.Name))
		}
		cur = next
	}
	return out, cur
}

// TestRendererMatchesSnapshots renders histories with renames (which
// repoint relations in other models), relations, field changes, removals
// and squashes through one Renderer, as migrate does, and checks each
// migration's statements and the state after it against rendering from
// fresh copies: the two projects it keeps in step must never leak one
// operation's change into the other.
func TestRendererMatchesSnapshots(t *testing.T) {
	t.Parallel()
	histories := map[string][]*Migration{
		"twenty":  twentyMigrations(),
		"renames": renameMigrations(),
		"apps":    appMigrations(),
	}
	for _, d := range dbtest.Dialects {
		ed := connect.EditorFor(d)
		for name, ms := range histories {
			t.Run(string(d)+"/"+name, func(t *testing.T) {
				g, err := NewGraph(ms)
				if err != nil {
					t.Fatal(err)
				}
				r := NewRenderer(ed, state.NewProject())
				want := state.NewProject()
				for _, m := range g.order {
					ops, err := r.Forwards(m)
					if err != nil {
						t.Fatalf("%s: %v", m.Key(), err)
					}
					var got []string
					for _, o := range ops {
						for _, st := range o.Statements {
							got = append(got, fmt.Sprintf("%d: %s%s", o.Number, st.SQL, st.Name))
						}
					}
					var wantSteps []string
					wantSteps, want = renderBySnapshots(t, m, func(op operations.Operation, from, to *state.Project) ([]operations.Statement, error) {
						return op.Forwards(m.App, ed, from, to)
					}, want)
					if !reflect.DeepEqual(got, wantSteps) {
						t.Fatalf("%s: Renderer rendered\n%q\nwant\n%q", m.Key(), got, wantSteps)
					}
					if !reflect.DeepEqual(r.State().Models, want.Models) {
						t.Fatalf("%s: Renderer's state differs from the replay", m.Key())
					}
				}
			})
		}
	}
}
