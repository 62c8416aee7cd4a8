// Package atomicfile writes files so that a reader, or a run that is
// interrupted, never sees half of one: the data goes to a temporary file in
// the same folder, which is then renamed over the target.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Temp writes data to a new temporary file beside path (mode 0644) and
// returns its name; the caller renames it into place, or removes it.
func Temp(path string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name()) // best effort; werr is what matters
		return "", fmt.Errorf("write %s: %w", path, werr)
	}
	return tmp.Name(), nil
}

// Write replaces path with data in one rename.
func Write(path string, data []byte) error {
	tmp, err := Temp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp) // best effort; the rename error is what matters
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
