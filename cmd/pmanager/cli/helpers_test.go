package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// The models of the test project.

type Manufacturer struct {
	models.Model
	Name    string `pm:"max_length=100,unique"`
	Country string `pm:"max_length=2"`
}

type Car struct {
	models.Model
	Name         string        `pm:"max_length=30"`
	Manufacturer *Manufacturer `pm:"on_delete=CASCADE"`
}

type Broken struct {
	models.Model
	Price models.Decimal
}

// appsOf is one app "main" with the given model values.
func appsOf(types ...any) []models.App { return []models.App{{Label: "main", Types: types}} }

// fixedNow is the clock of every test session.
var fixedNow = time.Date(2026, 11, 22, 10, 10, 0, 0, time.UTC)

// reproducible is the environment of a test session: only
// SOURCE_DATE_EPOCH, at fixedNow, so output holds no elapsed times.
func reproducible(name string) (string, bool) {
	if name == "SOURCE_DATE_EPOCH" {
		return strconv.FormatInt(fixedNow.Unix(), 10), true
	}
	return "", false
}

// project is a test project folder with a pmanager.toml.
type project struct {
	t   *testing.T
	dir string
	// env is the environment the session sees (none when nil).
	env map[string]string
	// binary runs the session as a program `pmanager build` compiled.
	binary bool
}

// newProject writes pmanager.toml (with the given connections, name → URL,
// the first being the default) for one app main.
func newProject(t *testing.T, conns ...string) *project {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	if len(conns) >= 2 {
		b.WriteString("default_connection = \"" + conns[0] + "\"\n")
	}
	for i := 0; i+1 < len(conns); i += 2 {
		b.WriteString("[connections." + conns[i] + "]\nurl = \"" + conns[i+1] + "\"\n")
	}
	b.WriteString("[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\n")
	write(t, filepath.Join(dir, "pmanager.toml"), b.String())
	return &project{t: t, dir: dir}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// result is what one command printed and returned.
type result struct {
	code           int
	stdout, stderr string
	// where holds the "Database: ..." lines, taken out of stdout so that
	// the tests of what a command does compare only that; the routing
	// tests compare these.
	where []string
}

// splitWhere takes the "Database: ..." lines out of a command's stdout.
func splitWhere(stdout string) (string, []string) {
	var kept strings.Builder
	var where []string
	for _, l := range strings.SplitAfter(stdout, "\n") {
		if strings.HasPrefix(l, "Database: ") {
			where = append(where, strings.TrimSuffix(l, "\n"))
			continue
		}
		kept.WriteString(l)
	}
	return kept.String(), where
}

// sessionMu lets one in-process session run at a time. urfave/cli keeps
// its help flag and help command in package variables and writes to them
// on every run; a pmanager process runs one session, but parallel tests
// in one process would race on them.
var sessionMu sync.Mutex

// runSession runs s with args while no other test's session runs.
func runSession(ctx context.Context, s *session, args []string) int {
	sessionMu.Lock()
	defer sessionMu.Unlock()
	return s.run(ctx, args)
}

// run runs a command line in the project, in-process.
func (p *project) run(apps []models.App, reg *migrations.Registry, stdin string, args ...string) result {
	p.t.Helper()
	return p.runMasked(true, apps, reg, stdin, args...)
}

// runMasked is run with the session's last-resort masking of secrets in
// its output on or off, to test that each message redacts by itself.
func (p *project) runMasked(mask bool, apps []models.App, reg *migrations.Registry, stdin string, args ...string) result {
	p.t.Helper()
	var out, errOut bytes.Buffer
	s := &session{
		noMask: !mask,
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		lookup: func(k string) (string, bool) {
			if v, ok := p.env[k]; ok {
				return v, true
			}
			return reproducible(k)
		},
		now:    func() time.Time { return fixedNow },
		apps:   apps,
		reg:    reg,
		binary: p.binary,
		// The go commands init runs must not reach the network.
		goEnv: []string{"GOPROXY=off", "GOTOOLCHAIN=local"},
	}
	code := runSession(context.Background(), s, append([]string{"-C", p.dir}, args...))
	stdout, where := splitWhere(out.String())
	return result{code: code, stdout: stdout, stderr: errOut.String(), where: where}
}

// registry registers migrations in a fresh registry.
func registry(ms ...*migrations.Migration) *migrations.Registry {
	r := migrations.NewRegistry()
	for _, m := range ms {
		r.Register(m)
	}
	return r
}

// detected returns the operations autodetect finds from the state of ms to
// the models of apps, for building migrations that match the test models.
func detected(t *testing.T, apps []models.App, ms ...*migrations.Migration) []operations.Operation {
	t.Helper()
	g, err := migrations.NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	from, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	to, err := models.Load(apps...)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := autodetect.Detect(from, to, autodetect.NonInteractive())
	if err != nil {
		t.Fatal(err)
	}
	return ch.Ops["main"]
}

// migrationSet is the project's history in migrations: 0001 creates
// Manufacturer, 0002 creates Car.
func migrationSet(t *testing.T) (m1, m2 *migrations.Migration) {
	t.Helper()
	m1 = &migrations.Migration{App: "main", Name: "0001_initial", Initial: true,
		Operations: detected(t, appsOf(Manufacturer{}))}
	m2 = &migrations.Migration{App: "main", Name: "0002_car", Dependencies: []migrations.Key{m1.Key()},
		Operations: detected(t, appsOf(Manufacturer{}, Car{}), m1)}
	return m1, m2
}

// withoutField returns a copy of a CreateModel operation of ops without the
// named field: a migration state older than the models.
func withoutField(t *testing.T, ops []operations.Operation, model, field string) []operations.Operation {
	t.Helper()
	out := make([]operations.Operation, len(ops))
	copy(out, ops)
	for i, op := range out {
		cm, ok := op.(operations.CreateModel)
		if !ok || cm.Name != model {
			continue
		}
		var fields []*state.Field
		for _, f := range cm.Fields {
			if f.Name != field {
				fields = append(fields, f)
			}
		}
		cm.Fields = fields
		out[i] = cm
		return out
	}
	t.Fatalf("no CreateModel %s in %v", model, ops)
	return nil
}

// lines splits output into lines, without the trailing empty one.
func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

// appType is an app label and its model values.
type appType struct {
	label string
	types []any
}

func toApps(list []appType) []models.App {
	out := make([]models.App, len(list))
	for i, a := range list {
		out[i] = models.App{Label: a.label, Types: a.types}
	}
	return out
}

// stateField is a nullable text field.
func stateField(name string) *state.Field {
	return &state.Field{Name: name, Kind: state.Text, Null: true}
}

// modelsApps shortens models.App in tables.
type modelsApps = models.App

// connectEditor is the editor of a dialect.
func connectEditor(d schema.Dialect) schema.Editor { return connect.EditorFor(d) }
