package autodetect

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// TestRandomStatesReplay is the property test: for many pairs of random
// valid states, the detected operations, replayed one by one on the first
// state, keep it consistent and end at the second, and detecting again
// from there finds nothing. Both directions of every pair are checked.
func TestRandomStatesReplay(t *testing.T) {
	t.Parallel()
	replayRandomStates(t, func() Questioner { return fillAll{} })
}

// TestRandomStatesReplayWithRenames is the same property when every rename
// candidate is confirmed: removed and added models and fields with equal
// definitions become RenameModel and RenameField.
func TestRandomStatesReplayWithRenames(t *testing.T) {
	t.Parallel()
	if renames := replayRandomStates(t, func() Questioner { return &yesToAll{} }); renames < 20 {
		t.Fatalf("only %d renames in all the random states; the property says little about them", renames)
	}
}

// replayRandomStates checks the property for 1000 random pairs, both
// directions, and returns how many rename operations were detected.
func replayRandomStates(t *testing.T, questioner func() Questioner) (renames int) {
	const seeds = 1000
	refused := 0
	for seed := int64(1); seed <= seeds; seed++ {
		r := rand.New(rand.NewSource(seed))
		from, to := randomPair(r)
		for _, dir := range []struct {
			name     string
			from, to *state.Project
		}{{"forward", from, to}, {"backward", to, from}} {
			ch, err := Detect(dir.from, dir.to, questioner())
			if err != nil {
				if strings.Contains(err.Error(), "need each other's new operations") {
					refused++
					continue
				}
				t.Fatalf("seed %d %s: %v\nfrom:\n%s\nto:\n%s", seed, dir.name, err, dump(dir.from), dump(dir.to))
			}
			checkReplay(t, fmt.Sprintf("seed %d %s", seed, dir.name), dir.from, dir.to, ch)
			for _, ops := range ch.Ops {
				for _, op := range ops {
					switch op.(type) {
					case operations.RenameField, operations.RenameModel:
						renames++
					}
				}
			}
			if t.Failed() {
				t.Fatalf("seed %d %s: operations:\n%s\nfrom:\n%s\nto:\n%s", seed, dir.name,
					strings.Join(renderChanges(ch), "\n"), dump(dir.from), dump(dir.to))
			}
		}
	}
	// Cross-app cycles are refused by design; they must stay the exception
	// or this test would prove little.
	if refused > seeds/4 {
		t.Fatalf("%d of %d directions were refused as cross-app cycles", refused, 2*seeds)
	}
	return renames
}

// fillAll answers every question with 0.
type fillAll struct{}

func (fillAll) AskFill(string, string, bool) (*string, error) { return state.Str("0"), nil }

// randomPair builds two valid states over a pool of model names: some
// models only in the first (deleted), some only in the second (created),
// the rest in both with random changes.
func randomPair(r *rand.Rand) (*state.Project, *state.Project) {
	var keys [][2]string
	for i := range 3 + r.Intn(5) {
		app := "main"
		if r.Intn(5) == 0 {
			app = "shop"
		}
		keys = append(keys, [2]string{app, fmt.Sprintf("M%d", i)})
	}
	inFrom, inTo := map[int]bool{}, map[int]bool{}
	for i := range keys {
		switch r.Intn(6) {
		case 0:
			inFrom[i] = true
		case 1:
			inTo[i] = true
		default:
			inFrom[i], inTo[i] = true, true
		}
	}
	from, to := state.NewProject(), state.NewProject()
	for i, k := range keys {
		if inFrom[i] {
			mustAdd(from, randomModel(r, k[0], k[1]))
		}
	}
	linkRelations(r, from)
	for i, k := range keys {
		if !inTo[i] {
			continue
		}
		if inFrom[i] {
			mustAdd(to, mutateModel(r, from.Model(k[0], k[1])))
		} else {
			mustAdd(to, randomModel(r, k[0], k[1]))
		}
	}
	linkRelations(r, to)
	return from, to
}

func mustAdd(p *state.Project, m *state.Model) {
	if err := p.Add(m); err != nil {
		panic(err)
	}
}

var randomKinds = []state.Kind{state.Char, state.Text, state.Integer, state.BigInteger, state.Boolean,
	state.Date, state.Decimal, state.ForeignKey, state.ForeignKey, state.OneToOne, state.ManyToMany}

// randomModel returns a model with a few random fields; relation targets
// are left empty for linkRelations to fill.
func randomModel(r *rand.Rand, app, name string) *state.Model {
	m := &state.Model{App: app, Name: name, Table: state.SnakeCase(name),
		Fields: []*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}}
	for range r.Intn(5) {
		addRandomField(r, m, nil)
	}
	m.Unmanaged = r.Intn(10) == 0
	randomExtras(r, m)
	return m
}

// addRandomField appends a field whose name neither m nor old (the model
// before a mutation, may be nil) has: reusing a removed field's name would
// reorder fields, which no operation expresses.
func addRandomField(r *rand.Rand, m, old *state.Model) {
	name := ""
	for name == "" || m.Field(name) != nil || (old != nil && old.Field(name) != nil) {
		name = fmt.Sprintf("f%d", r.Intn(16))
	}
	f := &state.Field{Name: name, Kind: randomKinds[r.Intn(len(randomKinds))]}
	randomizeField(r, f)
	m.Fields = append(m.Fields, f)
}

// randomizeField sets the attributes that fit f's kind.
func randomizeField(r *rand.Rand, f *state.Field) {
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

// randomExtras replaces m's indexes, constraints and unique_together with
// random ones over its column fields.
func randomExtras(r *rand.Rand, m *state.Model) {
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

// mutateModel returns a changed copy of m: fields removed, added and
// altered, maybe a new table, flag, options and extras.
func mutateModel(r *rand.Rand, m *state.Model) *state.Model {
	c := m.Clone()
	if r.Intn(3) == 0 {
		return c // unchanged, apart from what linkRelations must fix
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
			f.Kind = randomKinds[r.Intn(len(randomKinds))]
			randomizeField(r, f)
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
		addRandomField(r, c, m)
	}
	if r.Intn(6) == 0 {
		c.Table += "_t"
	}
	if r.Intn(8) == 0 {
		c.Unmanaged = !c.Unmanaged
	}
	if r.Intn(5) == 0 {
		c.Options.Ordering = []string{"-id"}
	}
	if r.Intn(2) == 0 {
		randomExtras(r, c)
	}
	return c
}

// linkRelations points every relation field without a (valid) target at a
// random model of p, sometimes through a to_field, and drops the extras
// that name fields no longer usable, so p is valid.
func linkRelations(r *rand.Rand, p *state.Project) {
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
	}
}

// dump writes a project in the language of parseProject, for failures.
func dump(p *state.Project) string {
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
				{f.Default != nil, "default=" + deref0(f.Default)}, {f.MaxLength > 0, fmt.Sprintf("max=%d", f.MaxLength)},
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

func deref0(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
