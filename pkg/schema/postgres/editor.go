package postgres

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Editor renders PostgreSQL DDL for state changes; its embedded Inspector
// reads PostgreSQL schemas back. It holds no state; the zero value is ready
// to use.
type Editor struct {
	schema.Base
	Inspector
}

var (
	_ schema.Editor           = (*Editor)(nil)
	_ schema.Hooks            = ddl{}
	_ schema.ForeignKeyWriter = ddl{}
)

// New returns the PostgreSQL editor.
func New() *Editor { return &Editor{Base: schema.NewBase(ddl{})} }

// ddl is what PostgreSQL gives the shared editor (schema.Base): its
// quoting, its capabilities and the statements of each change.
type ddl struct{}

// Dialect says the hooks write PostgreSQL.
func (ddl) Dialect() schema.Dialect { return schema.Postgres }

// Quote quotes an identifier with double quotes, doubling any inside.
func (ddl) Quote(name string) string { return quoteIdent(name) }

// Capabilities: PostgreSQL rolls DDL back with its transaction and has
// partial indexes; the columns that reference a changed one come in field
// order.
func (ddl) Capabilities() schema.Capabilities {
	return schema.Capabilities{TransactionalDDL: true, PartialIndexes: true, ReferenceOrder: schema.FieldOrder}
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// checkIdent rejects identifiers PostgreSQL would refuse (empty) or silently
// truncate (longer than 63 bytes), which would break every later lookup by name.
func checkIdent(m *state.Model, names ...string) error {
	for _, n := range names {
		if n == "" {
			return fmt.Errorf("postgres: %s: empty identifier", m.Label())
		}
		if len(n) > state.MaxNameLength {
			return fmt.Errorf("postgres: %s: identifier %q is longer than %d bytes and PostgreSQL would truncate it", m.Label(), n, state.MaxNameLength)
		}
	}
	return nil
}

// pkeyName names a table's primary key constraint. It is spelled out rather
// than left to PostgreSQL so that a table rename can rename it too and a new
// table with the old name does not collide with it.
func pkeyName(table string) string { return state.ObjectName(table, nil, "pkey") }

// foreignKey is one relation column's FK constraint as the editor creates it.
type foreignKey = schema.ForeignKey

// sameTarget reports whether two constraints enforce the same thing, names aside.
func sameTarget(fk, other *foreignKey) bool {
	return fk.RefTable == other.RefTable && fk.RefColumn == other.RefColumn && fk.OnDelete == other.OnDelete
}

// fieldObjects lists the database objects that exist for one column field.
type fieldObjects struct {
	pk     bool
	unique string // name of the field's unique constraint, "" for none
	index  string // name of the field's plain index, "" for none
	fk     *foreignKey
}

// objectNames lists the generated names of a column field's objects; the
// foreign key carries only its name and column.
func objectNames(m *state.Model, f *state.Field) fieldObjects {
	col := f.ColumnName()
	o := fieldObjects{pk: f.PrimaryKey}
	if f.IsUnique() && !f.PrimaryKey {
		o.unique = schema.FieldUniqueName(m.Table, col)
	}
	if schema.NeedsIndex(f) {
		o.index = schema.FieldIndexName(m.Table, col)
	}
	if schema.NeedsForeignKey(f) {
		o.fk = &foreignKey{Name: schema.ForeignKeyName(m.Table, col), Column: col}
	}
	return o
}

// objectsOf is objectNames with the foreign key's target resolved in p.
func objectsOf(p *state.Project, m *state.Model, f *state.Field) (fieldObjects, error) {
	o := objectNames(m, f)
	if o.fk != nil {
		fk, _, err := schema.ForeignKeyOf(p, m, f)
		if err != nil {
			return o, wrap(err)
		}
		*o.fk = fk
	}
	return o, nil
}

// nullable reports whether the column accepts NULL: keys and identity
// columns never do.
func nullable(f *state.Field, spec columnSpec) bool {
	return f.Null && !f.PrimaryKey && !spec.identity
}

// defaultOf renders the field's DEFAULT literal or database expression,
// "" when it has none.
func defaultOf(m *state.Model, f *state.Field, spec columnSpec) (string, error) {
	if f.DBDefault != "" {
		return dbDefaultSQL(m, f)
	}
	if f.Default == nil {
		return "", nil
	}
	if spec.identity {
		return "", fmt.Errorf("postgres: %s.%s: an auto-increment column cannot have a default", m.Label(), f.Name)
	}
	return literal(m, f, spec.kind, *f.Default)
}

// columnDef renders one column definition. override, when not nil, replaces
// the field's default (AddField's one-off fill).
func columnDef(p *state.Project, m *state.Model, f *state.Field, override *string) (string, error) {
	if err := checkIdent(m, f.ColumnName()); err != nil {
		return "", err
	}
	spec, err := resolveColumn(p, m, f)
	if err != nil {
		return "", err
	}
	def, err := defaultOf(m, f, spec)
	if err != nil {
		return "", err
	}
	if override != nil && !spec.identity {
		if def, err = literal(m, f, spec.kind, *override); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	b.WriteString(quoteIdent(f.ColumnName()) + " " + spec.typ)
	if !nullable(f, spec) {
		b.WriteString(" NOT NULL")
	}
	if spec.identity {
		b.WriteString(" GENERATED BY DEFAULT AS IDENTITY")
	}
	if def != "" {
		b.WriteString(" DEFAULT " + def)
	}
	return b.String(), nil
}

// columnList quotes columns; a "-" prefix becomes DESC when desc is allowed.
func columnList(m *state.Model, what string, cols []string, desc bool) (string, error) {
	if len(cols) == 0 {
		return "", fmt.Errorf("postgres: %s: %s has no fields", m.Label(), what)
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		if strings.HasPrefix(c, "-") {
			if !desc {
				return "", fmt.Errorf("postgres: %s: %s cannot have a descending field (%s)", m.Label(), what, c)
			}
			parts[i] = quoteIdent(c[1:]) + " DESC"
			continue
		}
		parts[i] = quoteIdent(c)
	}
	return strings.Join(parts, ", "), nil
}

func createIndexSQL(unique bool, name, table, cols, cond string) string {
	kw := "CREATE INDEX "
	if unique {
		kw = "CREATE UNIQUE INDEX "
	}
	s := kw + quoteIdent(name) + " ON " + quoteIdent(table) + " (" + cols + ")"
	if cond != "" {
		s += " WHERE " + cond
	}
	return s
}

func addUniqueSQL(table, name, cols string) string {
	return "ALTER TABLE " + quoteIdent(table) + " ADD CONSTRAINT " + quoteIdent(name) + " UNIQUE (" + cols + ")"
}

func dropConstraintSQL(table, name string) string {
	return "ALTER TABLE " + quoteIdent(table) + " DROP CONSTRAINT " + quoteIdent(name)
}

func renameConstraintSQL(table, from, to string) string {
	return "ALTER TABLE " + quoteIdent(table) + " RENAME CONSTRAINT " + quoteIdent(from) + " TO " + quoteIdent(to)
}

func renameIndexSQL(from, to string) string {
	return "ALTER INDEX " + quoteIdent(from) + " RENAME TO " + quoteIdent(to)
}

func addForeignKeySQL(table string, fk *foreignKey) string {
	return "ALTER TABLE " + quoteIdent(table) + " ADD CONSTRAINT " + quoteIdent(fk.Name) +
		" FOREIGN KEY (" + quoteIdent(fk.Column) + ") REFERENCES " + quoteIdent(fk.RefTable) +
		" (" + quoteIdent(fk.RefColumn) + ") ON DELETE " + fk.OnDelete + " DEFERRABLE INITIALLY DEFERRED"
}

// dropForeignKeySQL first fires the constraint's pending deferred checks:
// PostgreSQL refuses to alter a table with pending trigger events.
func dropForeignKeySQL(table string, fk *foreignKey) []string {
	return []string{
		"SET CONSTRAINTS " + quoteIdent(fk.Name) + " IMMEDIATE",
		dropConstraintSQL(table, fk.Name),
	}
}

// uniqueIsIndex reports whether a unique constraint must be a unique index:
// PostgreSQL unique constraints take neither a WHERE nor DESC.
func uniqueIsIndex(c state.Constraint) bool {
	if c.Condition != "" {
		return true
	}
	for _, f := range c.Fields {
		if strings.HasPrefix(f, "-") {
			return true
		}
	}
	return false
}

// uniqueTogether maps each unique_together group's constraint name to its
// quoted column list.
func uniqueTogether(m *state.Model) (names []string, cols map[string]string, err error) {
	cols = map[string]string{}
	for _, group := range schema.UniqueGroups(m) {
		c, err := m.Columns(group)
		if err != nil {
			return nil, nil, fmt.Errorf("postgres: unique_together: %w", err)
		}
		list, err := columnList(m, "unique_together", c, false)
		if err != nil {
			return nil, nil, err
		}
		name := schema.UniqueTogetherName(m.Table, c)
		if _, dup := cols[name]; !dup {
			names = append(names, name)
		}
		cols[name] = list
	}
	return names, cols, nil
}

// CreateTable renders CREATE TABLE for m and the indexes and foreign keys
// that follow it.
func (ddl) CreateTable(p *state.Project, m *state.Model) ([]string, error) {
	if err := checkIdent(m, m.Table); err != nil {
		return nil, err
	}
	var defs, after, fks []string
	// CREATE TABLE silently leaves out a unique constraint over exactly the
	// columns of the key or of an earlier unique constraint; added
	// afterwards, it is kept, as the state expects.
	covered := map[string]bool{}
	unique := func(cols, def string) {
		if covered[cols] {
			after = append(after, "ALTER TABLE "+quoteIdent(m.Table)+" ADD "+def)
			return
		}
		covered[cols] = true
		defs = append(defs, def)
	}
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		def, err := columnDef(p, m, f, nil)
		if err != nil {
			return nil, err
		}
		defs = append(defs, def)
	}
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		obj, err := objectsOf(p, m, f)
		if err != nil {
			return nil, err
		}
		col := quoteIdent(f.ColumnName())
		if obj.pk {
			defs = append(defs, "CONSTRAINT "+quoteIdent(pkeyName(m.Table))+" PRIMARY KEY ("+col+")")
			covered[col] = true
		}
		if obj.unique != "" {
			unique(col, "CONSTRAINT "+quoteIdent(obj.unique)+" UNIQUE ("+col+")")
		}
		if obj.index != "" {
			after = append(after, createIndexSQL(false, obj.index, m.Table, col, ""))
		}
		if obj.fk != nil {
			fks = append(fks, addForeignKeySQL(m.Table, obj.fk))
		}
	}
	names, groups, err := uniqueTogether(m)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		unique(groups[name], "CONSTRAINT "+quoteIdent(name)+" UNIQUE ("+groups[name]+")")
	}
	for _, c := range m.Constraints {
		switch {
		case c.Kind == state.UniqueConstraint && uniqueIsIndex(c):
			s, err := uniqueIndexSQL(m, c)
			if err != nil {
				return nil, err
			}
			after = append(after, s)
		case c.Kind == state.UniqueConstraint:
			def, err := constraintDef(m, c)
			if err != nil {
				return nil, err
			}
			cols, err := m.Columns(c.Fields)
			if err != nil {
				return nil, fmt.Errorf("postgres: constraint %s: %w", c.Name, err)
			}
			list, err := columnList(m, "unique constraint", cols, false)
			if err != nil {
				return nil, err
			}
			unique(list, def)
		default:
			def, err := constraintDef(m, c)
			if err != nil {
				return nil, err
			}
			defs = append(defs, def)
		}
	}
	for _, idx := range m.Indexes {
		s, err := indexSQL(m, idx)
		if err != nil {
			return nil, err
		}
		after = append(after, s)
	}
	stmts := []string{"CREATE TABLE " + quoteIdent(m.Table) + " (" + strings.Join(defs, ", ") + ")"}
	stmts = append(stmts, after...)
	return append(stmts, fks...), nil
}

