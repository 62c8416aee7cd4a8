package schema

import "github.com/pmanager/pmanager/pkg/state"

// FieldObjects are the database objects of one column field besides the
// column itself, under the names every dialect gives them.
type FieldObjects struct {
	// PrimaryKey: the column is the table's key.
	PrimaryKey bool
	// Unique names the column's one-column unique constraint, "" for none.
	Unique string
	// Index names the column's own plain index, "" for none.
	Index string
	// ForeignKey is the column's own foreign key, nil for none.
	ForeignKey *ForeignKey
}

// ColumnDiff is one column field before and after an AlterField, with the
// objects each version has: what the Base editor compares to decide which
// statements a column change needs and in what order, so a dialect only
// renders them.
type ColumnDiff struct {
	// P resolves relations: the project after the change.
	P *state.Project
	// From and To are the model before and after.
	From, To *state.Model
	// Old and New are the field before and after.
	Old, New *state.Field
	// OldType and NewType are the column types as the dialect writes them.
	OldType, NewType string
	// Was and Is are the field's objects before and after. A one-column
	// unique constraint counts for the column whoever owns it (the field or
	// a one-column unique_together group), so passing it between them
	// changes nothing.
	Was, Is FieldObjects
	// Fill, when not nil, is a one-off value for the rows whose column is
	// NULL when the column stops accepting NULL.
	Fill *string
}

// Renamed reports whether the column's name changes.
func (d *ColumnDiff) Renamed() bool { return d.Old.ColumnName() != d.New.ColumnName() }

// Retyped reports whether the column's type changes.
func (d *ColumnDiff) Retyped() bool { return d.OldType != d.NewType }

// CommentChanged reports whether the column's comment (comment=) changes.
func (d *ColumnDiff) CommentChanged() bool { return d.Old.Comment != d.New.Comment }

// KeyChanged reports whether the column becomes or stops being the key.
func (d *ColumnDiff) KeyChanged() bool { return d.Was.PrimaryKey != d.Is.PrimaryKey }

// Nullable reports whether f's column accepts NULL: a key or an
// auto-increment column never does.
func Nullable(f *state.Field) bool { return f.Null && !f.PrimaryKey && !f.Kind.IsAuto() }

// NullChanged reports whether the column starts or stops accepting NULL.
func (d *ColumnDiff) NullChanged() bool { return Nullable(d.Old) != Nullable(d.New) }

// GainsNotNull reports whether the column stops accepting NULL, so the
// rows holding NULL need a value first.
func (d *ColumnDiff) GainsNotNull() bool { return Nullable(d.Old) && !Nullable(d.New) }

// FillValue is the value for the rows holding NULL when the column stops
// accepting it: the one-off fill, else the field's new default; nil for
// none (then a db_default, if any, fills them, or the database refuses).
func (d *ColumnDiff) FillValue() *string {
	if d.Fill != nil {
		return d.Fill
	}
	return d.New.Default
}

// objectsChanged reports whether the column's own unique constraint or
// index appears, goes away or is renamed.
func (d *ColumnDiff) objectsChanged() bool {
	return d.Was.Unique != d.Is.Unique || d.Was.Index != d.Is.Index
}

// keepsForeignKey reports whether the column's own foreign key stays
// through the change (renamed at most): it still references the same
// column the same way and its column keeps its type. A server that
// refuses to change a column under its own foreign key (caps) also needs
// the name, null, key and indexes unchanged.
func (d *ColumnDiff) keepsForeignKey(caps Capabilities) bool {
	o, n := d.Was.ForeignKey, d.Is.ForeignKey
	if o == nil || n == nil || d.Retyped() || o.RefTable != n.RefTable || o.RefColumn != n.RefColumn || o.OnDelete != n.OnDelete {
		return false
	}
	if caps.AltersUnderForeignKey {
		return true
	}
	return *o == *n && !d.NullChanged() && !d.Renamed() && !d.KeyChanged() && !d.objectsChanged()
}

