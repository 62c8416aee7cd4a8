package autocases

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/internal/randstate"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// editKinds are the model edits the generator makes; every one is tried in
// turn whenever the one drawn does not fit the current state.
var editKinds = []string{
	"add model", "remove model", "add field", "remove field", "alter field",
	"add foreign key", "alter foreign key", "add many-to-many", "add index", "remove index",
	"add unique", "add check", "remove constraint", "unique together", "rename table", "state only",
	"replace primary key", "move primary key", "retype primary key", "to_field relation",
	"unique with its group", "reorder index", "two edits on one model",
	"many-to-many with join columns", "alter join columns", "ordering across a relation",
	"ordering by pk", "ordering at random", "add spelled type", "alter spelled type", "table comment",
}

// editor makes random, valid edits to a state, as a developer editing
// structs would: new names come from counters, so nothing is reused.
type editor struct {
	r       *rand.Rand
	dialect schema.Dialect
	next    int
	// model, when set, is the model every edit of a compound edit changes.
	model *state.Model
}

func (e *editor) name(prefix string) string {
	e.next++
	return fmt.Sprintf("%s%d", prefix, e.next)
}

// edit returns a changed copy of p and what kind of edit it made.
func (e *editor) edit(p *state.Project) (*state.Project, string) {
	start := e.r.Intn(len(editKinds))
	for i := range editKinds {
		kind := editKinds[(start+i)%len(editKinds)]
		c := cloneDeep(p)
		if e.apply(kind, c) {
			sanitize(c)
			return c, kind
		}
	}
	c := cloneDeep(p)
	e.addModel(c)
	return c, "add model"
}

// cloneDeep copies p and each of its models, so edits never reach p.
func cloneDeep(p *state.Project) *state.Project {
	c := state.NewProject()
	for k, m := range p.Models {
		c.Models[k] = m.Clone()
	}
	return c
}