// constraintDef renders a unique (plain) or check constraint as a table constraint.
func constraintDef(m *state.Model, c state.Constraint) (string, error) {
	if err := checkIdent(m, c.Name); err != nil {
		return "", fmt.Errorf("%w (constraint name)", err)
	}
	switch c.Kind {
	case state.UniqueConstraint:
		cols, err := m.Columns(c.Fields)
		if err != nil {
			return "", fmt.Errorf("postgres: constraint %s: %w", c.Name, err)
		}
		list, err := columnList(m, "constraint "+c.Name, cols, false)
		if err != nil {
			return "", err
		}
		return "CONSTRAINT " + quoteIdent(c.Name) + " UNIQUE (" + list + ")", nil
	case state.CheckConstraint:
		if strings.TrimSpace(c.Check) == "" {
			return "", fmt.Errorf("postgres: %s: check constraint %s has no SQL", m.Label(), c.Name)
		}
		return "CONSTRAINT " + quoteIdent(c.Name) + " CHECK (" + c.Check + ")", nil
	}
	return "", fmt.Errorf("postgres: %s: constraint %s has unknown kind %q", m.Label(), c.Name, c.Kind)
}

// uniqueIndexSQL renders a partial or descending unique constraint as a unique index.
func uniqueIndexSQL(m *state.Model, c state.Constraint) (string, error) {
	if err := checkIdent(m, c.Name); err != nil {
		return "", fmt.Errorf("%w (constraint name)", err)
	}
	cols, err := m.Columns(c.Fields)
	if err != nil {
		return "", fmt.Errorf("postgres: constraint %s: %w", c.Name, err)
	}
	list, err := columnList(m, "constraint "+c.Name, cols, true)
	if err != nil {
		return "", err
	}
	return createIndexSQL(true, c.Name, m.Table, list, c.Condition), nil
}

