package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// A rebuild drops the old table and renames the new one into its place.
// SQLite drops the table's triggers with it, and a view (or a trigger of
// another table) that names the table makes the rename fail, so neither
// would survive. Run keeps them: just before the DROP TABLE of a rebuild it
// reads every trigger and view that refers to the table (or to a view that
// does) from sqlite_schema, notes their SQL in a temporary table of the
// connection and drops them; right after the rename it creates them again
// from that note. Everything happens inside the migration's transaction,
// so a failure leaves the database as it was. The objects come from the
// live database, so sqlmigrate cannot show these statements.

// keepTable is the connection's temporary note of the objects a rebuild
// keeps. A TEMP table lives on the one connection a migration runs on and
// follows its transaction.
const keepTable = "temp.pmanager_rebuild_keep"

var (
	dropTableStmt   = regexp.MustCompile(`^DROP TABLE ("(?:[^"]|"")+")$`)
	renameTableStmt = regexp.MustCompile(`^ALTER TABLE ("(?:[^"]|"")+") RENAME TO ("(?:[^"]|"")+")$`)
)

// unquote reads a double-quoted identifier as quoteIdent writes it.
func unquote(q string) string {
	return strings.ReplaceAll(q[1:len(q)-1], `""`, `"`)
}

// Run executes one rendered statement, keeping the triggers and views that
// refer to a table across its rebuild (see keepTable).
func (e *Editor) Run(ctx context.Context, db schema.ExecQuerier, stmt string) error {
	if m := dropTableStmt.FindStringSubmatch(stmt); m != nil {
		table := unquote(m[1])
		rebuilding, err := exists(ctx, db, "table", rebuildPrefix+table)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		if rebuilding {
			if err := saveDependents(ctx, db, table); err != nil {
				return fmt.Errorf("sqlite: rebuild of %s: %w", quoteIdent(table), err)
			}
		}
	}
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return err
	}
	if m := renameTableStmt.FindStringSubmatch(stmt); m != nil && unquote(m[1]) == rebuildPrefix+unquote(m[2]) {
		if err := restoreDependents(ctx, db, unquote(m[2])); err != nil {
			return fmt.Errorf("sqlite: rebuild of %s: %w", m[2], err)
		}
	}
	return nil
}

// exists reports whether sqlite_schema holds an object of the type and name.
func exists(ctx context.Context, db schema.ExecQuerier, typ, name string) (bool, error) {
	found := false
	err := queryRows(ctx, db, func(*sql.Rows) error { found = true; return nil },
		`SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?`, typ, name)
	if err != nil {
		return false, fmt.Errorf("look up %s %s: %w", typ, name, err)
	}
	return found, nil
}

// dependent is a trigger or view that refers to a rebuilt table.
type dependent struct {
	typ, name, sql string
}

