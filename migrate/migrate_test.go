package migrate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// blog registers 0001 (post) and 0002 (tag) of app main, plus extra.
func blog(extra ...*migrations.Migration) *migrations.Registry {
	create := func(name, table string) operations.Operation {
		return operations.CreateModel{Name: name, Table: table, Fields: []*state.Field{
			{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
			{Name: "name", Kind: state.Char, MaxLength: 50},
		}}
	}
	m1 := &migrations.Migration{App: "main", Name: "0001_initial", Initial: true, Operations: []operations.Operation{create("Post", "post")}}
	m2 := &migrations.Migration{App: "main", Name: "0002_tag", Dependencies: []migrations.Key{m1.Key()}, Operations: []operations.Operation{create("Tag", "tag")}}
	reg := migrations.NewRegistry()
	for _, m := range append([]*migrations.Migration{m1, m2}, extra...) {
		reg.Register(m)
	}
	return reg
}

// TestLatest migrates a fresh database of every dialect, then finds nothing
// to do on the second call.
func TestLatest(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			ctx := context.Background()
			var out bytes.Buffer
			if err := Latest(ctx, db.DB, d, blog(), WithProgress(&out)); err != nil {
				t.Fatalf("Latest: %v", err)
			}
			if want := "Applying main.0001_initial... OK\nApplying main.0002_tag... OK\n"; out.String() != want {
				t.Errorf("progress = %q, want %q", out.String(), want)
			}
			tables, err := connect.EditorFor(d).Inspect(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tb := range tables {
				names = append(names, tb.Name)
			}
			if got := strings.Join(names, " "); got != "pmanager_migrations post tag" {
				t.Errorf("tables = %s", got)
			}
			out.Reset()
			if err := LatestURL(ctx, db.URL, blog(), WithProgress(&out)); err != nil || out.Len() != 0 {
				t.Errorf("second run: %v, progress %q; want nothing to do", err, out.String())
			}
		})
	}
}

func TestLatestErrors(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	ctx := context.Background()
	branch := &migrations.Migration{App: "main", Name: "0002_other", Dependencies: []migrations.Key{{App: "main", Name: "0001_initial"}}}
	broken := &migrations.Migration{App: "main", Name: "0003_bad", Dependencies: []migrations.Key{{App: "main", Name: "0002_tag"}},
		Operations: []operations.Operation{operations.RunSQL{SQL: []string{"SELECT nothing FROM nowhere"}}}}
	tests := []struct {
		name    string
		dialect schema.Dialect
		reg     *migrations.Registry
		want    string
	}{
		{"unknown dialect", "oracle", blog(), `migrate: unknown dialect "oracle"`},
		{"two leaves", schema.SQLite, blog(branch), "migrations: Conflicting migrations detected; multiple leaf nodes in the migration graph: (0002_other, 0002_tag in main)"},
		{"failing migration", schema.SQLite, blog(broken), "applying main.0003_bad failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Latest(ctx, db.DB, tt.dialect, tt.reg, WithProgress(&out))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Latest error = %v, want %q", err, tt.want)
			}
			if tt.name == "failing migration" && !strings.HasSuffix(out.String(), "Applying main.0003_bad... FAILED\n") {
				t.Errorf("progress = %q, want the failed migration marked", out.String())
			}
		})
	}
	if err := LatestURL(ctx, "ftp://x/y", blog()); err == nil || !strings.Contains(err.Error(), `unknown database URL scheme "ftp"`) {
		t.Errorf("LatestURL with a bad URL: %v", err)
	}
}

// TestLatestURLEmpty: the error names what LatestURL reads (its argument
// only) and what to do instead.
func TestLatestURLEmpty(t *testing.T) {
	t.Parallel()
	err := LatestURL(context.Background(), "", blog())
	if err == nil || !strings.Contains(err.Error(), "it reads only its url argument, never the environment or pmanager.toml") ||
		!strings.Contains(err.Error(), "migrate.Configured") {
		t.Errorf("LatestURL(\"\") = %v", err)
	}
}

// TestConfigured routes apps by pmanager.toml as the pmanager command
// does: app main on the default connection, app notes on its own.
func TestConfigured(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	toml := "[connections.default]\nurl = \"sqlite://main.db\"\n[connections.notes]\nurl = \"sqlite://notes.db\"\n" +
		"[apps.main]\nmodels = \"models\"\n[apps.notes]\nmodels = \"notes/models\"\nconnection = \"notes\"\n"
	if err := os.WriteFile(filepath.Join(dir, "pmanager.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	note := &migrations.Migration{App: "notes", Name: "0001_initial", Initial: true, Operations: []operations.Operation{
		operations.CreateModel{Name: "Note", Table: "note", Fields: []*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}},
	}}
	var out bytes.Buffer
	if err := Configured(context.Background(), dir, blog(note), WithProgress(&out)); err != nil {
		t.Fatalf("Configured: %v", err)
	}
	want := "Database: sqlite://" + filepath.Join(dir, "main.db") + " (pmanager.toml [connections.default])\n" +
		"Applying main.0001_initial... OK\nApplying main.0002_tag... OK\n" +
		"Database: sqlite://" + filepath.Join(dir, "notes.db") + " (app notes: pmanager.toml [connections.notes])\n" +
		"Applying notes.0001_initial... OK\n"
	if out.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", out.String(), want)
	}
	for file, tables := range map[string]string{"main.db": "pmanager_migrations post tag", "notes.db": "note pmanager_migrations"} {
		target, err := connect.Parse("sqlite://"+filepath.Join(dir, file), "")
		if err != nil {
			t.Fatal(err)
		}
		db, ed, err := target.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ed.Inspect(context.Background(), db)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tb := range got {
			names = append(names, tb.Name)
		}
		if strings.Join(names, " ") != tables {
			t.Errorf("%s holds %v, want %s", file, names, tables)
		}
	}
}

// TestConfiguredNothing: with no connection configured and no variable
// set, Configured refuses and creates no database.
func TestConfiguredNothing(t *testing.T) {
	if os.Getenv("PMANAGER_DATABASE_URL") != "" || os.Getenv("DATABASE_URL") != "" {
		t.Skip("a database URL is set in the environment; this test needs none")
	}
	t.Parallel()
	dir := t.TempDir()
	err := Configured(context.Background(), dir, blog())
	if err == nil || !strings.Contains(err.Error(), "no database configured") {
		t.Errorf("Configured with nothing configured = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pmanager.db")); err == nil {
		t.Error("Configured created pmanager.db")
	}
}
