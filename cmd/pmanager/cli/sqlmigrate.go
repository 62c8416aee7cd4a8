package cli

import (
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
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
	t, _, err := s.target(p, c.String("database"))
	if err != nil {
		return err
	}
	before, err := g.StateBefore(m.Key())
	if err != nil {
		return err
	}
	return writeSQL(s.stdout, m, connect.EditorFor(t.Dialect), before, c.Bool("backwards"))
}

// writeSQL prints what migrating m runs on ed's dialect, starting from the
// state before it: each operation as a "-- <Describe>" comment and its
// statements ending in ";", Go steps as a comment, the whole wrapped in
// BEGIN/COMMIT where the dialect's DDL is transactional. It runs nothing.
func writeSQL(w io.Writer, m *migrations.Migration, ed schema.Editor, before *state.Project, backwards bool) error {
	blocks, err := operationSteps(m, ed, before, backwards)
	if err != nil {
		return err
	}
	var b strings.Builder
	if ed.AtomicDDL() {
		b.WriteString("BEGIN;\n")
	}
	for _, blk := range blocks {
		fmt.Fprintf(&b, "-- %s\n", blk.describe)
		if len(blk.steps) == 0 {
			b.WriteString("-- (no-op)\n")
		}
		for _, st := range blk.steps {
			if st.Go != nil || st.Name != "" {
				fmt.Fprintf(&b, "-- RunGo: %s (Go code; not shown)\n", st.Name)
				continue
			}
			fmt.Fprintf(&b, "%s;\n", strings.TrimRight(strings.TrimSpace(st.SQL), "; \t\n"))
		}
	}
	if ed.AtomicDDL() {
		b.WriteString("COMMIT;\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// opBlock is one operation's description and steps.
type opBlock struct {
	describe string
	steps    []operations.Step
}

// operationSteps renders each operation of m against the snapshots the
// executor would use: forwards in order, backwards in reverse order.
func operationSteps(m *migrations.Migration, ed schema.Editor, before *state.Project, backwards bool) ([]opBlock, error) {
	if before == nil {
		before = state.NewProject()
	}
	snapshots := []*state.Project{before.CloneShallow()}
	for i, op := range m.Operations {
		next := snapshots[i].CloneShallow()
		if err := op.StateForwards(m.App, next); err != nil {
			return nil, opError(m, i, op, err)
		}
		snapshots = append(snapshots, next)
	}
	blocks := make([]opBlock, 0, len(m.Operations))
	if !backwards {
		for i, op := range m.Operations {
			steps, err := op.Forwards(m.App, ed, snapshots[i], snapshots[i+1])
			if err != nil {
				return nil, opError(m, i, op, err)
			}
			blocks = append(blocks, opBlock{describe: op.Describe(), steps: steps})
		}
		return blocks, nil
	}
	for i := len(m.Operations) - 1; i >= 0; i-- {
		op := m.Operations[i]
		if !op.Reversible() {
			return nil, fmt.Errorf("cli: migration %s cannot be unapplied: operation %d (%s) is irreversible", m.Key(), i+1, op.Describe())
		}
		steps, err := op.Backwards(m.App, ed, snapshots[i], snapshots[i+1])
		if err != nil {
			return nil, opError(m, i, op, err)
		}
		blocks = append(blocks, opBlock{describe: op.Describe(), steps: steps})
	}
	return blocks, nil
}

func opError(m *migrations.Migration, i int, op operations.Operation, err error) error {
	return fmt.Errorf("cli: migration %s, operation %d (%s): %w", m.Key(), i+1, op.Describe(), err)
}
