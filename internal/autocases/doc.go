// Package autocases checks the autodetector against live databases. Each
// case under testdata is a pair of model states written in the statedsl
// language, with the operations Detect finds and the SQL every dialect
// renders for them kept as goldens; the test migrates each case forwards and
// backwards on PostgreSQL, MySQL and SQLite through the real executor and
// compares the introspected schema with what the state implies. A property
// test does the same for seeded random sequences of model edits.
//
// It sits at the end of the road, driving pkg/autodetect, the migrations
// executor and pkg/schema together, and is never imported by pmanager.
package autocases
