// Package migrations is the stage of the road between migration files and
// the database. Generated migration files register a Migration each (from
// init, through Register); the Graph orders them by their dependencies,
// finds leaves and conflicts and replays their operations into the
// state.Project they build up; the History records what ran in the
// pmanager_migrations table; the Executor plans which migrations to apply or
// unapply for a target and runs them under a database-wide lock, one
// transaction per migration where the dialect allows it and statement by
// statement, recorded as it goes, where it does not (Pending and Latest plan
// by a number of steps instead, for migration:up/down); squash.go folds a
// range into one migration that replaces it; WriteSource writes the Go
// source of a new migration file, and Checksum fingerprints a migration so
// edits after it was applied can be reported.
//
// Words: a plan is the ordered list of Steps to take; a Step is one
// migration of a plan, applied or unapplied; to render is to produce SQL
// text (a Renderer turns operations into Statements, an SQL statement or a
// Go function each); to write is to produce Go source (WriteSource).
//
// It follows Django's map of concerns: migration.go (Migration), registry.go
// (loader), graph.go (graph), history.go (recorder), executor.go (the
// executor, its options and the runner a run works through), observer.go
// (the one Observer a run reports to), plan.go (planning), run.go
// (running a plan), sqlscript.go (rendering a migration without running
// it: sqlmigrate and --plan), migrator.go (the migrate workflows),
// newmigrations.go (laying out new migrations), merge.go (merging
// conflicting leaves), status.go (each migration's state in a history),
// tracked.go (running statement by statement where DDL is not
// transactional), recover.go (migrations left part-way: resume and
// rollback), doubt.go (statements whose outcome is unknown), edited.go
// (migrations edited after they were applied), fakeinitial.go
// (fake-initial), lock.go and cancel.go (the run's lock, lock waits and
// interrupts), errors.go (the errors callers test), steps.go (step-wise
// plans), squash.go (squashing), seed.go (seeders), writer.go (writer). It
// knows nothing of struct reflection: the models stage and the autodetector
// come before it.
package migrations
