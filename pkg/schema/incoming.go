package schema

import (
	"fmt"

	"github.com/pmanager/pmanager/pkg/state"
)

// ForeignKeyWriter is the ability of a dialect whose foreign keys are
// objects of their own, dropped and added by name (PostgreSQL, MySQL):
// the Base editor then drops the keys that reference a column before a
// change the server refuses under them, and makes them again after. A
// dialect without it (SQLite, which restates a referencing table whole)
// keeps the references true in its own hooks.
type ForeignKeyWriter interface {
	// ForeignKey is the constraint of relation column f of m, resolved in
	// p; false for a column without one.
	ForeignKey(p *state.Project, m *state.Model, f *state.Field) (ForeignKey, bool, error)
	// DropForeignKey drops fk of table.
	DropForeignKey(table string, fk ForeignKey) []string
	// AddForeignKey adds fk to table.
	AddForeignKey(table string, fk ForeignKey) string
	// RetypeColumn gives relation column f of m the type of the column it
	// references, keeping its values.
	RetypeColumn(p *state.Project, m *state.Model, f *state.Field) (string, error)
}

// ReferenceOrder is the order in which Referencing lists the columns of
// join tables among the others. The statements of each referencing column
// are independent; the order only keeps a dialect's output byte-identical
// from one release to the next.
type ReferenceOrder int

// The two orders of referencing columns.
const (
	// TableOrder lists tables in the order of Tables: a model's columns,
	// then its join tables' (MySQL, SQLite).
	TableOrder ReferenceOrder = iota
	// FieldOrder lists a join table's columns where its many-to-many
	// field stands among its model's fields (PostgreSQL).
	FieldOrder
)

// Reference is one relation column, of a model's table or of a join table.
type Reference struct {
	Model *state.Model
	Field *state.Field
}

// Referencing lists the relation columns, in every table an editor
// manages for p (join tables included), that reference field f of model
// m: by to_field, or by default when f is m's primary key. f itself is
// left out. order places the join tables' columns.
func Referencing(order ReferenceOrder, p *state.Project, m *state.Model, f *state.Field) ([]Reference, error) {
	if !f.PrimaryKey && !MayBeReferenced(p, m, f.Name) {
		return nil, nil
	}
	var out []Reference
	add := func(t *state.Model, rf *state.Field) {
		if references(p, t, rf, m, f) {
			out = append(out, Reference{Model: t, Field: rf})
		}
	}
	for _, t := range p.Sorted() {
		if t.Unmanaged {
			continue
		}
		var joins []*state.Model
		for _, rf := range t.Fields {
			if rf.Kind != state.ManyToMany {
				add(t, rf)
				continue
			}
			jt, err := JoinTable(p, t, rf)
			if err != nil {
				return nil, err
			}
			if jt != nil && order == FieldOrder {
				for _, jf := range jt.Fields {
					add(jt, jf)
				}
			} else if jt != nil {
				joins = append(joins, jt)
			}
		}
		for _, jt := range joins {
			for _, jf := range jt.Fields {
				add(jt, jf)
			}
		}
	}
	return out, nil
}

// references reports whether relation column rf of table t references
// field f of model m; f itself does not.
func references(p *state.Project, t *state.Model, rf *state.Field, m *state.Model, f *state.Field) bool {
	if (rf.Kind != state.ForeignKey && rf.Kind != state.OneToOne) || rf.Relation == nil {
		return false
	}
	if t.Key() == m.Key() && rf.Name == f.Name {
		return false
	}
	// Matched by name, not resolved: between the removal of a key and the
	// arrival of the next some targets have none.
	if rf.Relation.ToField != f.Name && (rf.Relation.ToField != "" || !f.PrimaryKey) {
		return false
	}
	target := p.Resolve(t.App, rf.Relation.To)
	return target != nil && target.Key() == m.Key()
}

