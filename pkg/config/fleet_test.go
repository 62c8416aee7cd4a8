package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestFleets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	list := "# tenants\npostgres://app:${PW}@db/t1\n\n  mysql://app@db/t2  \n"
	if err := os.WriteFile(filepath.Join(dir, "tenants.txt"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	const doc = `
[fleets.listed]
urls = ["postgres://app:${PW}@db/a", "postgres://app@db/b"]

[fleets.matched]
server = "postgres://app:${PW}@db/postgres"
databases = "tenant_%"

[fleets.schemas]
server = "${SERVER:-postgres://app@db/app}"
schemas = "tenant_%"

[fleets.filed]
file = "tenants.txt"
`
	c, err := Parse(filepath.Join(dir, FileName), []byte(doc), env("PW", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.FleetNames(), []string{"filed", "listed", "matched", "schemas"}; !cmp.Equal(got, want) {
		t.Fatalf("FleetNames = %v, want %v", got, want)
	}
	want := map[string]Fleet{
		"listed":  {Name: "listed", URLs: []string{"postgres://app:s3cret@db/a", "postgres://app@db/b"}},
		"matched": {Name: "matched", Server: "postgres://app:s3cret@db/postgres", Databases: "tenant_%"},
		"schemas": {Name: "schemas", Server: "postgres://app@db/app", Schemas: "tenant_%"},
		"filed":   {Name: "filed", File: filepath.Join(dir, "tenants.txt"), URLs: []string{"postgres://app:s3cret@db/t1", "mysql://app@db/t2"}},
	}
	for name, w := range want {
		got, err := c.Fleet(name)
		if err != nil {
			t.Fatalf("Fleet(%s): %v", name, err)
		}
		if diff := cmp.Diff(w, got, cmpopts.IgnoreUnexported(Fleet{})); diff != "" {
			t.Errorf("Fleet(%s) (-want +got):\n%s", name, diff)
		}
	}
	if _, err := c.Fleet("nope"); err == nil || !strings.Contains(err.Error(), `unknown fleet "nope"; add [fleets.nope] to pmanager.toml, or use one of: filed, listed, matched, schemas`) {
		t.Errorf("Fleet(nope) error = %v", err)
	}
}

func TestFleetErrors(t *testing.T) {
	t.Parallel()
	const path = "/proj/pmanager.toml"
	tests := []struct{ toml, want string }{
		{"[fleets.a]\n", ":1: [fleets.a] lists no databases; write urls"},
		{"[fleets.a]\nurls = []\n", ":2: [fleets.a] has an empty urls list"},
		{"[fleets.a]\nurls = [\"postgres://h/a\"]\nfile = \"x\"\n", ":1: [fleets.a] lists its databases more than one way"},
		{"[fleets.a]\ndatabases = \"t_%\"\n", ":1: [fleets.a] has a pattern but no server"},
		{"[fleets.a]\nserver = \"postgres://h/p\"\n", ":1: [fleets.a] has a server; add exactly one of databases"},
		{"[fleets.a]\nserver = \"postgres://h/p\"\ndatabases = \"a%\"\nschemas = \"b%\"\n", "[fleets.a] has a server; add exactly one of"},
		{"[fleets.a]\nurl = \"postgres://h/p\"\n", `:2: unknown key "url" in [fleets.a]; a fleet takes urls, file, or server with databases or schemas`},
		{"[fleets.a]\nurls = \"postgres://h/p\"\n", "urls is a string, but must be an array of connection URLs"},
		{"fleets = 1\n", "fleets is an integer, but must be a table of tables"},
	}
	for _, tt := range tests {
		_, err := Parse(path, []byte(tt.toml), env())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.toml, err, tt.want)
		}
	}
}

func TestFleetExpandErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := Parse(filepath.Join(dir, FileName), []byte("[fleets.a]\nurls = [\"postgres://u:${PW}@h/a\"]\n[fleets.f]\nfile = \"missing.txt\"\n"), env())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Fleet("a"); err == nil || !strings.Contains(err.Error(), "environment variable PW is not set") {
		t.Errorf("Fleet(a) error = %v", err)
	}
	if _, err := c.Fleet("f"); err == nil || !strings.Contains(err.Error(), "read the file of URLs") {
		t.Errorf("Fleet(f) error = %v", err)
	}
}