func (e *editor) apply(kind string, p *state.Project) bool {
	models := managed(p)
	if kind != "add model" && len(models) == 0 {
		return false
	}
	pick := func() *state.Model {
		if len(models) == 0 {
			return nil
		}
		return models[e.r.Intn(len(models))]
	}
	m := pick()
	if e.model != nil {
		m = e.model
	}
	switch kind {
	case "add model":
		if len(models) >= 6 {
			return false
		}
		e.addModel(p)
	case "remove model":
		if len(models) < 3 {
			return false
		}
		removeModel(p, m)
	case "add field":
		m.Fields = append(m.Fields, e.plainField())
	case "remove field":
		f := e.pickField(m, func(f *state.Field) bool { return !f.PrimaryKey })
		if f == nil {
			return false
		}
		m.Fields = dropField(m.Fields, f)
	case "alter field":
		f := e.pickField(m, func(f *state.Field) bool {
			return !f.PrimaryKey && !f.Kind.IsRelation() && !inCondition(m, f) && f.Kind != state.SQL
		})
		if f == nil {
			return false
		}
		e.alterField(f)
	case "add foreign key":
		to := pick()
		f := &state.Field{Name: e.name("r"), Kind: state.ForeignKey, Null: true,
			Relation: &state.Relation{To: to.Label(), OnDelete: "SET_NULL"}}
		switch e.r.Intn(4) {
		case 0:
			f.Kind, f.Relation.OnDelete = state.OneToOne, "CASCADE"
		case 1:
			f.Null, f.Relation.OnDelete = false, "CASCADE"
		}
		m.Fields = append(m.Fields, f)
	case "alter foreign key":
		var fks []*state.Field
		for _, m := range models {
			for _, f := range m.Fields {
				if f.Kind == state.ForeignKey || f.Kind == state.OneToOne {
					fks = append(fks, f)
				}
			}
		}
		if len(fks) == 0 {
			return false
		}
		e.alterRelation(fks[e.r.Intn(len(fks))], pick())
	case "add many-to-many":
		m.Fields = append(m.Fields, &state.Field{Name: e.name("m"), Kind: state.ManyToMany,
			Relation: &state.Relation{To: pick().Label()}})
	case "many-to-many with join columns":
		rel := &state.Relation{To: pick().Label()}
		switch e.r.Intn(3) {
		case 0:
			rel.FromColumn, rel.ToColumn = e.joinColumn(), e.joinColumn()
		case 1:
			rel.FromColumn = e.joinColumn()
		default:
			rel.ToColumn = e.joinColumn()
		}
		m.Fields = append(m.Fields, &state.Field{Name: e.name("m"), Kind: state.ManyToMany, Relation: rel})
	case "alter join columns":
		var m2m []*state.Field
		for _, m := range models {
			for _, f := range m.Fields {
				if f.Kind == state.ManyToMany && f.Relation.Through == "" {
					m2m = append(m2m, f)
				}
			}
		}
		if len(m2m) == 0 {
			return false
		}
		e.alterJoinColumns(m2m[e.r.Intn(len(m2m))].Relation)
	case "ordering across a relation":
		return e.orderAcross(p, m)
	case "ordering by pk":
		term := []string{"pk", "-pk"}[e.r.Intn(2)]
		if slices.Equal(m.Options.Ordering, []string{term}) {
			term = strings.TrimPrefix(term, "-")
			if term == m.Options.Ordering[0] {
				term = "-" + term
			}
		}
		m.Options.Ordering = []string{term}
	case "add spelled type":
		f := &state.Field{Name: e.name("s"), Kind: state.SQL, Null: true}
		f.SQLTypes = slices.Clone(spelledTypes[e.r.Intn(len(spelledTypes))])
		m.Fields = append(m.Fields, f)
	case "alter spelled type":
		f := e.pickField(m, func(f *state.Field) bool { return f.Kind == state.SQL })
		if f == nil {
			return false
		}
		i := e.r.Intn(len(spelledTypes))
		if slices.Equal(f.SQLTypes, spelledTypes[i]) {
			i = (i + 1) % len(spelledTypes)
		}
		f.SQLTypes = slices.Clone(spelledTypes[i])
	case "table comment":
		if m.Options.Comment != "" && e.r.Intn(3) == 0 {
			m.Options.Comment = ""
		} else {
			m.Options.Comment = e.name("about ") + " it's \"quoted\""
		}
	case "ordering at random":
		if slices.Equal(m.Options.Ordering, []string{state.OrderingRandom}) {
			return false
		}
		m.Options.Ordering = []string{state.OrderingRandom}
	case "add index":
		cols := e.indexable(m, 2)
		if len(cols) == 0 {
			return false
		}
		idx := state.Index{Name: e.name(strings.ToLower(m.Name) + "_i"), Fields: cols}
		if e.r.Intn(3) == 0 {
			idx.Fields[0] = "-" + idx.Fields[0]
		}
		if e.dialect != schema.MySQL && e.r.Intn(4) == 0 && m.PrimaryKey().Kind != state.Char {
			// Partial, over the key column, which no edit renames; a
			// number, as the condition compares it with one.
			idx.Condition = m.PrimaryKey().ColumnName() + ">0"
		}
		m.Indexes = append(m.Indexes, idx)
	case "remove index":
		if len(m.Indexes) == 0 {
			return false
		}
		i := e.r.Intn(len(m.Indexes))
		m.Indexes = append(m.Indexes[:i:i], m.Indexes[i+1:]...)
	case "add unique":
		cols := e.indexable(m, 2)
		if len(cols) == 0 {
			return false
		}
		m.Constraints = append(m.Constraints, state.Constraint{Kind: state.UniqueConstraint,
			Name: e.name(strings.ToLower(m.Name) + "_u"), Fields: cols})
	case "add check":
		f := e.pickField(m, func(f *state.Field) bool { return isNumber(f.Kind) })
		if f == nil {
			return false
		}
		m.Constraints = append(m.Constraints, state.Constraint{Kind: state.CheckConstraint,
			Name: e.name(strings.ToLower(m.Name) + "_c"), Check: f.ColumnName() + " >= 0"})
	case "remove constraint":
		if len(m.Constraints) == 0 {
			return false
		}
		i := e.r.Intn(len(m.Constraints))
		m.Constraints = append(m.Constraints[:i:i], m.Constraints[i+1:]...)
	case "unique together":
		cols := e.indexable(m, 2)
		if len(cols) < 2 || e.r.Intn(3) == 0 {
			if len(m.UniqueTogether) == 0 {
				return false
			}
			m.UniqueTogether = nil
			break
		}
		m.UniqueTogether = [][]string{cols}
	case "rename table":
		m.Table = e.name(strings.ToLower(m.Name) + "_t")
	case "state only":
		switch e.r.Intn(3) {
		case 0:
			m.Options.Ordering = []string{"-" + m.PrimaryKey().Name}
		case 1:
			m.Options.VerboseName = e.name("v")
		default:
			f := e.pickField(m, func(f *state.Field) bool { return !f.PrimaryKey })
			if f == nil {
				return false
			}
			f.Comment = e.name("note")
		}
	case "replace primary key":
		return e.replaceKey(m)
	case "move primary key":
		return e.moveKey(m)
	case "retype primary key":
		pk := m.PrimaryKey()
		switch pk.Kind {
		case state.BigAuto:
			pk.Kind = state.Auto
		case state.Auto:
			pk.Kind = state.BigAuto
		case state.Char:
			pk.MaxLength = 10 * (1 + e.r.Intn(5))
		default:
			return false
		}
	case "to_field relation":
		return e.toFieldRelation(m, models)
	case "unique with its group":
		return e.uniqueWithGroup(m)
	case "reorder index":
		for i := range m.Indexes {
			if len(m.Indexes[i].Fields) > 1 {
				f := m.Indexes[i].Fields
				f[0], f[1] = f[1], f[0]
				return true
			}
		}
		return false
	case "two edits on one model":
		if e.model != nil {
			return false
		}
		e.model = m
		defer func() { e.model = nil }()
		done := 0
		for _, i := range e.r.Perm(len(editKinds)) {
			k := editKinds[i]
			if k == "add model" || k == "remove model" || k == kind {
				continue
			}
			if e.apply(k, p) {
				done++
			}
			if done == 2 {
				return true
			}
		}
		return done > 0
	default:
		panic("autocases: unknown edit " + kind)
	}
	return true
}

