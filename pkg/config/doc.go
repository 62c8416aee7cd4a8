// Package config reads pmanager.toml: the project's database connections and
// its apps (each a models package and the migrations package that goes with
// it). ${VAR} and ${VAR:-default} in string values are expanded from the
// environment, and PMANAGER_DATABASE_URL, then DATABASE_URL, override the
// default connection's URL.
//
// It sits below the flows that need a project's settings: migrate.Configured
// and package fleet read it as the command line does (the loader uses the
// apps to generate the project's main, the commands use the connections to
// reach a database). Every error is one line that names the file, the line where it is
// known, and the fix.
package config