// indexSQL renders a Meta index.
func indexSQL(m *state.Model, idx state.Index) (string, error) {
	if err := checkIdent(m, idx.Name); err != nil {
		return "", fmt.Errorf("%w (index name)", err)
	}
	cols, err := m.Columns(idx.Fields)
	if err != nil {
		return "", fmt.Errorf("postgres: index %s: %w", idx.Name, err)
	}
	list, err := columnList(m, "index "+idx.Name, cols, true)
	if err != nil {
		return "", err
	}
	return createIndexSQL(false, idx.Name, m.Table, list, idx.Condition), nil
}

// MoveTable renames the table and the objects named after it, then the
// automatic join tables whose names follow the table. When the model itself
// was renamed (from.Name != to.Name, as RenameModel does) it also renames the
// join-table columns named after the model, in its own join tables and in
// those of other models' many-to-many fields that point at it.
func (ddl) MoveTable(p *state.Project, from, to *state.Model) ([]string, error) {
	var pairs [][2]*state.Field
	for _, f := range to.Fields {
		if old := from.Field(f.Name); old != nil && old.HasColumn() && f.HasColumn() {
			pairs = append(pairs, [2]*state.Field{old, f})
		}
	}
	stmts, err := renameModel(from, to, pairs)
	if err != nil {
		return nil, err
	}
	// before resolves relations as they were: from under its own label.
	before := p.CloneShallow()
	before.Models[from.Key()] = from
	for _, mv := range schema.FollowingJoinTables(p, from, to) {
		s, err := renameJoinTable(before, p, mv.From, mv.To, mv.Old, mv.New)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, s...)
	}
	return stmts, nil
}

