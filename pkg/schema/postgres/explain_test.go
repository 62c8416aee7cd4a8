package postgres

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestExplainLockTableFull(t *testing.T) {
	t.Parallel()
	full := fmt.Errorf("create table: %w", &pgconn.PgError{Code: "53200", Message: "out of shared memory", Hint: "You might need to increase max_locks_per_transaction."})
	got := New().Explain(full)
	if !errors.Is(got, full) || !strings.Contains(got.Error(), "raise max_locks_per_transaction") || !strings.Contains(got.Error(), "split the migration") {
		t.Errorf("Explain(out of shared memory) = %q; want the error kept and the advice added", got)
	}
	other := &pgconn.PgError{Code: "42P07", Message: `relation "t" already exists`}
	if got := New().Explain(other); got != error(other) {
		t.Errorf("Explain(%v) = %v; want it unchanged", other, got)
	}
}
