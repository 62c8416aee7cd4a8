package staticload

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/autocases"
	"github.com/pmanager/pmanager/internal/casefile"
	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/internal/synth"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// cacheCorpus is one or more migrations packages of a module.
type cacheCorpus struct {
	name string
	mod  Module
	apps []App
}

// repoRoot is the folder of the pmanager module.
func repoRoot(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// genProject writes a bench/genproject project and returns it as a corpus.
func genProject(t testing.TB, s synth.Size) cacheCorpus {
	dir := filepath.Join(t.TempDir(), "p")
	err := synth.WriteProject(s, synth.ProjectOptions{Dir: dir, Module: "example.com/cache", Library: repoRoot(t), Version: "test", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return cacheCorpus{
		name: fmt.Sprintf("genproject %dx%d", s.Models, s.Migrations),
		mod:  Module{Path: "example.com/cache", Dir: dir},
		apps: []App{{Label: "main", ModelsDir: filepath.Join(dir, "models"), MigrationsDir: filepath.Join(dir, "migrations")}},
	}
}

// caseMigrations writes, for every autodetector case that detects, the
// migrations makemigrations would write for its before state (from
// nothing) and for its change, one migrations package per case and app.
func caseMigrations(t *testing.T) cacheCorpus {
	dir := t.TempDir()
	c := cacheCorpus{name: "autodetector cases", mod: Module{Path: "example.com/cases", Dir: dir}}
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "pkg", "autodetect", "testdata", "cases", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no autodetector cases: %v", err)
	}
	written := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := casefile.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		before, err1 := statedsl.Parse(cf.Section("before"))
		after, err2 := statedsl.Parse(cf.Section("after"))
		answers, err3 := cf.Answers()
		if err := errors.Join(err1, err2, err3); err != nil {
			continue // a case about the DSL itself
		}
		initial, err := autodetect.Detect(state.NewProject(), before, autocases.Answers(answers))
		if err != nil {
			continue
		}
		prior := autocases.Next(nil, initial, "before")
		forward, err := autodetect.Detect(before, after, autocases.Answers(answers))
		if err != nil {
			continue // a case whose change is refused
		}
		all := append(prior, autocases.Next(prior, forward, "after")...)
		base := strings.TrimSuffix(filepath.Base(file), ".txtar")
		for _, m := range all {
			pkgDir := filepath.Join(dir, base, m.App)
			src, err := migrations.WriteSource(m, "migrations", "test", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			if err != nil {
				t.Fatalf("%s: %v", base, err)
			}
			if err := os.MkdirAll(pkgDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(pkgDir, m.Name+".go"), src, 0o644); err != nil {
				t.Fatal(err)
			}
			written++
		}
	}
	pkgs, err := filepath.Glob(filepath.Join(dir, "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		c.apps = append(c.apps, App{Label: filepath.Base(p), MigrationsDir: p})
	}
	if written < 200 {
		t.Fatalf("only %d migration files written from %d cases", written, len(files))
	}
	return c
}

// exampleCorpora are the example projects and testdata/rich.
func exampleCorpora(t *testing.T) []cacheCorpus {
	root := repoRoot(t)
	lib := Module{Path: "github.com/pmanager/pmanager", Dir: root}
	var out []cacheCorpus
	for _, dir := range []string{"examples/cars", "examples/blog", "internal/staticload/testdata/rich"} {
		out = append(out, cacheCorpus{name: dir, mod: lib, apps: []App{{Label: "main", MigrationsDir: filepath.Join(root, dir, "migrations")}}})
	}
	return out
}

// readAll reads a corpus's migrations with cache (nil for none).
func readAll(t testing.TB, c cacheCorpus, cache *Cache) []*migrations.Migration {
	t.Helper()
	reg, err := Migrations(c.mod, c.apps, cache)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return reg.Migrations()
}

// countFiles is the number of Go files of a corpus's migrations packages.
func countFiles(t testing.TB, c cacheCorpus) int {
	n := 0
	for _, a := range c.apps {
		names, err := goFileNames(a.MigrationsDir)
		if err != nil {
			t.Fatal(err)
		}
		n += len(names)
	}
	return n
}

// TestCacheEquivalence reads real migration files (the examples, the
// autodetector cases' migrations, a generated benchmark project) without
// the cache, into a cold cache and from the warm cache, and requires the
// three readings to be reflect.DeepEqual: nil and empty slices and maps,
// nil pointers and every string kept as the reader makes them.
func TestCacheEquivalence(t *testing.T) {
	corpora := append(exampleCorpora(t), caseMigrations(t), genProject(t, synth.Size{Models: 60, Fields: 10, Migrations: 150, Seed: 5}))
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			want := readAll(t, c, nil)
			cache := NewCache(t.TempDir())
			cold := readAll(t, c, cache)
			if st := cache.Stats(); st.Hits != 0 || st.Misses != countFiles(t, c) || st.WriteErr != nil {
				t.Fatalf("cold cache: %+v, want every one of %d files read from source and written", st, countFiles(t, c))
			}
			warm := readAll(t, c, cache)
			if st := cache.Stats(); st.Hits != countFiles(t, c) || st.WriteErr != nil {
				t.Fatalf("warm cache: %+v, want every file from the cache", st)
			}
			if !reflect.DeepEqual(want, cold) {
				t.Fatal("read into a cold cache differs from the uncached reading")
			}
			if !reflect.DeepEqual(want, warm) {
				t.Fatal("read from the warm cache differs from the uncached reading")
			}
			if len(want) == 0 {
				t.Fatal("the corpus has no migrations")
			}
		})
	}
}

