package mysql

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Editor renders MySQL/MariaDB DDL; its embedded Inspector reads a live
// MySQL schema back. It holds no state, so one value serves every migration.
type Editor struct {
	schema.Base
	Inspector
}

// New returns the MySQL/MariaDB schema editor.
func New() *Editor { return &Editor{Base: schema.NewBase(ddl{})} }

var (
	_ schema.Editor         = (*Editor)(nil)
	_ schema.Hooks          = ddl{}
	_ schema.ColumnRestater = ddl{}
)

// ddl is what MySQL gives the shared editor (schema.Base): its quoting,
// its capabilities and the statements of each change.
type ddl struct{}

// Dialect says the hooks write for MySQL and MariaDB.
func (ddl) Dialect() schema.Dialect { return schema.MySQL }

// Quote quotes an identifier with backticks, doubling any backtick inside.
func (ddl) Quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// Capabilities: every DDL statement on MySQL commits implicitly, and
// MySQL has no partial indexes; a unique constraint may list a column
// descending; CREATE TABLE lists the checks last.
func (ddl) Capabilities() schema.Capabilities {
	return schema.Capabilities{DescendingUniques: true, ChecksLast: true}
}

// RenameTable renames a table; the foreign keys that point at it follow.
func (e ddl) RenameTable(oldName, newName string) string {
	return "RENAME TABLE " + e.Quote(oldName) + " TO " + e.Quote(newName)
}

// MoveColumn renames old's column to f's, restating its definition.
func (e ddl) MoveColumn(p *state.Project, m *state.Model, old, f *state.Field) (string, error) {
	spec, err := e.spec(p, m, f, f.Default)
	if err != nil {
		return "", err
	}
	return "ALTER TABLE " + e.Quote(m.Table) + " CHANGE COLUMN " + e.Quote(old.ColumnName()) + " " + e.Quote(f.ColumnName()) + " " + spec, nil
}

// AddColumn adds the column (with fill, when given, as a temporary default
// that fills the existing rows, then restates the column with its own
// default).
func (e ddl) AddColumn(p *state.Project, from, to *state.Model, f *state.Field, fill *string) ([]string, error) {
	table, col := e.Quote(to.Table), e.Quote(f.ColumnName())
	def := f.Default
	if fill != nil {
		if err := e.checkFill(p, to, f, *fill); err != nil {
			return nil, err
		}
		def = fill
	}
	spec, err := e.spec(p, to, f, def)
	if err != nil {
		return nil, err
	}
	if f.PrimaryKey {
		spec += " PRIMARY KEY"
	}
	add := "ALTER TABLE " + table + " ADD COLUMN " + col + " " + spec + e.position(to, f)
	if !schema.HasColumns(from) {
		add += ", DROP COLUMN " + e.Quote(schema.PlaceholderColumn)
	}
	stmts := []string{add}
	if fill != nil && (f.Default == nil || *f.Default != *fill) {
		restated, err := e.spec(p, to, f, f.Default)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, "ALTER TABLE "+table+" MODIFY COLUMN "+col+" "+restated)
	}
	return stmts, nil
}

// position places a new column where the field stands among m's columns
// (" FIRST" or " AFTER `prev`"), so the table's column order keeps matching
// the state; nothing when the field is the last column.
func (e ddl) position(m *state.Model, f *state.Field) string {
	var prev *state.Field
	for i, x := range m.Fields {
		if x == f {
			for _, later := range m.Fields[i+1:] {
				if later.HasColumn() {
					if prev == nil {
						return " FIRST"
					}
					return " AFTER " + e.Quote(prev.ColumnName())
				}
			}
			return ""
		}
		if x.HasColumn() {
			prev = x
		}
	}
	return ""
}

// checkFill validates a one-off fill value against the column's type.
func (e ddl) checkFill(p *state.Project, m *state.Model, f *state.Field, fill string) error {
	typ, err := columnType(p, m, f)
	if err != nil {
		return err
	}
	v, err := storedValue(p, m, f, fill)
	if err != nil {
		return err
	}
	if _, err := literal(typ, v); err != nil {
		return fmt.Errorf("mysql: fill value for %s.%s: %w", m.Label(), f.Name, err)
	}
	return nil
}

