package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pmanager/pmanager/cmd/pmanager/cli"
	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/internal/staticload"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/models"
)

// StaticEnv names the environment variable that steers reading the
// project without the compiler, which is on by default: 0 turns it off
// (every command compiles the project), verbose says on stderr why a
// command compiled.
const StaticEnv = "PMANAGER_STATIC"

// CacheEnv names the environment variable that places the cache of
// decoded migration files: unset or empty, os.UserCacheDir()/pmanager; off
// (or 0), no cache; any other value, that folder.
const CacheEnv = "PMANAGER_CACHE"

// staticCommands are the commands that need only what the models and the
// migration files declare, never code of the project's own: they may run
// in this program from the files read as source.
var staticCommands = map[string]bool{
	"makemigrations": true, "sqlmigrate": true, "showmigrations": true, "check": true, "migrate": true, "drift": true,
	"lint": true,
}

// runStatic serves the command in this program when it can: the command
// needs no code of the project, this program carries the library the
// project would compile, and internal/staticload reads every models and
// migrations package with certainty. ok is false when the command must be
// compiled as before; nothing has been printed then, unless StaticEnv asks
// for the reason.
func runStatic(p *loader.Project, args []string) (status int, ok bool) {
	mode := os.Getenv(StaticEnv)
	if mode == "0" || len(args) == 0 || !staticCommands[args[0]] || isHelp(args) {
		return 0, false
	}
	cache := staticCache()
	apps, reg, why := readStatic(p, cache)
	if mode == "verbose" && cache != nil {
		reportCache(cache)
	}
	if why != "" {
		if mode == "verbose" {
			fmt.Fprintf(os.Stderr, "pmanager: compiling the project: %s\n", why)
		}
		return 0, false
	}
	return cli.Run(args, apps, reg), true
}

// readStatic reads the project's models and migrations as source, or says
// why it cannot.
func readStatic(p *loader.Project, cache *staticload.Cache) (apps []models.App, reg *migrations.Registry, why string) {
	mod, err := loader.FindModule(p.Root)
	if err != nil {
		return nil, nil, err.Error()
	}
	if !loader.SameLibrary(mod) {
		return nil, nil, "this pmanager is not built from the pmanager the module requires"
	}
	dirs := make([]staticload.App, len(p.Config.Apps))
	for i, a := range p.Config.Apps {
		dirs[i] = staticload.App{Label: a.Label, ModelsDir: p.Config.Path(a.Models), MigrationsDir: p.Config.Path(a.Migrations)}
	}
	m := staticload.Module{Path: mod.Path, Dir: mod.Root}
	apps, err = staticload.Models(m, dirs)
	if err == nil {
		reg, err = staticload.Migrations(m, dirs, cache)
	}
	if err != nil {
		return nil, nil, err.Error()
	}
	return apps, reg, ""
}

// staticCache is the cache of decoded migration files that CacheEnv
// chooses, nil for none (also when the user's cache folder is unknown).
func staticCache() *staticload.Cache {
	switch dir := os.Getenv(CacheEnv); dir {
	case "off", "0":
		return nil
	case "":
		root, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		return staticload.NewCache(filepath.Join(root, "pmanager"))
	default:
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil
		}
		return staticload.NewCache(abs)
	}
}

// reportCache says on stderr how the cache served the command, for
// StaticEnv=verbose.
func reportCache(cache *staticload.Cache) {
	st := cache.Stats()
	fmt.Fprintf(os.Stderr, "pmanager: migration files: %d from the cache, %d read from source\n", st.Hits, st.Misses)
	if st.WriteErr != nil {
		fmt.Fprintf(os.Stderr, "pmanager: the cache cannot be written (%v); set %s to another folder, or to off\n", st.WriteErr, CacheEnv)
	}
}
