package sqlite

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Editor renders SQLite DDL for state changes; its embedded Inspector
// introspects SQLite databases. It holds no state, so one value serves any
// number of migrations.
type Editor struct {
	schema.Base
	Inspector
}

// New returns the SQLite editor.
func New() *Editor { return &Editor{Base: schema.NewBase(ddl{})} }

// The editor's abilities, checked at compile time.
var (
	_ schema.Editor           = (*Editor)(nil)
	_ schema.Preparer         = (*Editor)(nil)
	_ schema.IntegrityChecker = (*Editor)(nil)
	_ schema.Runner           = (*Editor)(nil)
	_ schema.Hooks            = ddl{}
	_ schema.TableRebuilder   = ddl{}
)

// ddl is what SQLite gives the shared editor (schema.Base): its quoting,
// its capabilities and the statements of each change. It writes no
// foreign key on its own (schema.ForeignKeyWriter): a relation column's
// key is part of its table's definition, so a table whose references must
// follow a change is rebuilt (rebuildReferencing).
type ddl struct{}

// Dialect says the hooks write SQLite.
func (ddl) Dialect() schema.Dialect { return schema.SQLite }

// Quote quotes an identifier with double quotes, doubling any inside it.
func (ddl) Quote(name string) string { return quoteIdent(name) }

// Capabilities: SQLite runs DDL inside a transaction and rolls it back,
// and has partial indexes; its unique constraints are unique indexes,
// which it can drop.
func (ddl) Capabilities() schema.Capabilities {
	return schema.Capabilities{TransactionalDDL: true, PartialIndexes: true, UniquesAsIndexes: true}
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// ColumnDef is f's column definition, its key and REFERENCES clause in it.
func (ddl) ColumnDef(p *state.Project, m *state.Model, f *state.Field) (string, error) {
	return columnSQL(p, m, f)
}

// CreateTableStatement is CREATE TABLE over the columns (the placeholder
// column for none) and the checks.
func (ddl) CreateTableStatement(table string, columns, constraints []string) string {
	if len(columns) == 0 {
		columns = []string{quoteIdent(schema.PlaceholderColumn)}
	}
	return "CREATE TABLE " + quoteIdent(table) + " (" + strings.Join(slices.Concat(columns, constraints), ", ") + ")"
}

// CheckTable refuses a model two of whose indexes share a name.
func (ddl) CheckTable(p *state.Project, m *state.Model) error {
	_, err := indexDefs(m)
	return err
}

// AddUnique creates a unique constraint as a unique index.
func (ddl) AddUnique(table, name, cols string) string {
	return "CREATE UNIQUE INDEX " + quoteIdent(name) + " ON " + quoteIdent(table) + " (" + cols + ")"
}

// DropUnique drops the unique index that stands for a unique constraint.
func (ddl) DropUnique(table, name string) string { return dropIndex(name) }

// CreateIndex creates a plain index.
func (ddl) CreateIndex(table, name, cols string) string {
	return "CREATE INDEX " + quoteIdent(name) + " ON " + quoteIdent(table) + " (" + cols + ")"
}

// DropIndex drops an index; its name is unique in the schema.
func (ddl) DropIndex(table, name string) string { return dropIndex(name) }

func dropTable(table string) string { return "DROP TABLE " + quoteIdent(table) }

// MoveTable renames the table, then the indexes whose generated names
// follow it, then the automatic join tables whose names derive from it (a
// join table whose columns changed too, as after a model rename, is
// rebuilt). Foreign keys of other tables follow the rename on their own
// (Prepare turns legacy_alter_table off).
func (ddl) MoveTable(p *state.Project, from, to *state.Model) ([]string, error) {
	var stmts []string
	pFrom := before(p, from, to)
	if from.Table != to.Table {
		renamed, err := renameTable(from, to)
		if err != nil {
			return nil, err
		}
		stmts = renamed
	}
	for _, mv := range schema.FollowingJoinTables(p, from, to) {
		oj, err := schema.JoinTable(pFrom, mv.From, mv.Old)
		if err != nil {
			return nil, fmt.Errorf("sqlite: rename %s: %w", from.Table, err)
		}
		nj, err := schema.JoinTable(p, mv.To, mv.New)
		if err != nil {
			return nil, fmt.Errorf("sqlite: rename %s: %w", to.Table, err)
		}
		more, err := moveJoinTable(pFrom, p, oj, nj)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, more...)
	}
	return stmts, nil
}

// before is p with from in place of to: enough of the state before a change
// to resolve relations of from's join tables when the model was renamed.
func before(p *state.Project, from, to *state.Model) *state.Project {
	if from.Key() == to.Key() {
		return p
	}
	c := p.CloneShallow()
	delete(c.Models, to.Key())
	c.Models[from.Key()] = from
	return c
}

