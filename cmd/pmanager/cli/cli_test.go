package cli

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/version"
)

func TestChdirArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		dir  string
		rest []string
		err  string
	}{
		{args: nil, dir: "", rest: nil},
		{args: []string{"migrate", "-C", "x"}, dir: "", rest: []string{"migrate", "-C", "x"}},
		{args: []string{"-C", "a", "migrate"}, dir: "a", rest: []string{"migrate"}},
		{args: []string{"--chdir=a", "-C", "b", "-C=c", "migrate", "--plan"}, dir: "a/b/c", rest: []string{"migrate", "--plan"}},
		{args: []string{"-C", "a", "--chdir", "/abs", "version"}, dir: "/abs", rest: []string{"version"}},
		{args: []string{"-C"}, err: "cli: -C needs a folder: pmanager -C <dir> <command>"},
		{args: []string{"--chdir=", "x"}, err: "cli: --chdir= needs a folder: pmanager -C <dir> <command>"},
	}
	for _, tt := range tests {
		dir, rest, err := ChdirArgs(tt.args)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ChdirArgs(%q) error = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || dir != filepath.FromSlash(tt.dir) || !cmp.Equal(rest, tt.rest) {
			t.Errorf("ChdirArgs(%q) = %q, %q, %v; want %q, %q", tt.args, dir, rest, err, tt.dir, tt.rest)
		}
	}
}