// spelledTypes are the per-dialect spellings "add spelled type" and
// "alter spelled type" choose from: aliases and types no other kind
// says, each able to hold the others' values while the column is NULL.
var spelledTypes = [][]state.SQLType{
	{{Dialect: "postgres", Type: "inet"}, {Dialect: "mysql", Type: "varchar(45)"}, {Dialect: "sqlite", Type: "text"}},
	{{Dialect: "postgres", Type: "cidr"}, {Dialect: "mysql", Type: "mediumtext"}, {Dialect: "sqlite", Type: "blob"}},
	{{Dialect: "postgres", Type: "INT4"}, {Dialect: "mysql", Type: "int(11) unsigned"}, {Dialect: "sqlite", Type: "INTEGER"}},
}

// joinColumn is a new name for a join table column: ending in _id or not,
// as from_column= and to_column= take both (the join model's field is then
// named without the _id, or as the column).
func (e *editor) joinColumn() string {
	if e.r.Intn(2) == 0 {
		return e.name("jc") + "_id"
	}
	return e.name("jc")
}

// alterJoinColumns renames one or both columns of a many-to-many's join
// table, or gives one back its default name.
func (e *editor) alterJoinColumns(rel *state.Relation) {
	switch e.r.Intn(4) {
	case 0:
		rel.FromColumn = e.joinColumn()
	case 1:
		rel.ToColumn = e.joinColumn()
	case 2:
		rel.FromColumn, rel.ToColumn = e.joinColumn(), e.joinColumn()
	default:
		if rel.FromColumn != "" {
			rel.FromColumn = ""
		} else if rel.ToColumn != "" {
			rel.ToColumn = ""
		} else {
			rel.FromColumn = e.joinColumn()
		}
	}
}

// orderAcross sets m's ordering to a path across one of its relations (a
// foreign key, one-to-one or many-to-many) to a column field of the
// target or its pk, descending at times, and sometimes a second term.
func (e *editor) orderAcross(p *state.Project, m *state.Model) bool {
	var paths []string
	for _, f := range m.Fields {
		if f.Relation == nil {
			continue
		}
		t := p.Resolve(m.App, f.Relation.To)
		if t == nil {
			continue
		}
		paths = append(paths, f.Name+"__pk")
		for _, tf := range t.Fields {
			if tf.HasColumn() {
				paths = append(paths, f.Name+"__"+tf.Name)
			}
		}
	}
	if len(paths) == 0 {
		return false
	}
	term := paths[e.r.Intn(len(paths))]
	if e.r.Intn(2) == 0 {
		term = "-" + term
	}
	ordering := []string{term}
	if e.r.Intn(3) == 0 {
		ordering = append(ordering, []string{"pk", "-pk"}[e.r.Intn(2)])
	}
	if slices.Equal(m.Options.Ordering, ordering) {
		return false
	}
	m.Options.Ordering = ordering
	return true
}

