package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pmanager/pmanager/pkg/schema"
)

var _ schema.Explainer = (*Editor)(nil)

// outOfSharedMemory is SQLSTATE 53200. In a migration it means the lock
// table is full: every table, index and sequence a transaction creates or
// alters stays locked until commit, and the table holds
// max_locks_per_transaction × (max_connections + max_prepared_transactions)
// locks for the whole server.
const outOfSharedMemory = "53200"

// Explain says what to do when a migration's transaction outgrows the
// server's lock table, which PostgreSQL reports only as "out of shared
// memory".
func (e *Editor) Explain(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == outOfSharedMemory {
		return fmt.Errorf("%w (the migration's transaction holds more locks than the server's lock table allows: "+
			"raise max_locks_per_transaction, e.g. ALTER SYSTEM SET max_locks_per_transaction = 256 and restart the server, "+
			"or split the migration)", err)
	}
	return err
}
