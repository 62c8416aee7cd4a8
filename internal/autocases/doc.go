// Package autocases checks the autodetector against live databases. The
// autodetector's data cases live in one place, pkg/autodetect/testdata/cases
// (their format is internal/casefile's); every case that holds golden SQL
// sections is a live case: this package checks the SQL each dialect renders
// against the goldens, migrates the case forwards and backwards on
// PostgreSQL, MySQL and SQLite through the real executor, with its rows in
// the tables, and compares the introspected schema with what the state
// implies. A property test does the same for seeded random sequences of
// model edits.
//
// To add a case: write its before/after states and a comment in a new file
// there, run `go test ./pkg/autodetect -run TestCases -update` for the
// operations; to make it live, add empty `-- postgres-up --` (and the other
// dialects') sections and run `go test ./internal/autocases -run
// TestGoldenSQL -update` for the SQL, which needs no database. TestGoldenSQL
// alone checks every golden SQL section in about a second.
//
// It sits at the end of the road, driving pkg/autodetect, the migrations
// executor and pkg/schema together, and is never imported by pmanager.
package autocases
