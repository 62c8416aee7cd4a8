//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package staticload

import "os"

// readSource reads a whole source file.
func readSource(path string) ([]byte, error) { return os.ReadFile(path) }