// replaceKey gives m a new primary key under a new name, as a developer who
// renames the key field without answering the rename question does: the old
// key column goes and a new one comes, and every relation to m follows.
func (e *editor) replaceKey(m *state.Model) bool {
	old := m.PrimaryKey()
	if inCondition(m, old) {
		return false
	}
	nk := &state.Field{Name: e.name("k"), PrimaryKey: true}
	switch e.r.Intn(3) {
	case 0:
		nk.Kind = state.Auto
	case 1:
		nk.Kind = state.Char
		nk.MaxLength = 20
	default:
		nk.Kind = state.BigAuto
	}
	m.Fields = append(dropField(m.Fields, old), nk)
	return true
}

// inCondition reports whether a partial index of m names f's column in its
// condition: the condition is SQL the state cannot follow, so an edit that
// renames or drops the column would leave it naming nothing.
func inCondition(m *state.Model, f *state.Field) bool {
	for _, idx := range m.Indexes {
		if idx.Condition != "" && strings.HasPrefix(idx.Condition, f.ColumnName()+">") {
			return true
		}
	}
	return false
}

// moveKey makes another field of m its primary key; the old key stays as a
// plain NOT NULL column of the integer kind it stored.
func (e *editor) moveKey(m *state.Model) bool {
	f := e.pickField(m, func(f *state.Field) bool {
		return !f.PrimaryKey && (f.Kind == state.Char || f.Kind == state.Integer || f.Kind == state.BigInteger)
	})
	if f == nil {
		return false
	}
	old := m.PrimaryKey()
	old.PrimaryKey = false
	switch old.Kind {
	case state.BigAuto:
		old.Kind = state.BigInteger
	case state.Auto:
		old.Kind = state.Integer
	}
	f.PrimaryKey, f.Null, f.Unique, f.Index, f.Default = true, false, false, false, nil
	return true
}

// toFieldRelation adds a foreign key that names a unique field of its
// target with to_field, or points an existing one at another unique field.
func (e *editor) toFieldRelation(m *state.Model, models []*state.Model) bool {
	target := models[e.r.Intn(len(models))]
	var uniques []*state.Field
	for _, f := range target.Fields {
		if f.Unique && !f.PrimaryKey && keyLikeKind(f.Kind) && f.HasColumn() {
			uniques = append(uniques, f)
		}
	}
	if len(uniques) == 0 {
		f := e.pickField(target, func(f *state.Field) bool {
			return !f.PrimaryKey && keyLikeKind(f.Kind) && f.HasColumn()
		})
		if f == nil {
			return false
		}
		f.Unique = true
		uniques = append(uniques, f)
	}
	tf := uniques[e.r.Intn(len(uniques))]
	for _, f := range m.Fields {
		if f.Kind == state.ForeignKey && f.Relation.ToField != "" && f.Relation.To == target.Label() && f.Relation.ToField != tf.Name {
			f.Relation.ToField = tf.Name
			return true
		}
	}
	m.Fields = append(m.Fields, &state.Field{Name: e.name("r"), Kind: state.ForeignKey, Null: true,
		Relation: &state.Relation{To: target.Label(), ToField: tf.Name, OnDelete: "SET_NULL"}})
	return true
}

// uniqueWithGroup toggles a field's unique flag and, in the same edit, a
// one-column unique_together group, Meta unique or index over the same
// column: objects whose generated names may meet.
func (e *editor) uniqueWithGroup(m *state.Model) bool {
	f := e.pickField(m, func(f *state.Field) bool {
		return !f.PrimaryKey && !f.Kind.IsRelation() && f.HasColumn() && indexableKind(f.Kind)
	})
	if f == nil {
		return false
	}
	f.Unique = !f.Unique
	switch e.r.Intn(3) {
	case 0:
		if len(m.UniqueTogether) > 0 {
			m.UniqueTogether = nil
		} else {
			m.UniqueTogether = [][]string{{f.Name}}
		}
	case 1:
		m.Constraints = append(m.Constraints, state.Constraint{Kind: state.UniqueConstraint,
			Name: e.name(strings.ToLower(m.Name) + "_u"), Fields: []string{f.Name}})
	default:
		m.Indexes = append(m.Indexes, state.Index{Name: e.name(strings.ToLower(m.Name) + "_i"), Fields: []string{f.Name}})
	}
	return true
}

// managed lists the models of p, sorted, for the edits to choose from.
func managed(p *state.Project) []*state.Model {
	var out []*state.Model
	for _, m := range p.Sorted() {
		if !m.Unmanaged {
			out = append(out, m)
		}
	}
	return out
}

