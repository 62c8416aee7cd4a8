package migrations

import (
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/operations"
)

// TestWriteLintAcknowledgement: a migration's Lint is written as the call
// a person writes, and acknowledging a finding does not change the
// migration's checksum (it changes nothing that runs).
func TestWriteLintAcknowledgement(t *testing.T) {
	t.Parallel()
	m := &Migration{App: "main", Name: "0002_drop", Dependencies: []Key{{App: "main", Name: "0001_initial"}},
		Operations: []operations.Operation{operations.RemoveField{Model: "Car", Name: "price"}}}
	before := Checksum(m)
	m.Lint = Allow("pm.L002", "pm.L303")
	src, err := WriteSource(m, "migrations", "test", goldenTime)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\tLint: migrations.Allow(\"pm.L002\", \"pm.L303\"),\n"; !strings.Contains(string(src), want) {
		t.Errorf("source lacks %q:\n%s", want, src)
	}
	if Checksum(m) != before {
		t.Error("acknowledging a lint finding changed the checksum")
	}
}

// TestWriteNotes: notes go under their operation's header line, and
// operations without notes keep the header as it was.
func TestWriteNotes(t *testing.T) {
	t.Parallel()
	m := &Migration{App: "main", Name: "0002_drop", Dependencies: []Key{{App: "main", Name: "0001_initial"}},
		Operations: []operations.Operation{
			operations.RemoveField{Model: "Car", Name: "price"},
			operations.RenameField{Model: "Car", OldName: "a", NewName: "b"},
		}}
	src, err := WriteSourceNoted(m, "migrations", "test", goldenTime, [][]string{{"pm.L002 loses data: drops column car.price"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "//   - Remove Field price From Car\n//     ! pm.L002 loses data: drops column car.price\n//   - Rename Field a On Car To b\n\npackage migrations\n"
	if !strings.Contains(string(src), want) {
		t.Errorf("header lacks\n%s\nin:\n%s", want, src)
	}
}
