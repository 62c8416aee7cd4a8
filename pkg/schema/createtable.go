package schema

import (
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// TableSQL is what CREATE TABLE of a model consists of, in the order every
// dialect writes it: the columns, then the constraints inside the
// statement, then what comes after it, the foreign keys last.
type TableSQL struct {
	// Columns are the column definitions in field order (TableWriter.ColumnDef).
	Columns []string
	// Constraints are the table constraints inside the statement: the key
	// (NamedKey), the unique constraints of unique fields, of
	// unique_together groups and of Meta unique constraints, and the checks.
	Constraints []string
	// After are the statements that follow CREATE TABLE: the indexes of
	// indexed fields, unique constraints the server keeps as unique indexes
	// (a condition, a descending column, or every one where
	// Capabilities.UniquesAsIndexes), then the Meta indexes.
	After []string
	// ForeignKeys are added last, once every column has its index
	// (ForeignKeyWriter; a dialect without it says REFERENCES in ColumnDef).
	ForeignKeys []string
}

// TableWriter spells CREATE TABLE for the Base editor, which decides what
// the table contains and in which order (TableSQL).
type TableWriter interface {
	// ColumnDef spells column field f of m as CREATE TABLE writes it: its
	// name, type, NULL, default and, for a dialect without
	// NamedKey, PRIMARY KEY; for one without ForeignKeyWriter,
	// its REFERENCES clause.
	ColumnDef(p *state.Project, m *state.Model, f *state.Field) (string, error)
	// CreateTableStatement spells CREATE TABLE of table over the column
	// definitions and table constraints (either may be empty).
	CreateTableStatement(table string, columns, constraints []string) string
}

// NamedKey is the ability of a dialect whose primary key is a named table
// constraint (PostgreSQL names it so a renamed table can rename it);
// without it ColumnDef says PRIMARY KEY.
type NamedKey interface {
	// KeyName is the name of table's key constraint.
	KeyName(table string) string
	// RenameKey renames table's key constraint.
	RenameKey(table, oldName, newName string) string
}

// CreateTable renders CREATE TABLE for m as h writes it and the statements
// that follow it (TableSQL); join tables come here too.
func CreateTable(h Hooks, p *state.Project, m *state.Model) ([]string, error) {
	return NewBase(h).createTable(p, m)
}

// TableParts is what CREATE TABLE of m consists of as h writes it, for a
// dialect that restates a table itself (SQLite's rebuild).
func TableParts(h Hooks, p *state.Project, m *state.Model) (TableSQL, error) {
	return NewBase(h).tableParts(p, m)
}

// createTable is CREATE TABLE for m, then its comments (Commenter), its
// indexes, then its foreign keys.
func (b Base) createTable(p *state.Project, m *state.Model) ([]string, error) {
	if c, ok := b.h.(TableChecker); ok {
		if err := c.CheckTable(p, m); err != nil {
			return nil, err
		}
	}
	t, err := b.tableParts(p, m)
	if err != nil {
		return nil, err
	}
	option, comments := b.tableComments(m)
	stmts := []string{b.h.CreateTableStatement(m.Table, t.Columns, t.Constraints) + option}
	stmts = append(stmts, comments...)
	stmts = append(stmts, t.After...)
	return append(stmts, t.ForeignKeys...), nil
}

// tableParts lists m's columns, then per field its key, unique constraint,
// index and foreign key, then its unique_together groups, its Meta
// constraints in their order and its Meta indexes.
func (b Base) tableParts(p *state.Project, m *state.Model) (TableSQL, error) {
	caps := b.h.Capabilities()
	var t TableSQL
	if err := b.checkNames(m, "", m.Table); err != nil {
		return t, err
	}
	// A server that drops duplicates (DropsCoveredUniques) leaves out of
	// CREATE TABLE a unique constraint over exactly the columns of the key
	// or of an earlier unique constraint; added afterwards it is kept, as
	// the state expects.
	covered := map[string]bool{}
	// A dialect whose every unique constraint is an index (SQLite) lists
	// the Meta unique constraints after the Meta indexes, in the order its
	// rebuilds recreate them (late).
	var late []string
	// A dialect that lists its checks last (ChecksLast) keeps them here.
	var checks []string
	unique := func(name, cols, where string, asIndex bool) {
		if asIndex || caps.UniquesAsIndexes {
			t.After = append(t.After, b.indexSQL(true, name, m.Table, cols, where))
			return
		}
		def := "CONSTRAINT " + b.Quote(name) + " UNIQUE (" + cols + ")"
		if caps.DropsCoveredUniques && covered[cols] {
			t.After = append(t.After, "ALTER TABLE "+b.Quote(m.Table)+" ADD "+def)
			return
		}
		covered[cols] = true
		t.Constraints = append(t.Constraints, def)
	}
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		def, err := b.h.ColumnDef(p, m, f)
		if err != nil {
			return t, err
		}
		t.Columns = append(t.Columns, def)
	}
	key, _ := b.h.(NamedKey)
	fks, _ := b.h.(ForeignKeyWriter)
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		o := ObjectNames(m, f)
		if fks != nil {
			var err error
			if o, err = ObjectsOf(fks, p, m, f); err != nil {
				return t, err
			}
		}
		col := b.Quote(f.ColumnName())
		if o.PrimaryKey && key != nil {
			t.Constraints = append(t.Constraints, "CONSTRAINT "+b.Quote(key.KeyName(m.Table))+" PRIMARY KEY ("+col+")")
			covered[col] = true
		}
		if o.Unique != "" {
			unique(o.Unique, col, "", false)
		}
		if o.Index != "" {
			t.After = append(t.After, b.indexSQL(false, o.Index, m.Table, col, ""))
		}
		if o.ForeignKey != nil && fks != nil {
			t.ForeignKeys = append(t.ForeignKeys, fks.AddForeignKey(m.Table, *o.ForeignKey))
		}
	}
	groups, err := b.uniqueTogether(m)
	if err != nil {
		return t, err
	}
	seen := map[string]bool{}
	for _, g := range groups {
		if !seen[g.name] {
			seen[g.name] = true
			unique(g.name, g.cols, "", false)
		}
	}
	for _, c := range m.Constraints {
		if err := b.checkConstraint(m, c); err != nil {
			return t, err
		}
		if c.Kind == state.CheckConstraint {
			def, err := b.checkDef(m, c)
			if err != nil {
				return t, err
			}
			if caps.ChecksLast {
				checks = append(checks, def)
			} else {
				t.Constraints = append(t.Constraints, def)
			}
			continue
		}
		cols, desc, err := b.constraintColumns(m, c)
		if err != nil {
			return t, err
		}
		if caps.UniquesAsIndexes {
			late = append(late, b.indexSQL(true, c.Name, m.Table, cols, c.Condition))
			continue
		}
		unique(c.Name, cols, c.Condition, b.uniqueIsIndex(c, desc))
	}
	t.Constraints = append(t.Constraints, checks...)
	for _, idx := range m.Indexes {
		s, err := b.metaIndexSQL(m, idx)
		if err != nil {
			return t, err
		}
		t.After = append(t.After, s)
	}
	t.After = append(t.After, late...)
	return t, nil
}

