package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
)

// Visit has a partial index: fine on PostgreSQL and SQLite, impossible on
// MySQL/MariaDB.
type Visit struct {
	models.Model
	Name   string `pm:"max_length=30"`
	Active bool
}

func (Visit) Meta() models.Meta {
	return models.Meta{Indexes: []models.Index{{Name: "visit_active_name_idx", Fields: []string{"name"}, Condition: "active"}}}
}

// Greeting's default holds a NUL byte (the tag's \x00 is unquoted by Go).
type Greeting struct {
	models.Model
	Text string `pm:"default=hi\x00there"`
}

// Wide has a column name of 64 bytes: one more than PostgreSQL keeps.
type Wide struct {
	models.Model
	Name string `pm:"column=a_column_name_that_is_sixty_four_characters_long_for_postgres_xy"`
}

// Owned has a unique foreign key: a warning, not an error.
type Owned struct {
	models.Model
	Maker *Manufacturer `pm:"on_delete=CASCADE,unique"`
}

// migrationFiles lists the files makemigrations wrote.
func migrationFiles(t *testing.T, p *project) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(p.dir, "migrations"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A partial index passes makemigrations only while no MySQL connection is
// configured; with one, makemigrations and check refuse it before anything
// is written, and silencing the check is the user's explicit choice.
func TestChecksRefusePartialIndexForMySQL(t *testing.T) {
	t.Parallel()
	p := newProject(t, "default", "sqlite://pm.db", "shop", "mysql://app@127.0.0.1:1/shop")
	apps := appsOf(Visit{})
	r := p.run(apps, registry(), "", "makemigrations")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "pmanager: SystemCheckError: System check identified some issues:\n") ||
		!strings.Contains(r.stderr, "\ncli.Visit.Meta: (pm.E017) index visit_active_name_idx has a Condition (a partial index), which MySQL/MariaDB cannot create (connection shop); ") ||
		!strings.HasSuffix(r.stderr, "\nSystem check identified 1 issue (0 silenced).\n") || r.stdout != "" {
		t.Fatalf("makemigrations: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if files := migrationFiles(t, p); len(files) != 0 {
		t.Fatalf("makemigrations wrote %v", files)
	}
	if r := p.run(apps, registry(), "", "check"); r.code != 1 || !strings.Contains(r.stderr, "(pm.E017)") {
		t.Fatalf("check: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := p.run(apps, registry(), "", "check", "--database", "default"); r.code != 0 || r.stdout != "System check identified no issues (0 silenced).\n" || r.stderr != "" {
		t.Fatalf("check --database default: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// Silenced: the user accepts that migrate fails on MySQL.
	write(t, filepath.Join(p.dir, "pmanager.toml"), "default_connection = \"default\"\n[connections.default]\nurl = \"sqlite://pm.db\"\n"+
		"[connections.shop]\nurl = \"mysql://app@127.0.0.1:1/shop\"\n[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\n"+
		"[checks]\nsilence = [\"pm.E017\"]\n")
	if r := p.run(apps, registry(), "", "check"); r.code != 0 || r.stdout != "System check identified no issues (1 silenced).\n" {
		t.Fatalf("silenced check: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := p.run(apps, registry(), "", "makemigrations"); r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "0001_initial.go") {
		t.Fatalf("silenced makemigrations: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// migrate --database on a real MySQL/MariaDB refuses a migration that holds
// a partial index before touching the server (not even the history table
// is created); the same migration applies on SQLite, the default
// connection, which a plain migrate checks alone.
func TestMigrateChecksTheTargetDatabase(t *testing.T) {
	t.Parallel()
	my := dbtest.Open(t, schema.MySQL)
	lite := dbtest.Open(t, schema.SQLite)
	p := newProject(t, "default", lite.URL, "shop", my.URL)
	apps := appsOf(Visit{})
	m1 := &migrations.Migration{App: "main", Name: "0001_initial", Initial: true, Operations: detected(t, apps)}
	r := p.run(apps, registry(m1), "", "migrate", "--database", "shop")
	if r.code != 1 || !strings.Contains(r.stderr, "(pm.E017) index visit_active_name_idx has a Condition") || strings.Contains(r.stdout, "Running migrations") {
		t.Fatalf("migrate --database shop: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	tables, err := connectEditor(schema.MySQL).Inspect(context.Background(), my)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 0 {
		t.Fatalf("MySQL holds %d tables after the refused migrate, want none", len(tables))
	}
	r = p.run(apps, registry(m1), "", "migrate")
	if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "  Applying main.0001_initial... OK") {
		t.Fatalf("migrate: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
}

// A NUL byte in a default and a column name PostgreSQL cannot keep stop
// makemigrations before a migration is written; the column name is fine
// where no PostgreSQL connection is configured.
func TestChecksRefuseNULAndLongNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		conns []string
		model any
		want  string
	}{
		{"NUL default", []string{"default", "sqlite://pm.db"}, Greeting{}, `cli.Greeting.Text: (pm.E011) default "hi\x00there" holds a NUL byte`},
		{"long column", []string{"default", "sqlite://pm.db", "pg", "postgres://app@127.0.0.1:1/app"}, Wide{},
			"cli.Wide.Name: (pm.E014) column name a_column_name_that_is_sixty_four_characters_long_for_postgres_xy is 64 bytes long; PostgreSQL (connection pg) keeps at most 63; "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProject(t, tc.conns...)
			r := p.run(appsOf(tc.model), registry(), "", "makemigrations")
			if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d\nstdout %q\nstderr %q\nwant %q", r.code, r.stdout, r.stderr, tc.want)
			}
			if files := migrationFiles(t, p); len(files) != 0 {
				t.Fatalf("makemigrations wrote %v", files)
			}
		})
	}
	p := newProject(t, "default", "sqlite://pm.db", "shop", "mysql://app@127.0.0.1:1/shop")
	if r := p.run(appsOf(Wide{}), registry(), "", "makemigrations"); r.code != 0 || r.stderr != "" {
		t.Fatalf("64-character column without PostgreSQL: exit %d, stderr %q", r.code, r.stderr)
	}
}

// The summary line appears only when the checks found something, with the
// true count; a warning does not stop migrate.
func TestMigrateReportsWarnings(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	p := newProject(t, "default", db.URL)
	apps := appsOf(Manufacturer{}, Owned{})
	m1 := &migrations.Migration{App: "main", Name: "0001_initial", Initial: true, Operations: detected(t, apps)}
	r := p.run(apps, registry(m1), "", "migrate")
	want := "System check identified some issues:\n\nWARNINGS:\n" +
		"cli.Owned.Maker: (pm.W004) unique on a foreign key makes it a one-to-one relation; write one_to_one instead of unique\n\n" +
		"System check identified 1 issue (0 silenced).\n"
	if r.code != 0 || r.stderr != want || !strings.Contains(r.stdout, "  Applying main.0001_initial... OK") || strings.Contains(r.stdout, "System check") {
		t.Fatalf("migrate: exit %d\nstdout %q\nstderr %q\nwant stderr %q", r.code, r.stdout, r.stderr, want)
	}
}

// migration:up checks the models against its connection first, as migrate
// does: the partial index stops it before it even connects.
func TestMigrationUpChecksItsConnection(t *testing.T) {
	t.Parallel()
	p := newProject(t, "default", "sqlite://pm.db", "shop", "mysql://app@127.0.0.1:1/shop")
	apps := appsOf(Visit{})
	m1 := &migrations.Migration{App: "main", Name: "0001_initial", Initial: true, Operations: detected(t, apps)}
	r := p.run(apps, registry(m1), "", "migration:up", "shop")
	if r.code != 1 || !strings.Contains(r.stderr, "(pm.E017) index visit_active_name_idx") || strings.Contains(r.stderr, "cannot connect") {
		t.Fatalf("migration:up shop: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if r := p.run(apps, registry(m1), "", "migration:up", "default"); r.code != 0 || r.stderr != "" {
		t.Fatalf("migration:up default: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
}
