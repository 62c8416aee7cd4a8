package loader

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pmanager/pmanager/pkg/config"
)

// Project is a pmanager project on disk: its root folder and configuration.
type Project struct {
	// Root is the absolute folder of pmanager.toml, or of go.mod when the
	// project has no pmanager.toml.
	Root string
	// Config is the project's configuration (the defaults without a file).
	Config *config.Config
}

// Find walks up from dir to the nearest folder holding pmanager.toml, and
// stops at the first go.mod on the way: a module without pmanager.toml is a
// project with the default configuration, rooted at its go.mod. A nil lookup
// reads the process environment.
func Find(dir string, lookup config.LookupFunc) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	for cur := abs; ; {
		hasConfig, err := exists(filepath.Join(cur, config.FileName))
		if err != nil {
			return nil, err
		}
		hasMod, err := exists(filepath.Join(cur, "go.mod"))
		if err != nil {
			return nil, err
		}
		if hasConfig || hasMod {
			cfg, err := config.Read(cur, lookup)
			if err != nil {
				return nil, err
			}
			return &Project{Root: cur, Config: cfg}, nil
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return nil, fmt.Errorf("loader: no %s or go.mod in %s or any folder above it; run pmanager init in a Go module (go mod init first)", config.FileName, abs)
		}
		cur = parent
	}
}

// exists reports whether a regular file is at path.
func exists(path string) (bool, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("loader: %w", err)
	}
	return !info.IsDir(), nil
}