// ReferencingTables lists the tables of p (join tables included) with a
// relation column that references field f of model m. m's own table is
// left out: rebuilding it already restates its relation columns.
func ReferencingTables(p *state.Project, m *state.Model, f *state.Field) ([]*state.Model, error) {
	refs, err := Referencing(TableOrder, p, m, f)
	if err != nil {
		return nil, err
	}
	var out []*state.Model
	for _, r := range refs {
		if r.Model.Key() == m.Key() || (len(out) > 0 && out[len(out)-1] == r.Model) {
			continue
		}
		out = append(out, r.Model)
	}
	return out, nil
}

// DropIncoming drops the foreign keys that reference field f of m,
// resolved in p, before the column stops being what they reference.
func DropIncoming(w ForeignKeyWriter, order ReferenceOrder, p *state.Project, m *state.Model, f *state.Field) ([]string, error) {
	refs, err := Referencing(order, p, m, f)
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, r := range refs {
		fk, ok, err := w.ForeignKey(p, r.Model, r.Field)
		if err != nil {
			return nil, err
		}
		if ok {
			stmts = append(stmts, w.DropForeignKey(r.Model.Table, fk)...)
		}
	}
	return stmts, nil
}

// AddIncoming points the relations that reference field f of m at it again
// after a change dropped their foreign keys: with retype each column first
// takes f's type (which it follows), then each gets its key back.
func AddIncoming(w ForeignKeyWriter, order ReferenceOrder, p *state.Project, m *state.Model, f *state.Field, retype bool) ([]string, error) {
	refs, err := Referencing(order, p, m, f)
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, r := range refs {
		if retype {
			s, err := w.RetypeColumn(p, r.Model, r.Field)
			if err != nil {
				return nil, err
			}
			stmts = append(stmts, s)
		}
		fk, ok, err := w.ForeignKey(p, r.Model, r.Field)
		if err != nil {
			return nil, err
		}
		if ok {
			stmts = append(stmts, w.AddForeignKey(r.Model.Table, fk))
		}
	}
	return stmts, nil
}

// ForeignKeyOf is the constraint every dialect makes for relation column
// f of m, resolved in p: named by ForeignKeyName, referencing the target's
// to_field or key; false for a column without a constraint.
func ForeignKeyOf(p *state.Project, m *state.Model, f *state.Field) (ForeignKey, bool, error) {
	if !f.HasColumn() || !NeedsForeignKey(f) {
		return ForeignKey{}, false, nil
	}
	target, tf, err := RelationTarget(p, m, f)
	if err != nil {
		return ForeignKey{}, false, err
	}
	if !tf.IsUnique() {
		// Only between two operations of one migration (the to_field
		// target lost its unique, the relation moves next): the change
		// that took the unique dropped the key, as no server keeps a
		// foreign key to a column that is not unique.
		return ForeignKey{}, false, nil
	}
	col := f.ColumnName()
	return ForeignKey{
		Name:      ForeignKeyName(m.Table, col),
		Column:    col,
		RefTable:  target.Table,
		RefColumn: tf.ColumnName(),
		OnDelete:  OnDeleteSQL(f.Relation.OnDelete),
	}, true, nil
}

// RelationTarget returns the model and field relation column f of m
// references, resolved in p: Relation.ToField, or the target's primary key.
func RelationTarget(p *state.Project, m *state.Model, f *state.Field) (*state.Model, *state.Field, error) {
	if f.Relation == nil {
		return nil, nil, fmt.Errorf("%s.%s is a %s field without a relation", m.Label(), f.Name, f.Kind)
	}
	target := p.Resolve(m.App, f.Relation.To)
	if target == nil {
		return nil, nil, fmt.Errorf("%s.%s points at unknown model %s", m.Label(), f.Name, f.Relation.To)
	}
	var tf *state.Field
	if f.Relation.ToField != "" {
		tf = target.Field(f.Relation.ToField)
	} else {
		tf = target.PrimaryKey()
	}
	if tf == nil || !tf.HasColumn() {
		want := f.Relation.ToField
		if want == "" {
			want = "primary key"
		}
		return nil, nil, fmt.Errorf("%s.%s points at %s, which has no column %s", m.Label(), f.Name, target.Label(), want)
	}
	return target, tf, nil
}