// DropColumn drops the column; MySQL drops the column's indexes with it.
// The last column gives way to the placeholder column.
func (e ddl) DropColumn(p *state.Project, from, to *state.Model, f *state.Field) ([]string, error) {
	drop := "ALTER TABLE " + e.Quote(from.Table) + " DROP COLUMN " + e.Quote(f.ColumnName())
	if !schema.HasColumns(to) {
		drop = "ALTER TABLE " + e.Quote(from.Table) + " ADD COLUMN " + e.Quote(schema.PlaceholderColumn) +
			" tinyint NULL, DROP COLUMN " + e.Quote(f.ColumnName())
	}
	return []string{drop}, nil
}

// ForeignKey is the constraint of relation column f of m, resolved in p.
func (ddl) ForeignKey(p *state.Project, m *state.Model, f *state.Field) (schema.ForeignKey, bool, error) {
	fk, ok, err := fieldForeignKey(p, m, f)
	return fk, ok, err
}

// DropForeignKey drops fk of table.
func (e ddl) DropForeignKey(table string, fk schema.ForeignKey) []string {
	return []string{"ALTER TABLE " + e.Quote(table) + " DROP FOREIGN KEY " + e.Quote(fk.Name)}
}

// AddForeignKey adds fk to table.
func (e ddl) AddForeignKey(table string, fk schema.ForeignKey) string {
	return "ALTER TABLE " + e.Quote(table) + " ADD CONSTRAINT " + e.Quote(fk.Name) +
		" FOREIGN KEY (" + e.Quote(fk.Column) + ") REFERENCES " + e.Quote(fk.RefTable) +
		" (" + e.Quote(fk.RefColumn) + ") ON DELETE " + fk.OnDelete
}

// RetypeColumn restates relation column f of m with the type of the column
// it references.
func (e ddl) RetypeColumn(p *state.Project, m *state.Model, f *state.Field) (string, error) {
	spec, err := e.spec(p, m, f, f.Default)
	if err != nil {
		return "", err
	}
	return "ALTER TABLE " + e.Quote(m.Table) + " MODIFY COLUMN " + e.Quote(f.ColumnName()) + " " + spec, nil
}

// ColumnType is f's column type as MySQL writes it.
func (ddl) ColumnType(p *state.Project, m *state.Model, f *state.Field) (string, error) {
	return columnType(p, m, f)
}

// AddUnique adds a unique constraint.
func (e ddl) AddUnique(table, name, cols string) string {
	return "ALTER TABLE " + e.Quote(table) + " ADD CONSTRAINT " + e.Quote(name) + " UNIQUE (" + cols + ")"
}

// DropUnique drops a unique constraint, which MySQL keeps as a unique index.
func (e ddl) DropUnique(table, name string) string {
	return "ALTER TABLE " + e.Quote(table) + " DROP INDEX " + e.Quote(name)
}

// RenameUnique renames a unique constraint, an index to MySQL.
func (e ddl) RenameUnique(table, oldName, newName string) string {
	return e.RenameIndex(table, oldName, newName)
}

// CreateIndex creates a plain index.
func (e ddl) CreateIndex(table, name, cols string) string {
	return "CREATE INDEX " + e.Quote(name) + " ON " + e.Quote(table) + " (" + cols + ")"
}

// DropIndex drops a plain index.
func (e ddl) DropIndex(table, name string) string {
	return "DROP INDEX " + e.Quote(name) + " ON " + e.Quote(table)
}

// RenameIndex renames an index in place.
func (e ddl) RenameIndex(table, oldName, newName string) string {
	return "ALTER TABLE " + e.Quote(table) + " RENAME INDEX " + e.Quote(oldName) + " TO " + e.Quote(newName)
}

