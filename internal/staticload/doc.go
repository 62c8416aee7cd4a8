// Package staticload reads a project's models and migration files from
// their source text, without the Go compiler, for the commands that only
// need what they declare (makemigrations, sqlmigrate, showmigrations,
// check, migrate --plan).
//
// Models: go/parser over each models package, with the package's own type
// declarations, other packages of the same module (by folder) and a fixed
// set of outside types (time.Time, time.Duration, json.RawMessage,
// models.Model, models.Decimal, database/sql's Null types, uuid.UUID)
// resolved into modeltype.Type values that pkg/models reads with exactly the
// rules it applies to reflected types. A Meta method is read when its body
// is `return models.Meta{...}` with literal values.
//
// Migrations: each generated file is a literal of migrations.Migration,
// decoded by reflection into the real operations and state types, then
// registered in file order as the file's init would. A Cache keeps what
// each file decodes to, found by the file's content, name, build settings
// and the reader's version, so a command after an edit decodes the
// edited file only (cache.go; the form of its entries is codec.go).
//
// Whatever it cannot read with certainty (a function other than Meta, a
// variable, a constant, an import it does not know, a Meta that computes,
// a migration built by code or holding RunGo) is an error wrapping
// ErrUnsupported, and the caller falls back to compiling the project: the
// result is the same either way, only the path to it differs.
//
// It sits beside pkg/models and migrations on the road and imports no part
// of the command line.
package staticload
