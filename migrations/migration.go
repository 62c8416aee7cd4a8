package migrations

import "github.com/pmanager/pmanager/pkg/operations"

// Key identifies a migration across a project: its app and its name.
type Key struct {
	App  string
	Name string
}

// String renders the key as "app.name", the form every message uses.
func (k Key) String() string { return k.App + "." + k.Name }

// Migration is one migration file: the operations it runs and the
// migrations that must run before it.
type Migration struct {
	// App is the app label the migration belongs to ("main").
	App string
	// Name is the file name without its extension ("0002_car_manufacturer").
	Name string
	// Dependencies are the migrations that must be applied first: the
	// same-app parent and any other apps' migrations it refers to.
	Dependencies []Key
	// Operations run in order, forwards when applying and in reverse order
	// backwards when unapplying.
	Operations []operations.Operation
	// Replaces lists the migrations a squashed migration stands for.
	Replaces []Key
	// Initial marks a migration that creates an app's first tables, which
	// migrate --fake-initial may record without running.
	Initial bool
	// NonAtomic runs the migration statement by statement instead of as one
	// transaction, for statements a transaction cannot hold (CREATE INDEX
	// CONCURRENTLY): those run on their own; every other statement, RunSQL
	// and RunGo steps included, commits in a transaction of its own together
	// with the history's record of its completion, so a failure or a kill
	// leaves the database exact about what ran (as on MySQL).
	NonAtomic bool
	// Lint acknowledges lint findings its author has reviewed: the rules
	// it allows (Lint: migrations.Allow("pm.L002")) never fail pmanager
	// lint on this migration. It takes no part in the checksum.
	Lint Lint

	// writtenSum is the checksum of the operations as the file wrote them,
	// kept when registration normalized some (pointers into values), so
	// that a database that recorded the file's checksum before that still
	// finds it unchanged. Empty when registration changed nothing.
	writtenSum string
}

// Key returns the migration's key.
func (m *Migration) Key() Key { return Key{App: m.App, Name: m.Name} }

// Lint is a migration's acknowledgement of lint findings.
type Lint struct {
	// Allow lists the lint rule ids ("pm.L002") whose findings on the
	// migration do not fail pmanager lint.
	Allow []string
}

// Allow acknowledges the findings of the lint rules ids on a migration,
// as a migration file writes it: Lint: migrations.Allow("pm.L002").
func Allow(ids ...string) Lint { return Lint{Allow: ids} }