// movesReferences reports whether the foreign keys that reference the
// column must be dropped before the change and made again after it: its
// type changes, or what makes it referable (being the key, its unique
// constraint) goes, comes or is renamed; on a server that does not rename
// a referenced column under its foreign keys (caps), a rename too.
func (d *ColumnDiff) movesReferences(caps Capabilities) bool {
	return d.Retyped() || d.KeyChanged() || d.Was.Unique != d.Is.Unique || (d.Renamed() && !caps.RenamesReferencedColumns)
}

// UniqueWriter renders a table's named unique constraints; every
// dialect has them (SQLite as unique indexes).
type UniqueWriter interface {
	// AddUnique adds unique constraint name over the quoted column list cols.
	AddUnique(table, name, cols string) string
	// DropUnique drops unique constraint name.
	DropUnique(table, name string) string
}

// IndexWriter renders a table's named plain indexes; every dialect has them.
type IndexWriter interface {
	// CreateIndex creates plain index name over the quoted column list cols.
	CreateIndex(table, name, cols string) string
	// DropIndex drops plain index name.
	DropIndex(table, name string) string
}

// ObjectWriter renders the statements of the named objects a column or a
// table has, renamed in place where the server can: dialects that alter
// columns in place implement it, and the Base editor uses it wherever a
// column's objects come, go or follow a new name.
type ObjectWriter interface {
	UniqueWriter
	IndexWriter
	// RenameUnique renames a unique constraint.
	RenameUnique(table, oldName, newName string) string
	// RenameIndex renames a plain index.
	RenameIndex(table, oldName, newName string) string
}

// ColumnAlterer is the ability of a dialect that changes a column in
// place (PostgreSQL, MySQL): it says the column's type and renders the
// objects; the Base editor decides what changed and orders the statements.
// It comes with either AttributeAlterer (one statement per attribute) or
// ColumnRestater (the column restated whole). A dialect without it
// (SQLite) implements TableRebuilder.
type ColumnAlterer interface {
	ObjectWriter
	ForeignKeyWriter
	TableMover
	// ColumnType is the type of column field f of m as the dialect writes it.
	ColumnType(p *state.Project, m *state.Model, f *state.Field) (string, error)
}

// AttributeAlterer changes a column one attribute at a time, as
// PostgreSQL's ALTER COLUMN does. The Base editor calls each hook only for
// an attribute that changes, in this order: the key dropped, the column
// renamed (then its objects), the auto-increment dropped, the type (with
// the default dropped before and set after) or else the default, NULL
// filled then NOT NULL set or dropped, the auto-increment added, the key
// added.
type AttributeAlterer interface {
	ColumnAlterer
	// Default renders f's DEFAULT (a literal or a db_default expression),
	// "" for none.
	Default(p *state.Project, m *state.Model, f *state.Field) (string, error)
	// DropPrimaryKey drops the key of d.From's table.
	DropPrimaryKey(d *ColumnDiff) string
	// RenameColumn renames d.Old's column to d.New's.
	RenameColumn(d *ColumnDiff) (string, error)
	// The column's own foreign key is renamed in place.
	ForeignKeyRenamer
	// DropAutoIncrement stops the column counting up by itself.
	DropAutoIncrement(d *ColumnDiff) string
	// AlterType changes the column's type, converting the stored values.
	AlterType(d *ColumnDiff) (string, error)
	// SetDefault sets the column's default to def, or drops it for "".
	SetDefault(d *ColumnDiff, def string) string
	// FillNulls gives the rows holding NULL value (a literal, or with nil
	// the column's db_default) before NOT NULL is set.
	FillNulls(d *ColumnDiff, value *string) ([]string, error)
	// SetNotNull makes the column refuse NULL; DropNotNull lets it accept NULL.
	SetNotNull(d *ColumnDiff) string
	DropNotNull(d *ColumnDiff) string
	// AddAutoIncrement makes the column count up by itself from its largest value.
	AddAutoIncrement(d *ColumnDiff) []string
	// AddPrimaryKey makes the column d.To's key.
	AddPrimaryKey(d *ColumnDiff) string
}

