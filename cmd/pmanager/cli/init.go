package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema/sqlite"
)

func (s *session) initCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "init",
		Usage: "scaffold pmanager.toml, models/, migrations/ and seeders/ in the current Go module",
		Action: func(c *ucli.Context) error {
			if c.Args().Present() {
				return fmt.Errorf("cli: init takes no arguments; run it in the folder that should hold pmanager.toml (or use pmanager -C <dir> init)")
			}
			return s.init()
		},
	}
}

// modelsTemplate is the models package init writes: a commented example,
// so it compiles before the project requires pmanager.
const modelsTemplate = `// Package models holds this project's pmanager models: exported structs that
// embed models.Model. Run pmanager makemigrations after changing them.
package models

// An example; uncomment it (and the import), then run pmanager makemigrations:
//
//	import "github.com/pmanager/pmanager/pkg/models"
//
//	type Car struct {
//		models.Model
//		Name  string ` + "`" + `pm:"max_length=30"` + "`" + `
//		Price models.Decimal ` + "`" + `pm:"max_digits=10,decimal_places=2"` + "`" + `
//	}
`

// seedersTemplate is the seeders package init writes: database:seed runs
// what it registers. The example is commented out, so it compiles before
// the project requires pmanager.
const seedersTemplate = `// Package seeders fills a database with data: pmanager database:seed runs
// the seeders registered here, in order, each in its own transaction.
package seeders

// An example; uncomment it (and the imports):
//
//	import (
//		"context"
//
//		"github.com/pmanager/pmanager/migrations"
//	)
//
//	func init() {
//		migrations.RegisterSeeder("cars", func(ctx context.Context, tx *migrations.SeedTx) error {
//			_, err := tx.Exec(ctx, "INSERT INTO "+tx.Quote("car")+" (name, price) VALUES (?, ?)", "Beetle", "9999.00")
//			return err
//		})
//	}
`

// init scaffolds a project in s.dir, never overwriting a file.
func (s *session) init() error {
	mod, err := loader.FindModule(s.dir)
	if err != nil {
		return fmt.Errorf("cli: pmanager init needs a Go module: no go.mod in %s or above; run go mod init <module path> first", s.dir)
	}
	var report []string
	if !mod.HasTool() {
		// Before anything is written: a module that cannot get pmanager
		// is left as it was.
		line, err := s.addTool(mod)
		if err != nil {
			return err
		}
		report = append(report, line)
	}
	cfgPath := filepath.Join(s.dir, config.FileName)
	created, err := createFile(cfgPath, []byte(config.Template))
	if err != nil {
		return err
	}
	if created {
		report = append(report, "Created "+config.FileName)
	} else {
		report = append(report, config.FileName+" already exists; left as it is")
	}
	cfg, err := config.Read(s.dir, s.lookup)
	if err != nil {
		return err
	}
	for _, app := range cfg.Apps {
		lines, err := scaffoldApp(cfg, app)
		if err != nil {
			return err
		}
		report = append(report, lines...)
	}
	line, err := ensureIgnored(filepath.Join(s.dir, ".gitignore"), append([]string{loader.GeneratedDir + "/"}, sqliteFiles("pmanager.db")...))
	if err != nil {
		return err
	}
	if line != "" {
		report = append(report, line)
	}
	for _, line := range report {
		fmt.Fprintln(s.stdout, line)
	}
	fmt.Fprintln(s.stdout, "Then describe your models and run: go tool pmanager makemigrations && go tool pmanager migrate")
	return nil
}

// addTool makes pmanager a tool of the module (go get -tool), so that go
// mod tidy, go mod vendor and go.work keep every module the generated
// program needs, and `go tool pmanager` runs it. A module that already
// requires pmanager keeps its version. It returns the line to report; a
// failure is an error when the module does not require pmanager at all
// (nothing could build), else a warning.
func (s *session) addTool(mod *loader.Module) (string, error) {
	command := mod.AddToolCommand(loader.OwnVersion())
	s.notice("running %s...", command)
	cmd := exec.Command("go", strings.Fields(command)[1:]...)
	cmd.Dir = mod.Root
	cmd.Env = append(os.Environ(), s.goEnv...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return "Added pmanager to go.mod as a tool (" + command + "): run it as go tool pmanager", nil
	}
	why := firstLine(string(out))
	if why == "" {
		why = err.Error()
	}
	if !mod.UsesLibrary() {
		return "", fmt.Errorf("cli: pmanager init could not add pmanager to go.mod (%s); nothing was written; run: %s, then pmanager init again", why, command)
	}
	s.warn("could not make pmanager a tool of this module (%s); until you run %s, go mod tidy may remove what pmanager needs", why, command)
	return "", nil
}

// firstLine is the first non-empty line of text, trimmed.
func firstLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// scaffoldApp gives an app's models and migrations folders a Go file each
// unless they already have one.
func scaffoldApp(cfg *config.Config, app config.App) ([]string, error) {
	var report []string
	for _, f := range []struct {
		folder, file string
		content      []byte
	}{
		{app.Models, "models.go", []byte(modelsTemplate)},
		{app.Migrations, "doc.go", loader.MigrationsDoc(app.Label)},
		{app.Seeders, "doc.go", []byte(seedersTemplate)},
	} {
		dir := cfg.Path(f.folder)
		has, err := hasGoFile(dir)
		if err != nil {
			return nil, err
		}
		if has {
			report = append(report, fmt.Sprintf("%s/ already has Go files; left as it is", f.folder))
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cli: %w", err)
		}
		created, err := createFile(filepath.Join(dir, f.file), f.content)
		if err != nil {
			return nil, err
		}
		if created {
			report = append(report, fmt.Sprintf("Created %s/%s", f.folder, f.file))
		}
	}
	return report, nil
}

func hasGoFile(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cli: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") {
			return true, nil
		}
	}
	return false, nil
}

// createFile writes a new file; an existing one is left alone (false).
func createFile(path string, data []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cli: %w", err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return false, fmt.Errorf("cli: write %s: %w", path, werr)
	}
	return true, nil
}

// sqliteFiles are the .gitignore entries of an SQLite database file (a
// path relative to the .gitignore): the file, the journals SQLite keeps
// beside it, and the lock file pmanager's migrate takes.
func sqliteFiles(db string) []string {
	db = filepath.ToSlash(db)
	out := []string{db}
	for _, suffix := range []string{"-journal", "-wal", "-shm", sqlite.LockSuffix} {
		out = append(out, db+suffix)
	}
	return out
}

// ensureIgnored appends the missing lines to a .gitignore (creating it) and
// says what it did ("" when nothing was missing).
func ensureIgnored(path string, lines []string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cli: %w", err)
	}
	existed := err == nil
	have := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		have[l] = true
		have[strings.TrimPrefix(l, "/")] = true
	}
	var missing []string
	for _, l := range lines {
		if !have[l] && !have[strings.TrimSuffix(l, "/")] {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return "", nil
	}
	out := string(data)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	out += strings.Join(missing, "\n") + "\n"
	if err := loader.WriteFileAtomic(path, []byte(out)); err != nil {
		return "", err
	}
	verb := "Updated"
	if !existed {
		verb = "Created"
	}
	return fmt.Sprintf("%s .gitignore (%s)", verb, strings.Join(missing, ", ")), nil
}
