package cli

import (
	"database/sql"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// fleetProject is a project whose fleet t lists urls.
func fleetProject(t *testing.T, urls ...string) *project {
	t.Helper()
	p := newProject(t)
	quoted := make([]string, len(urls))
	for i, u := range urls {
		quoted[i] = `"` + u + `"`
	}
	write(t, filepath.Join(p.dir, "pmanager.toml"), "[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\n[fleets.t]\nurls = ["+strings.Join(quoted, ", ")+"]\n")
	return p
}

// TestMigrateFleet: one broken database of three fails alone, named with
// its error and exit status 1; the rerun after the fix completes it.
func TestMigrateFleet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var urls []string
	for _, name := range []string{"a", "b", "c"} {
		urls = append(urls, "sqlite://"+filepath.Join(dir, name+".db"))
	}
	p := fleetProject(t, urls...)
	broken, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer broken.Close()
	if _, err := broken.Exec("CREATE TABLE car (x integer)"); err != nil {
		t.Fatal(err)
	}
	m1, m2 := migrationSet(t)
	apps := appsOf(Manufacturer{}, Car{})
	reg := registry(m1, m2)

	r := p.run(apps, reg, "", "showmigrations", "--fleet", "t")
	if r.code != 0 || r.stdout != "Fleet: t, 3 databases (pmanager.toml [fleets.t])\nTARGET  APPLIED  PENDING  EDITED  PARTIAL\na       0        2        -       -\nb       0        2        -       -\nc       0        2        -       -\n" {
		t.Fatalf("showmigrations --fleet: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = p.run(apps, reg, "", "migrate", "--fleet", "t", "--plan")
	if r.code != 0 || !strings.Contains(r.stdout, "  a: main.0001_initial, main.0002_car\n") {
		t.Fatalf("migrate --fleet --plan: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = p.run(apps, reg, "", "migrate", "--fleet", "t", "--parallel", "2")
	if r.code != 1 {
		t.Fatalf("migrate --fleet with a broken database: status %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "pmanager: fleet t: 1 of 3 databases failed; the others are done: fix these and run pmanager migrate --fleet t again\npmanager:   b: ") || !strings.Contains(r.stderr, "car") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	for _, want := range []string{"] b: FAILED: ", "  a       migrated  2", "  b       failed    1", "3 databases: 2 migrated, 1 failed\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if _, err := broken.Exec("DROP TABLE car"); err != nil {
		t.Fatal(err)
	}
	r = p.run(apps, reg, "", "migrate", "--fleet", "t", "--json")
	if r.code != 0 {
		t.Fatalf("rerun: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc FleetReport
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	var got []string
	for _, tg := range doc.Targets {
		got = append(got, tg.Target+" "+tg.Status+" "+strings.Join(tg.Applied, ","))
	}
	if want := "a up to date |b migrated main.0002_car|c up to date "; strings.Join(got, "|") != want {
		t.Errorf("--json targets %q, want %q", strings.Join(got, "|"), want)
	}
	r = p.run(apps, reg, "", "showmigrations", "--fleet", "t")
	if r.code != 0 || !strings.Contains(r.stdout, "b       2        0        -       -\n") {
		t.Errorf("showmigrations after: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestFleetFlags refuses what does not go together.
func TestFleetFlags(t *testing.T) {
	t.Parallel()
	p := fleetProject(t, "sqlite://a.db")
	m1, m2 := migrationSet(t)
	apps := appsOf(Manufacturer{}, Car{})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "--parallel", "2"}, "--parallel goes with --fleet"},
		{[]string{"migrate", "--stop-on-error"}, "--stop-on-error goes with --fleet"},
		{[]string{"migrate", "--fleet", "t", "--database", "default"}, "--fleet and --database name different databases"},
		{[]string{"migrate", "--fleet", "t", "--parallel", "0"}, "--parallel 0: give a number"},
		{[]string{"migrate", "--fleet", "nope"}, `unknown fleet "nope"; add [fleets.nope] to pmanager.toml, or use one of: t`},
		{[]string{"migrate", "--fleet", "t", "--fake"}, "--fake does not go with --fleet"},
		{[]string{"showmigrations", "--fleet", "t", "main"}, "takes no app and no --plan"},
		{[]string{"migrate", "--fleet", "t", "main", "zero"}, "may unapply migrations on every database of the fleet; run it with --plan first, then add --yes"},
	} {
		r := p.run(apps, registry(m1, m2), "", tt.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: %d %q, want %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// TestFleetRedacts: a fleet's passwords never reach the output, whether
// the fleet lists URLs or searches a server.
func TestFleetRedacts(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.Postgres)
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "s3cretpw")
	withPassword := u.String()
	if _, err := connect.Parse(withPassword, ""); err != nil {
		t.Fatal(err)
	}
	p := newProject(t)
	write(t, filepath.Join(p.dir, "pmanager.toml"), "[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\n"+
		"[fleets.listed]\nurls = [\""+withPassword+"\"]\n"+
		"[fleets.found]\nserver = \""+withPassword+"\"\ndatabases = \""+db.Name+"\"\n")
	m1, m2 := migrationSet(t)
	apps := appsOf(Manufacturer{}, Car{})
	for _, args := range [][]string{
		{"migrate", "--fleet", "listed", "--json"},
		{"migrate", "--fleet", "found"},
		{"showmigrations", "--fleet", "found", "--json"},
		{"migrate", "--fleet", "found", "--plan"},
	} {
		r := p.runMasked(false, apps, registry(m1, m2), "", args...)
		json := args[len(args)-1] == "--json"
		if r.code != 0 || strings.Contains(r.stdout+r.stderr, "s3cretpw") || json && !strings.Contains(r.stdout, "xxxxx") {
			t.Errorf("%v: %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
}
