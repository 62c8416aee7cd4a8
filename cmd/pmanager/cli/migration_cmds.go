package cli

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/checks"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

func stepsFlag(usage, byDefault string) ucli.Flag {
	return &ucli.IntFlag{Name: "steps", Usage: usage, DefaultText: byDefault}
}

func (s *session) migrationSetupCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "migration:setup",
		Aliases:   []string{"m:setup"},
		Usage:     "create the migrations package of the app on a connection, and its history table",
		ArgsUsage: "<conn>",
		Flags:     dialectFlags(),
		Action:    s.migrationSetup,
	}
}

func (s *session) migrationCreateCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "migration:create",
		Aliases:   []string{"m:create"},
		Usage:     "makemigrations --name <name>; an empty migration to fill by hand when nothing changed",
		ArgsUsage: "<name> [app...]",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "noinput", Aliases: []string{"no-input"}, Usage: "never prompt; fail where a value is needed"},
		},
		Action: s.migrationCreate,
	}
}

func (s *session) migrationUpCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "migration:up",
		Aliases:   []string{"m:up"},
		Usage:     "apply the pending migrations on a connection",
		ArgsUsage: "<conn>",
		Flags:     append(dialectFlags(), stepsFlag("apply only the first `N` pending migrations", "all"), lockTimeoutFlag(), lockRetriesFlag(), yesFlag()),
		Action:    s.migrationUp,
	}
}

func (s *session) migrationDownCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "migration:down",
		Aliases:   []string{"m:down"},
		Usage:     "unapply the last applied migrations on a connection",
		ArgsUsage: "<conn>",
		Flags:     append(dialectFlags(), stepsFlag("unapply the last `N` applied migrations", "1"), lockTimeoutFlag(), lockRetriesFlag(), yesFlag()),
		Action:    s.migrationDown,
	}
}

func (s *session) migrationRedoCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "migration:redo",
		Aliases:   []string{"m:redo"},
		Usage:     "unapply the last applied migrations, then apply them again",
		ArgsUsage: "<conn>",
		Flags:     append(dialectFlags(), stepsFlag("redo the last `N` applied migrations", "1"), lockTimeoutFlag(), lockRetriesFlag(), yesFlag()),
		Action:    s.migrationRedo,
	}
}

func (s *session) migrationRefreshCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "migration:refresh",
		Aliases:   []string{"m:refresh"},
		Usage:     "unapply every migration, then apply them all",
		ArgsUsage: "<conn>",
		Flags:     append(dialectFlags(), lockTimeoutFlag(), lockRetriesFlag(), yesFlag()),
		Action:    s.migrationRefresh,
	}
}

func (s *session) migrationListCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "migration:list",
		Aliases:   []string{"m:list"},
		Usage:     "list the migrations of a connection: applied (with when) and pending",
		ArgsUsage: "<conn>",
		Flags: append(dialectFlags(),
			&ucli.BoolFlag{Name: "pending", Usage: "list only the migrations not applied yet"},
			&ucli.BoolFlag{Name: "applied", Usage: "list only the applied migrations"},
		),
		Action: s.migrationList,
	}
}

func (s *session) migrationSetup(c *ucli.Context) error {
	conn, p, t, raw, err := s.connectionOf(c)
	if err != nil {
		return err
	}
	if len(appsOn(p.Config, conn)) == 0 {
		return noApps(conn)
	}
	// The database first: when it cannot be reached, nothing is written.
	if err := s.ensureHistory(c.Context, t, raw); err != nil {
		return fmt.Errorf("%w; if the database does not exist yet, run pmanager database:setup %s first", err, conn)
	}
	apps, err := s.bindApp(p, conn)
	if err != nil {
		return err
	}
	for _, label := range apps {
		app, _ := p.Config.App(label)
		if err := s.migrationsPackage(p.Config, app); err != nil {
			return err
		}
	}
	return nil
}

// bindApp returns the apps of connection conn. When no app names it and
// the project has exactly one app, which names no connection, that app is
// bound to conn in pmanager.toml, so the file says where it migrates.
func (s *session) bindApp(p *loader.Project, conn string) ([]string, error) {
	apps := appsOn(p.Config, conn)
	if len(apps) == 0 {
		return nil, noApps(conn)
	}
	if len(p.Config.Apps) != 1 || p.Config.Apps[0].Connection != "" {
		return apps, nil
	}
	app := p.Config.Apps[0]
	path := filepath.Join(p.Root, config.FileName)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cli: read %s: %w", path, err)
	}
	out, err := config.SetAppConnection(path, data, app, conn, s.lookup)
	if err != nil {
		return nil, err
	}
	if err := loader.WriteFileAtomic(path, out); err != nil {
		return nil, err
	}
	fmt.Fprintf(s.stdout, "Bound app %s to connection %s in %s\n", app.Label, conn, config.FileName)
	return apps, nil
}

