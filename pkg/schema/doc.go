// Package schema turns state changes into the DDL of one database dialect and
// reads a live database's schema back. It sits after pkg/state on the road
// and knows nothing of models or files.
//
// A dialect is composed of small interfaces (Editor = DDL + Inspector +
// Expecter); further abilities (Runner, Preparer, IntegrityChecker,
// Recoverer, Explainer, ForeignKeyWriter, ColumnAlterer, TableRebuilder,
// TableChecker, ...) are found by
// type assertion rather than by growing one interface.
//
// This package holds what every dialect shares, written once:
//   - Base (base.go), the DDL editor, after Django's base schema editor:
//     unmanaged models make no DDL, a many-to-many field is its join table,
//     fields are looked up once, partial indexes are refused where the
//     server has none, and the foreign keys that reference a column are
//     dropped before a change that moves them and made again after
//     (incoming.go). It asks the dialect's Hooks for the statements.
//   - what changed in a column and the order of its statements
//     (column.go): ColumnDiff compares the field before and after; the
//     column's own foreign key, unique constraint and index that go are
//     dropped first and what is new made last; in between a dialect
//     alters the column one attribute at a time (AttributeAlterer),
//     restates it whole (ColumnRestater) or rebuilds the table
//     (TableRebuilder).
//   - the expected-table skeleton (expected.go) that Expected builds on,
//     from a dialect's Expectation (how it spells a column and a key);
//   - the field-kind dispatch (types.go): a dialect gives a TypeMap;
//   - join tables (jointable.go), deterministic object names (names.go),
//     the introspected Table shape (table.go).
//
// Each dialect lives in its own folder (postgres, mysql, sqlite) with the
// same file names: editor.go holds its hooks, types.go its type map and
// literals, expected.go its Expectation, inspect.go its Inspector. A new
// dialect writes those four and embeds Base.
package schema
