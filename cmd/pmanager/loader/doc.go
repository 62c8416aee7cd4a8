// Package loader is how the pmanager command reaches a project's own Go
// types. A Go binary cannot load another module's structs at run time, so
// the loader finds the project (its pmanager.toml, or its go.mod), lists
// the exported struct types of every app's models package with go/parser
// (no type checking, nothing is built), and writes a small main package in
// .pmanager/ that imports those packages and the app's migrations, and hands
// them to the CLI's entry point. The launcher (cmd/pmanager) then builds and
// runs that main with the Go toolchain.
package loader
