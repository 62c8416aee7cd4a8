package schema

import (
	"github.com/pmanager/pmanager/pkg/state"
)

// TableMover is the ability of a dialect that alters tables in place
// (ColumnAlterer) to rename a table and a column of it; the Base editor
// renames the objects named after them and the join tables that follow.
type TableMover interface {
	// RenameTable renames a table.
	RenameTable(oldName, newName string) string
	// MoveColumn renames column field old to f's column in m, whose table
	// already has its new name.
	MoveColumn(p *state.Project, m *state.Model, old, f *state.Field) (string, error)
}

// ForeignKeyRenamer is the ability of a dialect to rename a foreign key
// constraint in place (PostgreSQL); without it a key whose name or column
// changes is dropped and made again.
type ForeignKeyRenamer interface {
	// RenameForeignKey renames a foreign key constraint of table.
	RenameForeignKey(table, oldName, newName string) string
}

// moveTable renames from's table into to's with the objects named after it,
// then the automatic join tables whose names follow the model: those of
// its own many-to-many fields and, when the model itself was renamed (as
// RenameModel does), those of other models' fields that point at it, whose
// column named after the model is renamed too.
func (b Base) moveTable(a ColumnAlterer, p *state.Project, from, to *state.Model) ([]string, error) {
	var pairs [][2]*state.Field
	for _, f := range to.Fields {
		if old := from.Field(f.Name); old != nil && old.HasColumn() && f.HasColumn() {
			pairs = append(pairs, [2]*state.Field{old, f})
		}
	}
	stmts, err := b.moveColumns(a, p, from, to, pairs)
	if err != nil {
		return nil, err
	}
	// before resolves relations as they were: from under its own label.
	before := p.CloneShallow()
	before.Models[from.Key()] = from
	for _, mv := range FollowingJoinTables(p, from, to) {
		s, err := b.moveJoinTable(a, before, p, mv.From, mv.To, mv.Old, mv.New)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, s...)
	}
	return stmts, nil
}

// moveJoinTable renames the automatic join table of old (a field of from,
// resolved in pOld) into that of f (a field of to, resolved in p): table,
// columns and generated object names, whatever changed.
func (b Base) moveJoinTable(a ColumnAlterer, pOld, p *state.Project, from, to *state.Model, old, f *state.Field) ([]string, error) {
	if JoinTableName(from, old) == "" || JoinTableName(to, f) == "" {
		return nil, nil
	}
	oldJT, err := JoinTable(pOld, from, old)
	if err != nil {
		return nil, b.wrap(err)
	}
	newJT, err := JoinTable(p, to, f)
	if err != nil {
		return nil, b.wrap(err)
	}
	if len(oldJT.Fields) != len(newJT.Fields) {
		return nil, b.errorf("%s.%s: join tables %s and %s differ in shape", to.Label(), f.Name, oldJT.Table, newJT.Table)
	}
	pairs := make([][2]*state.Field, len(newJT.Fields))
	for i := range newJT.Fields {
		pairs[i] = [2]*state.Field{oldJT.Fields[i], newJT.Fields[i]}
	}
	return b.moveColumns(a, p, oldJT, newJT, pairs)
}

