//go:build !unix

package synth

// cpuTime is 0 where the process's CPU time is not available; the
// cpu-ns/op metric then reads 0.
func cpuTime() int64 { return 0 }
