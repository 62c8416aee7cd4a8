// Package mysql is the schema editor for MySQL 8 and MariaDB 10.11+: it
// renders the DDL of every state change (CREATE TABLE with ENGINE=InnoDB and
// utf8mb4, ALTER TABLE ... MODIFY/CHANGE COLUMN restating the whole column,
// named unique constraints, indexes and foreign keys) and reads a live
// database back from information_schema, normalised so that it compares equal
// with what Expected derives from a state.
//
// It sits in pkg/schema on the road from state to database: operations ask
// it for SQL, the executor runs that SQL, and tests compare Expected with
// Inspect. DDL on MySQL commits implicitly, so AtomicDDL is false. Partial
// indexes and conditional unique constraints do not exist on MySQL; asking for
// one is an error that says so.
package mysql
