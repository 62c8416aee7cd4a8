//go:build !unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

// run starts the built program with this process's standard streams and
// returns its exit status. An interrupt reaches the program from the
// console by itself; this process only ignores it while it waits, so the
// program can roll back and say what stayed before both exit with its status.
func run(bin string, args []string) int {
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
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