// moveColumns renames from's table into to's, then the columns of the
// paired fields (each column of from with its counterpart in to) and the
// objects named after the table or column: the key (NamedKey), unique
// constraints and indexes, foreign keys and unique_together constraints.
// A foreign key the server cannot rename in place, or keep through its
// column's rename (Capabilities.AltersUnderForeignKey), is dropped first
// and made again last. A dialect that restates columns (ColumnRestater)
// renames every column before any object; otherwise each column's objects
// follow it.
func (b Base) moveColumns(a ColumnAlterer, p *state.Project, from, to *state.Model, pairs [][2]*state.Field) ([]string, error) {
	caps := b.h.Capabilities()
	key, _ := b.h.(NamedKey)
	fkr, _ := b.h.(ForeignKeyRenamer)
	_, grouped := b.h.(ColumnRestater)
	var stmts, columns, objects, adds []string
	if from.Table != to.Table {
		if err := b.checkNames(to, "", to.Table); err != nil {
			return nil, err
		}
		stmts = append(stmts, a.RenameTable(from.Table, to.Table))
	}
	renamed := map[string]string{}
	for _, pair := range pairs {
		old, f := pair[0], pair[1]
		renamed[old.Name] = f.Name
		var pre, col, post []string
		if key != nil && old.PrimaryKey && f.PrimaryKey && key.KeyName(from.Table) != key.KeyName(to.Table) {
			pre = append(pre, key.RenameKey(to.Table, key.KeyName(from.Table), key.KeyName(to.Table)))
		}
		moved := old.ColumnName() != f.ColumnName()
		if moved {
			if err := b.checkNames(to, "", f.ColumnName()); err != nil {
				return nil, err
			}
			s, err := a.MoveColumn(p, to, old, f)
			if err != nil {
				return nil, err
			}
			col = append(col, s)
		}
		was, is := ObjectNames(from, old), ObjectNames(to, f)
		post = append(post, RenameObjects(a, to.Table, was, is)...)
		if was.ForeignKey != nil && is.ForeignKey != nil {
			renamedFK := was.ForeignKey.Name != is.ForeignKey.Name
			switch {
			case fkr != nil && caps.AltersUnderForeignKey:
				if renamedFK {
					post = append(post, fkr.RenameForeignKey(to.Table, was.ForeignKey.Name, is.ForeignKey.Name))
				}
			case renamedFK || moved:
				fk, ok, err := a.ForeignKey(p, to, f)
				if err != nil {
					return nil, err
				}
				if ok {
					stmts = append(stmts, a.DropForeignKey(to.Table, *was.ForeignKey)...)
					adds = append(adds, a.AddForeignKey(to.Table, fk))
				}
			}
		}
		if grouped {
			columns = append(columns, col...)
			objects = append(append(objects, pre...), post...)
		} else {
			objects = append(append(append(objects, pre...), col...), post...)
		}
	}
	pairsOfGroups, err := RenamedGroups(from, to, func(name string) string {
		if n, ok := renamed[name]; ok {
			return n
		}
		return name
	})
	if err != nil {
		return nil, b.wrap(err)
	}
	stmts = append(append(stmts, columns...), objects...)
	for _, g := range pairsOfGroups {
		stmts = append(stmts, a.RenameUnique(to.Table, g[0], g[1]))
	}
	return append(stmts, adds...), nil
}

// alterJoinTable follows AlterField between two many-to-many fields of a
// dialect that alters tables in place: only the automatic join table's
// name and columns may change (a field rename, a new table=); between two
// through models there is nothing to do, as in Django. Adding or removing
// through=, or a new target, needs the field removed and added again.
func (b Base) alterJoinTable(a ColumnAlterer, p *state.Project, from, to *state.Model, old, f *state.Field) ([]string, error) {
	if old.Relation == nil || f.Relation == nil {
		return nil, b.errorf("%s.%s: many-to-many field without a relation", to.Label(), f.Name)
	}
	if (old.Relation.Through == "") != (f.Relation.Through == "") {
		return nil, b.errorf("%s.%s: adding or removing through= on a many-to-many field is not supported; remove the field and add a new one", to.Label(), f.Name)
	}
	oldTarget, newTarget := p.Resolve(from.App, old.Relation.To), p.Resolve(to.App, f.Relation.To)
	if oldTarget == nil || newTarget == nil || oldTarget.Key() != newTarget.Key() {
		return nil, b.errorf("%s.%s: changing the target of a many-to-many field is not supported; remove the field and add a new one", to.Label(), f.Name)
	}
	return b.moveJoinTable(a, p, p, from, to, old, f)
}
