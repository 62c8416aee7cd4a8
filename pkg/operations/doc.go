// Package operations holds one type per migration operation. Each knows how
// to change a state.Project, which DDL to ask a schema.Editor for in both
// directions, how to describe itself in one line, and whether it can be
// reversed or destroys data. Operations are plain structs, so migration
// files list them as readable composite literals. The package sits between
// pkg/state and pkg/schema on one side and the migrations executor on the
// other, and knows nothing of which dialect runs it.
package operations
