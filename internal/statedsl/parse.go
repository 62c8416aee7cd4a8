package statedsl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// Parse reads the small model language that autodetector cases are written in:
//
//	model main.Car table=local_car unmanaged ordering=name,-id verbose=Car comment=text empty was=Vehicle
//	  name char max=30 null blank unique index default=x column=c choices=a|b comment=text was=title
//	  maker fk to=Manufacturer on_delete=SET_NULL to_field=code no_constraint related=cars
//	  tags m2m to=Tag through=CarTag jt=car_tag_table
//	  sites m2m to=Site from_column=car_ref to_column=place_ref
//	  index car_name_idx name,-released where=rank>0
//	  unique car_uq name,maker where=rank>0
//	  check price_gte_0 price >= 0
//	  together maker,name owner,name
//
// A model without a primary key field gets "id bigauto pk" first; its table
// defaults to the snake_case of its name; fk and o2o default to CASCADE.
// "default=" alone is the empty string; "choices=" and "ordering=" are empty
// lists; the model option "empty" makes its nil lists empty ones.
func Parse(src string) (*state.Project, error) {
	p := state.NewProject()
	var cur *state.Model
	finish := func() error {
		if cur == nil {
			return nil
		}
		if cur.PrimaryKey() == nil {
			cur.Fields = append([]*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}, cur.Fields...)
		}
		return p.Add(cur)
	}
	for n, line := range strings.Split(src, "\n") {
		text := strings.TrimSpace(line)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		words := strings.Fields(text)
		fail := func(format string, args ...any) error {
			return fmt.Errorf("statedsl: line %d %q: %s", n+1, text, fmt.Sprintf(format, args...))
		}
		if words[0] == "model" {
			if err := finish(); err != nil {
				return nil, err
			}
			m, err := parseModel(words[1:])
			if err != nil {
				return nil, fail("%v", err)
			}
			cur = m
			continue
		}
		if cur == nil {
			return nil, fail("outside a model")
		}
		if err := parseMember(cur, words); err != nil {
			return nil, fail("%v", err)
		}
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return p, nil
}

func parseModel(words []string) (*state.Model, error) {
	if len(words) == 0 || !strings.Contains(words[0], ".") {
		return nil, fmt.Errorf("want model app.Name")
	}
	app, name := state.SplitLabel("", words[0])
	m := &state.Model{App: app, Name: name, Table: state.SnakeCase(name)}
	for _, w := range words[1:] {
		key, val, _ := strings.Cut(w, "=")
		switch key {
		case "table":
			m.Table = val
		case "unmanaged":
			m.Unmanaged = true
		case "ordering":
			m.Options.Ordering = splitList(val)
		case "empty":
			// Empty but not nil, for representation-only differences.
			m.UniqueTogether, m.Indexes, m.Constraints = [][]string{}, []state.Index{}, []state.Constraint{}
			m.Options.Ordering = []string{}
		case "verbose":
			m.Options.VerboseName = val
		case "comment":
			m.Options.Comment = val
		case "was":
			m.Was = val
		default:
			return nil, fmt.Errorf("unknown model option %q", w)
		}
	}
	return m, nil
}

func parseMember(m *state.Model, words []string) error {
	switch words[0] {
	case "index":
		if len(words) < 3 {
			return fmt.Errorf("want index name fields [where=...]")
		}
		idx := state.Index{Name: words[1], Fields: strings.Split(words[2], ",")}
		if len(words) > 3 {
			idx.Condition = strings.TrimPrefix(words[3], "where=")
		}
		m.Indexes = append(m.Indexes, idx)
	case "unique":
		if len(words) < 3 {
			return fmt.Errorf("want unique name fields [where=...]")
		}
		c := state.Constraint{Kind: state.UniqueConstraint, Name: words[1], Fields: strings.Split(words[2], ",")}
		if len(words) > 3 {
			c.Condition = strings.TrimPrefix(words[3], "where=")
		}
		m.Constraints = append(m.Constraints, c)
	case "check":
		if len(words) < 3 {
			return fmt.Errorf("want check name sql")
		}
		m.Constraints = append(m.Constraints, state.Constraint{Kind: state.CheckConstraint, Name: words[1], Check: strings.Join(words[2:], " ")})
	case "together":
		for _, g := range words[1:] {
			m.UniqueTogether = append(m.UniqueTogether, strings.Split(g, ","))
		}
	default:
		f, err := parseField(words)
		if err != nil {
			return err
		}
		m.Fields = append(m.Fields, f)
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

var kindAliases = map[string]state.Kind{"fk": state.ForeignKey, "o2o": state.OneToOne, "m2m": state.ManyToMany}

func parseField(words []string) (*state.Field, error) {
	if len(words) < 2 {
		return nil, fmt.Errorf("want name kind options")
	}
	f := &state.Field{Name: words[0], Kind: state.Kind(words[1])}
	if k, ok := kindAliases[words[1]]; ok {
		f.Kind = k
	}
	if !f.Kind.Valid() {
		return nil, fmt.Errorf("unknown kind %q", words[1])
	}
	rel := func() *state.Relation {
		if f.Relation == nil {
			f.Relation = &state.Relation{}
		}
		return f.Relation
	}
	atoi := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("bad number %q", s)
		}
		return n, nil
	}
	var err error
	for _, w := range words[2:] {
		key, val, _ := strings.Cut(w, "=")
		switch key {
		case "pk":
			f.PrimaryKey = true
		case "null":
			f.Null = true
		case "blank":
			f.Blank = true
		case "unique":
			f.Unique = true
		case "index":
			f.Index = true
		case "default":
			f.Default = state.Str(val)
		case "db_default":
			f.DBDefault = state.DBDefault(val)
		case "column":
			f.Column = val
		case "choices":
			f.Choices = []string{}
			if val != "" {
				f.Choices = strings.Split(val, "|")
			}
		case "comment":
			f.Comment = val
		case "max":
			f.MaxLength, err = atoi(val)
		case "digits":
			f.MaxDigits, err = atoi(val)
		case "places":
			f.DecimalPlaces, err = atoi(val)
		case "to":
			rel().To = val
		case "to_field":
			rel().ToField = val
		case "on_delete":
			rel().OnDelete = val
		case "no_constraint":
			rel().NoConstraint = true
		case "related":
			rel().RelatedName = val
		case "through":
			rel().Through = val
		case "was":
			f.Was = val
		case "jt":
			rel().Table = val
		case "from_column":
			rel().FromColumn = val
		case "to_column":
			rel().ToColumn = val
		case "sql":
			f.SQLTypes, err = parseSQLTypes(val)
		default:
			return nil, fmt.Errorf("unknown field option %q", w)
		}
		if err != nil {
			return nil, err
		}
	}
	if (f.Kind == state.ForeignKey || f.Kind == state.OneToOne) && f.Relation != nil && f.Relation.OnDelete == "" {
		f.Relation.OnDelete = "CASCADE"
	}
	return f, nil
}

// parseSQLTypes reads a SQL field's spellings, sql=postgres:inet;mysql:tinyint+unsigned:
// one dialect:type per semicolon, a space inside a type written as +
// (which no type may contain) since words are split at spaces.
func parseSQLTypes(val string) ([]state.SQLType, error) {
	var out []state.SQLType
	for _, part := range strings.Split(val, ";") {
		d, typ, ok := strings.Cut(part, ":")
		if !ok || typ == "" {
			return nil, fmt.Errorf("bad sql type %q; want dialect:type", part)
		}
		out = append(out, state.SQLType{Dialect: d, Type: strings.ReplaceAll(typ, "+", " ")})
	}
	return out, nil
}
