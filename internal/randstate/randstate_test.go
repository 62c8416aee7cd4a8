package randstate

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/state"
)

// TestGeneratorCoversNewKinds holds the generator to the kinds the
// property tests must meet: over as many seeds as they draw, linked states
// carry many-to-many fields with each join column named, and orderings by
// pk, at random and across a relation; and every ordering Link leaves
// holds in its state.
func TestGeneratorCoversNewKinds(t *testing.T) {
	seen := map[string]int{}
	for seed := int64(1); seed <= 1000; seed++ {
		r := rand.New(rand.NewSource(seed))
		p := state.NewProject()
		for _, name := range []string{"A", "B", "C"} {
			MustAdd(p, Model(r, "main", name))
		}
		Link(r, p)
		q := state.NewProject()
		for _, m := range p.Sorted() {
			MustAdd(q, Mutate(r, m))
		}
		Link(r, q)
		for _, m := range q.Sorted() {
			for _, f := range m.Fields {
				if f.Kind == state.ManyToMany && f.Relation.FromColumn != "" {
					seen["from_column"]++
				}
				if f.Kind == state.ManyToMany && f.Relation.ToColumn != "" {
					seen["to_column"]++
				}
			}
			for _, term := range m.Options.Ordering {
				if !OrderingHolds(q, m, term) {
					t.Fatalf("seed %d: %s keeps ordering %s, which names nothing:\n%s", seed, m.Label(), term, Dump(q))
				}
				switch {
				case term == state.OrderingRandom:
					seen["?"]++
				case term == "pk" || term == "-pk":
					seen["pk"]++
				case strings.Contains(term, "__"):
					seen["across a relation"]++
				}
			}
		}
	}
	for _, kind := range []string{"from_column", "to_column", "?", "pk", "across a relation"} {
		if seen[kind] == 0 {
			t.Errorf("no %s in 1000 seeds; the generator is not covering it", kind)
		}
	}
	t.Logf("seen: %v", seen)
}
