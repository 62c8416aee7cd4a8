package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
)

// buildBinary runs `pmanager build [-o file]`: it writes the standalone
// main for project p and compiles it, with the user's toolchain, to file
// (relative to the working folder), replacing it only when the build
// succeeds.
func buildBinary(p *loader.Project, args []string) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("o", "pmanager-migrate", "")
	fs.StringVar(out, "output", "pmanager-migrate", "")
	if err := fs.Parse(args); err != nil {
		return fail(fmt.Errorf("build: %v; usage: pmanager build [-o FILE]", err))
	}
	if fs.NArg() > 0 || *out == "" {
		return fail(fmt.Errorf("build takes only -o FILE: pmanager build -o ./bin/migrate"))
	}
	target, err := filepath.Abs(*out)
	if err != nil {
		return fail(err)
	}
	if info, err := os.Stat(target); err == nil && info.IsDir() {
		return fail(fmt.Errorf("build: %s is a folder; give -o the path of the program to write", *out))
	}
	dir, err := loader.PrepareBinary(p)
	if err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fail(fmt.Errorf("build: %w", err))
	}
	rel, err := filepath.Rel(p.Root, dir)
	if err != nil {
		return fail(fmt.Errorf("build: %w", err))
	}
	notice(fmt.Sprintf("compiling %s with the Go toolchain...", *out))
	if err := goBuild(p.Root, target, "./"+filepath.ToSlash(rel)); err != nil {
		return fail(err)
	}
	fmt.Printf("Built %s; it runs migrate, showmigrations, sqlmigrate, drift, migration:* and database:* where Go is not installed\n", *out)
	return 0
}
