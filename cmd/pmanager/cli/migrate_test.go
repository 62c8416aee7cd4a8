package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
)

// step is one command of a session and what it must print.
type step struct {
	args   []string
	code   int
	stdout []string
	// stderr is compared whole when set; stderrHas only needs to be contained.
	stderr    string
	stderrHas string
}

func runSteps(t *testing.T, p *project, apps func() ([]modelsApps, *migrations.Registry), steps []step) {
	t.Helper()
	for _, st := range steps {
		a, reg := apps()
		r := p.run(a, reg, "", st.args...)
		name := strings.Join(st.args, " ")
		if r.code != st.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", name, r.code, st.code, r.stderr)
		}
		if diff := cmp.Diff(st.stdout, lines(r.stdout)); st.stdout != nil && diff != "" {
			t.Errorf("%s: stdout (-want +got):\n%s", name, diff)
		}
		switch {
		case st.stderrHas != "":
			if !strings.Contains(r.stderr, st.stderrHas) {
				t.Errorf("%s: stderr %q lacks %q", name, r.stderr, st.stderrHas)
			}
		case r.stderr != st.stderr:
			t.Errorf("%s: stderr:\n got %q\nwant %q", name, r.stderr, st.stderr)
		}
	}
}

func TestMigrateSession(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			p := newProject(t, "default", db.URL)
			m1, m2 := migrationSet(t)
			apps := appsOf(Manufacturer{}, Car{})
			same := func() ([]modelsApps, *migrations.Registry) { return apps, registry(m1, m2) }
			var checks []string // the system checks print nothing when they find nothing
			runSteps(t, p, same, []step{
				{args: []string{"showmigrations"}, stdout: []string{"main", " [ ] 0001_initial", " [ ] 0002_car"}},
				{args: []string{"migrate", "--check"}, code: 1, stdout: []string{
					"2 migrations to run (migrate --check):", "  apply main.0001_initial", "  apply main.0002_car"}},
				{args: []string{"migrate", "--plan"}, stdout: append(append([]string(nil), checks...),
					"Planned operations:", "main.0001_initial", "    Create Model Manufacturer", "main.0002_car", "    Create Model Car")},
				{args: []string{"migrate", "main", "0001"}, stdout: append(append([]string(nil), checks...),
					"Running migrations:", "  Applying main.0001_initial... OK")},
				{args: []string{"showmigrations", "--plan"}, stdout: []string{"[X]  main.0001_initial", "[ ]  main.0002_car"}},
				{args: []string{"migrate"}, stdout: append(append([]string(nil), checks...),
					"Running migrations:", "  Applying main.0002_car... OK")},
				{args: []string{"migrate"}, stdout: append(append([]string(nil), checks...),
					"Running migrations:", "  No migrations to apply.")},
				{args: []string{"migrate", "--check"}, stdout: []string{""}},
				{args: []string{"showmigrations", "main"}, stdout: []string{"main", " [X] 0001_initial", " [X] 0002_car"}},
				{args: []string{"migrate", "main", "0001", "--plan"}, stdout: append(append([]string(nil), checks...),
					"Planned operations:", "main.0002_car", "    Undo Create Model Car")},
				{args: []string{"migrate", "main", "zero", "--yes"}, stdout: append(append([]string(nil), checks...),
					"Running migrations:", "  Unapplying main.0002_car... OK", "  Unapplying main.0001_initial... OK")},
				{args: []string{"migrate", "--fake"}, stdout: append(append([]string(nil), checks...),
					"Running migrations:", "  Applying main.0001_initial... FAKED", "  Applying main.0002_car... FAKED")},
				{args: []string{"migrate", "main", "zero", "--fake"}, stdout: append(append([]string(nil), checks...),
					"Running migrations:", "  Unapplying main.0002_car... FAKED", "  Unapplying main.0001_initial... FAKED")},
				{args: []string{"migrate", "shop"}, code: 1, stdout: []string{""},
					stderr: "pmanager: app 'shop' could not be found; the apps of this project are: main\n"},
				{args: []string{"migrate", "main", "0009"}, code: 1, stdout: []string{""},
					stderr: "pmanager: app main has no migration matching \"0009\"; it has 0001_initial, 0002_car\n"},
			})
			if t.Failed() {
				return
			}
			// The tables are really there after a real migrate.
			runSteps(t, p, same, []step{{args: []string{"migrate"}, stdout: append(append([]string(nil), checks...),
				"Running migrations:", "  Applying main.0001_initial... OK", "  Applying main.0002_car... OK")}})
			ed := connectEditor(d)
			tables, err := ed.Inspect(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tb := range tables {
				names = append(names, tb.Name)
			}
			if diff := cmp.Diff([]string{"car", "manufacturer", "pmanager_migrations"}, names); diff != "" {
				t.Errorf("tables after migrate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMigrateEditedAndPending(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	p := newProject(t, "default", db.URL)
	m1, m2 := migrationSet(t)
	var checks []string // the system checks print nothing when they find nothing
	// Only 0001 exists and the models have Car too: migrate applies it and says so.
	runSteps(t, p, func() ([]modelsApps, *migrations.Registry) { return appsOf(Manufacturer{}, Car{}), registry(m1) }, []step{
		{args: []string{"migrate"}, stdout: append(append([]string(nil), checks...),
			"Running migrations:", "  Applying main.0001_initial... OK",
			"  Your models have changes that are not yet reflected in a migration, and so won't be applied.",
			"  Run 'pmanager makemigrations' to make new migrations, and then re-run 'pmanager migrate' to apply them.")},
	})
	// 0001 edited after it ran.
	edited1 := &migrations.Migration{App: "main", Name: "0001_initial", Initial: true,
		Operations: append(append([]operations.Operation(nil), m1.Operations...), operations.RunSQL{SQL: []string{"SELECT 1"}, Reverse: []string{}})}
	m2b := &migrations.Migration{App: "main", Name: "0002_car", Dependencies: m2.Dependencies, Operations: m2.Operations}
	runSteps(t, p, func() ([]modelsApps, *migrations.Registry) {
		return appsOf(Manufacturer{}, Car{}), registry(edited1, m2b)
	}, []step{
		{args: []string{"showmigrations"}, stdout: []string{"main", " [X] 0001_initial (edited after it was applied)", " [ ] 0002_car"}},
		{args: []string{"showmigrations", "--plan"}, stdout: []string{"[X]  main.0001_initial (edited after it was applied)", "[ ]  main.0002_car"}},
		// Applying 0002 would build on the edited 0001: refused, nothing runs.
		{args: []string{"migrate"}, code: 1, stdout: checks,
			stderr: "pmanager: warning: migration main.0001_initial was edited after it was applied; the database has what it said then (undo the edit and write a new migration instead)\n" +
				"pmanager: main.0001_initial was edited after it was applied, and the migrations to run depend on it; the database has what it said then: " +
				"undo the edit and write a new migration for the change, or, if the database already matches the edited file, accept it with --accept-edited main.0001_initial\n"},
		{args: []string{"showmigrations"}, stdout: []string{"main", " [X] 0001_initial (edited after it was applied)", " [ ] 0002_car"}},
		// Accepting the edit records the new checksum, without a warning, and goes on.
		{args: []string{"migrate", "--accept-edited", "main.0001"}, stdout: append(append([]string(nil), checks...), "Running migrations:", "  Applying main.0002_car... OK")},
		{args: []string{"showmigrations"}, stdout: []string{"main", " [X] 0001_initial", " [X] 0002_car"}},
		{args: []string{"migrate", "--accept-edited", "main"}, code: 1,
			stderr: "pmanager: --accept-edited main: name the migration as app.name, for example main.0001_initial\n"},
	})
}

func TestMigrateErrors(t *testing.T) {
	t.Parallel()
	m1, m2 := migrationSet(t)
	tests := []struct {
		name string
		url  string
		apps []modelsApps
		reg  *migrations.Registry
		step step
	}{
		{
			name: "bad model",
			url:  "sqlite://pm.db",
			apps: appsOf(Manufacturer{}, Broken{}),
			reg:  registry(m1),
			step: step{args: []string{"migrate"}, code: 1, stdout: []string{""},
				stderr: "pmanager: cli.Broken.Price: decimal needs max_digits and decimal_places; add them, e.g. pm:\"max_digits=10,decimal_places=2\"\n"},
		},
		{
			name: "unreachable server, password hidden",
			url:  "postgres://app:s3cr3t-pw@127.0.0.1:1/app?sslmode=disable",
			step: step{args: []string{"migrate"}, code: 1, stdout: []string{""},
				stderrHas: "pmanager: cannot connect to postgres://app:xxxxx@127.0.0.1:1/app?sslmode=disable: "},
		},
		{
			name: "unknown database name",
			url:  "sqlite://pm.db",
			step: step{args: []string{"migrate", "--database", "prod"}, code: 1, stdout: []string{""},
				stderrHas: `pmanager.toml: unknown connection "prod"; add [connections.prod] with a url to pmanager.toml, or use one of: default`},
		},
		{
			name: "conflict",
			url:  "sqlite://pm.db",
			reg: registry(m1, m2, &migrations.Migration{App: "main", Name: "0002_other", Dependencies: []migrations.Key{m1.Key()},
				Operations: []operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}}}}),
			step: step{args: []string{"migrate"}, code: 1, stdout: []string{""},
				stderr: "pmanager: Conflicting migrations detected; multiple leaf nodes in the migration graph: (0002_car, 0002_other in main). To fix them run 'pmanager makemigrations --merge'\n"},
		},
		{
			name: "too many arguments",
			url:  "sqlite://pm.db",
			step: step{args: []string{"migrate", "main", "0001", "extra"}, code: 1,
				stderr: "pmanager: migrate takes at most an app and a target: pmanager migrate [app [target|zero]]\n"},
		},
		{
			name: "unknown flag",
			url:  "sqlite://pm.db",
			step: step{args: []string{"migrate", "--bogus"}, code: 1,
				stderr: "pmanager: migrate: flag provided but not defined: -bogus; run 'pmanager help migrate'\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t, "default", tt.url)
			apps, reg := tt.apps, tt.reg
			if apps == nil {
				apps = appsOf(Manufacturer{}, Car{})
			}
			if reg == nil {
				reg = registry(m1, m2)
			}
			runSteps(t, p, func() ([]modelsApps, *migrations.Registry) { return apps, reg }, []step{tt.step})
			if strings.Contains(tt.url, "s3cr3t") {
				r := p.run(apps, reg, "", "showmigrations")
				if r.code != 1 || strings.Contains(r.stderr+r.stdout, "s3cr3t") || !strings.Contains(r.stderr, "xxxxx") {
					t.Errorf("showmigrations: exit %d, stderr %q", r.code, r.stderr)
				}
			}
		})
	}
}

