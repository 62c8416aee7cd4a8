// Package inspectdb writes Go model source for an existing database: it
// reads the tables pkg/schema's inspectors report (schema.Table, with the
// check expressions of schema.CheckReader and the partial indexes'
// predicates of schema.ConditionReader) and writes one gofmt'd file of
// structs, pm tags and Meta methods, so that makemigrations can write the
// initial migration and migrate --fake-initial can adopt the database.
//
// It sits beside the migration writer at the end of the road: it reads
// pkg/schema's vocabulary and produces source; nothing below it imports it.
// What the model language cannot say (an unsigned integer, an expression
// index, a composite key) makes the table Unmanaged, with a comment naming
// the column or object and why.
package inspectdb
