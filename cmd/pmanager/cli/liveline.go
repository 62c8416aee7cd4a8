package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// liveLine shows, on a terminal, that a long statement is still running:
// once a statement has run for after, the line in progress gains
// "(running 3 s: ALTER TABLE …)", updated every second, and loses it again
// when the statement ends. Off a terminal it is never created, so logs
// keep one line per migration.
type liveLine struct {
	out   io.Writer
	after time.Duration // how long a statement runs before the line shows
	every time.Duration // how often the line is redrawn

	mu     sync.Mutex
	prefix string        // the text of the line in progress ("  Applying main.0002_car...")
	stop   chan struct{} // closes the current statement's watcher
	done   chan struct{} // closed when that watcher has finished
	shown  bool          // the line currently carries the running note
}

// liveLine returns the watcher of a migrate run printing to out: a real
// one when out is the session's stdout and a terminal, else one that does
// nothing (logs and pipes keep one line per migration).
func (s *session) liveLine(out io.Writer) *liveLine {
	f, ok := out.(*os.File)
	if !ok || out != s.stdout || !term.IsTerminal(int(f.Fd())) {
		return &liveLine{}
	}
	return &liveLine{out: out, after: 2 * time.Second, every: time.Second}
}

// setPrefix records the text of the line in progress, which every redraw
// starts with; "" when the line is empty (verbosity 2 and up).
func (l *liveLine) setPrefix(prefix string) {
	l.mu.Lock()
	l.prefix = prefix
	l.mu.Unlock()
}

// start begins watching stmt, ending the watch of the one before.
func (l *liveLine) start(stmt string) {
	l.end()
	if l.out == nil {
		return
	}
	stop, done := make(chan struct{}), make(chan struct{})
	l.mu.Lock()
	l.stop, l.done = stop, done
	l.mu.Unlock()
	began := time.Now()
	stmt = oneLineStmt(stmt, 60)
	go func() {
		defer close(done)
		wait := time.NewTimer(l.after)
		defer wait.Stop()
		select {
		case <-stop:
			return
		case <-wait.C:
		}
		tick := time.NewTicker(l.every)
		defer tick.Stop()
		for {
			l.mu.Lock()
			fmt.Fprintf(l.out, "\r\033[K%s (running %d s: %s)", l.prefix, int(time.Since(began).Seconds()), stmt)
			l.shown = true
			l.mu.Unlock()
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
}

// end stops watching the current statement and takes its note off the
// line, leaving the line as it was before.
func (l *liveLine) end() {
	l.mu.Lock()
	stop, done := l.stop, l.done
	l.stop, l.done = nil, nil
	l.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	<-done
	l.mu.Lock()
	if l.shown {
		fmt.Fprintf(l.out, "\r\033[K%s", l.prefix)
		l.shown = false
	}
	l.mu.Unlock()
}

// oneLineStmt squeezes a statement onto one line of at most n characters.
func oneLineStmt(stmt string, n int) string {
	s := strings.Join(strings.Fields(stmt), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}
