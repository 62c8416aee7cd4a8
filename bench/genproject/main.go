// Command genproject writes a synthetic pmanager project of a chosen size —
// models, a migration history and the go.mod that builds them against a
// pmanager checkout — so the real CLI can be timed on projects as large as
// real ones get. The same flags and seed always give the same files.
//
//	go run ./bench/genproject -models 500 -fields 10 -migrations 1000 -out /tmp/p500
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pmanager/pmanager/internal/synth"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/version"
)

func main() {
	var (
		s       synth.Size
		out     = flag.String("out", "", "folder to write the project to (must not exist, or be empty)")
		library = flag.String("library", ".", "pmanager checkout the project's go.mod points at")
		module  = flag.String("module", "example.com/benchproject", "module path of the project")
		sqlDir  = flag.String("floor-sql", "", "also write floor.<dialect>.sql, the whole history as sqlmigrate prints it, to this folder")
	)
	flag.IntVar(&s.Models, "models", 50, "number of models")
	flag.IntVar(&s.Fields, "fields", 10, "fields per model in the initial migration, besides the key")
	flag.IntVar(&s.Migrations, "migrations", 50, "migrations in the history, the initial one included")
	flag.Int64Var(&s.Seed, "seed", 1, "seed of the random choices")
	flag.Parse()
	if err := run(s, *out, *library, *module, *sqlDir); err != nil {
		fmt.Fprintf(os.Stderr, "genproject: %v\n", err)
		os.Exit(1)
	}
}

func run(s synth.Size, out, library, module, sqlDir string) error {
	if out == "" {
		return fmt.Errorf("-out is required: the folder to write the project to")
	}
	if s.Models < 1 || s.Fields < 2 || s.Migrations < 1 {
		return fmt.Errorf("-models must be at least 1, -fields at least 2 and -migrations at least 1")
	}
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty; remove it or pick another -out", out)
	}
	lib, err := filepath.Abs(library)
	if err != nil {
		return err
	}
	err = synth.WriteProject(s, synth.ProjectOptions{
		Dir:     out,
		Module:  module,
		Library: lib,
		Version: version.Release,
		Time:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil || sqlDir == "" {
		return err
	}
	if err := os.MkdirAll(sqlDir, 0o755); err != nil {
		return err
	}
	return synth.WriteFloorSQL(s, sqlDir, []schema.Dialect{schema.SQLite, schema.Postgres, schema.MySQL})
}
