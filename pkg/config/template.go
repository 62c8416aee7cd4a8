package config

// Template is the commented pmanager.toml that `pmanager init` writes: the
// defaults spelled out, so a user sees every setting there is.
const Template = `# pmanager configuration; ${VAR} and ${VAR:-default} are expanded from the environment.
# PMANAGER_DATABASE_URL, then DATABASE_URL, override the default connection's url.

# The connection commands use unless given --database <name>.
default_connection = "default"

[connections.default]
# sqlite://path (relative to this file), postgres://user:password@host:5432/name
# or mysql://user:password@host:3306/name. Keep passwords out of this file:
# url = "postgres://app:${DB_PASSWORD}@localhost:5432/app"
url = "sqlite://pmanager.db"
# The server this connection runs, for what judges risks without connecting
# (makemigrations' summary, the migration's header): the flavour (postgres,
# mysql, mariadb, sqlite) and its version. Unset, the oldest common release
# is assumed (PostgreSQL 11, MySQL 5.7, SQLite 3.35).
# server = "mariadb 10.11"

# One table per app: a models package and the migrations package it owns.
[apps.main]
models = "models"          # folder of the models package, relative to this file
migrations = "migrations"  # folder of the migrations package
# seeders = "seeders"      # folder of the seeders package (database:seed); used when it exists
`
