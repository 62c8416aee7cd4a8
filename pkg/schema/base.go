package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// Capabilities are what a dialect's server can do, which the Base editor
// asks instead of knowing the dialect.
type Capabilities struct {
	// TransactionalDDL: DDL runs inside a transaction that rolls back.
	TransactionalDDL bool
	// PartialIndexes: an index or unique constraint may have a condition.
	PartialIndexes bool
	// ReferenceOrder is the order in which the statements for the
	// columns that reference a changed column come.
	ReferenceOrder ReferenceOrder
	// AltersUnderForeignKey: the server changes a column's name, NULL, key
	// and indexes while the column's own foreign key stands; without it the
	// key is dropped and made again around any such change.
	AltersUnderForeignKey bool
	// RenamesReferencedColumns: the server renames a column that foreign
	// keys reference, and they follow; without it they are dropped and
	// made again around the rename.
	RenamesReferencedColumns bool
	// UniquesAsIndexes: every unique constraint is a unique index made
	// after the table (SQLite, which cannot drop a table's own constraint).
	UniquesAsIndexes bool
	// DescendingUniques: a unique constraint may list a column descending;
	// without it such a constraint is a unique index.
	DescendingUniques bool
	// DropsCoveredUniques: CREATE TABLE silently leaves out a unique
	// constraint over the columns of the key or of an earlier unique
	// constraint, so such a constraint is added after the table.
	DropsCoveredUniques bool
	// ChecksLast: CREATE TABLE lists the Meta checks after every unique
	// constraint (MySQL's tables have always been created so); otherwise
	// the Meta constraints come in their declared order, as Django's do.
	ChecksLast bool
	// MaxNameLength is the longest identifier the server keeps whole
	// (PostgreSQL truncates longer ones); 0 for no check by the editor.
	MaxNameLength int
}

// Hooks are what a dialect supplies to the Base editor: its quoting, its
// capabilities and the statements of each kind of change, told only about
// managed models and column fields. How a column changes comes apart:
// a dialect that alters columns in place implements ColumnAlterer (with
// AttributeAlterer or ColumnRestater), one that rebuilds tables
// TableRebuilder. The cross-dialect rules (unmanaged
// models make no DDL, a many-to-many field is its join table, fields are
// looked up and named in errors, what CREATE TABLE contains and in which
// order, Meta constraints and indexes, a renamed table's objects, the
// foreign keys that reference a column dropped before it changes and made
// again after) live in Base, once.
type Hooks interface {
	// Dialect says which database the hooks write for.
	Dialect() Dialect
	// Quote quotes an identifier.
	Quote(name string) string
	// Capabilities says what the server can do.
	Capabilities() Capabilities
	// The named unique constraints and indexes of a table.
	UniqueWriter
	IndexWriter

	// How a column and CREATE TABLE are spelled; what a table contains
	// and in which order is Base's (TableSQL).
	TableWriter
	// AddColumn adds column field f of to (with its key); a dialect that
	// alters columns in place (ColumnAlterer) gets the column's unique
	// constraint, index and foreign key added after it by Base.
	AddColumn(p *state.Project, from, to *state.Model, f *state.Field, fill *string) ([]string, error)
	// DropColumn drops column field f of from; its own foreign key, where
	// the dialect writes them (ForeignKeyWriter), is dropped first by Base.
	DropColumn(p *state.Project, from, to *state.Model, f *state.Field) ([]string, error)
}

// ColumnChange is what a column change renders, and what the Base editor
// needs to know to keep the columns that reference it true.
type ColumnChange struct {
	// Statements change the column itself, its own constraints and indexes.
	Statements []string
	// MovesReferences: the foreign keys that reference the column must be
	// dropped before Statements and made again after them.
	MovesReferences bool
	// Retyped: the column's type changes, and the referencing columns,
	// which store its values, follow it.
	Retyped bool
}

// Base is the editor every dialect shares, as Django's base schema editor
// is: it applies the cross-dialect rules and asks its Hooks for the SQL.
// A dialect's Editor embeds it.
type Base struct {
	h Hooks
}

