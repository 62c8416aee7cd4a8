package dsn

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestSecrets puts a password in every place a connection string can hold
// one and checks that Redact hides it while keeping the rest readable.
func TestSecrets(t *testing.T) {
	t.Parallel()
	const pw = "Pa55:w/o?rd#&x"
	esc := url.QueryEscape(pw)
	tests := []struct {
		raw  string
		want string // what Redact prints
	}{
		{"postgres://u:" + url.PathEscape(pw) + "@h:5432/db?sslmode=disable", "postgres://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgres://u@h/db?password=" + esc, "postgres://u@h/db?password=xxxxx"},
		{"postgres://u@h/db?sslmode=require&sslpassword=" + esc, "postgres://u@h/db?sslmode=require&sslpassword=xxxxx"},
		{"mysql://u@h/db?passwd=" + esc + "&tls=true", "mysql://u@h/db?passwd=xxxxx&tls=true"},
		{"mysql://u@h/db?PWD=" + esc, "mysql://u@h/db?PWD=xxxxx"},
		{"mysql://u@h/db?client_secret=" + esc + "&authToken=" + esc + "&apikey=" + esc, "mysql://u@h/db?client_secret=xxxxx&authToken=xxxxx&apikey=xxxxx"},
		{"u:" + pw + "@tcp(127.0.0.1:3306)/db?parseTime=true", "u:xxxxx@tcp(127.0.0.1:3306)/db?parseTime=true"},
		{"host=h user=u password=" + "plainPW dbname=d", "host=h user=u password=xxxxx dbname=d"},
		{"host=h password='a b\\'c' dbname=d", "host=h password='xxxxx' dbname=d"},
		{"postgres://u:" + pw + "@h:x/db", "postgres://u:xxxxx@h:x/db"}, // refused by net/url
	}
	for _, tt := range tests {
		got := Redact(tt.raw)
		if got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		for _, s := range []string{pw, esc, "plainPW", "a b'c"} {
			if strings.Contains(got, s) {
				t.Errorf("Redact(%q) = %q still holds %q", tt.raw, got, s)
			}
		}
		// A driver error that quotes the password, decoded, is scrubbed too.
		err := ScrubError(errors.New("cannot parse: password "+pw+" plainPW a b'c"), tt.raw)
		if strings.Contains(err.Error(), "Pa55") && strings.Contains(tt.raw, "Pa55") {
			t.Errorf("ScrubError with %q left %q", tt.raw, err)
		}
	}
}

func TestSecretKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"password", "PASSWORD", "passwd", "pwd", "sslpassword", "client_secret", "token", "auth_token", "sslkey", "api_key", "passfile"} {
		if !SecretKey(k) {
			t.Errorf("SecretKey(%q) = false", k)
		}
	}
	for _, k := range []string{"sslmode", "user", "host", "dbname", "parseTime", "tls", "application_name"} {
		if SecretKey(k) {
			t.Errorf("SecretKey(%q) = true", k)
		}
	}
}

// TestScrubErrorKeepsCause checks that a scrubbed error still unwraps.
func TestScrubErrorKeepsCause(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	err := ScrubError(errors.Join(errors.New("at mysql://u:topsecret@h/d"), cause), "mysql://u:topsecret@h/d")
	if strings.Contains(err.Error(), "topsecret") || !errors.Is(err, cause) {
		t.Errorf("ScrubError = %v (is cause: %v)", err, errors.Is(err, cause))
	}
	if same := ScrubError(cause, "mysql://u:topsecret@h/d"); same != cause {
		t.Errorf("an error without the secret was rewrapped: %v", same)
	}
}

// TestMySQLPasswordParam checks that a mysql:// URL may carry its password
// as a query parameter, as a postgres:// one may, and that it reaches the
// driver as the password rather than as a variable to set.
func TestMySQLPasswordParam(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"mysql://u@h:3306/db?password=p%40ss":    "u:p@ss@tcp(h:3306)/db?multiStatements=false&parseTime=true",
		"mysql://u:own@h:3306/db?password=other": "u:own@tcp(h:3306)/db?multiStatements=false&parseTime=true",
		"mysql://u@h:3306/db?tls=skip-verify":    "u@tcp(h:3306)/db?multiStatements=false&parseTime=true&tls=skip-verify",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := MySQL(u); got != want {
			t.Errorf("MySQL(%s) = %q, want %q", raw, got, want)
		}
	}
}
