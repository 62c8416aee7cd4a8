package cli

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/internal/atomicfile"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/inspectdb"
	"github.com/pmanager/pmanager/pkg/schema"
)

// inspectdbFile is the file inspectdb writes in the app's models folder.
const inspectdbFile = "inspectdb.go"

func (s *session) inspectdbCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "inspectdb",
		Usage:     "write Go models for the tables of an existing database, to adopt it",
		ArgsUsage: " ",
		Description: "Reads the tables of the database (the default connection, or --database) and writes\n" +
			"one models file, " + inspectdbFile + ", in the app's models folder: a struct per table with its\n" +
			"tags, foreign keys as pointers, and a Meta with the table name, indexes, unique and check\n" +
			"constraints. A table the models cannot express is written Unmanaged, with a comment saying\n" +
			"why. Then run makemigrations, and migrate --fake-initial to adopt the database.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "database", Usage: "inspect the connection `NAME` instead of the default one"},
			&ucli.StringSliceFlag{Name: "tables", Usage: "inspect only these tables (`T1,T2`, or the flag repeated)"},
			&ucli.StringFlag{Name: "app", Usage: "write into the models folder of app `A` (default: the first app of " + config.FileName + ")"},
			&ucli.BoolFlag{Name: "force", Usage: "overwrite an existing " + inspectdbFile},
		},
		Action: s.inspectdb,
	}
}

// inspectdb is `pmanager inspectdb`: it runs without the project's models
// built in, since it writes them.
func (s *session) inspectdb(c *ucli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("cli: inspectdb takes no arguments: pmanager inspectdb [--database NAME] [--tables T1,T2] [--app A] [--force]")
	}
	p, err := loader.Find(s.dir, s.lookup)
	if err != nil {
		return err
	}
	s.rememberSecrets(p)
	app, err := inspectdbApp(p, c.String("app"))
	if err != nil {
		return err
	}
	dir := p.Config.Path(app.Models)
	path := filepath.Join(dir, inspectdbFile)
	if _, err := os.Stat(path); err == nil && !c.Bool("force") {
		return fmt.Errorf("cli: %s already exists; pass --force to overwrite it", relPath(p, path))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cli: %w", err)
	}
	pkg, err := packageName(dir)
	if err != nil {
		return err
	}
	name := c.String("database")
	w, err := s.routeNamed(p, name, "--database "+name)
	if err != nil {
		return err
	}
	s.sayWhere(w)
	db, ed, err := s.openWhere(c.Context, w)
	if err != nil {
		return err
	}
	defer db.Close()
	tables, err := ed.Inspect(c.Context, db)
	if err != nil {
		return scrub(fmt.Errorf("cli: inspect %s: %w", w.target.Redacted, err), w.raw)
	}
	if tables, err = pickTables(tables, c.StringSlice("tables")); err != nil {
		return err
	}
	var checks []schema.CheckClause
	if cr, ok := ed.(schema.CheckReader); ok {
		if checks, err = cr.InspectCheckClauses(c.Context, db); err != nil {
			return scrub(fmt.Errorf("cli: inspect %s: %w", w.target.Redacted, err), w.raw)
		}
	}
	var conditions []schema.IndexCondition
	if cr, ok := ed.(schema.ConditionReader); ok {
		if conditions, err = cr.InspectIndexConditions(c.Context, db); err != nil {
			return scrub(fmt.Errorf("cli: inspect %s: %w", w.target.Redacted, err), w.raw)
		}
	}
	res, err := inspectdb.Write(tables, inspectdb.Options{Dialect: w.target.Dialect, Package: pkg, Checks: checks, Conditions: conditions, Source: w.target.Redacted})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cli: %w", err)
	}
	if err := atomicfile.Write(path, res.Source); err != nil {
		return fmt.Errorf("cli: %w", err)
	}
	s.reportInspectdb(relPath(p, path), app.Label, res)
	return nil
}

// reportInspectdb prints what was written and what to run next.
func (s *session) reportInspectdb(path, app string, res *inspectdb.Result) {
	fmt.Fprintf(s.stdout, "Wrote %s (app %s): %d models\n", path, app, len(res.Models))
	for _, m := range res.Models {
		if len(m.Unmanaged) > 0 {
			fmt.Fprintf(s.stdout, "  %s (%s) is Unmanaged: %s\n", m.Name, m.Table, strings.Join(m.Unmanaged, "; "))
		}
	}
	fmt.Fprintf(s.stdout, "Next: review it, run pmanager makemigrations %s, then pmanager migrate --fake-initial to adopt the database\n", app)
}

// inspectdbApp is the app named by --app, or the first of the project.
func inspectdbApp(p *loader.Project, label string) (config.App, error) {
	if label == "" {
		labels := p.Config.Labels()
		if len(labels) == 0 {
			return config.App{}, fmt.Errorf("cli: %s declares no app; add an [apps.<label>] table with its models folder", configName(p))
		}
		label = labels[0]
	}
	app, ok := p.Config.App(label)
	if !ok {
		return config.App{}, fmt.Errorf("cli: --app %s is not an app of %s (apps: %s); add [apps.%s] with its models folder, or name one of those", label, configName(p), strings.Join(p.Config.Labels(), ", "), label)
	}
	return app, nil
}

// pickTables keeps the tables named (all when names is empty); a name the
// database does not have is an error.
func pickTables(tables []schema.Table, names []string) ([]schema.Table, error) {
	if len(names) == 0 {
		return tables, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			if part = strings.TrimSpace(part); part != "" {
				want[part] = true
			}
		}
	}
	var out []schema.Table
	for _, t := range tables {
		if want[t.Name] {
			out = append(out, t)
			delete(want, t.Name)
		}
	}
	if len(want) > 0 {
		var missing []string
		for n := range want {
			missing = append(missing, n)
		}
		sort.Strings(missing)
		return nil, fmt.Errorf("cli: --tables names %s, which the database does not have; check the spelling (inspectdb lists tables of the connection's current schema or database)", strings.Join(missing, ", "))
	}
	return out, nil
}

// packageName is the package the models folder's Go files declare, or
// the folder's name when it has none yet.
func packageName(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cli: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") || e.Name() == inspectdbFile {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
		if err != nil {
			return "", fmt.Errorf("cli: read the package of %s: %w", filepath.Join(dir, e.Name()), err)
		}
		return f.Name.Name, nil
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return -1
	}, strings.ToLower(filepath.Base(dir)))
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "models"
	}
	return name, nil
}
