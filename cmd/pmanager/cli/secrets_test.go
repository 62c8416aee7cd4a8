package cli

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// secretPositions are the places a connection string can carry the
// password: user info, each query parameter name drivers read or users
// invent, a driver DSN, a key=value conninfo. Each builds the string from
// a working server URL u (without a password) and the password.
var secretPositions = []struct {
	name  string
	build func(u url.URL, pass string) string
}{
	{"userinfo", func(u url.URL, pass string) string {
		u.User = url.UserPassword(u.User.Username(), pass)
		return u.String()
	}},
	{"query password", queryParam("password")},
	{"query passwd", queryParam("passwd")},
	{"query pwd", queryParam("pwd")},
	{"query sslpassword", queryParam("sslpassword")},
	{"query PassWord", queryParam("PassWord")},
	{"query client_secret", queryParam("client_secret")},
	{"query auth_token", queryParam("auth_token")},
	{"query api_key", queryParam("api_key")},
	{"driver DSN", func(u url.URL, pass string) string {
		return fmt.Sprintf("%s:%s@tcp(%s)%s", u.User.Username(), pass, u.Host, u.Path)
	}},
	{"conninfo", func(u url.URL, pass string) string {
		return fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=%s", u.Hostname(), u.Port(), u.User.Username(), pass, strings.TrimPrefix(u.Path, "/"))
	}},
	{"conninfo quoted", func(u url.URL, pass string) string {
		return fmt.Sprintf("host=%s user=%s password='%s' dbname=%s", u.Hostname(), u.User.Username(), pass, strings.TrimPrefix(u.Path, "/"))
	}},
}

func queryParam(name string) func(u url.URL, pass string) string {
	return func(u url.URL, pass string) string {
		q := u.Query()
		q.Set(name, pass)
		u.RawQuery = q.Encode()
		return u.String()
	}
}

// commandsThatConnect are the command lines of every command that opens
// the connection "default".
var commandsThatConnect = [][]string{
	{"migrate"},
	{"migrate", "--plan"},
	{"migrate", "--check"},
	{"migrate", "main", "zero"},
	{"showmigrations"},
	{"showmigrations", "--plan"},
	{"database:setup", "default"},
	{"migration:setup", "default"},
	{"migration:up", "default"},
	{"migration:list", "default"},
	{"migration:down", "default"},
	{"migration:redo", "default"},
	{"migration:refresh", "default"},
	{"database:load", "default", "data.sql"},
	{"database:load", "default", "data.json"},
	{"database:seed", "default"},
}

// TestNoSecretInOutput runs every command that connects with the password
// in every position, against a server that accepts the connection and
// against one that refuses it (wrong port, unknown user, bad option), and
// checks that neither stdout nor stderr ever shows the password. It runs
// once as a user sees it, and once with the session's last-resort mask
// off, so every message must be redacted where it is made.
func TestNoSecretInOutput(t *testing.T) {
	t.Parallel()
	for _, d := range []schema.Dialect{schema.Postgres, schema.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			const pass = "Vault-Pw-9a7Qx" // no character that needs escaping: found as written
			base, err := url.Parse(db.URL)
			if err != nil {
				t.Fatal(err)
			}
			working := *base
			if d == schema.MySQL {
				working = mysqlUserWithPassword(t, db, pass)
			}
			variants := map[string]url.URL{"server up": working}
			down := working
			down.Host = "127.0.0.1:1"
			variants["no server"] = down
			nouser := working
			nouser.User = url.User("pm_nobody_here")
			variants["unknown user"] = nouser
			badopt := working
			badopt.RawQuery = "sslmode=bogus&tls=bogus&connect_timeout=zz"
			variants["bad option"] = badopt
			m1, m2 := migrationSet(t)
			apps := appsOf(Manufacturer{}, Car{})
			for vname, u := range variants {
				for _, pos := range secretPositions {
					raw := pos.build(u, pass)
					p := newProject(t, "default", strings.ReplaceAll(raw, `"`, `\"`))
					write(t, filepath.Join(p.dir, "data.sql"), "INSERT INTO manufacturer (name, country) VALUES ('x', 'DE');\n")
					write(t, filepath.Join(p.dir, "data.json"), `{"manufacturer": [{"name": "y", "country": "IT"}]}`)
					for _, mask := range []bool{true, false} {
						for _, args := range commandsThatConnect {
							r := p.runMasked(mask, apps, registry(m1, m2), "", args...)
							out := r.stdout + r.stderr
							if strings.Contains(out, pass) {
								t.Errorf("%s, password in %s, mask %v: pmanager %s printed the password:\n%s", vname, pos.name, mask, strings.Join(args, " "), out)
							}
						}
					}
				}
			}
		})
	}
}

// mysqlUserWithPassword creates a MySQL user with a password, allowed
// everything on db, dropped when the test ends, and returns db's URL
// logging in as that user (without the password, which the positions add).
func mysqlUserWithPassword(t *testing.T, db *dbtest.DB, pass string) url.URL {
	t.Helper()
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	user := "pm_sec_" + strings.TrimPrefix(db.Name, "pm_test_")
	if len(user) > 32 {
		user = user[:32]
	}
	ctx := context.Background()
	for _, q := range []string{
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, pass),
		fmt.Sprintf("GRANT ALL ON `%s`.* TO '%s'@'%%'", db.Name, user),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", user)); err != nil && err != sql.ErrConnDone {
			t.Errorf("drop user %s: %v", user, err)
		}
	})
	u.User = url.User(user)
	return *u
}
