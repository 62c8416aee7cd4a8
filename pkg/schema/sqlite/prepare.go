package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Prepare readies a connection for a migration: foreign key enforcement off,
// so table rebuilds can drop and recreate referenced tables, and modern
// ALTER TABLE RENAME, so foreign keys of other tables follow a renamed table.
// SQLite ignores PRAGMA foreign_keys inside a transaction, so the executor
// calls this on its dedicated connection before BEGIN; the setting stays on
// that connection until it is changed back.
func (*Editor) Prepare(ctx context.Context, db schema.ExecQuerier) error {
	for _, pragma := range []string{"PRAGMA foreign_keys = OFF", "PRAGMA legacy_alter_table = OFF"} {
		if _, err := db.ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("sqlite: prepare connection: %s: %w", pragma, err)
		}
	}
	return nil
}

// Restore turns foreign key enforcement back on after a migration, so the
// connection enforces relations again for whatever uses it next.
func (*Editor) Restore(ctx context.Context, db schema.ExecQuerier) error {
	if _, err := db.ExecContext(ctx, "PRAGMA foreign_keys = ON"); err != nil {
		return fmt.Errorf("sqlite: restore connection: %w", err)
	}
	return nil
}

// CheckIntegrity runs PRAGMA foreign_key_check and reports the first row
// whose foreign key points at nothing, naming its table and rowid; with
// enforcement off (Prepare) this is the only check a migration gets, so the
// executor calls it before COMMIT.
func (*Editor) CheckIntegrity(ctx context.Context, db schema.ExecQuerier) error {
	rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("sqlite: foreign key check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("sqlite: foreign key check: %w", err)
		}
		row := "a row"
		if rowid.Valid {
			row = fmt.Sprintf("rowid %d", rowid.Int64)
		}
		return fmt.Errorf("sqlite: foreign key violation: %s of table %q references a missing row of %q", row, table, parent)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: foreign key check: %w", err)
	}
	return nil
}