// ColumnRestater changes a column by restating its whole definition in
// one statement, as MySQL's MODIFY and CHANGE COLUMN do: name, type,
// NULL, default, auto-increment and key at once.
type ColumnRestater interface {
	ColumnAlterer
	// RestateColumn renders the statements that turn d.Old's column into
	// d.New's (filling NULLs first where the column stops accepting them).
	RestateColumn(d *ColumnDiff) ([]string, error)
}

// TableRebuilder is the ability of a dialect that changes a column by
// rebuilding its table where it cannot alter it in place (SQLite): it
// renders the whole change itself, and keeps the tables that reference
// the column true by rebuilding them too.
type TableRebuilder interface {
	// RebuildColumn changes column field old of from into f of to.
	RebuildColumn(p *state.Project, from, to *state.Model, old, f *state.Field, fill *string) ([]string, error)
	// MoveTable moves from's table into to's, with its objects and the
	// automatic join tables that follow it (ColumnAlterer dialects leave
	// this to Base, which renames the objects in place).
	MoveTable(p *state.Project, from, to *state.Model) ([]string, error)
	// AlterJoinTable follows a change between two many-to-many fields.
	AlterJoinTable(p *state.Project, from, to *state.Model, old, f *state.Field) ([]string, error)
}

// ObjectNames lists the objects of column field f of m under the names
// every dialect gives them; the foreign key carries only its name and
// column (enough to drop or rename it).
func ObjectNames(m *state.Model, f *state.Field) FieldObjects {
	if !f.HasColumn() {
		return FieldObjects{}
	}
	o := FieldObjects{PrimaryKey: f.PrimaryKey}
	col := f.ColumnName()
	if f.IsUnique() && !f.PrimaryKey {
		o.Unique = FieldUniqueName(m.Table, col)
	}
	if NeedsIndex(f) {
		o.Index = FieldIndexName(m.Table, col)
	}
	if NeedsForeignKey(f) {
		o.ForeignKey = &ForeignKey{Name: ForeignKeyName(m.Table, col), Column: col}
	}
	return o
}

// ObjectsOf is ObjectNames with the foreign key resolved in p by w.
func ObjectsOf(w ForeignKeyWriter, p *state.Project, m *state.Model, f *state.Field) (FieldObjects, error) {
	o := ObjectNames(m, f)
	if o.ForeignKey == nil {
		return o, nil
	}
	fk, ok, err := w.ForeignKey(p, m, f)
	if err != nil {
		return o, err
	}
	o.ForeignKey = nil
	if ok {
		o.ForeignKey = &fk
	}
	return o, nil
}

// RenameObjects renames the unique constraint and index a column has both
// before (was) and after (is) under a different generated name, as a
// renamed table or column leaves them.
func RenameObjects(w ObjectWriter, table string, was, is FieldObjects) []string {
	var stmts []string
	if was.Unique != "" && is.Unique != "" && was.Unique != is.Unique {
		stmts = append(stmts, w.RenameUnique(table, was.Unique, is.Unique))
	}
	if was.Index != "" && is.Index != "" && was.Index != is.Index {
		stmts = append(stmts, w.RenameIndex(table, was.Index, is.Index))
	}
	return stmts
}

// addObjects creates the unique constraint, index and foreign key of
// column field f, just added to m.
func (b Base) addObjects(a ColumnAlterer, p *state.Project, m *state.Model, f *state.Field) ([]string, error) {
	o, err := ObjectsOf(a, p, m, f)
	if err != nil {
		return nil, err
	}
	col := b.Quote(f.ColumnName())
	var stmts []string
	if o.Unique != "" {
		stmts = append(stmts, a.AddUnique(m.Table, o.Unique, col))
	}
	if o.Index != "" {
		stmts = append(stmts, a.CreateIndex(m.Table, o.Index, col))
	}
	if o.ForeignKey != nil {
		stmts = append(stmts, a.AddForeignKey(m.Table, *o.ForeignKey))
	}
	return stmts, nil
}

