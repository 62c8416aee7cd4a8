package synth

import (
	"testing"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// size200 is the benchmark size: 200 models, 400 migrations.
var size200 = Size{Models: 200, Fields: 10, Migrations: 400, Seed: 1}

func graph(b *testing.B, s Size) *migrations.Graph {
	b.Helper()
	g, err := migrations.NewGraph(History(s))
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkReplay measures rebuilding the state from the whole history.
func BenchmarkReplay(b *testing.B) {
	g := graph(b, size200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.State(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAutodetect measures diffing the replayed state against models
// that add one field to one model, as makemigrations does.
func BenchmarkAutodetect(b *testing.B) {
	g := graph(b, size200)
	from, err := g.State()
	if err != nil {
		b.Fatal(err)
	}
	to := from.CloneShallow()
	add := operations.AddField{Model: "Model0007", Field: &state.Field{Name: "brand_new", Kind: state.Text, Null: true}}
	if err := add.StateForwards(App, to); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ch, err := autodetect.Detect(from, to, autodetect.NonInteractive())
		if err != nil {
			b.Fatal(err)
		}
		if len(ch.Ops[App]) != 1 {
			b.Fatalf("detected %d operations, want 1", len(ch.Ops[App]))
		}
	}
}

// BenchmarkReplayAndDetect is makemigrations' in-process cost end to end.
func BenchmarkReplayAndDetect(b *testing.B) {
	g := graph(b, size200)
	to, err := g.State()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		from, err := g.State()
		if err != nil {
			b.Fatal(err)
		}
		ch, err := autodetect.Detect(from, to, autodetect.NonInteractive())
		if err != nil {
			b.Fatal(err)
		}
		if !ch.Empty() {
			b.Fatal("changes detected between a state and itself")
		}
	}
}

// TestHistoryIsDeterministicAndReplays keeps the generator honest: the same
// seed gives the same history, and the history replays without error.
func TestHistoryIsDeterministicAndReplays(t *testing.T) {
	s := Size{Models: 20, Fields: 6, Migrations: 40, Seed: 7}
	a, b := History(s), History(s)
	if len(a) != 40 || len(b) != 40 {
		t.Fatalf("got %d and %d migrations, want 40", len(a), len(b))
	}
	for i := range a {
		if migrations.Checksum(a[i]) != migrations.Checksum(b[i]) {
			t.Fatalf("migration %s differs between two runs with one seed", a[i].Name)
		}
	}
	g, err := migrations.NewGraph(a)
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Models) != 20 {
		t.Fatalf("replayed %d models, want 20", len(p.Models))
	}
}