func TestInterspersed(t *testing.T) {
	t.Parallel()
	app := (&session{}).newApp()
	tests := []struct{ in, want []string }{
		{[]string{"migrate", "main", "0002", "--plan"}, []string{"migrate", "--plan", "--", "main", "0002"}},
		{[]string{"migrate", "main", "--database", "prod", "zero"}, []string{"migrate", "--database", "prod", "--", "main", "zero"}},
		{[]string{"migrate", "--database=prod", "main"}, []string{"migrate", "--database=prod", "--", "main"}},
		{[]string{"sqlmigrate", "main", "--", "--odd"}, []string{"sqlmigrate", "--", "main", "--odd"}},
		{[]string{"migrate"}, []string{"migrate"}},
		{[]string{"unknown", "x", "--y"}, []string{"unknown", "x", "--y"}},
		{[]string{"--help"}, []string{"--help"}},
	}
	for _, tt := range tests {
		if got := interspersed(app, tt.in); !cmp.Equal(got, tt.want) {
			t.Errorf("interspersed(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLocalCommands(t *testing.T) {
	t.Parallel()
	p := &project{t: t, dir: t.TempDir()}
	tests := []struct {
		args   []string
		code   int
		stdout string // contained
		stderr string // exact
	}{
		{args: []string{"version"}, stdout: "pmanager " + version.Release + "\n"},
		{args: nil, stdout: "makemigrations"},
		{args: []string{"--help"}, stdout: "showmigrations"},
		{args: []string{"help", "migrate"}, stdout: "--fake-initial"},
		{args: []string{"migrate", "--help"}, stdout: "[app [target|zero]]"},
		{args: []string{"frobnicate"}, code: 1, stderr: "pmanager: unknown command \"frobnicate\"; run 'pmanager help' for the list\n"},
		{args: []string{"--bogus"}, code: 1, stderr: "pmanager: flag provided but not defined: -bogus; run 'pmanager help'\n"},
		{args: []string{"migrate"}, code: 1, stderr: "pmanager: this command needs the project's models and migrations; run it through the pmanager command, which builds them in\n"},
	}
	for _, tt := range tests {
		r := p.run(nil, nil, "", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || r.stderr != tt.stderr {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", tt.args, r.code, r.stdout, r.stderr)
		}
	}
	var errOut strings.Builder
	s := session{stdout: io.Discard, stderr: &errOut}
	missing := filepath.Join(p.dir, "missing")
	if code := runSession(t.Context(), &s, []string{"-C", missing, "version"}); code != 1 || errOut.String() != "pmanager: -C "+missing+": no such directory\n" {
		t.Errorf("-C to a missing folder: exit %d, stderr %q", code, errOut.String())
	}
}

func TestProjectMismatch(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	r := p.run(toApps([]appType{{"main", nil}, {"shop", nil}}), migrations.NewRegistry(), "", "showmigrations")
	if r.code != 1 || !strings.Contains(r.stderr, "app shop was built into this program but is not in ") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = p.run(nil, migrations.NewRegistry(), "", "showmigrations")
	if r.code != 1 || !strings.Contains(r.stderr, "app main of ") || !strings.Contains(r.stderr, "is not built into this program") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestInit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := &project{t: t, dir: dir}
	r := p.run(nil, nil, "", "init")
	if r.code != 1 || r.stderr != "pmanager: pmanager init needs a Go module: no go.mod in "+dir+" or above; run go mod init <module path> first\n" {
		t.Errorf("outside a module: exit %d, stderr %q", r.code, r.stderr)
	}

	// A module that does not require pmanager, where go get cannot reach
	// it: init says so and writes nothing.
	write(t, filepath.Join(dir, "go.mod"), "module example.com/app\n\ngo 1.24\n")
	r = p.run(nil, nil, "", "init")
	if r.code != 1 || !strings.Contains(r.stderr, "pmanager: pmanager init could not add pmanager to go.mod (") ||
		!strings.HasSuffix(r.stderr, "); nothing was written; run: go get -tool github.com/pmanager/pmanager/cmd/pmanager, then pmanager init again\n") {
		t.Errorf("go get failing: exit %d, stderr %q", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("init wrote files although it failed: %v", entries)
	}

	// pmanager a tool of the module already: nothing to get.
	write(t, filepath.Join(dir, "go.mod"), "module example.com/app\n\ngo 1.24\n\nrequire github.com/pmanager/pmanager v0.1.0\n\ntool github.com/pmanager/pmanager/cmd/pmanager\n")
	write(t, filepath.Join(dir, ".gitignore"), "/bin\npmanager.db")
	r = p.run(nil, nil, "", "init")
	want := []string{
		"Created pmanager.toml",
		"Created models/models.go",
		"Created migrations/doc.go",
		"Created seeders/doc.go",
		"Updated .gitignore (.pmanager/, pmanager.db-journal, pmanager.db-wal, pmanager.db-shm, pmanager.db.lock)",
		"Then describe your models and run: go tool pmanager makemigrations && go tool pmanager migrate",
	}
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if diff := cmp.Diff(want, lines(r.stdout)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if got := read(t, filepath.Join(dir, "pmanager.toml")); got != config.Template {
		t.Errorf("pmanager.toml is not the template:\n%s", got)
	}
	if got := read(t, filepath.Join(dir, ".gitignore")); got != "/bin\npmanager.db\n.pmanager/\npmanager.db-journal\npmanager.db-wal\npmanager.db-shm\npmanager.db.lock\n" {
		t.Errorf(".gitignore = %q", got)
	}
	typeCheck(t, filepath.Join(dir, "models"))
	typeCheck(t, filepath.Join(dir, "migrations"))

	// Again: nothing is overwritten.
	write(t, filepath.Join(dir, "pmanager.toml"), "# mine\n")
	r = p.run(nil, nil, "", "init")
	want = []string{
		"pmanager.toml already exists; left as it is",
		"models/ already has Go files; left as it is",
		"migrations/ already has Go files; left as it is",
		"seeders/ already has Go files; left as it is",
		"Then describe your models and run: go tool pmanager makemigrations && go tool pmanager migrate",
	}
	if diff := cmp.Diff(want, lines(r.stdout)); r.code != 0 || diff != "" {
		t.Errorf("second init: exit %d (stderr %q), output (-want +got):\n%s", r.code, r.stderr, diff)
	}
	if got := read(t, filepath.Join(dir, "pmanager.toml")); got != "# mine\n" {
		t.Errorf("pmanager.toml overwritten: %q", got)
	}

	// A module that requires pmanager but not as a tool: init tries to add
	// the tool at the required version, warns when it cannot, and goes on;
	// a fresh .gitignore is created.
	dir2 := t.TempDir()
	write(t, filepath.Join(dir2, "go.mod"), "module example.com/b\n\nrequire github.com/pmanager/pmanager v0.1.0\n")
	r = (&project{t: t, dir: dir2}).run(nil, nil, "", "init")
	if r.code != 0 || !strings.Contains(r.stdout, "Created .gitignore (.pmanager/, pmanager.db, pmanager.db-journal, pmanager.db-wal, pmanager.db-shm, pmanager.db.lock)\n") ||
		!strings.Contains(r.stderr, "pmanager: running go get -tool github.com/pmanager/pmanager/cmd/pmanager@v0.1.0...\n") ||
		!strings.Contains(r.stderr, "pmanager: warning: could not make pmanager a tool of this module (") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// typeCheck compiles (type-checks) the package in dir, which imports nothing.
func typeCheck(t *testing.T, dir string) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: importer.Default()}
	if _, err := conf.Check(filepath.Base(dir), fset, files, nil); err != nil {
		t.Errorf("%s does not compile: %v", dir, err)
	}
}

func TestClockHonoursSourceDateEpoch(t *testing.T) {
	fixed := clock(func(name string) (string, bool) {
		return "1795338600", name == "SOURCE_DATE_EPOCH"
	})()
	if want := time.Date(2026, 11, 22, 9, 10, 0, 0, time.UTC); !fixed.Equal(want) {
		t.Fatalf("clock with SOURCE_DATE_EPOCH = %v, want %v", fixed, want)
	}
	if got := clock(func(string) (string, bool) { return "", false })(); time.Since(got) > time.Minute {
		t.Fatalf("clock without SOURCE_DATE_EPOCH = %v, want now", got)
	}
}

// TestClosestCommand: a typo gets the command it was meant to be; a word
// that is nothing like any command gets no guess.
func TestClosestCommand(t *testing.T) {
	t.Parallel()
	app := (&session{}).newApp()
	for in, want := range map[string]string{
		"migrat":          "migrate",
		"mirgate":         "migrate",
		"makemigratons":   "makemigrations",
		"showmigraitons":  "showmigrations",
		"migration:dwon":  "migration:down",
		"sqlmig":          "sqlmigrate",
		"squash":          "squashmigrations",
		"frobnicate":      "",
		"x":               "",
		"database:bogus1": "",
	} {
		if got := closestCommand(app, in); got != want {
			t.Errorf("closestCommand(%q) = %q, want %q", in, got, want)
		}
	}
}
