package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/models"
)

// RunBinary is Run for the standalone program `pmanager build` compiles:
// it serves the commands that need no source code (migrate,
// showmigrations, sqlmigrate, the migration:* and database:* commands)
// and reads pmanager.toml from its working folder (or -C) only, falling
// back to the built-in apps and PMANAGER_DATABASE_URL / DATABASE_URL.
func RunBinary(args []string, apps []models.App, reg *migrations.Registry) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	s := &session{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		lookup: os.LookupEnv,
		now:    clock(os.LookupEnv),
		apps:   apps,
		reg:    reg,
		binary: true,
	}
	return s.run(ctx, args)
}

// sourceCommands need the project's source code and the Go toolchain, so
// a built program leaves them out.
var sourceCommands = map[string]bool{
	"init": true, "makemigrations": true, "squashmigrations": true, "migration:create": true, "m:create": true, "build": true,
	// These write pmanager.toml or the project's migrations package.
	"migration:setup": true, "m:setup": true, "database:configure": true, "db:config": true,
	// This writes the project's models.
	"inspectdb": true,
}

// binaryCommands drops the commands a built program cannot serve.
func binaryCommands(cmds []*ucli.Command) []*ucli.Command {
	var out []*ucli.Command
	for _, c := range cmds {
		if !sourceCommands[c.Name] {
			out = append(out, c)
		}
	}
	return out
}

// binaryProject is the project of a built program: pmanager.toml in the
// working folder when there is one, or else the apps built in with the
// default connection (which the environment overrides).
func (s *session) binaryProject(dir string, lookup config.LookupFunc) (*loader.Project, error) {
	cfg, err := config.Read(dir, lookup)
	if err != nil {
		return nil, err
	}
	if cfg.File == "" {
		cfg.Apps = cfg.Apps[:0]
		for _, a := range s.apps {
			cfg.Apps = append(cfg.Apps, config.App{Label: a.Label})
		}
	}
	return &loader.Project{Root: dir, Config: cfg}, nil
}

func (s *session) buildCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "build",
		Usage:     "compile the project's models, migrations and seeders into one standalone migration program",
		ArgsUsage: " ",
		Description: "The program runs migrate, showmigrations, sqlmigrate, drift and the migration:* and database:* commands\n" +
			"(but not migration:setup, migration:create or database:configure, which change the project) on a machine without Go. It reads pmanager.toml from its working folder (or -C), or only\n" +
			"PMANAGER_DATABASE_URL / DATABASE_URL.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "pmanager-migrate", Usage: "write the program to `FILE`"},
		},
		Action: func(*ucli.Context) error {
			return fmt.Errorf("cli: build compiles the project with the Go toolchain; run it through the pmanager command")
		},
	}
}