// NewBase returns the editor that writes h's dialect.
func NewBase(h Hooks) Base { return Base{h: h} }

var _ DDL = Base{}

// Dialect says which database the editor writes for.
func (b Base) Dialect() Dialect { return b.h.Dialect() }

// Quote quotes an identifier for the dialect.
func (b Base) Quote(name string) string { return b.h.Quote(name) }

// AtomicDDL reports whether DDL can run inside a transaction that rolls back.
func (b Base) AtomicDDL() bool { return b.h.Capabilities().TransactionalDDL }

// unmanaged reports whether any of the models is state-only: such a model
// has no DDL at all.
func unmanaged(models ...*state.Model) bool {
	for _, m := range models {
		if m != nil && m.Unmanaged {
			return true
		}
	}
	return false
}

// errorf prefixes an error with the dialect, as every editor error reads.
func (b Base) errorf(format string, args ...any) error {
	return fmt.Errorf(string(b.h.Dialect())+": "+format, args...)
}

// CreateModel creates m's table, then the automatic join tables of its
// many-to-many fields.
func (b Base) CreateModel(p *state.Project, m *state.Model) ([]string, error) {
	if unmanaged(m) {
		return nil, nil
	}
	return CreateWithJoinTables(p, m, b.createTable)
}

// DeleteModel drops m's automatic join tables, then its table.
func (b Base) DeleteModel(p *state.Project, m *state.Model) ([]string, error) {
	if unmanaged(m) {
		return nil, nil
	}
	return DropWithJoinTables(m, b.h.Quote), nil
}

// AlterModelTable renames the table and what follows its name.
func (b Base) AlterModelTable(p *state.Project, from, to *state.Model) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	switch h := b.h.(type) {
	case ColumnAlterer:
		return b.moveTable(h, p, from, to)
	case TableRebuilder:
		return h.MoveTable(p, from, to)
	}
	return nil, b.errorf("rename table %s: the dialect can neither alter a table nor rebuild one", from.Table)
}

// AddField adds a column, or a many-to-many field's join table. A field
// that becomes the key the relations of other tables reference by default
// gets their foreign keys back, their columns restated with its type.
func (b Base) AddField(p *state.Project, from, to *state.Model, field string, fill *string) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	f := to.Field(field)
	if f == nil {
		return nil, b.errorf("add field: %s has no field %q", to.Label(), field)
	}
	if f.Kind == state.ManyToMany {
		jt, err := JoinTable(p, to, f)
		if err != nil || jt == nil {
			return nil, b.wrap(err)
		}
		return b.createTable(p, jt)
	}
	stmts, err := b.h.AddColumn(p, from, to, f, fill)
	if err != nil {
		return nil, err
	}
	if s := b.columnComment(to, f); s != "" {
		stmts = append(stmts, s)
	}
	if a, ok := b.h.(ColumnAlterer); ok {
		objects, err := b.addObjects(a, p, to, f)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, objects...)
	}
	if w, ok := b.h.(ForeignKeyWriter); ok && GainsReferencedKey(nil, f) {
		more, err := AddIncoming(w, b.order(), p, to, f, true)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, more...)
	}
	return stmts, nil
}

// RemoveField drops a column, or a many-to-many field's join table. The
// foreign keys that reference a key going away are dropped first.
func (b Base) RemoveField(p *state.Project, from, to *state.Model, field string) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	f := from.Field(field)
	if f == nil {
		return nil, b.errorf("remove field: %s has no field %q", from.Label(), field)
	}
	if f.Kind == state.ManyToMany {
		return DropJoinTable(from, f, b.h.Quote), nil
	}
	var stmts []string
	if w, ok := b.h.(ForeignKeyWriter); ok && LosesReferencedKey(f, nil) {
		drops, err := DropIncoming(w, b.order(), WithModel(p, from), from, f)
		if err != nil {
			return nil, err
		}
		stmts = drops
	}
	if w, ok := b.h.(ForeignKeyWriter); ok && f.HasColumn() && NeedsForeignKey(f) {
		col := f.ColumnName()
		stmts = append(stmts, w.DropForeignKey(from.Table, ForeignKey{Name: ForeignKeyName(from.Table, col), Column: col})...)
	}
	more, err := b.h.DropColumn(p, from, to, f)
	if err != nil {
		return nil, err
	}
	return append(stmts, more...), nil
}

