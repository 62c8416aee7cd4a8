package config

import (
	"strings"
	"testing"
)

func TestSetConnectionURL(t *testing.T) {
	t.Parallel()
	const path = "/proj/pmanager.toml"
	tests := []struct {
		name, in, conn, url, want string
	}{
		{
			name: "empty file",
			in:   "",
			conn: "blog", url: "sqlite://blog.db",
			want: "[connections.blog]\nurl = \"sqlite://blog.db\"\n",
		},
		{
			name: "append after comments, one blank line between",
			in:   "# keep me\ndefault_connection = \"default\" # and me\n\n[connections.default]\nurl = \"sqlite://x.db\"\n",
			conn: "blog", url: "mysql://root@localhost:3306/blog",
			want: "# keep me\ndefault_connection = \"default\" # and me\n\n[connections.default]\nurl = \"sqlite://x.db\"\n\n[connections.blog]\nurl = \"mysql://root@localhost:3306/blog\"\n",
		},
		{
			name: "file without final newline",
			in:   "[connections.default]\nurl = \"sqlite://x.db\"",
			conn: "blog", url: "sqlite://b.db",
			want: "[connections.default]\nurl = \"sqlite://x.db\"\n\n[connections.blog]\nurl = \"sqlite://b.db\"\n",
		},
		{
			name: "replace in place, trailing comment kept",
			in:   "# top\n[connections.blog]\n# which server\n  url = \"sqlite://old.db\"   # was sqlite\n\n# apps\n[apps.main]\nmodels = \"models\"\n",
			conn: "blog", url: "postgres://app:${PW}@db:5432/blog",
			want: "# top\n[connections.blog]\n# which server\n  url = \"postgres://app:${PW}@db:5432/blog\"   # was sqlite\n\n# apps\n[apps.main]\nmodels = \"models\"\n",
		},
		{
			name: "value with a hash and a quote",
			in:   "[connections.blog] # the blog\nurl = \"sqlite://a#b.db\" # c\n",
			conn: "blog", url: `sqlite://q"x.db`,
			want: "[connections.blog] # the blog\nurl = \"sqlite://q\\\"x.db\" # c\n",
		},
		{
			name: "quoted table name and literal string",
			in:   "[connections.\"blog\"]\nurl = 'sqlite://a.db'\n",
			conn: "blog", url: "sqlite://b.db",
			want: "[connections.\"blog\"]\nurl = \"sqlite://b.db\"\n",
		},
		{
			name: "table without url gets one after its last key",
			in:   "[connections.blog]\n# nothing yet\n\n[apps.main]\nmodels = \"m\"\n",
			conn: "blog", url: "sqlite://b.db",
			want: "[connections.blog]\nurl = \"sqlite://b.db\"\n# nothing yet\n\n[apps.main]\nmodels = \"m\"\n",
		},
		{
			name: "a second connection keeps the first one the default",
			in:   "# c\n\n[connections.blog]\nurl = \"sqlite://a.db\"\n",
			conn: "other", url: "sqlite://o.db",
			want: "# c\n\ndefault_connection = \"blog\"\n\n[connections.blog]\nurl = \"sqlite://a.db\"\n\n[connections.other]\nurl = \"sqlite://o.db\"\n",
		},
		{
			name: "windows line endings",
			in:   "# c\r\n[connections.blog]\r\nurl = \"sqlite://a.db\"\r\n",
			conn: "blog", url: "sqlite://b.db",
			want: "# c\r\n[connections.blog]\r\nurl = \"sqlite://b.db\"\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetConnectionURL(path, []byte(tt.in), tt.conn, tt.url, env())
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			c, err := Parse(path, got, env("PW", "secret"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Connections[tt.conn].URL != tt.url {
				t.Errorf("parsed url = %q, want %q", c.Connections[tt.conn].URL, tt.url)
			}
		})
	}
}

func TestSetConnectionURLRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"inline table", "[connections]\nblog = { url = \"sqlite://a.db\" }\n", "cannot"},
		{"broken file", "[connections.blog\nurl = 1\n", "without breaking it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SetConnectionURL("/p/pmanager.toml", []byte(tt.in), "blog", "sqlite://b.db", env())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSetAppConnection(t *testing.T) {
	t.Parallel()
	const path = "/proj/pmanager.toml"
	app := App{Label: "main", Models: "models", Migrations: "migrations"}
	tests := []struct{ name, in, want string }{
		{
			name: "existing table",
			in:   "[apps.main]\nmodels = \"models\"  # the structs\nmigrations = \"migrations\"\n\n# end\n",
			want: "[apps.main]\nmodels = \"models\"  # the structs\nmigrations = \"migrations\"\nconnection = \"blog\"\n\n# end\n",
		},
		{
			name: "rebinding",
			in:   "[apps.main]\nconnection = \"old\" # note\nmodels = \"models\"\n",
			want: "[apps.main]\nconnection = \"blog\" # note\nmodels = \"models\"\n",
		},
		{
			name: "default app written out",
			in:   "[connections.blog]\nurl = \"sqlite://b.db\"\n",
			want: "[connections.blog]\nurl = \"sqlite://b.db\"\n\n[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\nconnection = \"blog\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SetAppConnection(path, []byte(tt.in), app, "blog", env())
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
