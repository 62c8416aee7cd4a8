package oracle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// App is the app label every scenario's models live in, as in the record.
const App = "app"

// Translate turns one step's neutral models into the pmanager state a user
// would get from the equivalent Go structs: app "app", Django's table naming
// (app_<model lower case>) unless db_table says otherwise, an implicit
// big auto-increment "id" key unless a field is the primary key,
// and Django's field types mapped onto pmanager kinds.
func Translate(models []ModelSpec) (*state.Project, error) {
	known := map[string]string{}
	for _, ms := range models {
		if ms.Name == "" {
			return nil, fmt.Errorf("oracle: a model has no name")
		}
		known[strings.ToLower(ms.Name)] = ms.Name
	}
	p := state.NewProject()
	for _, ms := range models {
		m, err := translateModel(ms, known)
		if err != nil {
			return nil, err
		}
		if err := p.Add(m); err != nil {
			return nil, fmt.Errorf("oracle: %w", err)
		}
	}
	return p, nil
}

// TableName is the table Django gives a model of app "app".
func TableName(ms ModelSpec) string {
	if ms.Meta.DBTable != "" {
		return ms.Meta.DBTable
	}
	return App + "_" + strings.ToLower(ms.Name)
}

func translateModel(ms ModelSpec, known map[string]string) (*state.Model, error) {
	m := &state.Model{App: App, Name: ms.Name, Table: TableName(ms)}
	hasKey := false
	for _, fs := range ms.Fields {
		hasKey = hasKey || fs.PrimaryKey
	}
	if !hasKey {
		m.Fields = append(m.Fields, &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true})
	}
	for _, fs := range ms.Fields {
		f, err := translateField(ms, fs, known)
		if err != nil {
			return nil, err
		}
		m.Fields = append(m.Fields, f)
	}
	if err := translateMeta(m, ms.Meta); err != nil {
		return nil, err
	}
	return m, nil
}

// kinds maps the record's field types to pmanager kinds; the char-like
// Django types carry their default max_length.
var kinds = map[string]struct {
	kind      state.Kind
	maxLength int
}{
	"bigauto": {state.BigAuto, 0}, "auto": {state.Auto, 0},
	"char": {state.Char, 0}, "email": {state.Char, 254}, "slug": {state.Char, 50}, "url": {state.Char, 200},
	"text": {state.Text, 0}, "integer": {state.Integer, 0}, "biginteger": {state.BigInteger, 0},
	"smallinteger": {state.SmallInteger, 0}, "boolean": {state.Boolean, 0}, "date": {state.Date, 0},
	"datetime": {state.DateTime, 0}, "time": {state.Time, 0}, "decimal": {state.Decimal, 0},
	"float": {state.Float, 0}, "uuid": {state.UUID, 0}, "json": {state.JSON, 0}, "binary": {state.Binary, 0},
	"foreignkey": {state.ForeignKey, 0}, "onetoone": {state.OneToOne, 0}, "manytomany": {state.ManyToMany, 0},
}

func translateField(ms ModelSpec, fs FieldSpec, known map[string]string) (*state.Field, error) {
	where := ms.Name + "." + fs.Name
	k, ok := kinds[fs.Type]
	if !ok {
		return nil, fmt.Errorf("oracle: %s: field type %q has no pmanager kind", where, fs.Type)
	}
	f := &state.Field{
		Name: fs.Name, Kind: k.kind, Column: fs.DBColumn, PrimaryKey: fs.PrimaryKey,
		Null: fs.Null, Blank: fs.Blank, Unique: fs.Unique,
		MaxLength: fs.MaxLength, MaxDigits: fs.MaxDigits, DecimalPlaces: fs.DecimalPlaces,
	}
	if f.Kind == state.ManyToMany {
		f.Null = false // Django ignores null on a many-to-many field
	}
	if f.MaxLength == 0 {
		f.MaxLength = k.maxLength
	}
	if fs.Type == "slug" {
		f.Index = true // SlugField is db_index=True unless told otherwise
	}
	if fs.DBIndex != nil {
		f.Index = *fs.DBIndex
	}
	def, err := literalDefault(fs.Default)
	if err != nil {
		return nil, fmt.Errorf("oracle: %s: %w", where, err)
	}
	f.Default = def
	if f.Kind.IsRelation() {
		rel, err := translateRelation(ms, fs, known)
		if err != nil {
			return nil, err
		}
		f.Relation = rel
	} else if fs.To != "" || fs.OnDelete != "" || fs.RelatedName != "" || fs.DBTable != "" {
		return nil, fmt.Errorf("oracle: %s: relation options on a %s field", where, fs.Type)
	}
	if err := applyFieldExtra(f, fs.Extra); err != nil {
		return nil, fmt.Errorf("oracle: %s: %w", where, err)
	}
	return f, nil
}

