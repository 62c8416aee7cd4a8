package mysql

import (
	"context"
	"errors"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// execAll runs each statement on db, stopping the test at the first failure.
func execAll(t *testing.T, db *dbtest.DB, stmts ...string) {
	t.Helper()
	for _, stmt := range stmts {
		if _, err := db.ExecContext(context.Background(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// TestRenameOverStaleStatistics plants what InnoDB's statistics thread can
// leave behind when a table is renamed away while its statistics are being
// saved: rows under a name no table has. A rename to that name must still
// succeed, and the statistics of live tables must stay.
func TestRenameOverStaleStatistics(t *testing.T) {
	db := dbtest.Open(t, schema.MySQL)
	ctx := context.Background()
	ed := New()
	execAll(t, db,
		"CREATE TABLE `a` (`id` int PRIMARY KEY, `x` int, KEY `a_x` (`x`)) ENGINE=InnoDB",
		"CREATE TABLE `keep` (`id` int PRIMARY KEY) ENGINE=InnoDB",
		"INSERT INTO `a` VALUES (1, 1), (2, 2)",
		"ANALYZE TABLE `a`, `keep`",
		"INSERT INTO mysql.innodb_table_stats (database_name, table_name, last_update, n_rows, clustered_index_size, sum_of_other_index_sizes) VALUES (DATABASE(), 'b', NOW(), 2, 1, 1)",
		"INSERT INTO mysql.innodb_index_stats (database_name, table_name, index_name, last_update, stat_name, stat_value, sample_size, stat_description) VALUES (DATABASE(), 'b', 'PRIMARY', NOW(), 'size', 1, NULL, 'stale')",
	)
	if _, err := db.ExecContext(ctx, "RENAME TABLE `a` TO `b`"); err == nil {
		t.Fatal("the server renamed over stale statistics without help; this test no longer sets up the fault")
	}
	if err := schema.Exec(ctx, ed, db, "RENAME TABLE `a` TO `b`"); err != nil {
		t.Fatalf("rename over stale statistics: %v", err)
	}
	tables, err := ed.Inspect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	if len(names) != 2 || names[0] != "b" || names[1] != "keep" {
		t.Fatalf("tables after the rename = %v, want [b keep]", names)
	}
	var kept int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mysql.innodb_table_stats WHERE database_name = DATABASE() AND table_name = 'keep'").Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != 1 {
		t.Fatalf("statistics rows of the live table keep = %d, want 1", kept)
	}
}

// TestRenameIndexOverStaleStatistics is the same fault for an index: rows
// left under an index name no index of the table has any more.
func TestRenameIndexOverStaleStatistics(t *testing.T) {
	db := dbtest.Open(t, schema.MySQL)
	ctx := context.Background()
	execAll(t, db,
		"CREATE TABLE `a` (`id` int PRIMARY KEY, `x` int, KEY `i1` (`x`)) ENGINE=InnoDB",
		"INSERT INTO `a` VALUES (1, 1), (2, 2)",
		"ANALYZE TABLE `a`",
		"INSERT INTO mysql.innodb_index_stats (database_name, table_name, index_name, last_update, stat_name, stat_value, sample_size, stat_description) VALUES (DATABASE(), 'a', 'i2', NOW(), 'size', 1, NULL, 'stale')",
	)
	rename := "ALTER TABLE `a` RENAME INDEX `i1` TO `i2`"
	if _, err := db.ExecContext(ctx, rename); err == nil {
		t.Fatal("the server renamed the index over stale statistics without help; this test no longer sets up the fault")
	}
	if err := schema.Exec(ctx, New(), db, rename); err != nil {
		t.Fatalf("rename the index over stale statistics: %v", err)
	}
	var primary int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mysql.innodb_index_stats WHERE database_name = DATABASE() AND table_name = 'a' AND index_name = 'PRIMARY'").Scan(&primary); err != nil {
		t.Fatal(err)
	}
	if primary == 0 {
		t.Fatal("the statistics of the live primary key were deleted")
	}
}

// TestRecoverIgnoresOtherErrors keeps Recover from deleting anything or
// asking for a retry on failures that are not about stale statistics.
func TestRecoverIgnoresOtherErrors(t *testing.T) {
	db := dbtest.Open(t, schema.MySQL)
	ctx := context.Background()
	_, err := db.ExecContext(ctx, "RENAME TABLE `missing` TO `other`")
	if err == nil {
		t.Fatal("renaming a missing table succeeded")
	}
	for _, e := range []error{err, errors.New("Can't write; duplicate key in table 'mysql.innodb_index_stats'")} {
		retry, rerr := New().Recover(ctx, db, "RENAME TABLE `missing` TO `other`", e)
		if retry || rerr != nil {
			t.Errorf("Recover(%v) = %v, %v; want false, nil", e, retry, rerr)
		}
	}
}
