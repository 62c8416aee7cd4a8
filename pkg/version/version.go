// Package version holds pmanager's release number, printed by `pmanager
// version` and written into the header of generated migration files. It is
// a leaf, so anything that needs the number (the CLI, the library's
// workflows, the benchmarks' project generator) imports it without
// importing the CLI.
package version

// Release is the pmanager release.
const Release = "0.1.0"
