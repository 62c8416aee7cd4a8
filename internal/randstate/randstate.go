// Package randstate builds random valid project states for property tests
// (the autodetector's and the optimizer's) and writes them out for their
// failure messages. It is test support: nothing outside tests imports it.
package randstate

import (
	"fmt"
	"math/rand"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// MustAdd adds m to p and panics on a duplicate: the generators never make one.
func MustAdd(p *state.Project, m *state.Model) {
	if err := p.Add(m); err != nil {
		panic(err)
	}
}

// kinds are the field kinds random fields get, relations more often.
var kinds = []state.Kind{state.Char, state.Text, state.Integer, state.BigInteger, state.Boolean,
	state.Date, state.Decimal, state.ForeignKey, state.ForeignKey, state.OneToOne, state.ManyToMany}

// Model returns a model with a few random fields; relation targets
// are left empty for Link to fill.
func Model(r *rand.Rand, app, name string) *state.Model {
	m := &state.Model{App: app, Name: name, Table: state.SnakeCase(name),
		Fields: []*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}}
	for range r.Intn(5) {
		AddField(r, m, nil)
	}
	m.Unmanaged = r.Intn(10) == 0
	Extras(r, m)
	return m
}

// AddField appends a field whose name neither m nor old (the model
// before a mutation, may be nil) has: reusing a removed field's name would
// reorder fields, which no operation expresses.
func AddField(r *rand.Rand, m, old *state.Model) {
	name := ""
	for name == "" || m.Field(name) != nil || (old != nil && old.Field(name) != nil) {
		name = fmt.Sprintf("f%d", r.Intn(16))
	}
	f := &state.Field{Name: name, Kind: kinds[r.Intn(len(kinds))]}
	RandomizeField(r, f)
	m.Fields = append(m.Fields, f)
}

// RandomizeField sets the attributes that fit f's kind.
func RandomizeField(r *rand.Rand, f *state.Field) {
	f.Null = r.Intn(2) == 0
	f.Default, f.MaxLength, f.MaxDigits, f.DecimalPlaces, f.Relation, f.Column = nil, 0, 0, 0, nil, ""
	switch f.Kind {
	case state.Char:
		f.MaxLength = 10 * (1 + r.Intn(3))
	case state.Decimal:
		f.MaxDigits, f.DecimalPlaces = 10, 2
	}
	if f.Kind.IsRelation() {
		f.Relation = &state.Relation{}
		if f.Kind != state.ManyToMany {
			f.Relation.OnDelete = "CASCADE"
		} else if r.Intn(3) == 0 {
			// Join columns named as a table another tool made: with
			// _id, without it, or one side only.
			f.Relation.FromColumn = []string{"", "src_id", "src"}[r.Intn(3)]
			f.Relation.ToColumn = []string{"", "dst_id", "dst"}[r.Intn(3)]
		}
		return
	}
	if r.Intn(4) == 0 {
		f.Default = state.Str("0")
	}
	f.Unique = r.Intn(5) == 0
	f.Index = r.Intn(5) == 0
	if r.Intn(6) == 0 {
		f.Column = "c_" + f.Name
	}
}

// Extras replaces m's indexes, constraints and unique_together with
// random ones over its column fields.
func Extras(r *rand.Rand, m *state.Model) {
	m.Indexes, m.Constraints, m.UniqueTogether = nil, nil, nil
	var cols []string
	for _, f := range m.Fields {
		if f.HasColumn() {
			cols = append(cols, f.Name)
		}
	}
	pick := func() []string {
		a := cols[r.Intn(len(cols))]
		b := cols[r.Intn(len(cols))]
		if a == b {
			return []string{a}
		}
		return []string{a, b}
	}
	lower := strings.ToLower(m.Name)
	if r.Intn(2) == 0 {
		idx := state.Index{Name: lower + "_idx", Fields: pick()}
		if r.Intn(2) == 0 {
			idx.Fields[0] = "-" + idx.Fields[0]
		}
		m.Indexes = append(m.Indexes, idx)
	}
	if r.Intn(3) == 0 {
		m.Constraints = append(m.Constraints, state.Constraint{Kind: state.UniqueConstraint, Name: lower + "_uq", Fields: pick()})
	}
	if r.Intn(4) == 0 {
		m.Constraints = append(m.Constraints, state.Constraint{Kind: state.CheckConstraint, Name: lower + "_check", Check: "1 = 1"})
	}
	if r.Intn(3) == 0 {
		if g := pick(); len(g) == 2 {
			m.UniqueTogether = [][]string{g}
		}
	}
}