// AlterField changes field oldName of from into newName of to. Between two
// many-to-many fields the join table follows; a column turning into a
// many-to-many field (or back) is an error. A column change that moves the
// references to it is wrapped in dropping and re-adding their foreign keys.
func (b Base) AlterField(p *state.Project, from, to *state.Model, oldName, newName string, fill *string) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	old, f := from.Field(oldName), to.Field(newName)
	if old == nil {
		return nil, b.errorf("alter field: %s has no field %q", from.Label(), oldName)
	}
	if f == nil {
		return nil, b.errorf("alter field: %s has no field %q", to.Label(), newName)
	}
	switch {
	case old.Kind == state.ManyToMany && f.Kind == state.ManyToMany:
		switch h := b.h.(type) {
		case ColumnAlterer:
			return b.alterJoinTable(h, p, from, to, old, f)
		case TableRebuilder:
			return h.AlterJoinTable(p, from, to, old, f)
		}
		return nil, b.errorf("alter field %s.%s: the dialect can neither alter a table nor rebuild one", to.Label(), newName)
	case old.Kind == state.ManyToMany || f.Kind == state.ManyToMany:
		return nil, b.errorf("alter field %s.%s: cannot turn a many-to-many field into a column or back; remove the field and add a new one", to.Label(), newName)
	}
	c, err := b.alterField(p, from, to, old, f, fill)
	if err != nil {
		return nil, err
	}
	w, ok := b.h.(ForeignKeyWriter)
	if !ok || !c.MovesReferences {
		return c.Statements, nil
	}
	stmts, err := DropIncoming(w, b.order(), WithModel(p, from), from, old)
	if err != nil {
		return nil, err
	}
	stmts = append(stmts, c.Statements...)
	more, err := AddIncoming(w, b.order(), p, to, f, c.Retyped || GainsReferencedKey(old, f))
	if err != nil {
		return nil, err
	}
	return append(stmts, more...), nil
}

// alterField changes a column in place where the dialect can, and
// otherwise lets it rebuild the table.
func (b Base) alterField(p *state.Project, from, to *state.Model, old, f *state.Field, fill *string) (ColumnChange, error) {
	switch h := b.h.(type) {
	case ColumnAlterer:
		return b.alterColumn(h, p, from, to, old, f, fill)
	case TableRebuilder:
		stmts, err := h.RebuildColumn(p, from, to, old, f, fill)
		return ColumnChange{Statements: stmts}, err
	}
	return ColumnChange{}, b.errorf("alter field %s.%s: the dialect can neither alter a column nor rebuild a table", to.Label(), f.Name)
}

// AlterUniqueTogether drops the unique_together constraints that went
// away and adds the new ones.
func (b Base) AlterUniqueTogether(p *state.Project, from, to *state.Model) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	old, err := b.uniqueTogether(from)
	if err != nil {
		return nil, err
	}
	now, err := b.uniqueTogether(to)
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, g := range old {
		if !slices.Contains(now, g) {
			stmts = append(stmts, b.h.DropUnique(to.Table, g.name))
		}
	}
	for _, g := range now {
		if !slices.Contains(old, g) {
			stmts = append(stmts, b.h.AddUnique(to.Table, g.name, g.cols))
		}
	}
	return stmts, nil
}

// uniqueGroup is one unique_together constraint: its name and quoted columns.
type uniqueGroup struct{ name, cols string }

