package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// A run that unapplies migrations on a database server asks first: on a
// terminal it waits for "yes"; off one it needs --yes. Unapplying drops
// what the migrations made, and nobody reviewed that as a file. Applying
// migrations never asks, even over destructive operations: each was
// reviewed in its file, whose summary marks it, and deploys run migrate
// unattended. A local SQLite file is the developer's own and is never
// asked about.

// yesFlag is --yes, for every command that can unapply migrations.
func yesFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "yes", Usage: "do not ask before unapplying migrations on a database server (needed off a terminal)"}
}

// destruction says in a few words what of plan destroys data, "" when
// nothing does: the migrations it unapplies.
func destruction(plan []migrations.Step) string {
	var unapply []string
	for _, step := range plan {
		if step.Backwards {
			unapply = append(unapply, step.Migration.Key().String())
		}
	}
	if len(unapply) == 0 {
		return ""
	}
	return fmt.Sprintf("unapply %s (%s)", plural(len(unapply), "migration"), strings.Join(unapply, ", "))
}

// confirmDestructive stops a run whose plan destroys data on a database
// server unless the user agrees: --yes, or "yes" typed on a terminal.
// again is the command line to repeat with --yes. Nothing has run when it
// refuses.
func (s *session) confirmDestructive(c *ucli.Context, t *connect.Target, plan []migrations.Step, again string) error {
	if t.Dialect == schema.SQLite || c.Bool("yes") || c.Bool("fake") {
		return nil
	}
	if migrations.Irreversible(plan) != nil {
		return nil // the executor refuses it before anything runs, and says why
	}
	what := destruction(plan)
	if what == "" {
		return nil
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
