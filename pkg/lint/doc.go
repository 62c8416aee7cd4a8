// Package lint says, before a migration runs, what each of its operations
// risks on the databases it is migrated to: losing data, being refused by
// rows already there, rewriting a table or blocking writes (with the lock
// the server takes), or breaking the release still running against the
// database.
//
// It sits beside the road, after pkg/operations and pkg/schema: an
// operation knows what it changes, whether it can lose data and which
// pre-flight checks it needs; each dialect's editor renders the statements
// it runs. A rule reads those (the operation, the states before and after
// it, its rendered statements and pre-flights, the target's dialect and
// server version) and returns findings. The rules are one table (Rules),
// each with an id (pm.L001 …), a fixed wording, the dialects it applies to
// and the safe alternative, so the makemigrations summary, the file header,
// migrate --plan and the pmanager lint gate all say the same thing.
//
// Ids by hundreds: pm.L0xx loses data, pm.L1xx may refuse on existing rows,
// pm.L2xx rewrites the table or blocks writes (pm.L20x PostgreSQL, pm.L21x
// MySQL/MariaDB, pm.L22x SQLite), pm.L3xx breaks code still running.
//
// The package prints nothing and reads no files; it is imported by the
// command line and by tests only.
package lint