// TestMigrateElapsed: each applied migration is followed by how long it
// took, unless SOURCE_DATE_EPOCH asks for reproducible output.
func TestMigrateElapsed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env  string
		want *regexp.Regexp
	}{
		{"", regexp.MustCompile(`(?m)^  Applying main\.0001_initial\.\.\. OK \(\d+(\.\d)? m?s\)$`)},
		{"1795338600", regexp.MustCompile(`(?m)^  Applying main\.0001_initial\.\.\. OK$`)},
	} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "pmanager.toml"), "[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\n")
		var out, errOut bytes.Buffer
		env := tt.env
		s := &session{
			stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			lookup: func(k string) (string, bool) {
				if k == "SOURCE_DATE_EPOCH" {
					return env, true
				}
				return "", false
			},
			now:  func() time.Time { return fixedNow },
			apps: appsOf(Manufacturer{}),
			reg:  registry(&migrations.Migration{App: "main", Name: "0001_initial", Initial: true, Operations: detected(t, appsOf(Manufacturer{}))}),
		}
		if code := runSession(context.Background(), s, []string{"-C", dir, "migrate"}); code != 0 {
			t.Fatalf("SOURCE_DATE_EPOCH=%q: migrate: status %d, stderr %s", env, code, errOut.String())
		}
		if !tt.want.MatchString(out.String()) {
			t.Errorf("SOURCE_DATE_EPOCH=%q: stdout\n%s\nwant a line matching %s", env, out.String(), tt.want)
		}
	}
}

