package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/version"
)

// Run runs the pmanager command line with args (without the program name)
// for a project whose models are apps and whose migrations registered in
// reg, and returns the exit status. apps and reg may be nil for the
// commands that need no project (init, version, help).
func Run(args []string, apps []models.App, reg *migrations.Registry) int {
	// An interrupt or a termination request cancels the context: the
	// running statement is cancelled and its transaction rolled back. A
	// second signal, once the first has been seen, ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	stopProfile, err := startProfile(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pmanager: %v\n", err)
		return 1
	}
	s := &session{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		lookup: os.LookupEnv,
		now:    clock(os.LookupEnv),
		apps:   apps,
		reg:    reg,
	}
	status := s.run(ctx, args)
	if err := stopProfile(); err != nil {
		fmt.Fprintf(os.Stderr, "pmanager: %v\n", err)
		return 1
	}
	return status
}

// clock returns the time makemigrations writes into names and headers: now,
// or SOURCE_DATE_EPOCH (seconds since 1970) when it is set, the convention
// for reproducible output.
func clock(lookup config.LookupFunc) func() time.Time {
	if v, ok := lookup("SOURCE_DATE_EPOCH"); ok {
		if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
			return func() time.Time { return time.Unix(sec, 0).UTC() }
		}
	}
	return time.Now
}

// session is one run of the command line with everything it touches
// outside itself passed in, so tests run commands in-process.
type session struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookup         config.LookupFunc
	now            func() time.Time
	apps           []models.App
	reg            *migrations.Registry
	// dir is where the command runs: the working directory, or -C's.
	dir string
	// binary is set in a program compiled by `pmanager build` (RunBinary).
	binary bool
	// secrets are the connection secrets read so far; stdout and stderr
	// mask them.
	secrets secrets
	// noMask turns that masking off, for tests that check every message
	// is redacted where it is made.
	noMask bool
	// headed is set once "Running migrations:" has been printed.
	headed bool
	// verbosity is -v: 0 quiet, 1 normal, 2 operations, 3 statements.
	verbosity int
	// goEnv is added to the environment of the go commands init runs.
	goEnv []string
}

// exitStatus ends a command with a status and no message of its own (the
// --check flags, whose output already said why).
type exitStatus int

// Error implements error; the status itself is what Run returns.
func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// run parses args, runs the command and turns its error into the one-line
// message and status.
func (s *session) run(ctx context.Context, args []string) int {
	for _, env := range [...]string{"PMANAGER_DATABASE_URL", "DATABASE_URL"} {
		if s.lookup == nil {
			break
		}
		if raw, ok := s.lookup(env); ok {
			s.secrets.remember(raw)
		}
	}
	if !s.noMask {
		s.stdout = maskingWriter{w: s.stdout, ss: &s.secrets}
		s.stderr = maskingWriter{w: s.stderr, ss: &s.secrets}
	}
	dir, rest, err := ChdirArgs(args)
	if err == nil {
		s.dir, err = s.resolveDir(dir)
	}
	if err != nil {
		s.fail(err)
		return 1
	}
	if len(rest) > 0 && IsVersionFlag(rest[0]) {
		rest = append([]string{"version"}, rest[1:]...)
	}
	app := s.newApp()
	err = app.RunContext(ctx, append([]string{"pmanager"}, interspersed(app, rest)...))
	var status exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &status):
		return int(status)
	}
	s.fail(err)
	return 1
}

func (s *session) resolveDir(dir string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("cli: working directory: %w", err)
	}
	if dir == "" {
		return wd, nil
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(wd, dir)
	}
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		return "", fmt.Errorf("cli: -C %s: no such directory", dir)
	}
	return dir, nil
}

// fail prints err as "pmanager: <sentence>", one line per line of the
// error, with the internal package prefix of the CLI's own packages left
// out (the user asked pmanager, not its loader).
func (s *session) fail(err error) {
	err = phrase(err, "pmanager migrate")
	for _, line := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
		fmt.Fprintf(s.stderr, "pmanager: %s\n", trimPrefix(line))
	}
}

// trimPrefix drops an error prefix that only says which of pmanager's
// packages failed; the sentence after it is what a user needs.
func trimPrefix(line string) string {
	for _, p := range [...]string{"cli: ", "loader: ", "config: ", "connect: ", "migrations: ", "autodetect: "} {
		if strings.HasPrefix(line, p) {
			return line[len(p):]
		}
	}
	return line
}

// QuietEnv names the environment variable that, set to 1, keeps progress
// notices (what a build or a go command is doing) off stderr, for logs
// that should hold only results and errors.
const QuietEnv = "PMANAGER_QUIET"