// indexSQL spells CREATE INDEX (UNIQUE, with a WHERE condition) of name on
// table over the quoted column list cols; every dialect spells it alike.
func (b Base) indexSQL(unique bool, name, table, cols, where string) string {
	kw := "CREATE INDEX "
	if unique {
		kw = "CREATE UNIQUE INDEX "
	}
	s := kw + b.Quote(name) + " ON " + b.Quote(table) + " (" + cols + ")"
	if where != "" {
		s += " WHERE " + where
	}
	return s
}

// metaIndexSQL renders Meta index idx of m; a condition where the server
// has no partial indexes is an error.
func (b Base) metaIndexSQL(m *state.Model, idx state.Index) (string, error) {
	if err := b.checkPartialIndex(m, idx); err != nil {
		return "", err
	}
	if err := b.checkNames(m, " (index name)", idx.Name); err != nil {
		return "", err
	}
	cols, err := m.Columns(idx.Fields)
	if err != nil {
		return "", b.errorf("index %s: %w", idx.Name, err)
	}
	list, _, err := b.columnList(m, "index "+idx.Name, cols)
	if err != nil {
		return "", err
	}
	return b.indexSQL(false, idx.Name, m.Table, list, idx.Condition), nil
}

// constraintColumns is the quoted column list of unique constraint c of m,
// and whether a column is descending.
func (b Base) constraintColumns(m *state.Model, c state.Constraint) (string, bool, error) {
	if err := b.checkNames(m, " (constraint name)", c.Name); err != nil {
		return "", false, err
	}
	cols, err := m.Columns(c.Fields)
	if err != nil {
		return "", false, b.errorf("constraint %s: %w", c.Name, err)
	}
	return b.columnList(m, "constraint "+c.Name, cols)
}

// checkDef spells check constraint c of m as a table constraint.
func (b Base) checkDef(m *state.Model, c state.Constraint) (string, error) {
	if err := b.checkNames(m, " (constraint name)", c.Name); err != nil {
		return "", err
	}
	if strings.TrimSpace(c.Check) == "" {
		return "", b.errorf("%s: check constraint %s has no SQL", m.Label(), c.Name)
	}
	return "CONSTRAINT " + b.Quote(c.Name) + " CHECK (" + c.Check + ")", nil
}

// columnList quotes the columns of an index or constraint (what), a "-"
// prefix becoming DESC, and reports whether one is descending.
func (b Base) columnList(m *state.Model, what string, cols []string) (string, bool, error) {
	if len(cols) == 0 {
		return "", false, b.errorf("%s: %s has no fields", m.Label(), what)
	}
	parts := make([]string, len(cols))
	desc := false
	for i, c := range cols {
		if name, ok := strings.CutPrefix(c, "-"); ok {
			parts[i] = b.Quote(name) + " DESC"
			desc = true
			continue
		}
		parts[i] = b.Quote(c)
	}
	return strings.Join(parts, ", "), desc, nil
}

// checkNames refuses a name the server would refuse (empty) or silently
// truncate (longer than Capabilities.MaxNameLength), which would break
// every later lookup by name; what says which name it is.
func (b Base) checkNames(m *state.Model, what string, names ...string) error {
	max := b.h.Capabilities().MaxNameLength
	for _, n := range names {
		if n == "" {
			return b.errorf("%s: empty identifier%s", m.Label(), what)
		}
		if max > 0 && len(n) > max {
			return b.errorf("%s: identifier %q is longer than %d bytes and %s would truncate it%s", m.Label(), n, max, b.h.Dialect().Title(), what)
		}
	}
	return nil
}
