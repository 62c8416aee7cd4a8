//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// run replaces this process with the built program, so signals, the
// terminal and the exit status are the program's own.
func run(bin string, args []string) int {
	err := syscall.Exec(bin, append([]string{bin}, args...), os.Environ())
	return fail(fmt.Errorf("run %s: %w", bin, err))
}