// TestCodecKeepsNilAndEmpty is the form's own promise, on values the
// corpora may not hold: what gob loses, and what JSON changes.
func TestCodecKeepsNilAndEmpty(t *testing.T) {
	t.Parallel()
	e := cacheEntry{Included: true, Package: "migrations", Registered: []string{}, Vars: []namedMigration{
		{Name: "empty", Migration: &migrations.Migration{Dependencies: []migrations.Key{}, Operations: []operations.Operation{}, Lint: migrations.Allow()}},
		{Name: "lint", Migration: &migrations.Migration{Lint: migrations.Allow("pm.L002")}},
		{Name: "nils", Migration: &migrations.Migration{App: "\xff\x00bytes", Operations: []operations.Operation{
			operations.CreateModel{Name: "A", Fields: []*state.Field{{Name: "x", Default: state.Str("")}, {Name: "y"}, nil}},
			&operations.RunSQL{SQL: []string{"select 1"}, Reverse: []string{}},
			nil,
		}}},
	}}
	data, err := encodeEntry(e)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeEntry(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(e, back) {
		t.Fatalf("read back %#v, want %#v", back, e)
	}
	if back.Vars[0].Migration.Dependencies == nil || back.Vars[2].Migration.Dependencies != nil {
		t.Fatal("an empty slice and a nil one were not kept apart")
	}
	// A float keeps its bits; a value the form cannot carry is refused.
	var enc encoder
	if err := enc.value(reflect.ValueOf(math.Copysign(0, -1)), 0); err != nil {
		t.Fatal(err)
	}
	var f float64
	r := reader{buf: enc.buf}
	if err := r.value(reflect.ValueOf(&f).Elem(), 0); err != nil || !math.Signbit(f) {
		t.Fatalf("-0.0 read back as %v (%v)", f, err)
	}
	if err := (&encoder{}).value(reflect.ValueOf(struct{ F func() }{F: func() {}}), 0); err == nil {
		t.Fatal("a function was encoded")
	}
	if err := (&encoder{}).value(reflect.ValueOf(struct{ V any }{V: struct{ X int }{1}}), 0); err == nil {
		t.Fatal("a value of a type the decoder never makes was encoded")
	}
}

// onePackage is a generated project's migrations folder and its pack.
func onePackage(t *testing.T) (cacheCorpus, *Cache, string) {
	c := genProject(t, synth.Size{Models: 8, Fields: 5, Migrations: 20, Seed: 2})
	cache := NewCache(t.TempDir())
	return c, cache, cache.packPath(c.apps[0].MigrationsDir)
}

// requireFresh reads c with cache and requires the uncached result, with
// misses files read from source, and the pack rewritten sound.
func requireFresh(t *testing.T, c cacheCorpus, cache *Cache, misses int) {
	t.Helper()
	before := cache.Stats()
	got := readAll(t, c, cache)
	st := cache.Stats()
	if st.Misses-before.Misses != misses || st.WriteErr != nil {
		t.Fatalf("stats went from %+v to %+v, want %d more read from source", before, st, misses)
	}
	if !reflect.DeepEqual(got, readAll(t, c, nil)) {
		t.Fatal("read with the cache differs from the uncached reading")
	}
	again := cache.Stats()
	readAll(t, c, cache)
	if after := cache.Stats(); after.Misses != again.Misses {
		t.Fatalf("the pack was not rewritten sound: %+v then %+v", again, after)
	}
}

// TestCacheDamagedPack requires a corrupt, truncated or emptied pack, or
// one that is not a file, to be read past: every file from source.
func TestCacheDamagedPack(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		damage func(data []byte) []byte
	}{
		{"corrupt byte", func(d []byte) []byte { d[len(d)/2] ^= 0x40; return d }},
		{"corrupt checksum", func(d []byte) []byte { d[len(d)-1] ^= 1; return d }},
		{"truncated", func(d []byte) []byte { return d[:len(d)/2] }},
		{"truncated to the checksum", func(d []byte) []byte { return d[:len(d)-1] }},
		{"empty", func([]byte) []byte { return nil }},
		{"garbage", func(d []byte) []byte { return bytes.Repeat([]byte{0xff}, len(d)) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, cache, pack := onePackage(t)
			requireFresh(t, c, cache, 20)
			data, err := os.ReadFile(pack)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(pack, tt.damage(data), 0o644); err != nil {
				t.Fatal(err)
			}
			requireFresh(t, c, cache, 20)
		})
	}
	t.Run("a folder in its place", func(t *testing.T) {
		t.Parallel()
		c, cache, pack := onePackage(t)
		if err := os.MkdirAll(pack, 0o755); err != nil {
			t.Fatal(err)
		}
		got := readAll(t, c, cache)
		if st := cache.Stats(); st.Misses != 20 || st.WriteErr == nil {
			t.Fatalf("stats %+v: want every file from source and the write failure", st)
		}
		if !reflect.DeepEqual(got, readAll(t, c, nil)) {
			t.Fatal("read with the cache differs from the uncached reading")
		}
	})
}