func (e *editor) addModel(p *state.Project) {
	app := "main"
	if e.r.Intn(4) == 0 {
		app = "shop"
	}
	m := &state.Model{App: app, Name: e.name("M"), Fields: []*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}}
	m.Table = strings.ToLower(m.Name)
	for range 1 + e.r.Intn(3) {
		m.Fields = append(m.Fields, e.plainField())
	}
	if err := p.Add(m); err != nil {
		panic(err) // names come from a counter and never repeat
	}
}

// removeModel deletes m and every relation field elsewhere that points at it.
func removeModel(p *state.Project, m *state.Model) {
	if err := p.Remove(m.App, m.Name); err != nil {
		panic(err)
	}
	for _, other := range p.Models {
		var keep []*state.Field
		for _, f := range other.Fields {
			if f.Relation == nil || p.Resolve(other.App, f.Relation.To) != nil {
				keep = append(keep, f)
			}
		}
		other.Fields = keep
	}
}

var plainKinds = []state.Kind{state.Char, state.Text, state.Integer, state.BigInteger, state.SmallInteger,
	state.Boolean, state.Float, state.Decimal, state.Date, state.DateTime, state.JSON, state.UUID}

// plainField returns a new non-relation field: nullable, or with a
// default, or NOT NULL with neither (a one-off fill then serves the rows).
func (e *editor) plainField() *state.Field {
	f := &state.Field{Name: e.name("f")}
	e.setKind(f, plainKinds[e.r.Intn(len(plainKinds))])
	switch e.r.Intn(3) {
	case 0:
		f.Null = true
	case 1:
		f.Default = defaultFor(f.Kind)
	}
	if indexableKind(f.Kind) {
		switch e.r.Intn(5) {
		case 0:
			f.Unique, f.Null = true, true
		case 1:
			f.Index = true
		}
	}
	if e.r.Intn(6) == 0 {
		f.Column = "c_" + f.Name
	}
	return f
}

// setKind changes f's kind and the attributes that come with it.
func (e *editor) setKind(f *state.Field, k state.Kind) {
	f.Kind, f.MaxLength, f.MaxDigits, f.DecimalPlaces = k, 0, 0, 0
	switch k {
	case state.Char:
		f.MaxLength = 10 * (1 + e.r.Intn(5))
	case state.Decimal:
		f.MaxDigits, f.DecimalPlaces = 8+e.r.Intn(4), 2
	}
	if f.Default != nil {
		f.Default = defaultFor(k)
	}
}

// families are the kinds a field may change between with its values kept.
var families = [][]state.Kind{
	{state.Char, state.Text},
	{state.SmallInteger, state.Integer, state.BigInteger},
	{state.Float, state.Decimal},
	{state.Date, state.DateTime},
}

func (e *editor) alterField(f *state.Field) {
	switch e.r.Intn(7) {
	case 0:
		f.Null = !f.Null
	case 1:
		if f.Default == nil {
			f.Default = defaultFor(f.Kind)
		} else {
			f.Default = nil
		}
	case 2:
		for _, fam := range families {
			for _, k := range fam {
				if k == f.Kind {
					e.setKind(f, fam[e.r.Intn(len(fam))])
					return
				}
			}
		}
		f.Null = !f.Null
	case 3:
		f.Unique = !f.Unique && indexableKind(f.Kind)
	case 4:
		f.Index = !f.Index && indexableKind(f.Kind)
	case 5:
		if f.Column == "" {
			f.Column = e.name("col")
		} else {
			f.Column = ""
		}
	default:
		if f.Kind == state.Char {
			f.MaxLength = 10 * (1 + e.r.Intn(5))
		} else {
			f.Comment = e.name("note")
		}
	}
}

func (e *editor) alterRelation(f *state.Field, target *state.Model) {
	switch e.r.Intn(4) {
	case 0:
		f.Relation.To = target.Label()
	case 1:
		f.Null = !f.Null
	case 2:
		if f.Kind == state.ForeignKey {
			f.Kind = state.OneToOne
		} else {
			f.Kind = state.ForeignKey
		}
	default:
		f.Relation.OnDelete = []string{"CASCADE", "PROTECT", "DO_NOTHING", "SET_NULL"}[e.r.Intn(4)]
	}
	if f.Relation.OnDelete == "SET_NULL" && !f.Null {
		f.Relation.OnDelete = "CASCADE"
	}
}

