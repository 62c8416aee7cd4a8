// Package sqlite is the SQLite schema editor: it renders pmanager's state
// changes as SQLite DDL and reads a live SQLite database back into the
// dialect-neutral schema.Table shape. It sits in pkg/schema beside the
// postgres and mysql editors and is what `migrate` uses for sqlite:// URLs.
//
// SQLite's ALTER TABLE can add, rename and drop little, so most alterations
// (changing or removing a column, adding a column ADD COLUMN cannot express,
// adding or removing a check constraint) rebuild the table: create
// "new__<table>" with the new definition, copy the rows across, drop the old
// table, rename the new one into place and recreate its indexes. A rebuild
// drops a table that other tables may reference, so it must run with foreign
// key enforcement off: the executor calls Prepare on its connection before
// the migration's transaction begins and CheckIntegrity before it commits.
//
// Unique columns, unique_together groups and unique constraints are named
// unique indexes (inline UNIQUE would get an unnamed autoindex); foreign keys
// are inline REFERENCES clauses, which SQLite does not name.
package sqlite
