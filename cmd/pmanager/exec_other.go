//go:build !unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// run starts the built program with this process's standard streams and
// returns its exit status.
func run(bin string, args []string) int {
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	if err != nil {
		return fail(fmt.Errorf("run %s: %w", bin, err))
	}
	return 0
}
