package migrations

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestErrorsMatchTheirSentinels checks that each typed error matches its
// sentinel through wrapping, and that every message names the package.
func TestErrorsMatchTheirSentinels(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err      error
		sentinel error
	}{
		{&IrreversibleError{Migration: key("main.0001_a"), Operation: 1, Description: "Raw SQL Operation"}, ErrIrreversible},
		{&EditedError{Migrations: []Key{key("main.0001_a")}}, ErrEdited},
		{&DoubtError{Migration: key("main.0001_a"), Operation: 1, Index: 1, Count: 1}, ErrInDoubt},
		{&PartialError{Reports: []string{"main.0001_a stopped"}}, ErrPartial},
		{&LockError{}, ErrLocked},
	} {
		wrapped := fmt.Errorf("cli: %w", tt.err)
		if !errors.Is(wrapped, tt.sentinel) {
			t.Errorf("errors.Is(%T, %v) = false", tt.err, tt.sentinel)
		}
		if !strings.HasPrefix(tt.err.Error(), "migrations: ") {
			t.Errorf("%T says %q, without the package prefix", tt.err, tt.err.Error())
		}
		for _, other := range []error{ErrIrreversible, ErrEdited, ErrInDoubt, ErrPartial, ErrLocked} {
			if other != tt.sentinel && errors.Is(tt.err, other) {
				t.Errorf("%T matches %v too", tt.err, other)
			}
		}
	}
}
