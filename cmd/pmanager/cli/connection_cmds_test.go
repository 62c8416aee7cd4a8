package cli

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
)

func TestConnSettingsURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cs         connSettings
		url, shown string
	}{
		{"postgres defaults", defaultsFor(schema.Postgres, "blog"), "postgres://postgres@localhost:5432/blog", "postgres://postgres@localhost:5432/blog"},
		{"mysql defaults", defaultsFor(schema.MySQL, "blog"), "mysql://root@localhost:3306/blog", "mysql://root@localhost:3306/blog"},
		{"sqlite defaults", defaultsFor(schema.SQLite, "blog"), "sqlite://blog.db", "sqlite://blog.db"},
		{"literal password is escaped and hidden when shown",
			connSettings{dialect: schema.MySQL, host: "db", port: "3307", user: "app", password: "p@ss:w/rd", dbName: "blog"},
			"mysql://app:p%40ss%3Aw%2Frd@db:3307/blog", "mysql://app:xxxxx@db:3307/blog"},
		{"password from the environment",
			connSettings{dialect: schema.Postgres, host: "::1", port: "5432", user: "app", password: "ignored", passwordEnv: "BLOG_PW", dbName: "blog"},
			"postgres://app:${BLOG_PW}@[::1]:5432/blog", "postgres://app:${BLOG_PW}@[::1]:5432/blog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cs.url(); got != tt.url {
				t.Errorf("url() = %q, want %q", got, tt.url)
			}
			if got := tt.cs.shown(); got != tt.shown {
				t.Errorf("shown() = %q, want %q", got, tt.shown)
			}
		})
	}
}

func TestConfiguredDialect(t *testing.T) {
	t.Parallel()
	tests := map[string]schema.Dialect{
		"postgres://u@h/d":              schema.Postgres,
		"pgsql://u@h/d":                 schema.Postgres,
		"mysql://u@h/d":                 schema.MySQL,
		"sqlite://blog.db":              schema.SQLite,
		"${BLOG_URL}":                   "",
		"${BLOG_URL:-sqlite://blog.db}": "",
		"oracle://x":                    "",
	}
	for raw, want := range tests {
		if got := configuredDialect(raw); got != want {
			t.Errorf("configuredDialect(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestAppsOn(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Apps: []config.App{
		{Label: "blog", Connection: "blog"},
		{Label: "shop", Connection: "shop"},
		{Label: "auth"},
		{Label: "core"},
	}}
	tests := []struct {
		conn string
		want string
	}{
		{"blog", "blog"},
		{"shop", "shop"},
		{"default", "auth,core"},
	}
	for _, tt := range tests {
		if got := strings.Join(appsOn(cfg, tt.conn), ","); got != tt.want {
			t.Errorf("appsOn(%q) = %q, want %q", tt.conn, got, tt.want)
		}
	}
	bound := &config.Config{Apps: []config.App{{Label: "blog", Connection: "blog"}}}
	if got := appsOn(bound, "other"); len(got) != 0 {
		t.Errorf("appsOn(other) = %v, want none: the only app is bound elsewhere", got)
	}
}

func TestPrompter(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	secretAsked := 0
	p := &prompter{
		in:  bufio.NewReader(strings.NewReader("\ndb.example\noracle\npgsql\n")),
		out: &out,
		secret: func() ([]byte, error) {
			secretAsked++
			return []byte("hunter2"), nil
		},
	}
	if got, err := p.ask("Host", "localhost", false); err != nil || got != "localhost" {
		t.Errorf("empty answer = %q, %v; want the default", got, err)
	}
	if got, err := p.ask("Host", "localhost", false); err != nil || got != "db.example" {
		t.Errorf("answer = %q, %v; want db.example", got, err)
	}
	if d, err := p.dialect(); err != nil || d != schema.Postgres {
		t.Errorf("dialect = %q, %v; want postgres after one bad answer", d, err)
	}
	if got, err := p.ask("Password", "", true); err != nil || got != "hunter2" || secretAsked != 1 {
		t.Errorf("password = %q, %v (asked %d times)", got, err, secretAsked)
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Errorf("the password was echoed: %q", out.String())
	}
	if !strings.Contains(out.String(), `"oracle" is not one of mysql, pgsql, sqlite`) {
		t.Errorf("a bad dialect was not explained: %q", out.String())
	}
	if _, err := p.ask("Name", "blog", false); err == nil {
		t.Error("no error at the end of input")
	}
}