// renameJoinTable renames the automatic join table of old (a field of from,
// resolved in pOld) into that of f (a field of to, resolved in p): table,
// columns and generated object names, whatever changed.
func renameJoinTable(pOld, p *state.Project, from, to *state.Model, old, f *state.Field) ([]string, error) {
	if schema.JoinTableName(from, old) == "" || schema.JoinTableName(to, f) == "" {
		return nil, nil
	}
	oldJT, err := schema.JoinTable(pOld, from, old)
	if err != nil {
		return nil, wrap(err)
	}
	newJT, err := schema.JoinTable(p, to, f)
	if err != nil {
		return nil, wrap(err)
	}
	if len(oldJT.Fields) != len(newJT.Fields) {
		return nil, fmt.Errorf("postgres: %s.%s: join tables %s and %s differ in shape", to.Label(), f.Name, oldJT.Table, newJT.Table)
	}
	pairs := make([][2]*state.Field, len(newJT.Fields))
	for i := range newJT.Fields {
		pairs[i] = [2]*state.Field{oldJT.Fields[i], newJT.Fields[i]}
	}
	return renameModel(oldJT, newJT, pairs)
}

// renameModel renames from's table, columns and generated object names into
// to's. pairs lists each column field of from with its counterpart in to.
func renameModel(from, to *state.Model, pairs [][2]*state.Field) ([]string, error) {
	var stmts []string
	if from.Table != to.Table {
		if err := checkIdent(to, to.Table); err != nil {
			return nil, err
		}
		stmts = append(stmts, "ALTER TABLE "+quoteIdent(from.Table)+" RENAME TO "+quoteIdent(to.Table))
	}
	renamed := map[string]string{}
	for _, pair := range pairs {
		old, f := pair[0], pair[1]
		renamed[old.Name] = f.Name
		if old.PrimaryKey && f.PrimaryKey && pkeyName(from.Table) != pkeyName(to.Table) {
			stmts = append(stmts, renameConstraintSQL(to.Table, pkeyName(from.Table), pkeyName(to.Table)))
		}
		if old.ColumnName() != f.ColumnName() {
			if err := checkIdent(to, f.ColumnName()); err != nil {
				return nil, err
			}
			stmts = append(stmts, "ALTER TABLE "+quoteIdent(to.Table)+" RENAME COLUMN "+quoteIdent(old.ColumnName())+" TO "+quoteIdent(f.ColumnName()))
		}
		stmts = append(stmts, renameFieldObjects(to.Table, objectNames(from, old), objectNames(to, f))...)
	}
	s, err := renameUniqueTogether(from, to, func(name string) string {
		if n, ok := renamed[name]; ok {
			return n
		}
		return name
	})
	if err != nil {
		return nil, err
	}
	return append(stmts, s...), nil
}