// Mutate returns a changed copy of m: fields removed, added and
// altered, maybe a new table, flag, options and extras.
func Mutate(r *rand.Rand, m *state.Model) *state.Model {
	c := m.Clone()
	if r.Intn(3) == 0 {
		return c // unchanged, apart from what Link must fix
	}
	var keep []*state.Field
	for _, f := range c.Fields {
		if f.PrimaryKey || r.Intn(5) != 0 {
			keep = append(keep, f)
		}
	}
	c.Fields = keep
	for _, f := range c.Fields {
		if f.PrimaryKey || r.Intn(4) != 0 {
			continue
		}
		switch r.Intn(4) {
		case 0:
			f.Null = !f.Null
		case 1:
			f.Kind = kinds[r.Intn(len(kinds))]
			RandomizeField(r, f)
		case 2:
			f.Comment = "changed"
		case 3:
			if f.Relation != nil {
				f.Relation.To = "" // retarget
			} else {
				f.Index = !f.Index
			}
		}
	}
	for range r.Intn(3) {
		AddField(r, c, m)
	}
	if r.Intn(6) == 0 {
		c.Table += "_t"
	}
	if r.Intn(8) == 0 {
		c.Unmanaged = !c.Unmanaged
	}
	if r.Intn(5) == 0 {
		c.Options.Ordering = Ordering(r, c)
	}
	if r.Intn(2) == 0 {
		Extras(r, c)
	}
	return c
}

// Ordering is a random Meta.Ordering for m in the forms Django accepts: a
// field, pk or -pk, "?", or a path across one of m's relations to a field
// of its target or its pk; Link drops a path whose relation it retargets
// to a model without that field.
func Ordering(r *rand.Rand, m *state.Model) []string {
	var terms []string
	for _, f := range m.Fields {
		if f.HasColumn() {
			terms = append(terms, f.Name)
		}
		if f.Relation != nil {
			terms = append(terms, f.Name+"__pk", f.Name+"__id")
		}
	}
	terms = append(terms, "pk", state.OrderingRandom)
	t := terms[r.Intn(len(terms))]
	if t != state.OrderingRandom && r.Intn(2) == 0 {
		t = "-" + t
	}
	return []string{t}
}

// OrderingHolds reports whether an ordering term names what p holds: "?",
// a column field of m or pk, or a path across relations to one.
func OrderingHolds(p *state.Project, m *state.Model, term string) bool {
	if term == state.OrderingRandom {
		return true
	}
	path := state.OrderingPath(term)
	cur := m
	for i, step := range path {
		f := cur.Field(step)
		if step == "pk" {
			f = cur.PrimaryKey()
		}
		if f == nil {
			return false
		}
		if i == len(path)-1 {
			return f.HasColumn()
		}
		if f.Relation == nil {
			return false
		}
		if cur = p.Resolve(cur.App, f.Relation.To); cur == nil {
			return false
		}
	}
	return false
}

