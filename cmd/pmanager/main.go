// Command pmanager is the launcher of the pmanager command line.
//
// A Go binary cannot load the user's structs at run time, so for every
// command that needs the project's models this program finds the project,
// generates .pmanager/main.go in it (an import of the models and migrations
// packages plus a call to cli.Run), builds it with the Go toolchain and runs
// the result with the same arguments. init, version and help without a
// project need no build and run here. build writes a second main, for a
// standalone program that never rebuilds, and compiles it where -o says
// (build.go).
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pmanager/pmanager/cmd/pmanager/cli"
	"github.com/pmanager/pmanager/cmd/pmanager/loader"
)

func main() {
	os.Exit(launch(os.Args[1:]))
}

// launch runs one command line and returns the exit status.
func launch(args []string) int {
	dir, rest, err := cli.ChdirArgs(args)
	if err != nil {
		return fail(err)
	}
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			return fail(fmt.Errorf("-C %s: %w", dir, errors.Unwrap(err)))
		}
	}
	if local(rest) {
		return cli.Run(rest, nil, nil)
	}
	wd, err := os.Getwd()
	if err != nil {
		return fail(err)
	}
	p, err := loader.Find(wd, nil)
	if err != nil {
		if isHelp(rest) {
			return cli.Run(rest, nil, nil)
		}
		return fail(err)
	}
	if len(rest) > 0 && rest[0] == "build" && !isHelp(rest) {
		return buildBinary(p, rest[1:])
	}
	// Checked first, without the generated main: a command read as source
	// needs neither it nor the scan of the models it lists.
	if err := loader.Check(p); err != nil {
		return failPrepare(rest, err)
	}
	if status, ok := runStatic(p, rest); ok {
		return status
	}
	if _, err := loader.Prepare(p); err != nil {
		return failPrepare(rest, err)
	}
	bin, err := build(p.Root)
	if err != nil {
		return fail(err)
	}
	return run(bin, rest)
}

// failPrepare answers a command whose project cannot be prepared: help
// needs no models, so a project that cannot be built yet still gets it;
// anything else fails with err.
func failPrepare(args []string, err error) int {
	if isHelp(args) {
		return cli.Run(args, nil, nil)
	}
	return fail(err)
}

// local reports whether the command needs no project build: init,
// version (or --version) and the connection commands that only read
// pmanager.toml; and a word that is no command at all, which is answered
// with the nearest command wherever pmanager runs, in a project or not.
func local(args []string) bool {
	if len(args) == 0 {
		return false
	}
	name := args[0]
	if name == "init" || name == "version" || name == "completion" || cli.IsVersionFlag(name) || cli.Local(name) {
		return true
	}
	return !strings.HasPrefix(name, "-") && !cli.Known(name)
}

// isHelp reports whether the command line asks for help (or is empty, which
// shows it).
func isHelp(args []string) bool {
	if len(args) == 0 {
		return true
	}
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "help", "h", "-h", "--help", "-help":
			return true
		}
	}
	return false
}

// errBuild marks a build failure whose compiler output was already shown.
var errBuild = errors.New("build failed")

// build compiles the generated main into .pmanager/pmanager, unless the
// program there was built from exactly the files and Go environment there
// are now (loader.BuildKey), in which case it is reused as it is. The
// compiler's messages go straight to stderr; a failed build is exit status 1
// with nothing added.
func build(root string) (string, error) {
	goTool, err := goCommand()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, loader.GeneratedDir, loader.BinaryName)
	keyPath := filepath.Join(root, loader.GeneratedDir, loader.BuildKeyFile)
	mod, err := loader.FindModule(root)
	if err != nil {
		return "", err
	}
	key, keyed, err := loader.BuildKey(mod, goTool, os.Environ())
	if err != nil {
		return "", err
	}
	if keyed && builtFrom(bin, keyPath) == key {
		return bin, nil
	}
	// A stale key must not survive a build that fails half-way.
	if err := os.Remove(keyPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("run go build: %w", err)
	}
	// A build after an edit, or the first in a module, takes seconds: say
	// so at once rather than sit silent.
	notice("building the project's models and migrations (a first run, or the first after an edit)...")
	if err := goBuild(root, bin, "./"+loader.GeneratedDir); err != nil {
		return "", err
	}
	if keyed {
		if stamp, ok := binaryStamp(bin); ok {
			// The key was taken before the build: a file changed during it
			// changes the next key, and that run builds again.
			if err := loader.WriteFileAtomic(keyPath, []byte(key+"\n"+stamp+"\n")); err != nil {
				return "", err
			}
		}
	}
	return bin, nil
}