// renameFieldObjects renames the unique constraint, index and foreign key
// that exist both before and after under different generated names.
func renameFieldObjects(table string, oldObj, newObj fieldObjects) []string {
	var stmts []string
	if oldObj.unique != "" && newObj.unique != "" && oldObj.unique != newObj.unique {
		stmts = append(stmts, renameConstraintSQL(table, oldObj.unique, newObj.unique))
	}
	if oldObj.index != "" && newObj.index != "" && oldObj.index != newObj.index {
		stmts = append(stmts, renameIndexSQL(oldObj.index, newObj.index))
	}
	if oldObj.fk != nil && newObj.fk != nil && oldObj.fk.Name != newObj.fk.Name {
		stmts = append(stmts, renameConstraintSQL(table, oldObj.fk.Name, newObj.fk.Name))
	}
	return stmts
}

// renameUniqueTogether renames unique_together constraints whose generated
// name changed (table or column renamed). rename maps a field name of from to
// its name in to.
func renameUniqueTogether(from, to *state.Model, rename func(string) string) ([]string, error) {
	pairs, err := schema.RenamedGroups(from, to, rename)
	if err != nil {
		return nil, wrap(err)
	}
	var stmts []string
	for _, pair := range pairs {
		stmts = append(stmts, renameConstraintSQL(to.Table, pair[0], pair[1]))
	}
	return stmts, nil
}

// AddColumn adds a column with its constraints and indexes. A fill
// literal is the DEFAULT used to fill the existing rows, then replaced by
// the field's own default or dropped.
func (ddl) AddColumn(p *state.Project, from, to *state.Model, f *state.Field, fill *string) ([]string, error) {
	def, err := columnDef(p, to, f, fill)
	if err != nil {
		return nil, err
	}
	table := quoteIdent(to.Table)
	col := quoteIdent(f.ColumnName())
	stmts := []string{"ALTER TABLE " + table + " ADD COLUMN " + def}
	if fill != nil {
		spec, err := resolveColumn(p, to, f)
		if err != nil {
			return nil, err
		}
		if !spec.identity {
			d, err := defaultOf(to, f, spec)
			if err != nil {
				return nil, err
			}
			stmts = append(stmts, setDefaultSQL(to.Table, f.ColumnName(), d))
		}
	}
	obj, err := objectsOf(p, to, f)
	if err != nil {
		return nil, err
	}
	if obj.pk {
		stmts = append(stmts, "ALTER TABLE "+table+" ADD CONSTRAINT "+quoteIdent(pkeyName(to.Table))+" PRIMARY KEY ("+col+")")
	}
	return append(stmts, addFieldObjects(to.Table, f.ColumnName(), fieldObjects{unique: obj.unique, index: obj.index, fk: obj.fk})...), nil
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("postgres: %w", err)
}

// setDefaultSQL sets a column default, or drops it when def is "".
func setDefaultSQL(table, column, def string) string {
	s := "ALTER TABLE " + quoteIdent(table) + " ALTER COLUMN " + quoteIdent(column)
	if def == "" {
		return s + " DROP DEFAULT"
	}
	return s + " SET DEFAULT " + def
}

// addFieldObjects creates a column's unique constraint, index and foreign key.
func addFieldObjects(table, column string, obj fieldObjects) []string {
	var stmts []string
	if obj.unique != "" {
		stmts = append(stmts, addUniqueSQL(table, obj.unique, quoteIdent(column)))
	}
	if obj.index != "" {
		stmts = append(stmts, createIndexSQL(false, obj.index, table, quoteIdent(column), ""))
	}
	if obj.fk != nil {
		stmts = append(stmts, addForeignKeySQL(table, obj.fk))
	}
	return stmts
}

// DropColumn drops the column (its indexes and constraints go with it),
// its own foreign key first.
func (ddl) DropColumn(p *state.Project, from, to *state.Model, f *state.Field) ([]string, error) {
	var stmts []string
	if fk := objectNames(from, f).fk; fk != nil {
		stmts = append(stmts, dropForeignKeySQL(from.Table, fk)...)
	}
	return append(stmts, "ALTER TABLE "+quoteIdent(from.Table)+" DROP COLUMN "+quoteIdent(f.ColumnName())), nil
}