func translateRelation(ms ModelSpec, fs FieldSpec, known map[string]string) (*state.Relation, error) {
	where := ms.Name + "." + fs.Name
	target := fs.To
	if target == "self" {
		target = ms.Name
	}
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		target = target[i+1:]
	}
	name, ok := known[strings.ToLower(target)]
	if !ok {
		return nil, fmt.Errorf("oracle: %s points at unknown model %q", where, fs.To)
	}
	rel := &state.Relation{To: App + "." + name, RelatedName: fs.RelatedName}
	switch fs.Type {
	case "manytomany":
		if fs.OnDelete != "" {
			return nil, fmt.Errorf("oracle: %s: on_delete on a many-to-many field", where)
		}
		// symmetrical only changes the ORM's behaviour, never the join table.
		rel.Table = fs.DBTable
	default:
		if fs.OnDelete == "" {
			return nil, fmt.Errorf("oracle: %s: a %s needs on_delete", where, fs.Type)
		}
		if fs.DBTable != "" {
			return nil, fmt.Errorf("oracle: %s: db_table on a %s", where, fs.Type)
		}
		rel.OnDelete = fs.OnDelete
	}
	return rel, nil
}

// literalDefault turns the record's default into the literal pmanager keeps
// as the column DEFAULT: numbers and strings as written, booleans as
// true/false, {"decimal": "0.00"} as its digits, {"callable": "dict"} as
// "{}". A callable with no literal form (uuid.uuid4) has no database
// default in pmanager (nil).
func literalDefault(raw json.RawMessage) (*string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("default %s: %w", raw, err)
	}
	switch x := v.(type) {
	case json.Number:
		return state.Str(x.String()), nil
	case bool:
		return state.Str(strconv.FormatBool(x)), nil
	case string:
		return state.Str(x), nil
	case map[string]any:
		if d, ok := x["decimal"].(string); ok && len(x) == 1 {
			return state.Str(d), nil
		}
		if c, ok := x["callable"].(string); ok && len(x) == 1 {
			switch c {
			case "dict":
				return state.Str("{}"), nil
			case "list":
				return state.Str("[]"), nil
			case "uuid.uuid4":
				return nil, nil
			}
			return nil, fmt.Errorf("default callable %q has no literal form", c)
		}
	}
	return nil, fmt.Errorf("default %s is not understood", raw)
}

// applyFieldExtra applies the Django-only options: choices and blank become
// state; help_text and verbose_name have no pmanager counterpart.
func applyFieldExtra(f *state.Field, extra map[string]json.RawMessage) error {
	for key, raw := range extra {
		switch key {
		case "help_text", "verbose_name":
		case "blank":
			if err := json.Unmarshal(raw, &f.Blank); err != nil {
				return fmt.Errorf("extra blank: %w", err)
			}
		case "choices":
			var pairs [][]json.RawMessage
			if err := json.Unmarshal(raw, &pairs); err != nil {
				return fmt.Errorf("extra choices: %w", err)
			}
			for _, pair := range pairs {
				if len(pair) == 0 {
					return fmt.Errorf("extra choices: an empty choice")
				}
				var s string
				if err := json.Unmarshal(pair[0], &s); err != nil {
					s = string(pair[0])
				}
				f.Choices = append(f.Choices, s)
			}
		default:
			return fmt.Errorf("extra option %q is not understood", key)
		}
	}
	return nil
}

