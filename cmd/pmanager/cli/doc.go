// Package cli is the pmanager command line: init, makemigrations, migrate,
// showmigrations, sqlmigrate and version, on github.com/urfave/cli/v2, and
// the connection commands (database:configure, database:setup,
// migration:setup, migration:create/up/down/redo/refresh/list), which name
// a connection of pmanager.toml and run on the same executor as migrate.
//
// Run is the single entry point. The launcher (cmd/pmanager) generates a
// small main inside the user's module that calls Run with the user's model
// types and the migrations their migration packages registered, because a
// Go binary cannot load another module's structs at run time; the same call
// is what a standalone migration binary or an application's start-up uses.
//
// Errors are one line on stderr, "pmanager: <sentence>", and exit status 1;
// output follows Django's wording. Passwords never appear:
// connections are only ever named by their redacted URL.
package cli