// uniqueTogether lists the constraints of m's unique_together groups.
func (b Base) uniqueTogether(m *state.Model) ([]uniqueGroup, error) {
	var out []uniqueGroup
	for _, group := range UniqueGroups(m) {
		cols, err := m.Columns(group)
		if err != nil {
			return nil, b.errorf("unique_together of %s: %w", m.Label(), err)
		}
		if len(cols) == 0 {
			return nil, b.errorf("unique_together of %s: a group has no fields", m.Label())
		}
		out = append(out, uniqueGroup{name: UniqueTogetherName(m.Table, cols), cols: b.quoteList(cols)})
	}
	return out, nil
}

// quoteList quotes each name and joins them with commas.
func (b Base) quoteList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = b.h.Quote(n)
	}
	return strings.Join(quoted, ", ")
}

// AddIndex creates a Meta index; a partial one where the server has none
// is an error.
func (b Base) AddIndex(p *state.Project, from, to *state.Model, idx state.Index) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	s, err := b.metaIndexSQL(to, idx)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// RemoveIndex drops a Meta index; a partial one cannot exist where the
// server has none, so asking to drop one is an error too.
func (b Base) RemoveIndex(p *state.Project, from, to *state.Model, idx state.Index) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	if err := b.checkPartialIndex(from, idx); err != nil {
		return nil, err
	}
	if idx.Name == "" {
		return nil, b.errorf("remove index on %s: the index has no name", from.Label())
	}
	return []string{b.h.DropIndex(from.Table, idx.Name)}, nil
}

// RenameIndex renames a Meta index in place where the dialect can
// (ObjectWriter), and otherwise drops it and creates it under its new
// name; the same name is nothing to do.
func (b Base) RenameIndex(p *state.Project, from, to *state.Model, oldName, newName string) ([]string, error) {
	if unmanaged(from, to) || oldName == newName {
		return nil, nil
	}
	if w, ok := b.h.(ObjectWriter); ok {
		if err := b.checkNames(to, " (index name)", oldName, newName); err != nil {
			return nil, err
		}
		return []string{w.RenameIndex(to.Table, oldName, newName)}, nil
	}
	old := from.Index(oldName)
	if old == nil {
		return nil, b.errorf("rename index: %s has no index %q", from.Label(), oldName)
	}
	renamed := *old
	renamed.Name = newName
	if now := to.Index(newName); now != nil {
		renamed = *now
	}
	s, err := b.metaIndexSQL(to, renamed)
	if err != nil {
		return nil, err
	}
	return []string{b.h.DropIndex(from.Table, oldName), s}, nil
}

// CheckRestater is the ability of a dialect that cannot add or drop a
// check on its own (SQLite): it restates from's table as to's, checks
// included, keeping the rows.
type CheckRestater interface {
	// RestateChecks restates from's table as to's, which differ in a check.
	RestateChecks(p *state.Project, from, to *state.Model) ([]string, error)
}

// AddConstraint adds a unique or check constraint; a unique one the
// server keeps as an index (a condition, a descending column the server
// refuses in a constraint, or every one where Capabilities say so) is a
// unique index.
func (b Base) AddConstraint(p *state.Project, from, to *state.Model, c state.Constraint) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	if err := b.checkConstraint(to, c); err != nil {
		return nil, err
	}
	if c.Kind == state.CheckConstraint {
		if r, ok := b.h.(CheckRestater); ok {
			return r.RestateChecks(p, from, withConstraint(to, c))
		}
		def, err := b.checkDef(to, c)
		if err != nil {
			return nil, err
		}
		return []string{"ALTER TABLE " + b.Quote(to.Table) + " ADD " + def}, nil
	}
	cols, desc, err := b.constraintColumns(to, c)
	if err != nil {
		return nil, err
	}
	if b.uniqueIsIndex(c, desc) {
		return []string{b.indexSQL(true, c.Name, to.Table, cols, c.Condition)}, nil
	}
	return []string{b.h.AddUnique(to.Table, c.Name, cols)}, nil
}