// ForeignKey is the constraint of relation column f of m, resolved in p.
func (ddl) ForeignKey(p *state.Project, m *state.Model, f *state.Field) (schema.ForeignKey, bool, error) {
	fk, ok, err := schema.ForeignKeyOf(p, m, f)
	return fk, ok, wrap(err)
}

// DropForeignKey drops fk, its pending deferred checks fired first.
func (ddl) DropForeignKey(table string, fk schema.ForeignKey) []string {
	return dropForeignKeySQL(table, &fk)
}

// AddForeignKey adds fk as a deferred constraint.
func (ddl) AddForeignKey(table string, fk schema.ForeignKey) string {
	return addForeignKeySQL(table, &fk)
}

// RetypeColumn gives relation column f of m the type of the column it
// references, converting the stored values.
func (ddl) RetypeColumn(p *state.Project, m *state.Model, f *state.Field) (string, error) {
	spec, err := resolveColumn(p, m, f)
	if err != nil {
		return "", err
	}
	return alterTypeSQL(m.Table, f.ColumnName(), spec.typ), nil
}

// AlterUniqueTogether drops the groups that went away and adds the new ones.
func (ddl) AlterUniqueTogether(p *state.Project, from, to *state.Model) ([]string, error) {
	oldNames, oldCols, err := uniqueTogether(from)
	if err != nil {
		return nil, err
	}
	newNames, newCols, err := uniqueTogether(to)
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, name := range oldNames {
		if _, keep := newCols[name]; !keep {
			stmts = append(stmts, dropConstraintSQL(from.Table, name))
		}
	}
	for _, name := range newNames {
		if _, had := oldCols[name]; !had {
			stmts = append(stmts, addUniqueSQL(to.Table, name, newCols[name]))
		}
	}
	return stmts, nil
}