// Link points every relation field without a (valid) target at a
// random model of p, sometimes through a to_field, and drops the extras
// that name fields no longer usable, so p is valid.
func Link(r *rand.Rand, p *state.Project) {
	models := p.Sorted()
	for _, m := range models {
		for _, f := range m.Fields {
			if f.Relation == nil {
				continue
			}
			if f.Relation.To != "" && p.Resolve(m.App, f.Relation.To) != nil {
				if tf := f.Relation.ToField; tf == "" || p.Resolve(m.App, f.Relation.To).Field(tf) != nil {
					continue
				}
			}
			t := models[r.Intn(len(models))]
			f.Relation.To, f.Relation.ToField = t.Label(), ""
			if f.Kind != state.ManyToMany && r.Intn(4) == 0 {
				for _, tf := range t.Fields {
					if tf.Kind == state.Char && tf.Unique {
						f.Relation.ToField = tf.Name
						break
					}
				}
			}
		}
	}
	for _, m := range models {
		for _, f := range m.Fields {
			if f.Relation != nil && f.Relation.ToField != "" {
				if tf := p.Resolve(m.App, f.Relation.To).Field(f.Relation.ToField); tf == nil || !tf.Unique {
					f.Relation.ToField = ""
				}
			}
		}
		usable := func(names []string) bool {
			_, err := m.Columns(names)
			return err == nil
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
			if usable(c.Fields) {
				cons = append(cons, c)
			}
		}
		m.Constraints = cons
		var groups [][]string
		for _, g := range m.UniqueTogether {
			if usable(g) {
				groups = append(groups, g)
			}
		}
		m.UniqueTogether = groups
		var ordering []string
		for _, term := range m.Options.Ordering {
			if OrderingHolds(p, m, term) {
				ordering = append(ordering, term)
			}
		}
		m.Options.Ordering = ordering
	}
}

// Dump writes a project in the language of the autodetector cases, for
// test failures.
func Dump(p *state.Project) string {
	var b strings.Builder
	for _, m := range p.Sorted() {
		fmt.Fprintf(&b, "model %s table=%s", m.Label(), m.Table)
		if m.Unmanaged {
			b.WriteString(" unmanaged")
		}
		if len(m.Options.Ordering) > 0 {
			b.WriteString(" ordering=" + strings.Join(m.Options.Ordering, ","))
		}
		b.WriteString("\n")
		for _, f := range m.Fields {
			fmt.Fprintf(&b, "  %s %s", f.Name, f.Kind)
			for _, opt := range []struct {
				on   bool
				text string
			}{{f.PrimaryKey, "pk"}, {f.Null, "null"}, {f.Unique, "unique"}, {f.Index, "index"},
				{f.Default != nil, "default=" + deref(f.Default)}, {f.MaxLength > 0, fmt.Sprintf("max=%d", f.MaxLength)},
				{f.Column != "", "column=" + f.Column}, {f.Comment != "", "comment=" + f.Comment}} {
				if opt.on {
					b.WriteString(" " + opt.text)
				}
			}
			if f.Relation != nil {
				fmt.Fprintf(&b, " to=%s", f.Relation.To)
				if f.Relation.ToField != "" {
					b.WriteString(" to_field=" + f.Relation.ToField)
				}
				if f.Relation.FromColumn != "" {
					b.WriteString(" from_column=" + f.Relation.FromColumn)
				}
				if f.Relation.ToColumn != "" {
					b.WriteString(" to_column=" + f.Relation.ToColumn)
				}
			}
			b.WriteString("\n")
		}
		for _, i := range m.Indexes {
			fmt.Fprintf(&b, "  index %s %s\n", i.Name, strings.Join(i.Fields, ","))
		}
		for _, c := range m.Constraints {
			if c.Kind == state.CheckConstraint {
				fmt.Fprintf(&b, "  check %s %s\n", c.Name, c.Check)
			} else {
				fmt.Fprintf(&b, "  unique %s %s\n", c.Name, strings.Join(c.Fields, ","))
			}
		}
		for _, g := range m.UniqueTogether {
			fmt.Fprintf(&b, "  together %s\n", strings.Join(g, ","))
		}
	}
	return b.String()
}

// deref is the value of s, "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
