package synth

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// benchSize is the size the benchmarks run at: 200 models and 400
// migrations, or MODELSxMIGRATIONS from PMANAGER_BENCH_SIZE
// (PMANAGER_BENCH_SIZE=2000x5000 go test -bench . -benchmem ./internal/synth/),
// so a default run stays small and the large sizes are one variable away.
func benchSize(b *testing.B) Size {
	b.Helper()
	s := Size{Models: 200, Fields: 10, Migrations: 400, Seed: 1}
	if v := os.Getenv("PMANAGER_BENCH_SIZE"); v != "" {
		if _, err := fmt.Sscanf(v, "%dx%d", &s.Models, &s.Migrations); err != nil || s.Models < 1 || s.Migrations < 1 {
			b.Fatalf("PMANAGER_BENCH_SIZE=%q: want MODELSxMIGRATIONS, such as 500x1000", v)
		}
	}
	return s
}

func graph(b *testing.B, s Size) *migrations.Graph {
	b.Helper()
	g, err := migrations.NewGraph(History(s))
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// loop runs body b.N times through b.Loop and reports, besides the wall
// time, the CPU time per operation (cpu-ns/op, all threads, the garbage
// collector's included): on a machine shared with other work the wall time
// counts waiting for a core, the CPU time does not.
func loop(b *testing.B, body func()) {
	b.Helper()
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		body()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkReplay measures rebuilding the state from the whole history.
func BenchmarkReplay(b *testing.B) {
	g := graph(b, benchSize(b))
	loop(b, func() {
		if _, err := g.State(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkAutodetect measures diffing the replayed state against models
// that add one field to one model, as makemigrations does.
func BenchmarkAutodetect(b *testing.B) {
	g := graph(b, benchSize(b))
	from, err := g.State()
	if err != nil {
		b.Fatal(err)
	}
	to := from.CloneShallow()
	add := operations.AddField{Model: "Model0007", Field: &state.Field{Name: "brand_new", Kind: state.Text, Null: true}}
	if err := add.StateForwards(App, to); err != nil {
		b.Fatal(err)
	}
	loop(b, func() {
		ch, err := autodetect.Detect(from, to, autodetect.NonInteractive())
		if err != nil {
			b.Fatal(err)
		}
		if len(ch.Ops[App]) != 1 {
			b.Fatalf("detected %d operations, want 1", len(ch.Ops[App]))
		}
	})
}

// BenchmarkReplayAndDetect is makemigrations' in-process cost end to end.
func BenchmarkReplayAndDetect(b *testing.B) {
	g := graph(b, benchSize(b))
	to, err := g.State()
	if err != nil {
		b.Fatal(err)
	}
	loop(b, func() {
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
	})
}

// BenchmarkGraph measures building the migration graph from the registered
// history, which every command does first.
func BenchmarkGraph(b *testing.B) {
	hist := History(benchSize(b))
	loop(b, func() {
		if _, err := migrations.NewGraph(hist); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkRenderSQL measures rendering the SQL of the whole history on
// each dialect, as migrate from an empty database does (and sqlmigrate for
// one migration), state replay included.
func BenchmarkRenderSQL(b *testing.B) {
	hist := History(benchSize(b))
	for _, d := range []schema.Dialect{schema.SQLite, schema.Postgres, schema.MySQL} {
		b.Run(string(d), func(b *testing.B) {
			ed := connect.EditorFor(d)
			loop(b, func() {
				r := migrations.NewRenderer(ed, state.NewProject())
				for _, m := range hist {
					blocks, err := r.Forwards(m)
					if err != nil {
						b.Fatal(err)
					}
					if len(blocks) != len(m.Operations) {
						b.Fatalf("%s: %d blocks for %d operations", m.Key(), len(blocks), len(m.Operations))
					}
				}
			})
		})
	}
}

// BenchmarkWriteMigration measures rendering migration files: the initial
// migration, which creates every model, and one small step.
func BenchmarkWriteMigration(b *testing.B) {
	hist := History(benchSize(b))
	now := time.Unix(0, 0)
	for _, m := range []*migrations.Migration{hist[0], hist[len(hist)-1]} {
		b.Run(m.Name, func(b *testing.B) {
			loop(b, func() {
				src, err := migrations.WriteSource(m, "migrations", "bench", now)
				if err != nil {
					b.Fatal(err)
				}
				if !bytes.Contains(src, []byte(m.Name)) {
					b.Fatal("the file does not name its migration")
				}
			})
		})
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

// TestWriteProjectIsDeterministic writes one size twice and expects the
// same files, byte for byte, with one migration file per migration.
func TestWriteProjectIsDeterministic(t *testing.T) {
	s := Size{Models: 12, Fields: 8, Migrations: 30, Seed: 3}
	read := func(dir string) map[string]string {
		t.Helper()
		out := map[string]string{}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			rel, _ := filepath.Rel(dir, path)
			out[rel] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var got []map[string]string
	for range 2 {
		dir := t.TempDir()
		opts := ProjectOptions{Dir: dir, Module: "example.com/p", Library: "../..", Version: "test", Time: time.Unix(0, 0)}
		if err := WriteProject(s, opts); err != nil {
			t.Fatal(err)
		}
		got = append(got, read(dir))
	}
	if diff := cmp.Diff(got[0], got[1]); diff != "" {
		t.Fatalf("two runs with one seed differ (-first +second):\n%s", diff)
	}
	migrationsWritten := 0
	for name := range got[0] {
		if strings.HasPrefix(name, "migrations"+string(filepath.Separator)) {
			migrationsWritten++
		}
	}
	if migrationsWritten != s.Migrations {
		t.Fatalf("wrote %d migration files, want %d", migrationsWritten, s.Migrations)
	}
	if !strings.Contains(got[0]["go.mod"], "replace github.com/pmanager/pmanager => ") {
		t.Fatalf("go.mod does not point at the library:\n%s", got[0]["go.mod"])
	}
}

// TestRenderModelsFieldsAndIndexes checks the Go declaration of each kind
// of field History generates, and the Meta of a model with an index.
func TestRenderModelsFieldsAndIndexes(t *testing.T) {
	p := state.NewProject()
	target := &state.Model{App: App, Name: "Model0000", Fields: []*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}}
	m := &state.Model{App: App, Name: "Model0001", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "f00", Kind: state.Char, MaxLength: 120, Null: true},
		{Name: "f01", Kind: state.Integer, Default: state.Str("0")},
		{Name: "f02", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Model0000", OnDelete: "SET_NULL"}},
		{Name: "f03", Kind: state.Decimal, MaxDigits: 12, DecimalPlaces: 2, Default: state.Str("0")},
		{Name: "f04", Kind: state.Text, Blank: true},
		{Name: "extra001", Kind: state.Integer, Null: true},
	}, Indexes: []state.Index{{Name: "idx_0002", Fields: []string{"f01"}}}}
	for _, x := range []*state.Model{target, m} {
		if err := p.Add(x); err != nil {
			t.Fatal(err)
		}
	}
	src, err := WriteModels(p, App)
	if err != nil {
		t.Fatal(err)
	}
	// gofmt aligns the columns; compare with runs of blanks as one space.
	flat := strings.Join(strings.Fields(string(src)), " ")
	for _, want := range []string{
		"F00 *string `pm:\"max_length=120\"`",
		"F01 int32 `pm:\"default=0\"`",
		"F02 *Model0000 `pm:\"null,on_delete=SET_NULL\"`",
		"F03 models.Decimal `pm:\"max_digits=12,decimal_places=2,default=0\"`",
		"F04 string `pm:\"blank\"`",
		"Extra001 *int32 }",
		`{Name: "idx_0002", Fields: []string{"f01"}},`,
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("models source lacks %q:\n%s", want, src)
		}
	}
}
