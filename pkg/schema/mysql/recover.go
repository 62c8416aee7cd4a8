package mysql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	driver "github.com/go-sql-driver/mysql"

	"github.com/pmanager/pmanager/pkg/schema"
)

var _ schema.Recoverer = (*Editor)(nil)

// errDupKey is ER_DUP_KEY, "Can't write; duplicate key in table".
const errDupKey = 1022

// staleStats delete the persistent statistics of tables, and of indexes,
// that no longer exist in the current database. InnoDB keeps internal
// indexes (GEN_CLUST_INDEX, FTS_DOC_ID_INDEX) that information_schema does
// not list; their rows stay.
var staleStats = []struct{ table, delete string }{
	{"mysql.innodb_table_stats", "DELETE FROM mysql.innodb_table_stats" +
		" WHERE database_name = DATABASE() AND table_name REGEXP '^[A-Za-z0-9_]+$'" +
		" AND table_name NOT IN (SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE())"},
	{"mysql.innodb_index_stats", "DELETE FROM mysql.innodb_index_stats" +
		" WHERE database_name = DATABASE() AND table_name REGEXP '^[A-Za-z0-9_]+$' AND index_name REGEXP '^[A-Za-z0-9_]+$'" +
		" AND index_name NOT IN ('GEN_CLUST_INDEX', 'FTS_DOC_ID_INDEX')" +
		" AND (table_name, index_name) NOT IN (SELECT table_name, index_name FROM information_schema.statistics WHERE table_schema = DATABASE())"},
}

// Recover clears stale persistent statistics. InnoDB's background
// statistics thread can write rows for a table or an index under a name it
// has just been renamed away from; the rows outlive the name, and a later
// RENAME TABLE or RENAME INDEX to that name then fails with ER_DUP_KEY on
// the statistics table, leaving the rename undone. Rows whose table or
// index no longer exists are garbage, so Recover deletes those of the
// current database and asks for the statement to run again. Names outside
// [A-Za-z0-9_] are stored encoded in the statistics tables and are left
// alone rather than guessed at.
func (e *Editor) Recover(ctx context.Context, db schema.ExecQuerier, stmt string, err error) (bool, error) {
	var me *driver.MySQLError
	if !errors.As(err, &me) || me.Number != errDupKey || !strings.Contains(me.Message, "innodb_") || !strings.Contains(me.Message, "_stats") {
		return false, nil
	}
	removed := int64(0)
	for _, st := range staleStats {
		res, err := db.ExecContext(ctx, st.delete)
		if err != nil {
			return false, fmt.Errorf("mysql: delete the statistics %s holds for tables and indexes that no longer exist (a user with DELETE on it can do so): %w", st.table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return false, fmt.Errorf("mysql: count the stale statistics deleted from %s: %w", st.table, err)
		}
		removed += n
	}
	return removed > 0, nil
}