// RemoveConstraint drops a unique or check constraint, or the unique index
// that stands for it.
func (b Base) RemoveConstraint(p *state.Project, from, to *state.Model, c state.Constraint) ([]string, error) {
	if unmanaged(from, to) {
		return nil, nil
	}
	if err := b.checkConstraint(from, c); err != nil {
		return nil, err
	}
	if c.Name == "" {
		return nil, b.errorf("%s: a constraint needs a name", from.Label())
	}
	if c.Kind == state.CheckConstraint {
		if r, ok := b.h.(CheckRestater); ok {
			return r.RestateChecks(p, from, withoutConstraint(to, c.Name))
		}
		return []string{"ALTER TABLE " + b.Quote(from.Table) + " DROP CONSTRAINT " + b.Quote(c.Name)}, nil
	}
	desc := slices.ContainsFunc(c.Fields, func(f string) bool { return strings.HasPrefix(f, "-") })
	if b.uniqueIsIndex(c, desc) && !b.h.Capabilities().UniquesAsIndexes {
		return []string{b.h.DropIndex(from.Table, c.Name)}, nil
	}
	return []string{b.h.DropUnique(from.Table, c.Name)}, nil
}

// uniqueIsIndex reports whether unique constraint c (desc: a column is
// descending) is a unique index: a constraint takes no WHERE, nor, on
// some servers, a descending column.
func (b Base) uniqueIsIndex(c state.Constraint, desc bool) bool {
	caps := b.h.Capabilities()
	return caps.UniquesAsIndexes || c.Condition != "" || (desc && !caps.DescendingUniques)
}

// withConstraint returns m with constraint c (to already has it when the
// caller passed a consistent state; a copy is made otherwise).
func withConstraint(m *state.Model, c state.Constraint) *state.Model {
	if m.Constraint(c.Name) != nil {
		return m
	}
	out := m.Clone()
	out.Constraints = append(out.Constraints, c)
	return out
}

// withoutConstraint returns m without the constraint called name.
func withoutConstraint(m *state.Model, name string) *state.Model {
	if m.Constraint(name) == nil {
		return m
	}
	out := m.Clone()
	out.Constraints = out.Constraints[:0]
	for _, c := range m.Constraints {
		if c.Name != name {
			out.Constraints = append(out.Constraints, c)
		}
	}
	return out
}

// checkPartialIndex refuses an index with a condition where the server has
// no partial indexes.
func (b Base) checkPartialIndex(m *state.Model, idx state.Index) error {
	if idx.Condition != "" && !b.h.Capabilities().PartialIndexes {
		return b.errorf("index %q of %s has a condition: %s does not support partial indexes", idx.Name, m.Label(), b.h.Dialect().Title())
	}
	return nil
}

// checkConstraint refuses a constraint of unknown kind, and a conditional
// unique constraint where the server has no partial indexes.
func (b Base) checkConstraint(m *state.Model, c state.Constraint) error {
	switch c.Kind {
	case state.CheckConstraint:
		return nil
	case state.UniqueConstraint:
		if c.Condition != "" && !b.h.Capabilities().PartialIndexes {
			return b.errorf("unique constraint %q of %s has a condition: %s does not support conditional unique constraints (partial indexes)", c.Name, m.Label(), b.h.Dialect().Title())
		}
		return nil
	}
	return b.errorf("constraint %q of %s has unknown kind %q", c.Name, m.Label(), c.Kind)
}

// order is the order of the dialect's statements for referencing columns.
func (b Base) order() ReferenceOrder { return b.h.Capabilities().ReferenceOrder }

// wrap prefixes an error of this package's helpers with the dialect.
func (b Base) wrap(err error) error {
	if err == nil {
		return nil
	}
	return b.errorf("%w", err)
}

// Title is the dialect's name as a user reads it in a sentence.
func (d Dialect) Title() string {
	switch d {
	case Postgres:
		return "PostgreSQL"
	case MySQL:
		return "MySQL"
	case SQLite:
		return "SQLite"
	}
	return string(d)
}