// TestMigrateVerbosity: -v 0 keeps progress quiet, -v 2 lists each
// migration's operations and -v 3 each statement as it runs.
func TestMigrateVerbosity(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args      []string
		want, not []string
	}{
		{[]string{"migrate", "-v", "0"}, nil, []string{"Applying", "Running migrations:", "CREATE TABLE"}},
		{[]string{"-v", "0", "migrate"}, nil, []string{"Applying", "Running migrations:"}},
		{[]string{"migrate"}, []string{"Running migrations:\n  Applying main.0001_initial... OK\n"}, []string{"CREATE TABLE", "- Create Model"}},
		{[]string{"migrate", "--verbosity=2"}, []string{"  Applying main.0001_initial...\n    - Create Model Manufacturer\n    OK\n"}, []string{"CREATE TABLE"}},
		{[]string{"migrate", "-v", "3"}, []string{"  Applying main.0001_initial...\n    - Create Model Manufacturer\n      CREATE TABLE \"manufacturer\"", "    OK\n"}, nil},
	} {
		p := newProject(t)
		m1 := &migrations.Migration{App: "main", Name: "0001_initial", Initial: true, Operations: detected(t, appsOf(Manufacturer{}))}
		r := p.run(appsOf(Manufacturer{}), registry(m1), "", tt.args...)
		if r.code != 0 {
			t.Fatalf("%v: status %d, stderr %s", tt.args, r.code, r.stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: stdout\n%s\nwant it to contain %q", tt.args, r.stdout, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(r.stdout, w) {
				t.Errorf("%v: stdout\n%s\nshould not contain %q", tt.args, r.stdout, w)
			}
		}
	}
	p := newProject(t)
	if r := p.run(appsOf(Manufacturer{}), registry(), "", "migrate", "-v", "4"); r.code != 1 || r.stderr != "pmanager: --verbosity 4: give 0, 1, 2 or 3\n" {
		t.Errorf("-v 4: status %d, stderr %q", r.code, r.stderr)
	}
}
