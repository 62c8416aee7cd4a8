package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// env is a fake environment.
func env(vars ...string) LookupFunc {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	lookup := env("USER", "ada", "EMPTY", "", "PASS", "p$ss")
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${USER}", want: "ada"},
		{in: "a-${USER}-b-${USER}", want: "a-ada-b-ada"},
		{in: "${MISSING:-fallback}", want: "fallback"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${USER:-fallback}", want: "ada"},
		{in: "${EMPTY}", want: ""},
		{in: "${MISSING:-}", want: ""},
		{in: "pa$word", want: "pa$word"},
		{in: "${PASS}", want: "p$ss"},
		{in: "postgres://u:${MISSING:-x:y@z}@h/db", want: "postgres://u:x:y@z@h/db"},
		{in: "${MISSING}", err: "environment variable MISSING is not set (used as ${MISSING}); export MISSING, or write ${MISSING:-default}"},
		{in: "${USER", err: `unterminated "${USER"; close it with }`},
		{in: "${1X}", err: "bad variable reference ${1X}; write ${NAME} or ${NAME:-default}"},
		{in: "${}", err: "bad variable reference ${}; write ${NAME} or ${NAME:-default}"},
	}
	for _, tt := range tests {
		got, err := Expand(tt.in, lookup)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Expand(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	const path = "/proj/pmanager.toml"
	tests := []struct {
		name        string
		toml        string
		env         LookupFunc
		wantDefault string
		wantURLs    map[string]string
		wantApps    []App
	}{
		{
			name:        "empty file is the defaults",
			toml:        "",
			wantDefault: "default",
			wantURLs:    map[string]string{"default": DefaultURL},
			wantApps:    []App{{Label: "main", Models: "models", Migrations: "migrations", Seeders: "seeders"}},
		},
		{
			name:        "template is the defaults",
			toml:        Template,
			wantDefault: "default",
			wantURLs:    map[string]string{"default": DefaultURL},
			wantApps:    []App{{Label: "main", Models: "models", Migrations: "migrations", Seeders: "seeders"}},
		},
		{
			name: "two connections and two apps, expanded",
			toml: `default_connection = "${CONN:-dev}"
[connections.dev]
url = "sqlite://dev.db"
[connections.prod]
url = "postgres://app:${DB_PASSWORD}@db:5432/app"
[apps.shop]
models = "shop/models/"
seeders = "db/seed"
[apps.blog]
models = "./blog/models"
migrations = "${MIG_DIR:-blog/migrations}"
`,
			env:         env("DB_PASSWORD", "s3cret"),
			wantDefault: "dev",
			wantURLs:    map[string]string{"dev": "sqlite://dev.db", "prod": "postgres://app:s3cret@db:5432/app"},
			wantApps: []App{
				{Label: "blog", Models: "blog/models", Migrations: "blog/migrations", Seeders: "blog/seeders"},
				{Label: "shop", Models: "shop/models", Migrations: "shop/migrations", Seeders: "db/seed", SeedersSet: true},
			},
		},
		{
			name:        "single connection is the default",
			toml:        "[connections.local]\nurl = \"mysql://root@localhost/app\"\n",
			wantDefault: "local",
			wantURLs:    map[string]string{"local": "mysql://root@localhost/app"},
			wantApps:    []App{{Label: "main", Models: "models", Migrations: "migrations", Seeders: "seeders"}},
		},
		{
			name:        "PMANAGER_DATABASE_URL wins over DATABASE_URL and the file",
			toml:        "[connections.default]\nurl = \"sqlite://x.db\"\n[connections.other]\nurl = \"sqlite://y.db\"\n",
			env:         env("PMANAGER_DATABASE_URL", "postgres://a@h/p", "DATABASE_URL", "postgres://b@h/d"),
			wantDefault: "default",
			wantURLs:    map[string]string{"default": "postgres://a@h/p", "other": "sqlite://y.db"},
			wantApps:    []App{{Label: "main", Models: "models", Migrations: "migrations", Seeders: "seeders"}},
		},
		{
			name:        "DATABASE_URL overrides a url with an unset variable",
			toml:        "[connections.default]\nurl = \"postgres://u:${UNSET}@h/d\"\n",
			env:         env("DATABASE_URL", "postgres://b@h/d", "PMANAGER_DATABASE_URL", ""),
			wantDefault: "default",
			wantURLs:    map[string]string{"default": "postgres://b@h/d"},
			wantApps:    []App{{Label: "main", Models: "models", Migrations: "migrations", Seeders: "seeders"}},
		},
		{
			name:        "migrations default to a sibling of models",
			toml:        "[apps.blog]\nmodels = \"internal/blog/models\"\n",
			wantDefault: "default",
			wantURLs:    map[string]string{"default": DefaultURL},
			wantApps:    []App{{Label: "blog", Models: "internal/blog/models", Migrations: "internal/blog/migrations", Seeders: "internal/blog/seeders"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := tt.env
			if lookup == nil {
				lookup = env()
			}
			c, err := Parse(path, []byte(tt.toml), lookup)
			if err != nil {
				t.Fatal(err)
			}
			if c.DefaultConnection != tt.wantDefault {
				t.Errorf("DefaultConnection = %q, want %q", c.DefaultConnection, tt.wantDefault)
			}
			got := map[string]string{}
			for _, name := range c.ConnectionNames() {
				if got[name], err = c.URL(name); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.wantURLs, got); diff != "" {
				t.Errorf("URLs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantApps, c.Apps, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Apps (-want +got):\n%s", diff)
			}
			if def, _ := c.URL(""); def != tt.wantURLs[tt.wantDefault] {
				t.Errorf(`URL("") = %q, want the default connection's`, def)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const path = "/proj/pmanager.toml"
	tests := []struct {
		name, toml, want string
	}{
		{
			name: "bad TOML",
			toml: "default_connection = \"x\"\n[apps.main\nmodels = 1\n",
			want: path + ":2: expected '.' or ']' to end table name, but got '\\n' instead; fix the TOML syntax (https://toml.io)",
		},
		{
			name: "unknown top-level key",
			toml: "default_connection = \"default\"\ndatabase = \"x\"\n",
			want: path + `:2: unknown key "database"; pmanager.toml takes default_connection, [connections.<name>], [apps.<label>], [fleets.<name>], [checks] and [lint]`,
		},
		{
			name: "unknown table",
			toml: "\n\n[conections.default]\nurl = \"sqlite://x\"\n",
			want: path + `:3: unknown key "conections"; pmanager.toml takes default_connection, [connections.<name>], [apps.<label>], [fleets.<name>], [checks] and [lint]`,
		},
		{
			name: "unknown app key",
			toml: "[apps.main]\nmodels = \"models\"\n  modles = \"x\"\n",
			want: path + `:3: unknown key "modles" in [apps.main]; an app takes models, migrations, seeders and connection`,
		},
		{
			name: "unknown connection key",
			toml: "[connections.default]\nurl = \"sqlite://x\"\npassword = \"hunter2\"\n",
			want: path + `:3: unknown key "password" in [connections.default]; a connection takes url and server`,
		},
		{
			name: "server without a version",
			toml: "[connections.prod]\nurl = \"mysql://app@db/shop\"\nserver = \"mysql\"\n",
			want: path + `:3: [connections.prod] server = "mysql" is not a flavour and a version; write the flavour and its version, e.g. server = "mysql 8.0.36" (postgres, mysql, mariadb or sqlite)`,
		},
		{
			name: "server of an unknown flavour",
			toml: "[connections.prod]\nurl = \"mysql://app@db/shop\"\nserver = \"oracle 19\"\n",
			want: path + `:3: [connections.prod] server = "oracle 19" names no known flavour "oracle"; write the flavour and its version, e.g. server = "mysql 8.0.36" (postgres, mysql, mariadb or sqlite)`,
		},
		{
			name: "server with a version that is no number",
			toml: "[connections.prod]\nurl = \"mysql://app@db/shop\"\nserver = \"mariadb latest\"\n",
			want: path + `:3: [connections.prod] server = "mariadb latest" has no version number like 8.0.36 after mariadb; write the flavour and its version, e.g. server = "mysql 8.0.36" (postgres, mysql, mariadb or sqlite)`,
		},
		{
			name: "server with four numbers",
			toml: "[connections.prod]\nurl = \"mysql://app@db/shop\"\nserver = \"mysql 8.0.36.1\"\n",
			want: path + `:3: [connections.prod] server = "mysql 8.0.36.1" has no version number like 8.0.36 after mysql; write the flavour and its version, e.g. server = "mysql 8.0.36" (postgres, mysql, mariadb or sqlite)`,
		},
		{
			name: "wrong type",
			toml: "[apps.main]\nmodels = 3\n",
			want: path + `:2: apps.main.models is an integer, but must be a string; write models = "..." with the value in double quotes`,
		},
		{
			name: "app that is not a table",
			toml: "[apps]\nmain = \"models\"\n",
			want: path + `:2: apps.main is a string, but must be a table; write it as a [apps.main] header with its keys on the lines below`,
		},
		{
			name: "connections that are not a table",
			toml: "connections = \"sqlite://x\"\n",
			want: path + `:1: connections is a string, but must be a table of tables; write a [connections.<name>] header for each entry, with its keys on the lines below`,
		},
		{
			name: "unknown default connection",
			toml: "default_connection = \"prod\"\n[connections.default]\nurl = \"sqlite://x\"\n",
			want: path + `:1: default_connection = "prod" names no connection; add [connections.prod] with a url, or use one of: default`,
		},
		{
			name: "several connections, none default",
			toml: "[connections.a]\nurl = \"sqlite://a\"\n[connections.b]\nurl = \"sqlite://b\"\n",
			want: path + `: no default connection; add default_connection = "<name>" naming one of: a, b`,
		},
		{
			name: "connection without url",
			toml: "[connections.default]\n",
			want: path + `:1: [connections.default] has no url; add url = "postgres://user:password@host:5432/name" (or mysql://, sqlite://)`,
		},
		{
			name: "unset variable in default_connection",
			toml: "# comment\ndefault_connection = \"${CONN}\"\n",
			want: path + ":2: environment variable CONN is not set (used as ${CONN}); export CONN, or write ${CONN:-default}",
		},
		{
			name: "unset variable in an app folder",
			toml: "[apps.main]\nmodels = \"${MODELS}\"\n",
			want: path + ":2: environment variable MODELS is not set (used as ${MODELS}); export MODELS, or write ${MODELS:-default}",
		},
		{
			name: "app without models",
			toml: "[apps.main]\nmigrations = \"m\"\n",
			want: path + `:1: [apps.main] has no models folder; add models = "<folder of its models package>"`,
		},
		{
			name: "shared migrations folder",
			toml: "[apps.a]\nmodels = \"a\"\nmigrations = \"m\"\n[apps.b]\nmodels = \"b\"\nmigrations = \"./m\"\n",
			want: path + `:6: apps a and b share the migrations folder "m"; give each app a folder of its own`,
		},
		{
			name: "bad label",
			toml: "[apps.\"my-app\"]\nmodels = \"m\"\n",
			want: path + `:1: app label "my-app" is not an identifier; use letters, digits and underscores, starting with a letter`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(path, []byte(tt.toml), env())
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
}

func TestURLErrors(t *testing.T) {
	t.Parallel()
	const path = "/proj/pmanager.toml"
	toml := "[connections.default]\nurl = \"sqlite://x\"\n[connections.prod]\nurl = \"postgres://u:${PROD_PASSWORD}@h/d\"\n"
	c, err := Parse(path, []byte(toml), env())
	if err != nil {
		t.Fatalf("an unset variable of an unused connection must not fail the load: %v", err)
	}
	tests := []struct{ conn, want string }{
		{"prod", path + ":4: environment variable PROD_PASSWORD is not set (used as ${PROD_PASSWORD}); export PROD_PASSWORD, or write ${PROD_PASSWORD:-default}"},
		{"staging", path + `: unknown connection "staging"; add [connections.staging] with a url to pmanager.toml, or use one of: default, prod`},
	}
	for _, tt := range tests {
		if _, err := c.URL(tt.conn); err == nil || err.Error() != tt.want {
			t.Errorf("URL(%q) error = %v, want %q", tt.conn, err, tt.want)
		}
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := Read(dir, env("DATABASE_URL", "mysql://root@127.0.0.1/x"))
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "" || c.Dir != dir {
		t.Errorf("defaults: File = %q, Dir = %q", c.File, c.Dir)
	}
	if u, _ := c.URL(""); u != "mysql://root@127.0.0.1/x" {
		t.Errorf("DATABASE_URL did not override the default: %q", u)
	}
	if got := c.Path("migrations"); got != filepath.Join(dir, "migrations") {
		t.Errorf("Path = %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("[apps.main]\nmodels = \"pkg/models\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = Read(dir, env())
	if err != nil {
		t.Fatal(err)
	}
	if c.File != filepath.Join(dir, FileName) {
		t.Errorf("File = %q", c.File)
	}
	if a, ok := c.App("main"); !ok || a.Migrations != "pkg/migrations" {
		t.Errorf("App(main) = %+v, %v", a, ok)
	}
	if _, ok := c.App("other"); ok {
		t.Error("App(other) found")
	}
}

// TestServerSetting: a connection's server setting is kept, normalised,
// when it is a flavour and a version, and absent when not written.
func TestServerSetting(t *testing.T) {
	t.Parallel()
	const doc = `default_connection = "prod"

[connections.prod]
url = "mysql://app@db/shop"
server = "  MariaDB   10.11 "

[connections.reports]
url = "postgres://app@db/reports"
server = "postgres 15"

[connections.local]
url = "sqlite://x.db"
`
	c, err := Parse("/proj/pmanager.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"prod": "mariadb 10.11", "reports": "postgres 15", "local": ""}
	for name, server := range want {
		if got := c.Connections[name].Server; got != server {
			t.Errorf("connection %s: Server = %q, want %q", name, got, server)
		}
	}
	if got := Default("/proj", nil).Connections[DefaultConnectionName].Server; got != "" {
		t.Errorf("the built-in connection states server %q, want none", got)
	}
}