// diffColumn compares column field old of from with f of to.
func diffColumn(a ColumnAlterer, p *state.Project, from, to *state.Model, old, f *state.Field, fill *string) (*ColumnDiff, error) {
	d := &ColumnDiff{P: p, From: from, To: to, Old: old, New: f, Fill: fill}
	var err error
	if d.OldType, err = a.ColumnType(p, from, old); err != nil {
		return nil, err
	}
	if d.NewType, err = a.ColumnType(p, to, f); err != nil {
		return nil, err
	}
	if d.Was, err = ObjectsOf(a, p, from, old); err != nil {
		return nil, err
	}
	if d.Is, err = ObjectsOf(a, p, to, f); err != nil {
		return nil, err
	}
	// The one-column unique constraint counts whoever owns it.
	if ColumnUniqueExists(from, old) {
		d.Was.Unique = FieldUniqueName(from.Table, old.ColumnName())
	}
	if ColumnUniqueExists(to, f) {
		d.Is.Unique = FieldUniqueName(to.Table, f.ColumnName())
	}
	return d, nil
}

// alterColumn renders an in-place column change in the order every
// server accepts: the column's own foreign key, unique constraint and
// index that go (or must be rebuilt) are dropped first; then the column
// itself changes (per attribute or restated whole), its objects following
// a new name; then what is new is created, its foreign key last.
func (b Base) alterColumn(a ColumnAlterer, p *state.Project, from, to *state.Model, old, f *state.Field, fill *string) (ColumnChange, error) {
	d, err := diffColumn(a, p, from, to, old, f, fill)
	if err != nil {
		return ColumnChange{}, err
	}
	caps := b.h.Capabilities()
	keepFK := d.keepsForeignKey(caps)
	was, is := d.Was, d.Is
	var stmts []string
	if was.ForeignKey != nil && !keepFK {
		stmts = append(stmts, a.DropForeignKey(from.Table, *was.ForeignKey)...)
	}
	if was.Unique != "" && is.Unique == "" {
		stmts = append(stmts, a.DropUnique(from.Table, was.Unique))
	}
	if was.Index != "" && is.Index == "" {
		stmts = append(stmts, a.DropIndex(from.Table, was.Index))
	}
	var more []string
	switch x := a.(type) {
	case AttributeAlterer:
		more, err = b.alterAttributes(x, d, keepFK)
	case ColumnRestater:
		more, err = b.restateColumn(x, d)
	default:
		err = b.errorf("alter field: the dialect neither alters attributes nor restates columns")
	}
	if err != nil {
		return ColumnChange{}, err
	}
	stmts = append(stmts, more...)
	if is.ForeignKey != nil && !keepFK {
		stmts = append(stmts, a.AddForeignKey(to.Table, *is.ForeignKey))
	}
	return ColumnChange{Statements: stmts, MovesReferences: d.movesReferences(caps), Retyped: d.Retyped()}, nil
}

// alterAttributes changes the column one attribute at a time; the
// objects named after the column follow right after its rename.
func (b Base) alterAttributes(a AttributeAlterer, d *ColumnDiff, keepFK bool) ([]string, error) {
	table := d.To.Table
	was, is := d.Was, d.Is
	var stmts []string
	if was.PrimaryKey && !is.PrimaryKey {
		stmts = append(stmts, a.DropPrimaryKey(d))
	}
	if d.Renamed() {
		s, err := a.RenameColumn(d)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, s)
	}
	stmts = append(stmts, RenameObjects(a, table, was, is)...)
	if keepFK && was.ForeignKey.Name != is.ForeignKey.Name {
		stmts = append(stmts, a.RenameForeignKey(table, was.ForeignKey.Name, is.ForeignKey.Name))
	}
	together, err := b.renameTogether(a, d)
	if err != nil {
		return nil, err
	}
	stmts = append(stmts, together...)
	more, err := b.alterValue(a, d)
	if err != nil {
		return nil, err
	}
	stmts = append(stmts, more...)
	if !was.PrimaryKey && is.PrimaryKey {
		stmts = append(stmts, a.AddPrimaryKey(d))
	}
	if c, ok := a.(Commenter); ok && d.CommentChanged() {
		if s := c.CommentColumn(table, d.New.ColumnName(), d.New.Comment); s != "" {
			stmts = append(stmts, s)
		}
	}
	col := b.Quote(d.New.ColumnName())
	if was.Unique == "" && is.Unique != "" {
		stmts = append(stmts, a.AddUnique(table, is.Unique, col))
	}
	if was.Index == "" && is.Index != "" {
		stmts = append(stmts, a.CreateIndex(table, is.Index, col))
	}
	return stmts, nil
}