// TestCacheOtherReaderVersion: a pack written by another version of the
// reader is never used, neither where that version keeps it nor copied
// where this one looks.
func TestCacheOtherReaderVersion(t *testing.T) {
	t.Parallel()
	c, cache, pack := onePackage(t)
	other := NewCache(filepath.Dir(cache.dir))
	other.version = "staticload-0"
	readAll(t, c, other)
	if cache.packPath(c.apps[0].MigrationsDir) == other.packPath(c.apps[0].MigrationsDir) {
		t.Fatal("two reader versions keep their packs in one file")
	}
	requireFresh(t, c, cache, 20)
	data, err := os.ReadFile(other.packPath(c.apps[0].MigrationsDir))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pack, data, 0o644); err != nil {
		t.Fatal(err)
	}
	requireFresh(t, c, cache, 20)
	// Entries moved into a pack of this version under their old keys are
	// not found: the version is part of every key.
	entries, err := other.parsePack(c.apps[0].MigrationsDir, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pack, cache.formatPack(c.apps[0].MigrationsDir, entries), 0o644); err != nil {
		t.Fatal(err)
	}
	requireFresh(t, c, cache, 20)
}

// TestCacheSameSizeSameMtimeEdit: an edit that keeps a file's size and
// modification time is read, since entries are found by content.
func TestCacheSameSizeSameMtimeEdit(t *testing.T) {
	t.Parallel()
	c, cache, _ := onePackage(t)
	requireFresh(t, c, cache, 20)
	path := filepath.Join(c.apps[0].MigrationsDir, "0001_initial.go")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(src, []byte("MaxLength: 100"), []byte("MaxLength: 200"), 1)
	if bytes.Equal(edited, src) || len(edited) != len(src) {
		t.Fatalf("the edit did not apply:\n%s", src)
	}
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if st2, err := os.Stat(path); err != nil || st2.Size() != st.Size() || !st2.ModTime().Equal(st.ModTime()) {
		t.Fatalf("size and time not kept: %v", err)
	}
	requireFresh(t, c, cache, 1)
	got := readAll(t, c, cache)
	if f := got[0].Operations[0].(operations.CreateModel).Fields[1]; f.MaxLength != 200 {
		t.Fatalf("the edited migration was read as before the edit: %s max_length %d", f.Name, f.MaxLength)
	}
}

// TestCacheOneEditReadsOneFile: after an edit of one file, the others
// come from the cache; a new file and a removed one too.
func TestCacheOneEditReadsOneFile(t *testing.T) {
	t.Parallel()
	c, cache, _ := onePackage(t)
	requireFresh(t, c, cache, 20)
	path := filepath.Join(c.apps[0].MigrationsDir, "0020_step.go")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(src, "\n// edited\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	requireFresh(t, c, cache, 1)
	if err := os.WriteFile(filepath.Join(c.apps[0].MigrationsDir, "0021_copy.go"), bytes.ReplaceAll(src, []byte("0020_step"), []byte("0021_copy")), 0o644); err != nil {
		t.Fatal(err)
	}
	requireFresh(t, c, cache, 1)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(c.apps[0].MigrationsDir, "0021_copy.go")); err != nil {
		t.Fatal(err)
	}
	requireFresh(t, c, cache, 0)
}

