package staticload_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/staticload"
	"github.com/pmanager/pmanager/internal/synth"
)

// BenchmarkRead reads a bench/genproject project as the command line does
// for makemigrations: its models package, then its migration files. The
// project has 200 models and 400 migrations, or MODELSxMIGRATIONS from
// PMANAGER_BENCH_SIZE (PMANAGER_BENCH_SIZE=500x1000 go test -run '^$'
// -bench . -benchmem ./internal/staticload/); go test -cpuprofile on it
// shows where the edit loop's reading goes. migrations-cached reads the
// migration files from a warm cache, as a command after an edit does.
func BenchmarkRead(b *testing.B) {
	s := synth.Size{Models: 200, Fields: 10, Migrations: 400, Seed: 1}
	if v := os.Getenv("PMANAGER_BENCH_SIZE"); v != "" {
		if _, err := fmt.Sscanf(v, "%dx%d", &s.Models, &s.Migrations); err != nil || s.Models < 1 || s.Migrations < 1 {
			b.Fatalf("PMANAGER_BENCH_SIZE=%q: want MODELSxMIGRATIONS, such as 500x1000", v)
		}
	}
	dir := filepath.Join(b.TempDir(), "p")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	err = synth.WriteProject(s, synth.ProjectOptions{Dir: dir, Module: "example.com/bench", Library: root, Version: "bench", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	mod := staticload.Module{Path: "example.com/bench", Dir: dir}
	apps := []staticload.App{{Label: "main", ModelsDir: filepath.Join(dir, "models"), MigrationsDir: filepath.Join(dir, "migrations")}}
	b.Run("models", func(b *testing.B) {
		for b.Loop() {
			if _, err := staticload.Models(mod, apps); err != nil {
				b.Fatal(err)
			}
		}
	})
	readMigrations := func(b *testing.B, cache *staticload.Cache) {
		reg, err := staticload.Migrations(mod, apps, cache)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(reg.Migrations()); n != s.Migrations {
			b.Fatalf("read %d migrations, want %d", n, s.Migrations)
		}
	}
	b.Run("migrations", func(b *testing.B) {
		for b.Loop() {
			readMigrations(b, nil)
		}
	})
	// What a command after an edit of a model (or of one migration file)
	// pays: every migration file found in the cache.
	b.Run("migrations-cached", func(b *testing.B) {
		cache := staticload.NewCache(b.TempDir())
		readMigrations(b, cache)
		for b.Loop() {
			readMigrations(b, cache)
		}
		if st := cache.Stats(); st.WriteErr != nil || st.Misses != s.Migrations {
			b.Fatalf("cache stats %+v: want every file written once", st)
		}
	})
}
