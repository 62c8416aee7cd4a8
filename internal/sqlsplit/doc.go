// Package sqlsplit cuts an SQL script into the statements a database
// driver runs one at a time. It knows each dialect's quoting and comments
// (PostgreSQL dollar quotes, MySQL backslash escapes, # comments and
// DELIMITER lines, SQLite bracketed names) and keeps the bodies of
// triggers, procedures and functions (BEGIN ... END) whole, so
// `pmanager database:load` can run a hand-written or dumped script and say
// which line a failing statement starts at.
package sqlsplit