// alterValue changes what the column holds: auto-increment, type, default
// and NULL. The default goes before a type change (it may not convert) and
// comes back after it.
func (b Base) alterValue(a AttributeAlterer, d *ColumnDiff) ([]string, error) {
	oldDef, err := a.Default(d.P, d.From, d.Old)
	if err != nil {
		return nil, err
	}
	newDef, err := a.Default(d.P, d.To, d.New)
	if err != nil {
		return nil, err
	}
	oldAuto, newAuto := d.Old.Kind.IsAuto(), d.New.Kind.IsAuto()
	var stmts []string
	if oldAuto && !newAuto {
		stmts = append(stmts, a.DropAutoIncrement(d))
	}
	switch {
	case d.Retyped():
		if oldDef != "" {
			stmts = append(stmts, a.SetDefault(d, ""))
		}
		s, err := a.AlterType(d)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, s)
		if newDef != "" {
			stmts = append(stmts, a.SetDefault(d, newDef))
		}
	case oldDef != newDef:
		stmts = append(stmts, a.SetDefault(d, newDef))
	}
	switch {
	case d.GainsNotNull():
		fill := d.FillValue()
		if fill != nil || d.New.DBDefault != "" {
			s, err := a.FillNulls(d, fill)
			if err != nil {
				return nil, err
			}
			stmts = append(stmts, s...)
		}
		stmts = append(stmts, a.SetNotNull(d))
	case !Nullable(d.Old) && Nullable(d.New):
		stmts = append(stmts, a.DropNotNull(d))
	}
	if !oldAuto && newAuto {
		stmts = append(stmts, a.AddAutoIncrement(d)...)
	}
	return stmts, nil
}

// restateColumn restates the column whole; its objects follow after, each
// created where it is new or renamed where its name changed, then the
// unique_together constraints named after the column.
func (b Base) restateColumn(a ColumnRestater, d *ColumnDiff) ([]string, error) {
	stmts, err := a.RestateColumn(d)
	if err != nil {
		return nil, err
	}
	table := d.To.Table
	was, is := d.Was, d.Is
	col := b.Quote(d.New.ColumnName())
	switch {
	case is.Unique != "" && was.Unique == "":
		stmts = append(stmts, a.AddUnique(table, is.Unique, col))
	case is.Unique != "" && was.Unique != is.Unique:
		stmts = append(stmts, a.RenameUnique(table, was.Unique, is.Unique))
	}
	switch {
	case is.Index != "" && was.Index == "":
		stmts = append(stmts, a.CreateIndex(table, is.Index, col))
	case is.Index != "" && was.Index != is.Index:
		stmts = append(stmts, a.RenameIndex(table, was.Index, is.Index))
	}
	if d.Old.Name == d.New.Name && !d.Renamed() {
		return stmts, nil
	}
	together, err := b.renameTogether(a, d)
	return append(stmts, together...), err
}

// renameTogether renames the unique_together constraints whose generated
// names follow the renamed field's column.
func (b Base) renameTogether(a ObjectWriter, d *ColumnDiff) ([]string, error) {
	pairs, err := RenamedGroups(d.From, d.To, func(name string) string {
		if name == d.Old.Name {
			return d.New.Name
		}
		return name
	})
	if err != nil {
		return nil, b.wrap(err)
	}
	var stmts []string
	for _, pair := range pairs {
		stmts = append(stmts, a.RenameUnique(d.To.Table, pair[0], pair[1]))
	}
	return stmts, nil
}
