package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// fillCountries is a data migration function; sqlmigrate shows its name.
func fillCountries(context.Context, schema.ExecQuerier) error { return nil }

// sqlmigrateSet is 0001 (creates Manufacturer) and 0002, which adds a
// table, runs raw SQL and Go, and changes options only.
func sqlmigrateSet(t *testing.T) (m1, m2 *migrations.Migration) {
	t.Helper()
	m1, _ = migrationSet(t)
	m2 = &migrations.Migration{App: "main", Name: "0002_data", Dependencies: []migrations.Key{m1.Key()},
		Operations: []operations.Operation{
			operations.CreateModel{Name: "Tag", Table: "tag", Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "label", Kind: state.Char, MaxLength: 20},
			}},
			operations.RunSQL{SQL: []string{"INSERT INTO tag (label) VALUES ('new');", "UPDATE manufacturer SET country = 'KE'"}, Reverse: []string{"DELETE FROM tag"}},
			operations.RunGo{Forward: fillCountries, Reverse: operations.Noop},
			operations.AlterModelOptions{Name: "Tag", Options: state.Options{VerboseName: "tag"}},
		}}
	return m1, m2
}

func TestSqlmigrate(t *testing.T) {
	t.Parallel()
	m1, m2 := sqlmigrateSet(t)
	p := newProject(t,
		"default", "sqlite://pm.db",
		"pg", "postgres://app:secret@db.invalid:5432/app",
		"my", "mysql://app:secret@db.invalid:3306/app")
	apps := appsOf(Manufacturer{})
	tag := m2.Operations[0].(operations.CreateModel)
	for _, tt := range []struct {
		conn    string
		dialect schema.Dialect
	}{{"default", schema.SQLite}, {"pg", schema.Postgres}, {"my", schema.MySQL}} {
		t.Run(tt.conn, func(t *testing.T) {
			ed := connectEditor(tt.dialect)
			g, err := migrations.NewGraph([]*migrations.Migration{m1, m2})
			if err != nil {
				t.Fatal(err)
			}
			before, err := g.StateBefore(m2.Key())
			if err != nil {
				t.Fatal(err)
			}
			after := before.CloneShallow()
			if err := tag.StateForwards("main", after); err != nil {
				t.Fatal(err)
			}
			create, err := ed.CreateModel(after, after.Model("main", "Tag"))
			if err != nil {
				t.Fatal(err)
			}
			drop, err := ed.DeleteModel(after, after.Model("main", "Tag"))
			if err != nil {
				t.Fatal(err)
			}
			goName := "github.com/pmanager/pmanager/cmd/pmanager/cli.fillCountries"
			forward := []string{"-- Create Model Tag"}
			for _, s := range create {
				forward = append(forward, s+";")
			}
			forward = append(forward,
				"-- Raw SQL Operation",
				"INSERT INTO tag (label) VALUES ('new');",
				"UPDATE manufacturer SET country = 'KE';",
				"-- Raw Go Operation",
				"-- RunGo: "+goName+" (Go code; not shown)",
				"-- Change Meta Options On Tag",
				"-- (no-op)",
			)
			backward := []string{
				"-- Undo Change Meta Options On Tag",
				"-- (no-op)",
				"-- Undo Raw Go Operation",
				"-- RunGo: github.com/pmanager/pmanager/pkg/operations.Noop (Go code; not shown)",
				"-- Undo Raw SQL Operation",
				"DELETE FROM tag;",
				"-- Undo Create Model Tag",
			}
			for _, s := range drop {
				backward = append(backward, s+";")
			}
			if ed.AtomicDDL() {
				forward = append(append([]string{"BEGIN;"}, forward...), "COMMIT;")
				backward = append(append([]string{"BEGIN;"}, backward...), "COMMIT;")
			}
			// The second 0002 prefix and the flags after the arguments both work.
			r := p.run(apps, registry(m1, m2), "", "sqlmigrate", "main", "0002", "--database", tt.conn)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if diff := cmp.Diff(strings.Join(forward, "\n")+"\n", r.stdout); diff != "" {
				t.Errorf("forward SQL (-want +got):\n%s", diff)
			}
			r = p.run(apps, registry(m1, m2), "", "sqlmigrate", "--backwards", "--database="+tt.conn, "main", "0002_data")
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if diff := cmp.Diff(strings.Join(backward, "\n")+"\n", r.stdout); diff != "" {
				t.Errorf("backward SQL (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSqlmigrateErrors(t *testing.T) {
	t.Parallel()
	m1, m2 := sqlmigrateSet(t)
	irreversible := &migrations.Migration{App: "main", Name: "0003_raw", Dependencies: []migrations.Key{m2.Key()},
		Operations: []operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}}}}
	other := &migrations.Migration{App: "main", Name: "0002_other", Dependencies: []migrations.Key{m1.Key()}}
	tests := []struct {
		name string
		reg  *migrations.Registry
		args []string
		want string
	}{
		{"irreversible", registry(m1, m2, irreversible), []string{"sqlmigrate", "main", "0003", "--backwards"},
			"pmanager: cannot unapply main.0003_raw: operation 1 (Raw SQL Operation) is irreversible; nothing was changed; to make it reversible, give that RunSQL a Reverse: the SQL that undoes it, or Reverse: []string{} when there is nothing to undo\n"},
		{"ambiguous prefix", registry(m1, m2, other), []string{"sqlmigrate", "main", "0002"},
			"pmanager: more than one migration of app main matches \"0002\": 0002_data, 0002_other; give more of the name\n"},
		{"no such migration", registry(m1, m2), []string{"sqlmigrate", "main", "0042"},
			"pmanager: app main has no migration matching \"0042\"; it has 0001_initial, 0002_data\n"},
		{"no migrations", registry(), []string{"sqlmigrate", "main", "0001"},
			"pmanager: app 'main' does not have migrations; run pmanager makemigrations main\n"},
		{"unknown app", registry(m1), []string{"sqlmigrate", "shop", "0001"},
			"pmanager: app 'shop' could not be found; the apps of this project are: main\n"},
		{"missing name", registry(m1), []string{"sqlmigrate", "main"},
			"pmanager: sqlmigrate needs an app and a migration name (or a unique prefix): pmanager sqlmigrate main 0001\n"},
		{"unknown connection", registry(m1), []string{"sqlmigrate", "main", "0001", "--database", "nope"},
			"pmanager.toml: unknown connection \"nope\"; add [connections.nope] with a url to pmanager.toml, or use one of: default\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProject(t, "default", "sqlite://pm.db")
			r := p.run(appsOf(Manufacturer{}), tt.reg, "", tt.args...)
			if r.code != 1 || r.stdout != "" {
				t.Errorf("exit %d, stdout %q", r.code, r.stdout)
			}
			if !strings.HasSuffix(r.stderr, tt.want) || !strings.HasPrefix(r.stderr, "pmanager: ") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr:\n got %q\nwant %q", r.stderr, tt.want)
			}
		})
	}
}