// dependents lists, in creation order, the triggers and views whose SQL
// names table or a view already listed (a view over a view over the table
// breaks as surely as one over the table).
func dependents(ctx context.Context, db schema.ExecQuerier, table string) ([]dependent, error) {
	var all []dependent
	err := queryRows(ctx, db, func(rows *sql.Rows) error {
		var d dependent
		if err := rows.Scan(&d.typ, &d.name, &d.sql); err != nil {
			return err
		}
		all = append(all, d)
		return nil
	}, `SELECT type, name, sql FROM sqlite_schema WHERE type IN ('trigger', 'view') AND sql IS NOT NULL ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("list triggers and views: %w", err)
	}
	names := map[string]bool{strings.ToLower(table): true}
	picked := make([]bool, len(all))
	for changed := true; changed; {
		changed = false
		for i, d := range all {
			if !picked[i] && refersTo(d.sql, names) {
				picked[i], changed = true, true
				if d.typ == "view" {
					names[strings.ToLower(d.name)] = true
				}
			}
		}
	}
	var out []dependent
	for i, d := range all {
		if picked[i] {
			out = append(out, d)
		}
	}
	return out, nil
}

// refersTo reports whether the SQL text names any of names (lower case)
// as a word or quoted identifier. It may see a reference where a column
// merely shares a table's name; such an object is dropped and created
// again unchanged, which is harmless.
func refersTo(text string, names map[string]bool) bool {
	for _, tok := range tokenize(text) {
		if (tok.kind == 'i' || tok.kind == 'w') && names[strings.ToLower(tok.text)] {
			return true
		}
	}
	return false
}

// saveDependents notes the triggers and views that refer to table and
// drops them, views last-created first.
func saveDependents(ctx context.Context, db schema.ExecQuerier, table string) error {
	deps, err := dependents(ctx, db, table)
	if err != nil || len(deps) == 0 {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+keepTable+
		` (tbl TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, sql TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("note triggers and views: %w", err)
	}
	for i, d := range deps {
		if _, err := db.ExecContext(ctx, `INSERT INTO `+keepTable+` (tbl, seq, type, name, sql) VALUES (?, ?, ?, ?, ?)`,
			table, i, d.typ, d.name, d.sql); err != nil {
			return fmt.Errorf("note %s %s: %w", d.typ, quoteIdent(d.name), err)
		}
	}
	for i := len(deps) - 1; i >= 0; i-- {
		d := deps[i]
		if _, err := db.ExecContext(ctx, "DROP "+strings.ToUpper(d.typ)+" IF EXISTS "+quoteIdent(d.name)); err != nil {
			return fmt.Errorf("drop %s %s before the rebuild: %w", d.typ, quoteIdent(d.name), err)
		}
	}
	return nil
}

// restoreDependents creates again, in their original order, the triggers
// and views saveDependents noted for table. A view that no longer fits the
// rebuilt table (it names a column that went away) stops the migration
// with its name. SQLite resolves a trigger's body only when it fires, so
// a trigger naming a removed column is kept and fails when it runs.
func restoreDependents(ctx context.Context, db schema.ExecQuerier, table string) error {
	noted, err := existsTemp(ctx, db)
	if err != nil || !noted {
		return err
	}
	var deps []dependent
	err = queryRows(ctx, db, func(rows *sql.Rows) error {
		var d dependent
		if err := rows.Scan(&d.typ, &d.name, &d.sql); err != nil {
			return err
		}
		deps = append(deps, d)
		return nil
	}, `SELECT type, name, sql FROM `+keepTable+` WHERE tbl = ? ORDER BY seq`, table)
	if err != nil {
		return fmt.Errorf("read the noted triggers and views: %w", err)
	}
	for _, d := range deps {
		if _, err := db.ExecContext(ctx, d.sql); err != nil {
			return unfit(d, err)
		}
	}
	for _, d := range deps {
		if d.typ != "view" {
			continue
		}
		// CREATE VIEW does not resolve the columns it names; selecting does.
		if err := queryRows(ctx, db, func(*sql.Rows) error { return nil }, "SELECT * FROM "+quoteIdent(d.name)+" LIMIT 0"); err != nil {
			return unfit(d, err)
		}
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM `+keepTable+` WHERE tbl = ?`, table); err != nil {
		return fmt.Errorf("clear the note of triggers and views: %w", err)
	}
	return nil
}

// existsTemp reports whether the connection's temporary note exists.
func existsTemp(ctx context.Context, db schema.ExecQuerier) (bool, error) {
	found := false
	err := queryRows(ctx, db, func(*sql.Rows) error { found = true; return nil },
		`SELECT 1 FROM sqlite_temp_schema WHERE type = 'table' AND name = 'pmanager_rebuild_keep'`)
	if err != nil {
		return false, fmt.Errorf("look up the note of triggers and views: %w", err)
	}
	return found, nil
}

// unfit is the error for a kept trigger or view that the rebuilt table no
// longer supports.
func unfit(d dependent, err error) error {
	return fmt.Errorf("%s %s no longer fits the rebuilt table (%v); change or drop it with a RunSQL operation before this one", d.typ, quoteIdent(d.name), err)
}