// notice prints a progress line on stderr, unless QuietEnv asks for quiet.
func (s *session) notice(format string, args ...any) {
	if v, _ := s.lookup(QuietEnv); v == "1" {
		return
	}
	fmt.Fprintf(s.stderr, "pmanager: "+format+"\n", args...)
}

// warn prints a warning line on stderr.
func (s *session) warn(format string, args ...any) {
	fmt.Fprintf(s.stderr, "pmanager: warning: "+format+"\n", args...)
}

// ChdirArgs takes the leading global -C/--chdir flags off args (like git,
// later relative ones are relative to earlier ones) and returns the folder
// ("" when none was given) and the rest of the arguments.
func ChdirArgs(args []string) (string, []string, error) {
	dir := ""
	for len(args) > 0 {
		arg := args[0]
		var val string
		switch {
		case arg == "-C" || arg == "--chdir" || arg == "-chdir":
			if len(args) < 2 {
				return "", nil, fmt.Errorf("cli: %s needs a folder: pmanager -C <dir> <command>", arg)
			}
			val, args = args[1], args[2:]
		case strings.HasPrefix(arg, "-C="), strings.HasPrefix(arg, "--chdir="), strings.HasPrefix(arg, "-chdir="):
			val, args = arg[strings.IndexByte(arg, '=')+1:], args[1:]
		default:
			return dir, args, nil
		}
		if val == "" {
			return "", nil, fmt.Errorf("cli: %s needs a folder: pmanager -C <dir> <command>", arg)
		}
		if dir == "" || filepath.IsAbs(val) {
			dir = val
		} else {
			dir = filepath.Join(dir, val)
		}
	}
	return dir, args, nil
}

// interspersed moves a command's flags before its positional arguments, so
// `pmanager migrate main 0002 --plan` works: the flag package under
// urfave/cli stops at the first positional argument.
func interspersed(app *ucli.App, args []string) []string {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return args
	}
	cmd := app.Command(args[0])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*ucli.BoolFlag)
		for _, name := range f.Names() {
			takesValue[name] = !isBool
		}
	}
	var flags, positional []string
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		if arg == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			positional = append(positional, arg)
			continue
		}
		flags = append(flags, arg)
		name := strings.TrimLeft(arg, "-")
		if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
			i++
			flags = append(flags, rest[i])
		}
	}
	out := append([]string{args[0]}, flags...)
	if len(positional) > 0 {
		out = append(append(out, "--"), positional...)
	}
	return out
}

// newApp declares the commands.
func (s *session) newApp() *ucli.App {
	usageError := func(c *ucli.Context, err error, isSubcommand bool) error {
		if isSubcommand && c.Command != nil {
			return fmt.Errorf("cli: %s: %v; run 'pmanager help %s'", c.Command.Name, err, c.Command.Name)
		}
		return fmt.Errorf("cli: %v; run 'pmanager help'", err)
	}
	commands := []*ucli.Command{
		s.initCommand(),
		s.makemigrationsCommand(),
		s.migrateCommand(),
		s.checkCommand(),
		s.showmigrationsCommand(),
		s.driftCommand(),
		s.lintCommand(),
		s.sqlmigrateCommand(),
		s.loadCommand(),
		s.seedCommand(),
		s.buildCommand(),
		s.squashCommand(),
		s.inspectdbCommand(),
		s.completionCommand(),
	}
	commands = append(commands, s.connectionCommands()...)
	commands = append(commands, []*ucli.Command{
		{
			Name:  "version",
			Usage: "print the pmanager version",
			Action: func(*ucli.Context) error {
				fmt.Fprintf(s.stdout, "pmanager %s\n", version.Release)
				return nil
			},
		},
	}...)
	if s.binary {
		commands = binaryCommands(commands)
	}
	for _, c := range commands {
		c.OnUsageError = usageError
	}
	s.withVerbosity(commands)
	tidyHelp(commands)
	app := &ucli.App{
		Name:        "pmanager",
		Usage:       "Django's migration workflow for Go structs",
		Description: "Models are Go structs with pm:\"...\" tags; makemigrations writes Go migration files,\nmigrate applies them to PostgreSQL, MySQL/MariaDB or SQLite.",
		HideVersion: true,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "chdir", Aliases: []string{"C"}, Usage: "run as if pmanager was started in `dir`"},
			verbosityFlag(),
		},
		Commands:       commands,
		Reader:         s.stdin,
		Writer:         s.stdout,
		ErrWriter:      s.stderr,
		OnUsageError:   usageError,
		ExitErrHandler: func(*ucli.Context, error) {},
	}
	app.Action = func(c *ucli.Context) error {
		if c.Args().Present() {
			return s.unknownCommand(app, c.Args().First())
		}
		return ucli.ShowAppHelp(c)
	}
	return app
}
