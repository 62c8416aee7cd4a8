package connect

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/schema"
)

func TestParse(t *testing.T) {
	cases := []struct {
		url      string
		dialect  schema.Dialect
		database string
		redacted string
	}{
		{"postgres://u:s3cret@db:5432/shop?sslmode=disable", schema.Postgres, "shop", "postgres://u:xxxxx@db:5432/shop?sslmode=disable"},
		{"postgresql://u@db/shop", schema.Postgres, "shop", "postgresql://u@db/shop"},
		{"mysql://root:s3cret@127.0.0.1:3306/shop", schema.MySQL, "shop", "mysql://root:xxxxx@127.0.0.1:3306/shop"},
		{"postgres://u@db/shop?sslmode=disable&password=s3cret", schema.Postgres, "shop", "postgres://u@db/shop?sslmode=disable&password=xxxxx"},
		{"postgres://u@db/shop?sslpassword=s3cret&PassWord=s3cret", schema.Postgres, "shop", "postgres://u@db/shop?sslpassword=xxxxx&PassWord=xxxxx"},
		{"mysql://u@db/shop?passwd=s3cret&pwd=s3cret&api_token=s3cret", schema.MySQL, "shop", "mysql://u@db/shop?passwd=xxxxx&pwd=xxxxx&api_token=xxxxx"},
		{"sqlite://pmanager.db", schema.SQLite, filepath.Join("/proj", "pmanager.db"), "sqlite:///proj/pmanager.db"},
		{"sqlite:///abs/x.db", schema.SQLite, "/abs/x.db", "sqlite:///abs/x.db"},
	}
	for _, tc := range cases {
		got, err := Parse(tc.url, "/proj")
		if err != nil {
			t.Fatalf("Parse(%s): %v", tc.url, err)
		}
		if got.Dialect != tc.dialect || got.Database != tc.database || got.Redacted != tc.redacted {
			t.Errorf("Parse(%s) = %s %q %q", tc.url, got.Dialect, got.Database, got.Redacted)
		}
		if strings.Contains(got.Redacted, "s3cret") {
			t.Errorf("password in %q", got.Redacted)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"":                                       "empty database URL",
		"oracle://u:s3cret@h/db":                 `unknown database URL scheme "oracle"`,
		"postgres://u:s3cret@h":                  "names no database",
		"sqlite://":                              "has no file path",
		"postgres://u:s3cret@h:x/d":              "is not a URL",
		"ftp://u@h/d?password=s3cret":            `unknown database URL scheme "ftp"`,
		"u:s3cret@tcp(127.0.0.1:3306)/db":        "is a Go MySQL driver DSN, not a URL; write mysql://",
		"host=h user=u password=s3cret dbname=d": "is a key=value connection string, not a URL; write postgres://",
		"host=h password='s3cret' dbname=d":      "is a key=value connection string",
	}
	for raw, want := range cases {
		_, err := Parse(raw, "/proj")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", raw, err, want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Parse(%q) error shows the password: %v", raw, err)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	tg, err := Parse("mysql://root:s3cret@127.0.0.1:3306/shop", "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := tg.WithDatabase("")
	if err != nil {
		t.Fatal(err)
	}
	if other.Database != "" || !strings.Contains(other.DSN, "tcp(127.0.0.1:3306)/?") || strings.Contains(other.Redacted, "s3cret") {
		t.Fatalf("WithDatabase: %+v", other)
	}
	if _, err := (&Target{Dialect: schema.SQLite, Redacted: "sqlite://x"}).WithDatabase("y"); err == nil {
		t.Fatal("switching database on SQLite accepted")
	}
}
