package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// ProfileEnv names a file to write a CPU profile of the whole command into,
// so the time of a real run (migrate against a live server, say) can be
// read with `go tool pprof` where no benchmark reproduces it.
const ProfileEnv = "PMANAGER_CPUPROFILE"

// startProfile starts the CPU profile ProfileEnv asks for, if any, and
// returns what stops it and writes the file.
func startProfile(lookup func(string) (string, bool)) (func() error, error) {
	path, ok := lookup(ProfileEnv)
	if !ok || path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ProfileEnv, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: start the CPU profile: %w", ProfileEnv, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %w", ProfileEnv, err)
		}
		return nil
	}, nil
}
