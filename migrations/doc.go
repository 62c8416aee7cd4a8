// Package migrations is the stage of the road between migration files and
// the database. Generated migration files register a Migration each (from
// init, through Register); the Graph orders them by their dependencies,
// finds leaves and conflicts and replays their operations into the
// state.Project they build up; the History records what ran in the
// pmanager_migrations table; the Executor plans which migrations to apply or
// unapply for a target and runs them, one transaction per migration where
// the dialect allows it; Render writes the Go source of a new migration
// file, and Checksum fingerprints a migration so edits after it was applied
// can be reported.
//
// It follows Django's map of concerns: migration.go (Migration), registry.go
// (loader), graph.go (graph), history.go (recorder), executor.go (executor),
// writer.go (writer). It knows nothing of struct reflection: the models
// stage and the autodetector come before it.
package migrations
