package autodetect

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/randstate"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// TestRandomStatesReplay is the property test: for many pairs of random
// valid states, the detected operations, replayed one by one on the first
// state, keep it consistent and end at the second, and detecting again
// from there finds nothing. Both directions of every pair are checked.
func TestRandomStatesReplay(t *testing.T) {
	t.Parallel()
	replayRandomStates(t, func() Questioner { return fillAll{} })
}

// TestRandomStatesReplayWithRenames is the same property when every rename
// candidate is confirmed: removed and added models and fields with equal
// definitions become RenameModel and RenameField.
func TestRandomStatesReplayWithRenames(t *testing.T) {
	t.Parallel()
	if renames := replayRandomStates(t, func() Questioner { return &yesToAll{} }); renames < 20 {
		t.Fatalf("only %d renames in all the random states; the property says little about them", renames)
	}
}

// replayRandomStates checks the property for 1000 random pairs, both
// directions, and returns how many rename operations were detected.
func replayRandomStates(t *testing.T, questioner func() Questioner) (renames int) {
	const seeds = 1000
	refused := 0
	for seed := int64(1); seed <= seeds; seed++ {
		r := rand.New(rand.NewSource(seed))
		from, to := randomPair(r)
		for _, dir := range []struct {
			name     string
			from, to *state.Project
		}{{"forward", from, to}, {"backward", to, from}} {
			ch, err := Detect(dir.from, dir.to, questioner())
			if err != nil {
				if strings.Contains(err.Error(), "need each other's new operations") {
					refused++
					continue
				}
				t.Fatalf("seed %d %s: %v\nfrom:\n%s\nto:\n%s", seed, dir.name, err, randstate.Dump(dir.from), randstate.Dump(dir.to))
			}
			checkReplay(t, fmt.Sprintf("seed %d %s", seed, dir.name), dir.from, dir.to, ch)
			for _, ops := range ch.Ops {
				for _, op := range ops {
					switch op.(type) {
					case operations.RenameField, operations.RenameModel:
						renames++
					}
				}
			}
			if t.Failed() {
				t.Fatalf("seed %d %s: operations:\n%s\nfrom:\n%s\nto:\n%s", seed, dir.name,
					strings.Join(renderChanges(ch), "\n"), randstate.Dump(dir.from), randstate.Dump(dir.to))
			}
		}
	}
	// Cross-app cycles are refused by design; they must stay the exception
	// or this test would prove little.
	if refused > seeds/4 {
		t.Fatalf("%d of %d directions were refused as cross-app cycles", refused, 2*seeds)
	}
	return renames
}

// fillAll answers every question with 0.
type fillAll struct{}

func (fillAll) AskFill(string, string, bool) (*string, error) { return state.Str("0"), nil }

// randomPair builds two valid states over a pool of model names: some
// models only in the first (deleted), some only in the second (created),
// the rest in both with random changes.
func randomPair(r *rand.Rand) (*state.Project, *state.Project) {
	var keys [][2]string
	for i := range 3 + r.Intn(5) {
		app := "main"
		if r.Intn(5) == 0 {
			app = "shop"
		}
		keys = append(keys, [2]string{app, fmt.Sprintf("M%d", i)})
	}
	inFrom, inTo := map[int]bool{}, map[int]bool{}
	for i := range keys {
		switch r.Intn(6) {
		case 0:
			inFrom[i] = true
		case 1:
			inTo[i] = true
		default:
			inFrom[i], inTo[i] = true, true
		}
	}
	from, to := state.NewProject(), state.NewProject()
	for i, k := range keys {
		if inFrom[i] {
			randstate.MustAdd(from, randstate.Model(r, k[0], k[1]))
		}
	}
	randstate.Link(r, from)
	for i, k := range keys {
		if !inTo[i] {
			continue
		}
		if inFrom[i] {
			randstate.MustAdd(to, randstate.Mutate(r, from.Model(k[0], k[1])))
		} else {
			randstate.MustAdd(to, randstate.Model(r, k[0], k[1]))
		}
	}
	randstate.Link(r, to)
	return from, to
}
