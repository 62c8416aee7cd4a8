// Package casefile reads and writes the autodetector's data cases: one
// txtar file per model edit, kept in pkg/autodetect/testdata/cases, each
// holding the models before and after (in the statedsl language), the
// operations the autodetector must find in both directions and, for a case
// that is also migrated on live databases, the rows to insert first and the
// SQL every dialect renders. pkg/autodetect's tests check the operations of
// every case; internal/autocases migrates the cases with SQL sections on
// PostgreSQL, MySQL and SQLite.
//
// It sits beside the road, used only by tests, and knows nothing of
// databases.
package casefile
