//go:build unix

package synth

import "syscall"

// cpuTime returns the CPU time the process has used so far, user and
// system, in nanoseconds; 0 when the system does not say.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
