// Package autodetect compares two states of a project — the one the existing
// migration files build up and the one the user's structs describe — and
// returns the operations that turn the first into the second, per app and in
// an order that can run: what an operation needs (a foreign key's target
// model, the field an index covers) is created before it, and what goes away
// (a referenced model, an indexed field) is released first. makemigrations
// writes these operations into a new migration file.
//
// It sits after pkg/state and pkg/operations on the road and before the
// migration writer; it knows nothing of databases or files. When a change
// needs a value for rows that already exist (a NOT NULL field without a
// default), it asks a Questioner: Interactive prompts on a terminal as
// Django does, NonInteractive refuses with an error that says how to fix the
// model.
//
// Renames come first (renames.go): a model or field only in the migration
// state and one only in the structs become a RenameModel or RenameField when
// a hint names the old one (Meta.Was, was=) or when their definitions match
// and a RenameQuestioner confirms; NonInteractive never confirms. The
// renames are applied to the migration state before the rest of the
// comparison, so nothing else is reported for them.
//
// Detect then works in the order Django's autodetector does: deleted models, then
// created models, then the changes inside the models both states share
// (removed indexes and constraints, removed, added and altered fields,
// unique_together, added indexes and constraints, table names, options).
// Every generated operation records what it needs and what it provides;
// order.go then sorts each app's list stably so that needs come first, and
// turns needs met by other apps into migration dependencies.
package autodetect