// AddIndex creates a Meta index (descending and partial ones included).
func (ddl) AddIndex(p *state.Project, m *state.Model, idx state.Index) ([]string, error) {
	s, err := indexSQL(m, idx)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// DropIndex drops a Meta index.
func (ddl) DropIndex(p *state.Project, m *state.Model, idx state.Index) ([]string, error) {
	if idx.Name == "" {
		return nil, fmt.Errorf("postgres: %s: an index needs a name", m.Label())
	}
	return []string{"DROP INDEX " + quoteIdent(idx.Name)}, nil
}

// RenameIndex renames a Meta index.
func (ddl) RenameIndex(p *state.Project, from, to *state.Model, oldName, newName string) ([]string, error) {
	if err := checkIdent(to, oldName, newName); err != nil {
		return nil, fmt.Errorf("%w (index name)", err)
	}
	return []string{renameIndexSQL(oldName, newName)}, nil
}

// AddConstraint adds a check or unique constraint; a partial or descending
// unique constraint becomes a unique index.
func (ddl) AddConstraint(p *state.Project, from, to *state.Model, c state.Constraint) ([]string, error) {
	if c.Kind == state.UniqueConstraint && uniqueIsIndex(c) {
		s, err := uniqueIndexSQL(to, c)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	def, err := constraintDef(to, c)
	if err != nil {
		return nil, err
	}
	return []string{"ALTER TABLE " + quoteIdent(to.Table) + " ADD " + def}, nil
}

// DropConstraint drops a check or unique constraint (or the unique index
// that stands for a partial one).
func (ddl) DropConstraint(p *state.Project, from, to *state.Model, c state.Constraint) ([]string, error) {
	if c.Name == "" {
		return nil, fmt.Errorf("postgres: %s: a constraint needs a name", from.Label())
	}
	if c.Kind == state.UniqueConstraint && uniqueIsIndex(c) {
		return []string{"DROP INDEX " + quoteIdent(c.Name)}, nil
	}
	return []string{dropConstraintSQL(from.Table, c.Name)}, nil
}

// AlterColumn turns column field old of from into f of to: column rename,
// type (keeping data through a USING cast), identity, null (filling NULL
// rows first), default, primary key, unique, index and foreign key changes,
// in an order PostgreSQL accepts. The columns that reference it follow
// (schema.Base drops and re-adds their keys).
func (ddl) AlterColumn(p *state.Project, from, to *state.Model, old, f *state.Field, fill *string) (schema.ColumnChange, error) {
	a, err := newColumnAlteration(p, from, to, old, f)
	if err != nil {
		return schema.ColumnChange{}, err
	}
	stmts, err := a.statements(fill)
	if err != nil {
		return schema.ColumnChange{}, err
	}
	return schema.ColumnChange{Statements: stmts, MovesReferences: a.moveReferences(), Retyped: a.typeChanged()}, nil
}

// AlterJoinTable handles AlterField between two many-to-many fields: only
// the automatic join table's name may change (a field rename or a new
// table=). Any other change needs the field removed and added again.
func (ddl) AlterJoinTable(p *state.Project, from, to *state.Model, old, f *state.Field) ([]string, error) {
	if (old.Relation.Through == "") != (f.Relation.Through == "") {
		return nil, fmt.Errorf("postgres: %s.%s: adding or removing through= on a many-to-many field is not supported; remove the field and add a new one", to.Label(), f.Name)
	}
	oldTarget, newTarget := p.Resolve(from.App, old.Relation.To), p.Resolve(to.App, f.Relation.To)
	if oldTarget == nil || newTarget == nil || oldTarget.Key() != newTarget.Key() {
		return nil, fmt.Errorf("postgres: %s.%s: changing the target of a many-to-many field is not supported; remove the field and add a new one", to.Label(), f.Name)
	}
	return renameJoinTable(p, p, from, to, old, f)
}

// columnAlteration holds what AlterField compares for one column field.
type columnAlteration struct {
	p                *state.Project
	from, to         *state.Model
	old, f           *state.Field
	oldSpec, newSpec columnSpec
	oldObj, newObj   fieldObjects
	oldDef, newDef   string // rendered DEFAULT literals, "" for none
}

func newColumnAlteration(p *state.Project, from, to *state.Model, old, f *state.Field) (*columnAlteration, error) {
	a := &columnAlteration{p: p, from: from, to: to, old: old, f: f}
	var err error
	if a.oldSpec, err = resolveColumn(p, from, old); err != nil {
		return nil, err
	}
	if a.newSpec, err = resolveColumn(p, to, f); err != nil {
		return nil, err
	}
	if a.oldObj, err = objectsOf(p, from, old); err != nil {
		return nil, err
	}
	if a.newObj, err = objectsOf(p, to, f); err != nil {
		return nil, err
	}
	// A constraint that passes between the field and a one-column
	// unique_together group stays where it is.
	if schema.ColumnUniqueExists(from, old) && a.oldObj.unique == "" {
		a.oldObj.unique = schema.FieldUniqueName(from.Table, old.ColumnName())
	}
	if schema.ColumnUniqueExists(to, f) && a.newObj.unique == "" {
		a.newObj.unique = schema.FieldUniqueName(to.Table, f.ColumnName())
	}
	if a.oldDef, err = defaultOf(from, old, a.oldSpec); err != nil {
		return nil, err
	}
	if a.newDef, err = defaultOf(to, f, a.newSpec); err != nil {
		return nil, err
	}
	return a, nil
}

// moveReferences reports whether the foreign keys that reference the column
// must be dropped before the change and made again after it: its type
// changes, or what makes it referable (being the key, its unique
// constraint) goes, comes or is renamed. PostgreSQL ties a foreign key to
// the constraint it was made against, so even a unique constraint that
// gives way to the key takes the key's dependents down with it.
func (a *columnAlteration) moveReferences() bool {
	return a.typeChanged() || a.old.PrimaryKey != a.f.PrimaryKey || a.oldObj.unique != a.newObj.unique
}

func (a *columnAlteration) typeChanged() bool { return a.oldSpec.typ != a.newSpec.typ }

// keepForeignKey reports whether the old FK constraint can stay (renamed at most).
func (a *columnAlteration) keepForeignKey() bool {
	return a.oldObj.fk != nil && a.newObj.fk != nil && !a.typeChanged() && sameTarget(a.oldObj.fk, a.newObj.fk)
}

func (a *columnAlteration) statements(fill *string) ([]string, error) {
	table := a.to.Table
	oldCol, newCol := a.old.ColumnName(), a.f.ColumnName()
	alter := "ALTER TABLE " + quoteIdent(table) + " ALTER COLUMN " + quoteIdent(newCol)
	var stmts []string

	// Drop what goes away or must be rebuilt.
	keepFK := a.keepForeignKey()
	if a.oldObj.fk != nil && !keepFK {
		stmts = append(stmts, dropForeignKeySQL(a.from.Table, a.oldObj.fk)...)
	}
	if a.oldObj.unique != "" && a.newObj.unique == "" {
		stmts = append(stmts, dropConstraintSQL(a.from.Table, a.oldObj.unique))
	}
	if a.oldObj.index != "" && a.newObj.index == "" {
		stmts = append(stmts, "DROP INDEX "+quoteIdent(a.oldObj.index))
	}
	if a.oldObj.pk && !a.newObj.pk {
		stmts = append(stmts, dropConstraintSQL(a.from.Table, pkeyName(a.from.Table)))
	}

	// Rename the column and the objects named after it.
	if oldCol != newCol {
		if err := checkIdent(a.to, newCol); err != nil {
			return nil, err
		}
		stmts = append(stmts, "ALTER TABLE "+quoteIdent(table)+" RENAME COLUMN "+quoteIdent(oldCol)+" TO "+quoteIdent(newCol))
	}
	kept := a.newObj
	if !keepFK {
		kept.fk = nil
	}
	old := a.oldObj
	if !keepFK {
		old.fk = nil
	}
	stmts = append(stmts, renameFieldObjects(table, old, kept)...)
	s, err := renameUniqueTogether(a.from, a.to, func(name string) string {
		if name == a.old.Name {
			return a.f.Name
		}
		return name
	})
	if err != nil {
		return nil, err
	}
	stmts = append(stmts, s...)

	// Type, identity, default, null.
	if a.oldSpec.identity && !a.newSpec.identity {
		stmts = append(stmts, alter+" DROP IDENTITY IF EXISTS")
	}
	if a.typeChanged() {
		if a.oldDef != "" {
			stmts = append(stmts, alter+" DROP DEFAULT")
		}
		typeSQL, err := a.guardedTypeSQL(table, newCol)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, typeSQL)
		if a.newDef != "" {
			stmts = append(stmts, alter+" SET DEFAULT "+a.newDef)
		}
	} else if a.oldDef != a.newDef {
		stmts = append(stmts, setDefaultSQL(table, newCol, a.newDef))
	}
	oldNull, newNull := nullable(a.old, a.oldSpec), nullable(a.f, a.newSpec)
	if oldNull && !newNull {
		if fill == nil {
			fill = a.f.Default
		}
		if fill == nil && a.f.DBDefault != "" {
			stmts = append(stmts,
				"UPDATE "+quoteIdent(table)+" SET "+quoteIdent(newCol)+" = DEFAULT WHERE "+quoteIdent(newCol)+" IS NULL",
				"SET CONSTRAINTS ALL IMMEDIATE")
		}
		if fill != nil {
			lit, err := literal(a.to, a.f, a.newSpec.kind, *fill)
			if err != nil {
				return nil, err
			}
			stmts = append(stmts,
				"UPDATE "+quoteIdent(table)+" SET "+quoteIdent(newCol)+" = "+lit+" WHERE "+quoteIdent(newCol)+" IS NULL",
				"SET CONSTRAINTS ALL IMMEDIATE")
		}
		stmts = append(stmts, alter+" SET NOT NULL")
	}
	if !oldNull && newNull {
		stmts = append(stmts, alter+" DROP NOT NULL")
	}
	if !a.oldSpec.identity && a.newSpec.identity {
		seq := "pg_get_serial_sequence(" + quoteLiteral(quoteIdent(table)) + ", " + quoteLiteral(newCol) + ")"
		stmts = append(stmts, alter+" ADD GENERATED BY DEFAULT AS IDENTITY",
			"SELECT setval("+seq+", COALESCE(MAX("+quoteIdent(newCol)+"), 0) + 1, false) FROM "+quoteIdent(table))
	}

	// Create what is new or was rebuilt.
	if !a.oldObj.pk && a.newObj.pk {
		stmts = append(stmts, "ALTER TABLE "+quoteIdent(table)+" ADD CONSTRAINT "+quoteIdent(pkeyName(table))+" PRIMARY KEY ("+quoteIdent(newCol)+")")
	}
	added := fieldObjects{}
	if a.oldObj.unique == "" {
		added.unique = a.newObj.unique
	}
	if a.oldObj.index == "" {
		added.index = a.newObj.index
	}
	if !keepFK {
		added.fk = a.newObj.fk
	}
	return append(stmts, addFieldObjects(table, newCol, added)...), nil
}

// alterTypeSQL changes the type of a column that follows another one's
// (a foreign key whose target's type changed), converting the stored values;
// the target's own conversion is guarded (guardedTypeSQL).
func alterTypeSQL(table, column, typ string) string {
	return "ALTER TABLE " + quoteIdent(table) + " ALTER COLUMN " + quoteIdent(column) +
		" TYPE " + typ + " USING " + quoteIdent(column) + "::" + typ
}