// renameTable renames from's table to to's and moves every index whose name
// changed with it (SQLite cannot rename an index: drop and create).
func renameTable(from, to *state.Model) ([]string, error) {
	stmts := []string{"ALTER TABLE " + quoteIdent(from.Table) + " RENAME TO " + quoteIdent(to.Table)}
	more, err := diffModelIndexes(from, to)
	if err != nil {
		return nil, err
	}
	return append(stmts, more...), nil
}

// AddColumn adds a column with ALTER TABLE ADD COLUMN when SQLite can
// (canAddInPlace), filling existing rows with fill; otherwise (a key, NOT
// NULL without default, a db_default, a column in the middle) it rebuilds
// the table, which fills a one-off value or evaluates a db_default for
// each existing row, and where a NOT NULL column without default or fill
// fails only if rows exist.
func (ddl) AddColumn(p *state.Project, from, to *state.Model, f *state.Field, fill *string) ([]string, error) {
	field := f.Name
	if !canAddInPlace(to, f) {
		copies, err := copyPlan(p, from, to, nil, field, fill)
		if err != nil {
			return nil, err
		}
		stmts, err := rebuild(p, from, to, copies)
		if err != nil || !schema.GainsReferencedKey(nil, f) {
			return stmts, err
		}
		more, err := rebuildReferencing(p, to, f)
		return append(stmts, more...), err
	}
	col, err := columnSQL(p, to, f)
	if err != nil {
		return nil, err
	}
	stmts := []string{"ALTER TABLE " + quoteIdent(to.Table) + " ADD COLUMN " + col}
	if fill != nil {
		lit, err := fieldLiteral(p, to, f, *fill)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, "UPDATE "+quoteIdent(to.Table)+" SET "+quoteIdent(f.ColumnName())+" = "+lit)
	}
	more, err := diffModelIndexes(from, to)
	if err != nil {
		return nil, err
	}
	return append(stmts, more...), nil
}

// rebuildReferencing rebuilds the tables whose relation columns reference
// field f of m after f became m's key or otherwise changed: SQLite names
// the referenced column in each table's own definition, so a table still
// naming an old key fails the integrity check until it is restated.
func rebuildReferencing(p *state.Project, m *state.Model, f *state.Field) ([]string, error) {
	tables, err := schema.ReferencingTables(p, m, f)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	var stmts []string
	for _, t := range tables {
		copies, err := copyPlan(p, t, t, nil, "", nil)
		if err != nil {
			return nil, err
		}
		more, err := rebuild(p, t, t, copies)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, more...)
	}
	return stmts, nil
}

// lastColumn reports whether field is m's last column, where ADD COLUMN
// puts it; a field in the middle (a removed field coming back) needs a
// rebuild to keep the table's column order equal to the field order.
func lastColumn(m *state.Model, field string) bool {
	for i := len(m.Fields) - 1; i >= 0; i-- {
		if m.Fields[i].HasColumn() {
			return m.Fields[i].Name == field
		}
	}
	return false
}

// DropColumn drops the column in place where SQLite allows it
// (canDropInPlace) and otherwise rebuilds the table without it (SQLite's
// DROP COLUMN refuses indexed, unique, key and foreign key columns).
func (ddl) DropColumn(p *state.Project, from, to *state.Model, f *state.Field) ([]string, error) {
	inPlace, err := canDropInPlace(p, from, f)
	if err != nil {
		return nil, err
	}
	if inPlace {
		return []string{"ALTER TABLE " + quoteIdent(from.Table) + " DROP COLUMN " + quoteIdent(f.ColumnName())}, nil
	}
	copies, err := copyPlan(p, from, to, nil, "", nil)
	if err != nil {
		return nil, err
	}
	return rebuild(p, from, to, copies)
}

// RebuildColumn changes column field of of from into nf of to. When the
// column's definition is unchanged only indexes differ and are dropped or
// created; when only its name changes, ALTER TABLE RENAME COLUMN renames it
// in place; any other change (type, null, default, key, reference)
// rebuilds the table, copying the old column into the new one, and the
// tables that reference it are rebuilt to follow.
func (ddl) RebuildColumn(p *state.Project, from, to *state.Model, of, nf *state.Field, fill *string) ([]string, error) {
	oldName, newName := of.Name, nf.Name
	oldCol, err := columnSQL(p, from, of)
	if err != nil {
		return nil, err
	}
	newCol, err := columnSQL(p, to, nf)
	if err != nil {
		return nil, err
	}
	if oldCol == newCol && from.Table == to.Table {
		return diffModelIndexes(from, to)
	}
	rename, err := renameOnly(p, from, to, of, nf)
	if err != nil {
		return nil, err
	}
	if rename {
		return renameColumn(from, to, of, nf)
	}
	copies, err := copyPlan(p, from, to, map[string]string{newName: oldName}, newName, fill)
	if err != nil {
		return nil, err
	}
	stmts, err := rebuild(p, from, to, copies)
	if err != nil || !referableChange(of, nf, oldCol, newCol) {
		return stmts, err
	}
	more, err := rebuildReferencing(p, to, nf)
	return append(stmts, more...), err
}