// goCommand finds the go command, as an absolute path so that the build key
// names the same toolchain whatever the working folder.
func goCommand() (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command was not found in PATH; pmanager builds your models with the Go toolchain (https://go.dev/dl)")
	}
	goTool, err = filepath.Abs(goTool)
	if err != nil {
		return "", fmt.Errorf("run go build: %w", err)
	}
	return goTool, nil
}

// goBuild runs go build -o bin pkg in root.
func goBuild(root, bin, pkg string) error {
	goTool, err := goCommand()
	if err != nil {
		return err
	}
	cmd := exec.Command(goTool, "build", "-o", bin, pkg)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("run go build: %w", err)
		}
		if fix := moduleFix(root, out); fix != "" {
			// The module lacks something: one line with the command that
			// fixes it says more than go's own several.
			return errors.New(fix)
		}
		_, _ = os.Stderr.Write(compilerLines(out)) // stderr is where a failed write would be reported
		return errBuild
	}
	_, _ = os.Stderr.Write(compilerLines(out))
	return nil
}

// moduleFix is loader.BuildFix for the module of root: the line to show
// when a build failed for want of a module, "" otherwise.
func moduleFix(root string, out []byte) string {
	mod, err := loader.FindModule(root)
	if err != nil {
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		wd = root
	}
	return loader.BuildFix(out, mod, wd)
}

// compilerLines drops the "# package" headers go build puts above each
// package's errors: every error line already starts with its file, so
// what is left is one line per error.
func compilerLines(out []byte) []byte {
	var kept []byte
	for _, line := range bytes.SplitAfter(out, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("# ")) {
			kept = append(kept, line...)
		}
	}
	return kept
}

// builtFrom returns the build key recorded beside bin, "" when there is
// none or bin is not the file it was recorded for.
func builtFrom(bin, keyPath string) string {
	data, err := os.ReadFile(keyPath)
	if err != nil {
		return ""
	}
	key, stamp, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	if now, ok := binaryStamp(bin); !ok || now != stamp {
		return ""
	}
	return key
}

// binaryStamp identifies the built program file by size and modification time.
func binaryStamp(bin string) (string, bool) {
	info, err := os.Stat(bin)
	if err != nil || !info.Mode().IsRegular() {
		return "", false
	}
	return fmt.Sprintf("%d %d", info.Size(), info.ModTime().UnixNano()), true
}

// notice prints a progress line on stderr, unless QuietEnv asks for quiet.
func notice(msg string) {
	if os.Getenv(cli.QuietEnv) == "1" {
		return
	}
	fmt.Fprintf(os.Stderr, "pmanager: %s\n", msg)
}

// fail prints the one-line error and returns status 1; a build failure
// already printed the compiler's messages.
func fail(err error) int {
	if errors.Is(err, errBuild) {
		return 1
	}
	msg := err.Error()
	for _, p := range []string{"loader: ", "config: ", "cli: "} {
		if len(msg) > len(p) && msg[:len(p)] == p {
			msg = msg[len(p):]
			break
		}
	}
	fmt.Fprintf(os.Stderr, "pmanager: %s\n", msg)
	return 1
}