func (e *editor) pickField(m *state.Model, ok func(*state.Field) bool) *state.Field {
	var fs []*state.Field
	for _, f := range m.Fields {
		if ok(f) {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return nil
	}
	return fs[e.r.Intn(len(fs))]
}

// indexable returns up to n distinct field names of m that may be indexed.
func (e *editor) indexable(m *state.Model, n int) []string {
	var names []string
	for _, i := range e.r.Perm(len(m.Fields)) {
		if f := m.Fields[i]; f.HasColumn() && indexableKind(f.Kind) && len(names) < n {
			names = append(names, f.Name)
		}
	}
	return names
}

// indexableKind excludes the kinds MySQL cannot index without a prefix
// length, which no state can express.
func indexableKind(k state.Kind) bool {
	return k != state.Text && k != state.JSON && k != state.Binary && k != state.SQL
}

// keyLikeKind is a kind a relation may name with to_field: a value a
// foreign key column can store whatever the target was before (text or
// an integer), as keys are in practice.
func keyLikeKind(k state.Kind) bool {
	return k == state.Char || k == state.Integer || k == state.BigInteger || k == state.SmallInteger
}

func isNumber(k state.Kind) bool {
	return k == state.Integer || k == state.BigInteger || k == state.SmallInteger || k == state.Decimal || k == state.Float
}

// defaultFor is a literal every dialect accepts for a column of kind k.
func defaultFor(k state.Kind) *string {
	switch k {
	case state.Char, state.Text:
		return state.Str("x")
	case state.Boolean:
		return state.Str("false")
	case state.Date:
		return state.Str("2024-01-31")
	case state.DateTime:
		return state.Str("2024-01-31")
	case state.JSON:
		return state.Str("{}")
	case state.UUID:
		return state.Str("00000000-0000-0000-0000-000000000001")
	}
	return state.Str("0")
}

func dropField(fs []*state.Field, f *state.Field) []*state.Field {
	var out []*state.Field
	for _, x := range fs {
		if x != f {
			out = append(out, x)
		}
	}
	return out
}

// sanitize drops what an edit left invalid: unique or index flags on kinds
// that cannot have them, and indexes, constraints and groups naming fields
// that went away or cannot be indexed.
func sanitize(p *state.Project) {
	for _, m := range p.Models {
		for _, f := range m.Fields {
			if !indexableKind(f.Kind) {
				f.Unique, f.Index = false, false
			}
		}
		usable := func(names []string) bool {
			for _, n := range names {
				f := m.Field(strings.TrimPrefix(n, "-"))
				if f == nil || !f.HasColumn() || !indexableKind(f.Kind) {
					return false
				}
			}
			return true
		}
		var idx []state.Index
		for _, i := range m.Indexes {
			if usable(i.Fields) {
				idx = append(idx, i)
			}
		}
		m.Indexes = idx
		var cons []state.Constraint
		for _, c := range m.Constraints {
			if c.Kind == state.CheckConstraint {
				col, _, _ := strings.Cut(c.Check, " ")
				if f := m.FieldByColumn(col); f == nil || !isNumber(f.Kind) {
					continue
				}
			} else if !usable(c.Fields) {
				continue
			}
			cons = append(cons, c)
		}
		m.Constraints = cons
		var groups [][]string
		for _, g := range m.UniqueTogether {
			if usable(g) {
				groups = append(groups, g)
			}
		}
		m.UniqueTogether = groups
	}
	// An ordering term whose path lost a field (removed, or its relation
	// retargeted) goes, as a developer would drop it on pm.E031.
	for _, m := range p.Models {
		var keep []string
		for _, term := range m.Options.Ordering {
			if randstate.OrderingHolds(p, m, term) {
				keep = append(keep, term)
			}
		}
		m.Options.Ordering = keep
	}
	// A to_field must name a unique column of the target, and a relation
	// needs its target: follow the key instead where that went.
	for _, m := range p.Models {
		for _, f := range m.Fields {
			if f.Relation == nil || f.Relation.ToField == "" {
				continue
			}
			t := p.Resolve(m.App, f.Relation.To)
			if t == nil {
				continue
			}
			if tf := t.Field(f.Relation.ToField); tf == nil || !tf.Unique || tf.PrimaryKey || !tf.HasColumn() || !keyLikeKind(tf.Kind) || f.Kind == state.ManyToMany {
				f.Relation.ToField = ""
			}
		}
	}
}
