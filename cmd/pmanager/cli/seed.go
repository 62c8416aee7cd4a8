package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
)

func (s *session) seedCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "database:seed",
		Aliases:   []string{"db:seed"},
		Usage:     "run the project's registered seeders, in order, each in its own transaction",
		ArgsUsage: "[conn]",
		Description: "Seeders are functions a project registers with migrations.RegisterSeeder from its seeders\n" +
			"package. A failing seeder is rolled back and stops the run; those before it stay committed.",
		Flags: []ucli.Flag{
			&ucli.StringSliceFlag{Name: "only", Usage: "run only the seeder `NAME` (repeat the flag for several)"},
		},
		Action: s.seed,
	}
}

// seed runs database:seed.
func (s *session) seed(c *ucli.Context) error {
	if c.NArg() > 1 {
		return fmt.Errorf("cli: database:seed takes at most a connection name: pmanager database:seed [conn] [--only NAME]")
	}
	p, err := s.project()
	if err != nil {
		return err
	}
	all, err := s.reg.Seeders()
	if err != nil {
		return err
	}
	seeders, err := selectSeeders(all, c.StringSlice("only"))
	if err != nil {
		return err
	}
	if len(seeders) == 0 {
		fmt.Fprintln(s.stdout, "No seeders registered; write them in the seeders package with migrations.RegisterSeeder(name, fn).")
		return nil
	}
	db, ed, err := s.open(c.Context, p, c.Args().First())
	if err != nil {
		return err
	}
	defer db.Close()
	report := func(name string, done bool, err error) {
		switch {
		case !done:
			fmt.Fprintf(s.stdout, "Seeding %s...", name)
		case err != nil:
			fmt.Fprintln(s.stdout, " FAILED")
		default:
			fmt.Fprintln(s.stdout, " OK")
		}
	}
	if err := migrations.Seed(c.Context, db, ed, seeders, report); err != nil {
		return fmt.Errorf("%w; its changes were rolled back, the seeders before it stay committed", err)
	}
	return nil
}

// selectSeeders keeps the seeders named by --only, in registration order;
// none named keeps them all.
func selectSeeders(all []migrations.Seeder, only []string) ([]migrations.Seeder, error) {
	if len(only) == 0 {
		return all, nil
	}
	known := map[string]bool{}
	names := make([]string, len(all))
	for i, sd := range all {
		known[sd.Name] = true
		names[i] = sd.Name
	}
	want := map[string]bool{}
	for _, n := range only {
		if !known[n] {
			list := strings.Join(names, ", ")
			if list == "" {
				list = "(none registered)"
			}
			return nil, fmt.Errorf("cli: no seeder named %q; the registered seeders are: %s", n, list)
		}
		want[n] = true
	}
	var out []migrations.Seeder
	for _, sd := range all {
		if want[sd.Name] {
			out = append(out, sd)
		}
	}
	return out, nil
}