// RestateColumn fills the NULLs of a column that stops accepting them
// (with the one-off fill, else the new default, else its db_default;
// without any the server refuses), then restates the column in one ALTER
// TABLE: MODIFY, or CHANGE for a rename, with the key dropped or added.
func (e ddl) RestateColumn(d *schema.ColumnDiff) ([]string, error) {
	of, nf := d.Old, d.New
	table := e.Quote(d.To.Table)
	var stmts []string
	if of.Null && !nf.Null {
		fill, err := e.fillNulls(d)
		if err != nil {
			return nil, err
		}
		if fill != "" {
			old := e.Quote(of.ColumnName())
			stmts = append(stmts, "UPDATE "+table+" SET "+old+" = "+fill+" WHERE "+old+" IS NULL")
		}
	}
	oldSpec, err := e.spec(d.P, d.From, of, of.Default)
	if err != nil {
		return nil, err
	}
	newSpec, err := e.spec(d.P, d.To, nf, nf.Default)
	if err != nil {
		return nil, err
	}
	var clauses []string
	switch {
	case d.Renamed():
		clauses = append(clauses, "CHANGE COLUMN "+e.Quote(of.ColumnName())+" "+e.Quote(nf.ColumnName())+" "+newSpec)
	case oldSpec != newSpec:
		clauses = append(clauses, "MODIFY COLUMN "+e.Quote(nf.ColumnName())+" "+newSpec)
	}
	if of.PrimaryKey && !nf.PrimaryKey {
		clauses = append(clauses, "DROP PRIMARY KEY")
	}
	if !of.PrimaryKey && nf.PrimaryKey {
		clauses = append(clauses, "ADD PRIMARY KEY ("+e.Quote(nf.ColumnName())+")")
	}
	if len(clauses) > 0 {
		stmts = append(stmts, "ALTER TABLE "+table+" "+strings.Join(clauses, ", "))
	}
	return stmts, nil
}

// fillNulls is the value the NULLs of d's column take, "" for none.
func (e ddl) fillNulls(d *schema.ColumnDiff) (string, error) {
	fill := d.FillValue()
	if fill == nil {
		if d.New.DBDefault == "" {
			return "", nil
		}
		return dbDefaultSQL(d.To, d.New)
	}
	v, err := storedValue(d.P, d.To, d.New, *fill)
	if err != nil {
		return "", err
	}
	lit, err := literal(d.NewType, v)
	if err != nil {
		return "", fmt.Errorf("mysql: fill value for %s.%s: %w", d.To.Label(), d.New.Name, err)
	}
	return lit, nil
}

// ColumnDef is f's column definition as CREATE TABLE writes it, the key
// said in it.
func (e ddl) ColumnDef(p *state.Project, m *state.Model, f *state.Field) (string, error) {
	spec, err := e.spec(p, m, f, f.Default)
	if err != nil {
		return "", err
	}
	def := e.Quote(f.ColumnName()) + " " + spec
	if f.PrimaryKey {
		def += " PRIMARY KEY"
	}
	return def, nil
}

// CreateTableStatement is CREATE TABLE over the columns and constraints,
// one a line, as InnoDB in utf8mb4.
func (e ddl) CreateTableStatement(table string, columns, constraints []string) string {
	return "CREATE TABLE " + e.Quote(table) + " (\n    " + strings.Join(slices.Concat(columns, constraints), ",\n    ") +
		"\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
}

// spec renders a column definition after its name: type, NULL or NOT NULL,
// DEFAULT def (when not nil; else the field's db_default expression, if
// any), AUTO_INCREMENT and COMMENT (so every restatement keeps the
// comment). It never says PRIMARY KEY,
// so MODIFY COLUMN can restate a key column without re-declaring the key.
func (e ddl) spec(p *state.Project, m *state.Model, f *state.Field, def *string) (string, error) {
	typ, err := columnType(p, m, f)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(typ)
	if f.Null && !f.PrimaryKey {
		b.WriteString(" NULL")
	} else {
		b.WriteString(" NOT NULL")
	}
	if def != nil {
		v, err := storedValue(p, m, f, *def)
		if err != nil {
			return "", err
		}
		clause, err := defaultClause(typ, v)
		if err != nil {
			return "", fmt.Errorf("mysql: default of %s.%s: %w", m.Label(), f.Name, err)
		}
		b.WriteString(" DEFAULT " + clause)
	} else if f.DBDefault != "" {
		expr, err := dbDefaultSQL(m, f)
		if err != nil {
			return "", err
		}
		b.WriteString(" DEFAULT " + expr)
	}
	if f.Kind.IsAuto() {
		b.WriteString(" AUTO_INCREMENT")
	}
	if f.Comment != "" {
		b.WriteString(" COMMENT " + quoteString(f.Comment))
	}
	return b.String(), nil
}
