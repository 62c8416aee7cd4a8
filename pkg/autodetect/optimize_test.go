package autodetect

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/casefile"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/optimizer"
)

// TestOptimizeDetectedChanges optimizes what Detect finds between random
// states and checks the replay still ends at the second state.
func TestOptimizeDetectedChanges(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 500; seed++ {
		r := rand.New(rand.NewSource(seed))
		from, to := randomPair(r)
		ch, err := Detect(from, to, fillAll{})
		if err != nil {
			continue // refused cross-app cycles; TestRandomStatesReplay covers them
		}
		want, got := from.Clone(), from.Clone()
		for _, app := range sortedApps(ch.Ops) {
			if err := operations.Apply(app, ch.Ops[app], want); err != nil {
				t.Fatalf("seed %d: detected operations do not replay: %v", seed, err)
			}
			if err := operations.Apply(app, optimizer.Optimize(app, ch.Ops[app]), got); err != nil {
				t.Fatalf("seed %d: optimized operations of %s do not replay: %v\n%s", seed, app, err, renderOps(optimizer.Optimize(app, ch.Ops[app])))
			}
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("seed %d: optimized operations end in another state (-detected +optimized):\n%s", seed, diff)
		}
	}
}

// renderOps writes operations one a line, for failures.
func renderOps(ops []operations.Operation) string {
	lines := make([]string, len(ops))
	for i, op := range ops {
		lines[i] = "  " + casefile.Operation(op)
	}
	return strings.Join(lines, "\n")
}