func translateMeta(m *state.Model, meta MetaSpec) error {
	for _, g := range meta.UniqueTogether {
		m.UniqueTogether = append(m.UniqueTogether, append([]string(nil), g...))
	}
	for _, idx := range meta.Indexes {
		m.Indexes = append(m.Indexes, state.Index{Name: idx.Name, Fields: append([]string(nil), idx.Fields...)})
	}
	for _, cs := range meta.Constraints {
		c, err := translateConstraint(m, cs)
		if err != nil {
			return err
		}
		m.Constraints = append(m.Constraints, c)
	}
	m.Options.Ordering = append([]string(nil), meta.Ordering...)
	if len(m.Options.Ordering) == 0 {
		m.Options.Ordering = nil
	}
	for key, raw := range meta.Extra {
		switch key {
		case "verbose_name":
			if err := json.Unmarshal(raw, &m.Options.VerboseName); err != nil {
				return fmt.Errorf("oracle: %s meta verbose_name: %w", m.Name, err)
			}
		default:
			return fmt.Errorf("oracle: %s meta option %q is not understood", m.Name, key)
		}
	}
	return nil
}

func translateConstraint(m *state.Model, cs ConstraintSpec) (state.Constraint, error) {
	c := state.Constraint{Name: cs.Name}
	switch cs.Type {
	case "check":
		if cs.Check == nil || len(cs.Fields) > 0 || cs.Condition != nil {
			return c, fmt.Errorf("oracle: %s constraint %s: a check needs check and nothing else", m.Name, cs.Name)
		}
		sql, err := RenderExpr(m, *cs.Check)
		if err != nil {
			return c, fmt.Errorf("oracle: %s constraint %s: %w", m.Name, cs.Name, err)
		}
		c.Kind, c.Check = state.CheckConstraint, sql
	case "unique":
		if len(cs.Fields) == 0 || cs.Check != nil {
			return c, fmt.Errorf("oracle: %s constraint %s: a unique constraint needs fields", m.Name, cs.Name)
		}
		c.Kind, c.Fields = state.UniqueConstraint, append([]string(nil), cs.Fields...)
		if cs.Condition != nil {
			sql, err := RenderExpr(m, *cs.Condition)
			if err != nil {
				return c, fmt.Errorf("oracle: %s constraint %s: %w", m.Name, cs.Name, err)
			}
			c.Condition = sql
		}
	default:
		return c, fmt.Errorf("oracle: %s constraint %s: type %q is not understood", m.Name, cs.Name, cs.Type)
	}
	return c, nil
}

// comparisons are the operators a neutral expression may use.
var comparisons = map[string]bool{"=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

// RenderExpr renders a neutral expression as the SQL predicate over column
// names that state.Constraint.Check and Condition hold: "price >= 0",
// "discount <= price", "quantity >= 0 AND quantity < 10000". Booleans are
// TRUE/FALSE, strings single-quoted.
func RenderExpr(m *state.Model, e ExprSpec) (string, error) {
	return renderExpr(m, e, true)
}

func renderExpr(m *state.Model, e ExprSpec, top bool) (string, error) {
	group := func(items []ExprSpec, joiner string) (string, error) {
		if len(items) == 0 {
			return "", fmt.Errorf("an empty %s", strings.TrimSpace(joiner))
		}
		parts := make([]string, len(items))
		for i, it := range items {
			s, err := renderExpr(m, it, false)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		out := strings.Join(parts, joiner)
		if !top && len(parts) > 1 {
			out = "(" + out + ")"
		}
		return out, nil
	}
	switch {
	case len(e.And) > 0:
		return group(e.And, " AND ")
	case len(e.Or) > 0:
		return group(e.Or, " OR ")
	}
	if !comparisons[e.Op] {
		return "", fmt.Errorf("operator %q is not understood", e.Op)
	}
	left, err := column(m, e.Field)
	if err != nil {
		return "", err
	}
	var right string
	switch {
	case e.Ref != "" && len(e.Value) == 0:
		if right, err = column(m, e.Ref); err != nil {
			return "", err
		}
	case e.Ref == "" && len(e.Value) > 0:
		if right, err = sqlValue(e.Value); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("comparison on %s needs exactly one of value and ref", e.Field)
	}
	return left + " " + e.Op + " " + right, nil
}

func column(m *state.Model, field string) (string, error) {
	f := m.Field(field)
	if f == nil || !f.HasColumn() {
		return "", fmt.Errorf("%s has no column field %q", m.Name, field)
	}
	return f.ColumnName(), nil
}

func sqlValue(raw json.RawMessage) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("value %s: %w", raw, err)
	}
	switch x := v.(type) {
	case json.Number:
		return x.String(), nil
	case bool:
		if x {
			return "TRUE", nil
		}
		return "FALSE", nil
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'", nil
	}
	return "", fmt.Errorf("value %s is not understood", raw)
}