// TestCacheUnwritable: a cache folder that cannot be made or written
// leaves the command's result as it is, and says so in Stats.
func TestCacheUnwritable(t *testing.T) {
	t.Parallel()
	c, _, _ := onePackage(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, root := range []string{file, filepath.Join(file, "below")} {
		cache := NewCache(root)
		got := readAll(t, c, cache)
		if st := cache.Stats(); st.Misses != 20 || st.WriteErr == nil {
			t.Fatalf("%s: stats %+v, want every file from source and the write failure", root, st)
		}
		if !reflect.DeepEqual(got, readAll(t, c, nil)) {
			t.Fatal("read with the cache differs from the uncached reading")
		}
	}
}

// TestCacheTrim: entries not used for trimAge go, at most once a day;
// used ones stay.
func TestCacheTrim(t *testing.T) {
	t.Parallel()
	c, cache, pack := onePackage(t)
	requireFresh(t, c, cache, 20)
	old := time.Now().Add(-trimAge - time.Hour)
	if err := os.Chtimes(pack, old, old); err != nil {
		t.Fatal(err)
	}
	temp := filepath.Join(filepath.Dir(pack), ".x.123.tmp")
	if err := os.WriteFile(temp, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(temp, old, old); err != nil {
		t.Fatal(err)
	}
	// Trimmed within the day: nothing goes.
	if err := cache.trim(time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pack); err != nil {
		t.Fatal("trimmed twice in a day")
	}
	// Reading marks the pack used, so a trim a day later keeps it.
	readAll(t, c, cache)
	if err := cache.trim(time.Now().Add(trimEvery + time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pack); err != nil {
		t.Fatal("a pack just used was trimmed")
	}
	if _, err := os.Stat(temp); !os.IsNotExist(err) {
		t.Fatal("a stale temporary file was kept")
	}
	if err := cache.trim(time.Now().Add(trimAge + 2*trimEvery)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pack); !os.IsNotExist(err) {
		t.Fatal("a pack unused for longer than trimAge was kept")
	}
}

// helperEnv makes the test binary a process that reads a project with a
// cache, over and over, for TestCacheConcurrentProcesses.
const helperEnv = "STATICLOAD_CACHE_HELPER"

// TestCacheConcurrentProcesses runs processes that each, many times,
// remove the pack and read the project with the same cache, so that their
// writes and reads cross; every reading must equal the uncached one, and
// the pack left must be sound.
func TestCacheConcurrentProcesses(t *testing.T) {
	if spec := os.Getenv(helperEnv); spec != "" {
		cacheHelper(t, spec)
		return
	}
	t.Parallel()
	c, cache, pack := onePackage(t)
	spec := strings.Join([]string{c.mod.Path, c.mod.Dir, c.apps[0].MigrationsDir, filepath.Dir(cache.dir)}, "\n")
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for range 3 {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestCacheConcurrentProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+spec)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v\n%s", i, err, outs[i])
		}
	}
	if _, err := os.Stat(pack); err != nil {
		t.Fatalf("no pack left: %v", err)
	}
	got := readAll(t, c, cache)
	if st := cache.Stats(); st.Hits != 20 {
		t.Fatalf("the pack left is not sound: %+v", st)
	}
	if !reflect.DeepEqual(got, readAll(t, c, nil)) {
		t.Fatal("read from the pack left differs from the uncached reading")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(pack), ".*.tmp"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}

// cacheHelper is the helper process's work.
func cacheHelper(t *testing.T, spec string) {
	parts := strings.Split(spec, "\n")
	c := cacheCorpus{name: "helper", mod: Module{Path: parts[0], Dir: parts[1]}, apps: []App{{Label: "main", MigrationsDir: parts[2]}}}
	want := readAll(t, c, nil)
	for range 30 {
		cache := NewCache(parts[3])
		if err := os.Remove(cache.packPath(parts[2])); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if got := readAll(t, c, cache); !reflect.DeepEqual(got, want) {
			t.Fatal("a reading with the shared cache differs from the uncached one")
		}
		if st := cache.Stats(); st.WriteErr != nil {
			t.Fatalf("write: %v", st.WriteErr)
		}
	}
}
