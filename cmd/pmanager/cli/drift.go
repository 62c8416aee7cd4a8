package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
)

func (s *session) driftCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "drift",
		Usage:     "compare the database's tables with what its applied migrations build; exit 1 on any difference",
		ArgsUsage: "[app...]",
		Description: "Reads which migrations the database's history records as applied, builds the schema they make, and compares\n" +
			"each table they own (managed models and many-to-many join tables) with the live one: missing or extra\n" +
			"columns, types, nullability, defaults, comments, the key, indexes, unique and check constraints, foreign keys.\n" +
			"Tables of no model (the history's own, anything made by hand) are left out. Changes nothing.",
		Flags:  []ucli.Flag{databaseFlag(), jsonFlag()},
		Action: s.drift,
	}
}

// DriftReport is the JSON document drift --json prints: one entry per
// database the apps are migrated to. docs/commands.md documents it field
// by field; change both together.
type DriftReport struct {
	// Command is "drift".
	Command string `json:"command"`
	// Databases are the databases compared, in the order of the text
	// output: the default connection's first.
	Databases []DriftDatabase `json:"databases"`
}

// DriftDatabase is what drift found on one database.
type DriftDatabase struct {
	// Database is the database's URL, password masked, or SQLite path.
	Database string `json:"database"`
	// Apps are the apps compared on it.
	Apps []string `json:"apps"`
	// Applied lists the applied migrations whose state the tables are held to.
	Applied []string `json:"applied"`
	// Tables are the tables compared: those the applied migrations own for the apps.
	Tables []string `json:"tables"`
	// Differences are every difference, table by table.
	Differences []DriftDifference `json:"differences"`
	// Edited lists applied migrations whose file changed since: the
	// tables are held to the file as it is now.
	Edited []string `json:"edited"`
	// Unknown lists migrations the history records as applied that no
	// migration file declares.
	Unknown []string `json:"unknown"`
}

// DriftDifference is one difference of a table from what its migrations build.
type DriftDifference struct {
	Table string `json:"table"`
	// Kind is one of schema.DiffKind's values ("missing_column", "type", ...).
	Kind string `json:"kind"`
	// Object is the column, index or constraint name, or for a foreign key
	// its column; absent for the table itself and its primary key.
	Object string `json:"object,omitempty"`
	// Expected is what the migrations build, Actual what the database
	// holds; absent for the side that has nothing.
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	// Message is the line the text output prints for it.
	Message string `json:"message"`
}

func (s *session) drift(c *ucli.Context) error {
	asJSON := c.Bool("json")
	if asJSON {
		s.verbosity = 0 // stdout holds the JSON document alone; Database goes to stderr
	}
	p, err := s.project()
	if err != nil {
		return err
	}
	named, err := selectApps(p, c.Args().Slice())
	if err != nil {
		return err
	}
	g, err := s.graph()
	if err != nil {
		return err
	}
	apps := named
	if !c.Args().Present() {
		apps = allApps(p.Config.Labels(), g.Apps())
	}
	groups := [][]string{apps}
	if c.String("database") == "" {
		groups = p.Config.Group(apps)
	}
	again := commandLine("migrate", nil, databaseFlags(c.String("database"))...)
	doc := DriftReport{Command: "drift", Databases: []DriftDatabase{}}
	differ := false
	for _, group := range groups {
		w, err := s.routeApp(p, group[0], c.String("database"))
		if err != nil {
			return err
		}
		s.sayWhere(w)
		r, err := s.driftOn(c, w, g, group)
		if err != nil {
			return driftError(phrase(err, again))
		}
		differ = differ || len(r.Differences) > 0
		if asJSON {
			doc.Databases = append(doc.Databases, driftJSON(w, group, r))
			continue
		}
		s.printDrift(r)
	}
	if asJSON {
		data, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return fmt.Errorf("cli: write JSON: %w", err)
		}
		if _, err := s.stdout.Write(append(data, '\n')); err != nil {
			return fmt.Errorf("cli: write JSON: %w", err)
		}
	}
	if differ {
		return exitStatus(1)
	}
	return nil
}

// driftError is err on one line (a driver's message may span several),
// except a migration left part-way, whose report says what ran of each
// such migration on a line of its own.
func driftError(err error) error {
	if errors.Is(err, migrations.ErrPartial) {
		return err
	}
	return &phrasedError{err: err, msg: oneLine(err)}
}

// driftOn compares the database of w with the applied migrations of
// apps. An SQLite file that does not exist is an error, not an empty
// database: drift creates nothing, and a wrong path must not pass for
// a database without drift.
func (s *session) driftOn(c *ucli.Context, w *where, g *migrations.Graph, apps []string) (*migrations.DriftReport, error) {
	if t := w.target; t.Dialect == schema.SQLite {
		if _, err := os.Stat(t.Database); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("cli: the SQLite database %s does not exist; check the connection's path (drift creates nothing)", t.Database)
		}
	}
	db, ed, err := s.openWhere(c.Context, w)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	r, err := migrations.Drift(c.Context, db, ed, g, apps)
	if errors.Is(err, migrations.ErrPartial) {
		return nil, fmt.Errorf("cli: drift on %s cannot be told while a migration is left part-way: the schema it should have is not known\n%w", w.target.Redacted, err)
	}
	if err != nil {
		return nil, scrub(fmt.Errorf("cli: drift on %s: %w", w.target.Redacted, err), w.raw)
	}
	for _, k := range r.Edited {
		s.warn("migration %s was edited after it was applied; its tables are compared with the file as it is now", k)
	}
	for _, k := range r.Unknown {
		s.warn("the history records %s as applied, but no migration file declares it; what it changed is compared with nothing", k)
	}
	return r, nil
}

// printDrift prints one database's differences, a table then one line
// per difference, and a last line that counts them.
func (s *session) printDrift(r *migrations.DriftReport) {
	if len(r.Differences) == 0 {
		if len(r.Applied) == 0 {
			fmt.Fprintf(s.stdout, "No drift: no migration is applied to this database, so it owns no tables.\n")
			return
		}
		verb := "match"
		if len(r.Tables) == 1 {
			verb = "matches"
		}
		fmt.Fprintf(s.stdout, "No drift: %s %s the applied migrations.\n", plural(len(r.Tables), "table"), verb)
		return
	}
	tables := 0
	for i, d := range r.Differences {
		if i == 0 || r.Differences[i-1].Table != d.Table {
			fmt.Fprintln(s.stdout, d.Table)
			tables++
		}
		fmt.Fprintf(s.stdout, "  %s\n", d)
	}
	fmt.Fprintf(s.stdout, "Drift: %s in %d of the %s the applied migrations own.\n",
		plural(len(r.Differences), "difference"), tables, plural(len(r.Tables), "table"))
}

// driftJSON describes one database's drift for the JSON document.
func driftJSON(w *where, apps []string, r *migrations.DriftReport) DriftDatabase {
	out := DriftDatabase{Database: w.target.Redacted, Apps: apps, Applied: keyStrings(r.Applied),
		Tables: append([]string{}, r.Tables...), Differences: []DriftDifference{},
		Edited: keyStrings(r.Edited), Unknown: keyStrings(r.Unknown)}
	for _, d := range r.Differences {
		out.Differences = append(out.Differences, DriftDifference{Table: d.Table, Kind: string(d.Kind), Object: d.Object,
			Expected: d.Want, Actual: d.Got, Message: d.String()})
	}
	return out
}