// migrationsPackage creates an app's migrations folder with its package
// doc, as init does, unless it already holds Go files.
func (s *session) migrationsPackage(cfg *config.Config, app config.App) error {
	dir := cfg.Path(app.Migrations)
	has, err := hasGoFile(dir)
	if err != nil {
		return err
	}
	if has {
		fmt.Fprintf(s.stdout, "Migrations of app %s: %s/ (exists)\n", app.Label, app.Migrations)
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cli: %w", err)
	}
	if _, err := createFile(filepath.Join(dir, "doc.go"), loader.MigrationsDoc(app.Label)); err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "Migrations of app %s: created %s/doc.go\n", app.Label, app.Migrations)
	return nil
}

func (s *session) migrationCreate(c *ucli.Context) error {
	p, err := s.project()
	if err != nil {
		return err
	}
	if !c.Args().Present() {
		return fmt.Errorf("cli: migration:create needs a name: pmanager migration:create <name> [app...]")
	}
	name := c.Args().First()
	if !migrations.ValidName(name) {
		return fmt.Errorf("cli: migration name %q is not valid; use letters, digits and underscores, such as create_posts_table", name)
	}
	var named []string
	if c.NArg() > 1 {
		if named, err = selectApps(p, c.Args().Slice()[1:]); err != nil {
			return err
		}
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	if err := s.checkHistory(c.Context, p, g); err != nil {
		return err
	}
	if _, err := s.systemChecks(p, ""); err != nil {
		return err
	}
	if err := conflictError(g, named); err != nil {
		return err
	}
	now := s.now().UTC()
	ms, empty, err := s.newMigrations(p, g, named, name, now, questioner(c, s), false, true)
	if err != nil {
		return err
	}
	files, err := s.renderAndList(p, g, ms, now)
	if err != nil {
		return err
	}
	if err := writeAll(files); err != nil {
		return err
	}
	if empty {
		fmt.Fprintln(s.stdout, "No model changes, so the migration is empty: add RunSQL or RunGo operations to it by hand.")
	}
	return nil
}

// connRun is what the migration:* commands that migrate share: the
// project's graph, the apps on the connection and an open database.
type connRun struct {
	conn   string
	apps   []string
	g      *migrations.Graph
	db     *sql.DB
	ed     schema.Editor
	raw    string
	target *connect.Target
}

// again is the command line of this migration:* run, to repeat it with a
// flag added.
func (r *connRun) again(c *ucli.Context) string {
	var flags []string
	for _, d := range []string{"mysql", "pgsql", "sqlite"} {
		if c.Bool(d) {
			flags = append(flags, "--"+d)
		}
	}
	if c.IsSet("steps") {
		flags = append(flags, "--steps", fmt.Sprint(c.Int("steps")))
	}
	return commandLine(c.Command.Name, []string{r.conn}, flags...)
}

// start opens the connection of a migration:* command and checks the graph.
func (s *session) start(c *ucli.Context) (*connRun, error) {
	conn, err := connArg(c)
	if err != nil {
		return nil, err
	}
	p, err := s.project()
	if err != nil {
		return nil, err
	}
	t, raw, err := s.connTarget(c, p, conn)
	if err != nil {
		return nil, err
	}
	apps := appsOn(p.Config, conn)
	if len(apps) == 0 {
		return nil, noApps(conn)
	}
	// Like migrate, check the models against the database about to change.
	if _, err := s.runChecks(p, []checks.Target{{Name: conn, Dialect: t.Dialect}}); err != nil {
		return nil, err
	}
	g, err := s.graph()
	if err != nil {
		return nil, err
	}
	if err := conflictError(g, apps); err != nil {
		return nil, err
	}
	db, ed, err := openTarget(c.Context, t, raw)
	if err != nil {
		return nil, err
	}
	return &connRun{conn: conn, apps: apps, g: g, db: db, ed: ed, raw: raw, target: t}, nil
}

// scrubbed is scrub that lets a nil error through.
func scrubbed(err error, raw string) error {
	if err == nil {
		return nil
	}
	return scrub(err, raw)
}

// steps reads --steps: def when it is not given, at least 1 when it is.
func steps(c *ucli.Context, def int) (int, error) {
	if !c.IsSet("steps") {
		return def, nil
	}
	n := c.Int("steps")
	if n < 1 {
		return 0, fmt.Errorf("cli: %s: --steps %d: give a number of migrations, 1 or more", c.Command.Name, n)
	}
	return n, nil
}

// stepwise runs one of the library's step-wise workflows (flow) on the
// connection of a migration:* command, printing under migrate's heading
// and in its words.
func (s *session) stepwise(c *ucli.Context, flow func(m *migrations.Migrator, r *connRun) error) error {
	r, err := s.start(c)
	if err != nil {
		return err
	}
	defer r.db.Close()
	rep, err := s.runReport(c, nil, r.target.Redacted)
	if err != nil {
		return err
	}
	m := migrations.NewMigrator(r.db, r.ed, r.g)
	rep.confirm = func(plan []migrations.Step) error {
		return s.confirmDestructive(c, r.target, plan, r.again(c))
	}
	m.Options = rep.opts
	err = flow(m, r)
	rep.finish(err)
	var irreversible *migrations.IrreversibleError
	if errors.As(err, &irreversible) && (c.Command.Name == "migration:redo" || c.Command.Name == "migration:refresh") {
		return &refusedError{command: c.Command.Name, err: err}
	}
	// Recovery advice names this connection: `pmanager migrate --database
	// <conn>` runs the same apps on the same database.
	return scrubbed(phrase(err, commandLine("migrate", nil, "--database", r.conn)), r.raw)
}

func (s *session) migrationUp(c *ucli.Context) error {
	n, err := steps(c, 0)
	if err != nil {
		return err
	}
	return s.stepwise(c, func(m *migrations.Migrator, r *connRun) error {
		_, err := m.Up(c.Context, r.apps, n)
		return err
	})
}

func (s *session) migrationDown(c *ucli.Context) error {
	n, err := steps(c, 1)
	if err != nil {
		return err
	}
	return s.stepwise(c, func(m *migrations.Migrator, r *connRun) error {
		_, err := m.Down(c.Context, r.apps, n)
		return err
	})
}

func (s *session) migrationRedo(c *ucli.Context) error {
	n, err := steps(c, 1)
	if err != nil {
		return err
	}
	return s.stepwise(c, func(m *migrations.Migrator, r *connRun) error {
		return m.Redo(c.Context, r.apps, n)
	})
}

func (s *session) migrationRefresh(c *ucli.Context) error {
	return s.stepwise(c, func(m *migrations.Migrator, r *connRun) error {
		return m.Refresh(c.Context, r.apps)
	})
}

// refusedError is a command that stopped before changing anything,
// because of err.
type refusedError struct {
	command string
	err     error
}

// Error says which command refused and why, in the words of err without
// its package prefix.
func (e *refusedError) Error() string {
	return "cli: " + e.command + " refused: " + trimPrefix(e.err.Error())
}

// Unwrap returns the reason, such as a *migrations.IrreversibleError.
func (e *refusedError) Unwrap() error { return e.err }

func (s *session) migrationList(c *ucli.Context) error {
	conn, err := connArg(c)
	if err != nil {
		return err
	}
	if c.Bool("pending") && c.Bool("applied") {
		return fmt.Errorf("cli: migration:list: give --pending or --applied, not both")
	}
	p, err := s.project()
	if err != nil {
		return err
	}
	t, raw, err := s.connTarget(c, p, conn)
	if err != nil {
		return err
	}
	apps := appsOn(p.Config, conn)
	if len(apps) == 0 {
		return noApps(conn)
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	applied := map[migrations.Key]migrations.Applied{}
	if _, serr := os.Stat(t.Database); t.Dialect != schema.SQLite || serr == nil {
		db, ed, err := openTarget(c.Context, t, raw)
		if err != nil {
			return err
		}
		defer db.Close()
		if applied, err = migrations.NewHistory(db, ed).Applied(c.Context); err != nil {
			return scrub(err, raw)
		}
	}
	status := migrations.NewStatus(g, applied, nil)
	for _, app := range apps {
		fmt.Fprintln(s.stdout, app)
		listed := 0
		for _, st := range status.ByApp([]string{app}) {
			if c.Bool("pending") && st.Applied || c.Bool("applied") && !st.Applied {
				continue
			}
			listed++
			when := ""
			if !st.AppliedAt.IsZero() {
				when = "  " + st.AppliedAt.UTC().Format("2006-01-02 15:04:05 UTC")
			}
			fmt.Fprintf(s.stdout, " %s %s%s%s\n", mark(st), st.Migration.Name, when, notes(st, false, ""))
		}
		if listed == 0 {
			fmt.Fprintf(s.stdout, " (none%s)\n", listFilter(c))
		}
	}
	return nil
}

func listFilter(c *ucli.Context) string {
	var parts []string
	for _, f := range []string{"pending", "applied"} {
		if c.Bool(f) {
			parts = append(parts, " "+f)
		}
	}
	return strings.Join(parts, "")
}
