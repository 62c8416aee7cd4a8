package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the watcher's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLiveLine: a statement that outlasts the threshold gets a running
// note on the line in progress, which its end takes off again; a
// statement that ends first leaves no trace.
func TestLiveLine(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	l := &liveLine{out: &out, after: time.Millisecond, every: time.Millisecond}
	l.setPrefix("  Applying main.0002_car...")
	l.start("ALTER TABLE car\n  ADD COLUMN x integer")
	for i := 0; !strings.Contains(out.String(), "(running "); i++ {
		if i > 10000 {
			t.Fatal("the running note never appeared")
		}
		time.Sleep(time.Millisecond)
	}
	l.end()
	got := out.String()
	if !strings.Contains(got, "\r\033[K  Applying main.0002_car... (running 0 s: ALTER TABLE car ADD COLUMN x integer)") {
		t.Errorf("running note: %q", got)
	}
	if !strings.HasSuffix(got, "\r\033[K  Applying main.0002_car...") {
		t.Errorf("the end did not restore the line: %q", got)
	}
	var quiet syncBuffer
	l = &liveLine{out: &quiet, after: time.Hour, every: time.Second}
	l.start("SELECT 1")
	l.start("SELECT 2")
	l.end()
	if quiet.String() != "" {
		t.Errorf("short statements printed %q", quiet.String())
	}
	if s := oneLineStmt(strings.Repeat("x", 100), 10); s != "xxxxxxxxx…" {
		t.Errorf("oneLineStmt = %q", s)
	}
}
