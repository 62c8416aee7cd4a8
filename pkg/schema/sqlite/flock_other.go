//go:build !unix && !windows

package sqlite

import (
	"errors"
	"os"
)

// tryLockFile cannot lock a file across processes on this platform; it
// refuses rather than pretend, so migrate says why instead of racing.
func tryLockFile(*os.File) (bool, error) {
	return false, errors.New("file locks are not supported on this platform")
}

// unlockFile has nothing to release where tryLockFile never locks.
func unlockFile(*os.File) error { return nil }
