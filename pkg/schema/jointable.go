package schema

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// JoinTable synthesises the model of the automatic join table behind a
// many-to-many field (table <table>_<field>, an id key, one foreign
// key to each side, named after its model or as from_column= and
// to_column= state, unique together), so editors create, drop and inspect it
// like any other model. It returns nil for a field with an explicit through
// model, which owns its own table.
func JoinTable(p *state.Project, m *state.Model, f *state.Field) (*state.Model, error) {
	if f.Kind != state.ManyToMany || f.Relation == nil {
		return nil, fmt.Errorf("schema: %s.%s is not a many-to-many field", m.Label(), f.Name)
	}
	if f.Relation.Through != "" {
		return nil, nil
	}
	target := p.Resolve(m.App, f.Relation.To)
	if target == nil {
		return nil, fmt.Errorf("schema: %s.%s points at unknown model %s", m.Label(), f.Name, f.Relation.To)
	}
	table := JoinTableName(m, f)
	from, to := state.SnakeCase(m.Name), state.SnakeCase(target.Name)
	if from == to {
		from, to = "from_"+from, "to_"+to
	}
	fromField := joinSide(from, f.Relation.FromColumn, m.Label())
	toField := joinSide(to, f.Relation.ToColumn, target.Label())
	if fromField.Name == toField.Name {
		return nil, fmt.Errorf("schema: %s.%s: both columns of join table %s are called %s; give from_column= and to_column= different names", m.Label(), f.Name, table, fromField.ColumnName())
	}
	return &state.Model{
		App:   m.App,
		Name:  m.Name + "_" + f.Name,
		Table: table,
		Fields: []*state.Field{
			{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
			fromField,
			toField,
		},
		UniqueTogether: [][]string{{fromField.Name, toField.Name}},
	}, nil
}

// joinSide is one foreign key of a join table: named name (column
// <name>_id) unless column states the column, as from_column= and
// to_column= do; a stated column ending in _id gives the field the name
// before it, so the join model is the one the default naming would give
// for that column.
func joinSide(name, column, to string) *state.Field {
	f := &state.Field{Name: name, Kind: state.ForeignKey, Relation: &state.Relation{To: to, OnDelete: "CASCADE"}}
	switch {
	case column == "":
	case strings.HasSuffix(column, "_id") && len(column) > len("_id"):
		f.Name = strings.TrimSuffix(column, "_id")
	default:
		f.Name, f.Column = column, column
	}
	return f
}

// JoinTableName is the automatic join table of a many-to-many field:
// Relation.Table, else <table>_<field>; "" for any other field and for a
// many-to-many with an explicit through model. It needs no target, so a
// join table can be named (and dropped) after its target left the state.
func JoinTableName(m *state.Model, f *state.Field) string {
	if f.Kind != state.ManyToMany || f.Relation == nil || f.Relation.Through != "" {
		return ""
	}
	if f.Relation.Table != "" {
		return f.Relation.Table
	}
	return m.Table + "_" + f.Name
}

// CreateWithJoinTables creates m with create, then each of its automatic
// join tables the same way: what every editor's CreateModel does.
func CreateWithJoinTables(p *state.Project, m *state.Model, create func(*state.Project, *state.Model) ([]string, error)) ([]string, error) {
	stmts, err := create(p, m)
	if err != nil {
		return nil, err
	}
	joins, err := JoinTables(p, m)
	if err != nil {
		return nil, err
	}
	for _, jt := range joins {
		more, err := create(p, jt)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, more...)
	}
	return stmts, nil
}

// DropJoinTable drops the automatic join table of f, with the dialect's
// quoting; nothing for a field that has none.
func DropJoinTable(m *state.Model, f *state.Field, quote func(string) string) []string {
	if jt := JoinTableName(m, f); jt != "" {
		return []string{"DROP TABLE " + quote(jt)}
	}
	return nil
}

// DropWithJoinTables drops m's automatic join tables, then m's table, with
// the dialect's quoting.
func DropWithJoinTables(m *state.Model, quote func(string) string) []string {
	var stmts []string
	for _, f := range m.Fields {
		stmts = append(stmts, DropJoinTable(m, f, quote)...)
	}
	return append(stmts, "DROP TABLE "+quote(m.Table))
}

// JoinTables returns the automatic join tables of every many-to-many field of m.
func JoinTables(p *state.Project, m *state.Model) ([]*state.Model, error) {
	var out []*state.Model
	for _, f := range m.Fields {
		if f.Kind != state.ManyToMany {
			continue
		}
		jt, err := JoinTable(p, m, f)
		if err != nil {
			return nil, err
		}
		if jt != nil {
			out = append(out, jt)
		}
	}
	return out, nil
}

// Tables lists every table an editor creates for p: each managed model,
// followed by its automatic join tables.
func Tables(p *state.Project) ([]*state.Model, error) {
	var out []*state.Model
	for _, m := range p.Sorted() {
		if m.Unmanaged {
			continue
		}
		joins, err := JoinTables(p, m)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
		out = append(out, joins...)
	}
	return out, nil
}

// JoinTableMove is a many-to-many field whose automatic join table follows
// a change of its model or of its target: Old, a field of From, becomes
// New, a field of To.
type JoinTableMove struct {
	From, To *state.Model
	Old, New *state.Field
}

// FollowingJoinTables lists the automatic join tables that follow model
// from becoming to (a table rename, a model rename): those of to's own
// many-to-many fields, then, when the model itself was renamed, those of
// other models' many-to-many fields that point at it, whose column named
// after the model changes with it.
func FollowingJoinTables(p *state.Project, from, to *state.Model) []JoinTableMove {
	var out []JoinTableMove
	for _, f := range to.Fields {
		if old := from.Field(f.Name); old != nil && autoJoin(old) && autoJoin(f) {
			out = append(out, JoinTableMove{From: from, To: to, Old: old, New: f})
		}
	}
	if from.Name == to.Name {
		return out
	}
	for _, m := range p.Sorted() {
		if m.Unmanaged || m.Key() == to.Key() {
			continue
		}
		for _, f := range m.Fields {
			if !autoJoin(f) || p.Resolve(m.App, f.Relation.To) != to {
				continue
			}
			old := f.Clone()
			old.Relation.To = from.Label()
			out = append(out, JoinTableMove{From: m, To: m, Old: old, New: f})
		}
	}
	return out
}

// autoJoin reports whether f is a many-to-many field with an automatic join table.
func autoJoin(f *state.Field) bool {
	return f.Kind == state.ManyToMany && f.Relation != nil && f.Relation.Through == ""
}
