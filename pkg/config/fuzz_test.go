package config

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
)

// noEnv is an environment in which nothing is set, so that no variable of
// the machine running the fuzzer replaces a URL.
func noEnv(string) (string, bool) { return "", false }

// FuzzParse feeds Parse arbitrary documents: it must return a config or an
// error, never panic, and a config it accepts must survive being written
// back as TOML and read again with the same connections and apps.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"[apps.main]\nmodels = \"models\"\n",
		"default_connection = \"default\"\n[connections.default]\nurl = \"postgres://app:${PW}@db:5432/app\"\n",
		"[connections.a]\nurl = \"sqlite://a.db\"\n[connections.b]\nurl = \"mysql://u:p@h/b\"\ndefault_connection = \"b\"\n",
		"[apps.shop]\nmodels = \"shop/models\"\nmigrations = \"shop/migrations\"\n[apps.main]\nmodels = \"models\"\n",
		"connections = \"x\"\n",
		"[connections.default]\nurl = 5\n",
		"[apps]\nmain = \"models\"\n",
		"url = \"sqlite://\n",
		"[connections.\"we ird\"]\nurl = 'sqlite://x.db'\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("/proj/pmanager.toml", data, noEnv)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse returned a config and the error %v", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		again, err := Parse("/proj/pmanager.toml", encode(t, c), noEnv)
		if err != nil {
			t.Fatalf("the config written back does not parse: %v\n%s", err, encode(t, c))
		}
		if diff := cmp.Diff(summary(c), summary(again)); diff != "" {
			t.Fatalf("written back and read again, the config changed (-first +second):\n%s", diff)
		}
	})
}

// FuzzURLRoundTrip writes any URL into pmanager.toml the way a TOML
// encoder quotes it and checks that Parse reads back the same URL, and
// that URL expands to itself when it refers to no variable.
func FuzzURLRoundTrip(f *testing.F) {
	for _, seed := range []string{
		"sqlite://pmanager.db",
		"postgres://app:p%40ss@127.0.0.1:5432/app?sslmode=disable",
		"mysql://root:\"quoted\"@localhost/db",
		"sqlite://C:\\data\\app.db",
		"postgres://app:$ecret@db/app",
		"postgres://h/db?application_name=a b\tc",
		"postgres://app:${DB_PASSWORD}@db/app",
		"sqlite://é\u2028.db",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if strings.TrimSpace(raw) == "" || !utf8.ValidString(raw) {
			return // an empty url is an error of its own; TOML holds only UTF-8
		}
		var buf bytes.Buffer
		doc := map[string]any{"connections": map[string]any{"default": map[string]any{"url": raw}}}
		if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
			t.Skipf("the encoder cannot write %q: %v", raw, err)
		}
		c, err := Parse("/proj/pmanager.toml", buf.Bytes(), noEnv)
		if err != nil {
			t.Fatalf("Parse of an encoded url %q: %v\n%s", raw, err, buf.String())
		}
		if got := c.Connections["default"].URL; got != raw {
			t.Fatalf("url read back as %q, want %q", got, raw)
		}
		if strings.Contains(raw, "${") {
			return
		}
		got, err := c.URL("")
		if err != nil {
			t.Fatalf("URL(%q): %v", raw, err)
		}
		if got != raw {
			t.Fatalf("URL() = %q, want %q", got, raw)
		}
	})
}

// encode writes a parsed config back as a pmanager.toml document.
func encode(t *testing.T, c *Config) []byte {
	t.Helper()
	conns := map[string]any{}
	for name, conn := range c.Connections {
		conns[name] = map[string]any{"url": conn.URL}
	}
	apps := map[string]any{}
	for _, a := range c.Apps {
		apps[a.Label] = map[string]any{"models": a.Models, "migrations": a.Migrations}
	}
	doc := map[string]any{"default_connection": c.DefaultConnection, "connections": conns, "apps": apps}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
		t.Fatalf("encode %+v: %v", c, err)
	}
	return buf.Bytes()
}

// summary is what a round trip must keep: the default connection, each
// connection's URL as written, and the apps.
func summary(c *Config) map[string]string {
	out := map[string]string{"default_connection": c.DefaultConnection}
	for name, conn := range c.Connections {
		out["connections."+name] = conn.URL
	}
	for _, a := range c.Apps {
		out["apps."+a.Label] = a.Models + " " + a.Migrations
	}
	return out
}
