// Package schema turns state changes into the DDL of one database dialect and
// reads a live database's schema back. Each dialect lives in its own folder
// (postgres, mysql, sqlite) with the same file names: editor.go renders DDL,
// inspect.go introspects. This package holds what they share: the Editor
// contract, the introspected Table shape, and deterministic object names.
// It sits after pkg/state on the road and knows nothing of models or files.
package schema
