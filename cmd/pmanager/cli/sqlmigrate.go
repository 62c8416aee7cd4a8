package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

func (s *session) sqlmigrateCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "sqlmigrate",
		Usage:     "print the SQL of a migration; run nothing",
		ArgsUsage: "app name",
		Flags: []ucli.Flag{
			databaseFlag(),
			&ucli.BoolFlag{Name: "backwards", Usage: "print the SQL that unapplies the migration"},
		},
		Action: s.sqlmigrate,
	}
}

func (s *session) sqlmigrate(c *ucli.Context) error {
	p, err := s.project()
	if err != nil {
		return err
	}
	if c.NArg() != 2 {
		return fmt.Errorf("cli: sqlmigrate needs an app and a migration name (or a unique prefix): pmanager sqlmigrate main 0001")
	}
	app, name := c.Args().Get(0), c.Args().Get(1)
	if _, ok := p.Config.App(app); !ok {
		return unknownApp(p, app)
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	if len(g.Migrations(app)) == 0 {
		return fmt.Errorf("cli: app '%s' does not have migrations; run pmanager makemigrations %s", app, app)
	}
	m, err := g.Find(app, name)
	if err != nil {
		return err
	}
	// The SQL is the dialect's of the database the app migrates to. The
	// output stays pure SQL: sqlmigrate touches no database.
	w, err := s.routeApp(p, app, c.String("database"))
	if err != nil {
		return err
	}
	t := w.target
	before, err := g.StateBefore(m.Key())
	if err != nil {
		return err
	}
	return migrations.RenderSQL(s.stdout, m, connect.EditorFor(t.Dialect), before, c.Bool("backwards"))
}