// referableChange reports whether an altered column changes in a way the
// tables that reference it must follow: SQLite keeps the referenced column's
// name in each referencing table's definition, and checks that it is the key
// or unique.
func referableChange(of, nf *state.Field, oldCol, newCol string) bool {
	return of.ColumnName() != nf.ColumnName() || oldCol != newCol || of.PrimaryKey != nf.PrimaryKey || of.IsUnique() != nf.IsUnique()
}

// AlterJoinTable follows a many-to-many change: a new or dropped through
// model creates or drops the automatic table, a new table name renames it,
// and any other change (a renamed model changes the column names) rebuilds
// it, copying the rows column by column.
func (d ddl) AlterJoinTable(p *state.Project, from, to *state.Model, of, nf *state.Field) ([]string, error) {
	pFrom := before(p, from, to)
	oj, err := schema.JoinTable(pFrom, from, of)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	nj, err := schema.JoinTable(p, to, nf)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	switch {
	case oj == nil && nj == nil:
		return nil, nil
	case oj == nil:
		return schema.CreateTable(d, p, nj)
	case nj == nil:
		return []string{dropTable(oj.Table)}, nil
	}
	return moveJoinTable(pFrom, p, oj, nj)
}

// moveJoinTable turns join table oj (of state pFrom) into nj (of state p):
// nothing when they agree, a rename (with its indexes) when only the name
// differs, else a rebuild copying the rows column by column (id, then the
// two sides).
func moveJoinTable(pFrom, p *state.Project, oj, nj *state.Model) ([]string, error) {
	oldDef, err := createTableSQL(pFrom, oj, "")
	if err != nil {
		return nil, err
	}
	newDef, err := createTableSQL(p, nj, "")
	if err != nil {
		return nil, err
	}
	if oldDef == newDef {
		if oj.Table == nj.Table {
			return diffModelIndexes(oj, nj)
		}
		return renameTable(oj, nj)
	}
	var copies []copyColumn
	for i, nf := range nj.Fields {
		if i < len(oj.Fields) {
			copies = append(copies, copyColumn{column: nf.ColumnName(), expr: quoteIdent(oj.Fields[i].ColumnName())})
		}
	}
	return rebuild(p, oj, nj, copies)
}

// RestateChecks rebuilds from's table as to's: SQLite adds or drops a
// check only with its table, and checks the existing rows.
func (ddl) RestateChecks(p *state.Project, from, to *state.Model) ([]string, error) {
	copies, err := copyPlan(p, from, to, nil, "", nil)
	if err != nil {
		return nil, err
	}
	return rebuild(p, from, to, copies)
}

// columnSQL is f's column definition as CREATE TABLE and ADD COLUMN write it.
func columnSQL(p *state.Project, m *state.Model, f *state.Field) (string, error) {
	typ, err := columnType(p, m, f)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(quoteIdent(f.ColumnName()))
	if typ != "" {
		b.WriteString(" " + typ)
	}
	if !f.Null {
		b.WriteString(" NOT NULL")
	}
	if f.PrimaryKey {
		b.WriteString(" PRIMARY KEY")
	}
	if f.Kind.IsAuto() {
		if !f.PrimaryKey {
			return "", fmt.Errorf("sqlite: %s.%s: an auto-increment field must be the primary key", m.Label(), f.Name)
		}
		b.WriteString(" AUTOINCREMENT")
	}
	if f.Default != nil {
		lit, err := fieldLiteral(p, m, f, *f.Default)
		if err != nil {
			return "", err
		}
		b.WriteString(" DEFAULT " + lit)
	} else if f.DBDefault != "" {
		expr, err := dbDefaultSQL(m, f)
		if err != nil {
			return "", err
		}
		b.WriteString(" DEFAULT " + expr)
	}
	if schema.NeedsForeignKey(f) {
		target, err := relationTarget(p, m, f)
		if err != nil {
			return "", err
		}
		tf, err := targetField(m, f, target)
		if errors.Is(err, errNoKey) {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, " REFERENCES %s (%s) ON DELETE %s DEFERRABLE INITIALLY DEFERRED",
			quoteIdent(target.Table), quoteIdent(tf.ColumnName()), schema.OnDeleteSQL(f.Relation.OnDelete))
	}
	return b.String(), nil
}

// createTableSQL is CREATE TABLE for m under the given table name (the
// model's own, or the temporary name of a rebuild): columns in field order,
// then the named check constraints.
func createTableSQL(p *state.Project, m *state.Model, table string) (string, error) {
	t, err := schema.TableParts(ddl{}, p, m)
	if err != nil {
		return "", err
	}
	return ddl{}.CreateTableStatement(table, t.Columns, t.Constraints), nil
}
