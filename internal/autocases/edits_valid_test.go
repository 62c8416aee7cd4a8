package autocases

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/checks"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// TestLiveEditsStatesPassChecks generates, without a database, the states
// TestLiveEdits migrates for its default seeds on each dialect (the same
// draws in the same order) and holds each to the checks a developer's
// makemigrations runs first: no ordering path naming what is not there
// (pm.E031) and no join table whose two columns share a name. An edit
// that leaves a state the checks refuse would test states no user can
// make.
func TestLiveEditsStatesPassChecks(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		for _, seed := range defaultSeeds {
			r := rand.New(rand.NewSource(seed))
			gen := &editor{r: r, dialect: d}
			cur := state.NewProject()
			for step := 1; step <= *stepsFlag; step++ {
				next, kind := gen.edit(cur)
				_ = r.Intn(5) // the draw runSequence makes
				if err := joinTablesHold(next); err != nil {
					t.Fatalf("%s seed %d step %d (%s): %v\n%s", d, seed, step, kind, err, dsl(next))
				}
				for _, i := range checks.Project(next, checks.Options{}).Issues {
					if i.ID == "pm.E031" {
						t.Fatalf("%s seed %d step %d (%s): %s %s: %s\n%s", d, seed, step, kind, i.ID, i.Object, i.Message, dsl(next))
					}
				}
				cur = next
			}
		}
	}
}

// joinTablesHold builds every automatic join table of p, which refuses one
// whose two columns would share a name.
func joinTablesHold(p *state.Project) error {
	for _, m := range p.Sorted() {
		for _, f := range m.Fields {
			if f.Relation != nil && f.Relation.Through == "" && f.Kind.IsRelation() && schema.JoinTableName(m, f) != "" {
				if _, err := schema.JoinTable(p, m, f); err != nil {
					return fmt.Errorf("join table: %w", err)
				}
			}
		}
	}
	return nil
}
