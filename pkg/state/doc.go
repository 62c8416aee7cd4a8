// Package state holds the plain-data picture of a project's models that
// migrations build up and the autodetector compares: Project → Model → Field,
// with indexes and constraints. It knows nothing of Go reflection or SQL, so
// every later stage (operations, schema editors, the writer) can share it.
package state
