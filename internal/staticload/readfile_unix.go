//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package staticload

import (
	"os"
	"syscall"
)

// readSource reads a whole source file. Every command reads every
// migration file (the cache finds entries by content), and os.ReadFile
// spends about twice the system calls on each (it readies the file for
// the network poller, which a regular file never uses); this reads with
// open, fstat, read and close only.
func readSource(path string) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	// Closing a file only read loses nothing it could report.
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	// One byte more than the size, so that a file that grew since the
	// fstat is read to its end.
	buf := make([]byte, 0, st.Size+1)
	for {
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}
