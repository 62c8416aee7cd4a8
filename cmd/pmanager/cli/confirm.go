package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// A run that unapplies migrations, or applies destructive operations
// (dropping a table or a column, narrowing a type), on a database server
// asks first: on a terminal it waits for "yes"; off one it needs --yes.
// A local SQLite file is the developer's own and is never asked about.

// yesFlag is --yes, for every command that can destroy data.
func yesFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "yes", Usage: "do not ask before unapplying or destroying data on a database server (needed off a terminal)"}
}

// destruction says in a few words what of plan destroys data, "" when
// nothing does: the migrations it unapplies and the destructive
// operations it applies.
func destruction(g *migrations.Graph, plan []migrations.PlanStep) (string, error) {
	var unapply, destroy []string
	for _, step := range plan {
		m := step.Migration
		if step.Backwards {
			unapply = append(unapply, m.Key().String())
			continue
		}
		before, err := g.StateBefore(m.Key())
		if err != nil {
			return "", err
		}
		for _, op := range m.Operations {
			if op.Destructive(m.App, before) {
				destroy = append(destroy, m.Key().String()+": "+op.Describe())
			}
			if err := op.StateForwards(m.App, before); err != nil {
				return "", err
			}
		}
	}
	var parts []string
	if len(unapply) > 0 {
		parts = append(parts, fmt.Sprintf("unapply %s (%s)", plural(len(unapply), "migration"), strings.Join(unapply, ", ")))
	}
	if len(destroy) > 0 {
		parts = append(parts, fmt.Sprintf("apply %s (%s)", plural(len(destroy), "destructive operation"), strings.Join(destroy, "; ")))
	}
	return strings.Join(parts, " and "), nil
}

// confirmDestructive stops a run whose plan destroys data on a database
// server unless the user agrees: --yes, or "yes" typed on a terminal.
// again is the command line to repeat with --yes. Nothing has run when it
// refuses.
func (s *session) confirmDestructive(c *ucli.Context, g *migrations.Graph, t *connect.Target, plan []migrations.PlanStep, again string) error {
	if t.Dialect == schema.SQLite || c.Bool("yes") || c.Bool("fake") {
		return nil
	}
	if migrations.Irreversible(plan) != nil {
		return nil // the executor refuses it before anything runs, and says why
	}
	what, err := destruction(g, plan)
	if err != nil || what == "" {
		return err
	}
	prompt := s.terminal()
	if prompt == nil {
		return fmt.Errorf("cli: %s would %s on %s; nothing was done; not on a terminal, so confirm with --yes: %s --yes", c.Command.Name, what, t.Redacted, again)
	}
	fmt.Fprintf(s.stdout, "This will %s on %s.\n", what, t.Redacted)
	answer, err := prompt.ask("Type yes to go on", "", false)
	if err != nil {
		return err
	}
	if strings.ToLower(strings.TrimSpace(answer)) != "yes" {
		return fmt.Errorf("cli: %s stopped; nothing was done", c.Command.Name)
	}
	return nil
}
