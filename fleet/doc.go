// Package fleet migrates many databases as one job: every tenant's
// database (or PostgreSQL schema) of a multi-tenant product, every shard
// of a sharded one. A fleet is named in pmanager.toml ([fleets.<name>]:
// a list of URLs, a file of them, or a server and a name pattern);
// Resolve turns it into Targets, and Migrate, Status and Plan act on
// them, several at once.
//
// It sits on top of the executor (package migrations), beside package
// migrate: each target is migrated exactly as `pmanager migrate` migrates
// one database, under its own migration lock, with its own transactions
// and recovery, so a target that fails never stops or damages another.
// Every target's handle holds at most one connection, so a run holds at
// most Options.Parallel connections on a server; only once interrupted
// does each running target open one more, for the few seconds it takes to
// stop its statement on the server.
package fleet
