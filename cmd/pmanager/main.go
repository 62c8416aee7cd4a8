// Command pmanager is the launcher of the pmanager command line.
//
// A Go binary cannot load the user's structs at run time, so for every
// command that needs the project's models this program finds the project,
// generates .pmanager/main.go in it (an import of the models and migrations
// packages plus a call to cli.Run), builds it with the Go toolchain and runs
// the result with the same arguments. init, version and help without a
// project need no build and run here.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

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
	if _, err := loader.Prepare(p); err != nil {
		return fail(err)
	}
	bin, err := build(p.Root)
	if err != nil {
		return fail(err)
	}
	return run(bin, rest)
}

// local reports whether the command needs no project: init and version.
func local(args []string) bool {
	return len(args) > 0 && (args[0] == "init" || args[0] == "version")
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

// build compiles the generated main into .pmanager/pmanager. The compiler's
// messages go straight to stderr; a failed build is exit status 1 with
// nothing added.
func build(root string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command was not found in PATH; pmanager builds your models with the Go toolchain (https://go.dev/dl)")
	}
	bin := filepath.Join(root, loader.GeneratedDir, loader.BinaryName)
	cmd := exec.Command(goTool, "build", "-o", bin, "./"+loader.GeneratedDir)
	cmd.Dir = root
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", errBuild
		}
		return "", fmt.Errorf("run go build: %w", err)
	}
	return bin, nil
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
