package sqlite

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// maxRelationDepth bounds the walk from a relation column to the field whose
// values it stores (a to_field may itself be a relation), so a cycle in a
// hand-written state is an error instead of endless recursion.
const maxRelationDepth = 8

// valueField returns the field (and its model) whose values f's column
// stores: f itself, or for a foreign key the target's key or to_field,
// followed through relations until a plain field is reached.
func valueField(p *state.Project, m *state.Model, f *state.Field) (*state.Model, *state.Field, error) {
	for depth := 0; f.Kind == state.ForeignKey || f.Kind == state.OneToOne; depth++ {
		if depth == maxRelationDepth {
			return nil, nil, fmt.Errorf("sqlite: %s.%s: relation chain longer than %d fields", m.Label(), f.Name, maxRelationDepth)
		}
		if f.Relation == nil {
			return nil, nil, fmt.Errorf("sqlite: %s.%s: relation field without a target", m.Label(), f.Name)
		}
		target, err := relationTarget(p, m, f)
		if err != nil {
			return nil, nil, err
		}
		tf, err := targetField(m, f, target)
		if err != nil {
			return nil, nil, err
		}
		m, f = target, tf
	}
	return m, f, nil
}

// relationTarget resolves the model a relation field points at. A relation
// to the model being rendered resolves to that very model, so a self
// reference follows the definition in hand rather than p's copy of it.
func relationTarget(p *state.Project, m *state.Model, f *state.Field) (*state.Model, error) {
	app, name := state.SplitLabel(m.App, f.Relation.To)
	if state.ModelKey(app, name) == m.Key() {
		return m, nil
	}
	target := p.Resolve(m.App, f.Relation.To)
	if target == nil {
		return nil, fmt.Errorf("sqlite: %s.%s points at unknown model %s", m.Label(), f.Name, f.Relation.To)
	}
	return target, nil
}

// targetField is the field of target a relation column refers to: the
// to_field when set, else the target's primary key.
func targetField(m *state.Model, f *state.Field, target *state.Model) (*state.Field, error) {
	if f.Relation.ToField != "" {
		tf := target.Field(f.Relation.ToField)
		if tf == nil || !tf.HasColumn() {
			return nil, fmt.Errorf("sqlite: %s.%s: to_field %q is not a column of %s", m.Label(), f.Name, f.Relation.ToField, target.Label())
		}
		return tf, nil
	}
	pk := target.PrimaryKey()
	if pk == nil {
		return nil, fmt.Errorf("sqlite: %s.%s: target %s has %w", m.Label(), f.Name, target.Label(), errNoKey)
	}
	return pk, nil
}

// errNoKey is what resolving a relation finds between the removal of its
// target's primary key and the arrival of the next one, inside one
// migration: the column then keeps its values, untyped and unconstrained,
// until the new key restates it.
var errNoKey = errors.New("no primary key")

// columnType is the SQLite type of f's column; a relation column
// takes the type of the column it refers to.
func columnType(p *state.Project, m *state.Model, f *state.Field) (string, error) {
	vm, vf, err := valueField(p, m, f)
	if errors.Is(err, errNoKey) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	typ, err := types.Type(schema.SQLite, vf)
	if err != nil {
		return "", fmt.Errorf("sqlite: %s.%s: %w", vm.Label(), vf.Name, err)
	}
	return typ, nil
}

// types (read-only) spells each plain field kind as SQLite writes and reports it.
var types = schema.TypeMap{
	state.BigAuto:      "integer",
	state.Auto:         "integer",
	state.BigInteger:   "integer",
	state.Integer:      "integer",
	state.SmallInteger: "smallint",
	state.Char:         "varchar(%d)",
	state.Text:         "text",
	state.JSON:         "text",
	state.Boolean:      "bool",
	state.Float:        "real",
	state.Decimal:      "decimal",
	state.DateTime:     "datetime",
	state.Date:         "date",
	state.Time:         "time",
	state.Duration:     "bigint",
	state.Binary:       "blob",
	state.UUID:         "char(32)",
}

var (
	// integerLiteral and numberLiteral are the literals SQLite accepts
	// unquoted after DEFAULT (a signed number); they are read-only patterns.
	integerLiteral = regexp.MustCompile(`^[+-]?[0-9]+$`)
	numberLiteral  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
)

// literalKind says how a default of the kind is written: as an integer, a
// number, a boolean or a quoted string.
func literalKind(k state.Kind) string {
	switch k {
	case state.BigAuto, state.Auto, state.BigInteger, state.Integer, state.SmallInteger, state.Duration:
		return "integer"
	case state.Float, state.Decimal:
		return "number"
	case state.Boolean:
		return "boolean"
	}
	return "string"
}

// literal renders value as an SQLite literal for a column of the kind:
// numbers bare (anything else is an error), booleans as 1/0, the rest as a
// quoted string with quotes doubled.
func literal(k state.Kind, value string) (string, error) {
	switch literalKind(k) {
	case "integer":
		if !integerLiteral.MatchString(value) {
			return "", fmt.Errorf("default %q is not an integer", value)
		}
		return value, nil
	case "number":
		if !numberLiteral.MatchString(value) {
			return "", fmt.Errorf("default %q is not a number", value)
		}
		return value, nil
	case "boolean":
		b, err := parseBool(value)
		if err != nil {
			return "", err
		}
		if b {
			return "1", nil
		}
		return "0", nil
	}
	if k == state.UUID {
		hex, err := uuidHex(value)
		if err != nil {
			return "", err
		}
		return quoteString(hex), nil
	}
	return quoteString(value), nil
}

// uuidHex is a UUID as the 32 lower-case hex digits its char(32) column
// holds (as Django stores it), whatever dashes or braces it was written with.
func uuidHex(value string) (string, error) {
	hex := strings.ToLower(strings.NewReplacer("-", "", "{", "", "}", "").Replace(strings.TrimSpace(value)))
	if len(hex) != 32 || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", fmt.Errorf("default %q is not a UUID", value)
	}
	return hex, nil
}

// parseBool accepts the boolean spellings a default= may use: true/false/1/0.
func parseBool(value string) (bool, error) {
	switch strings.ToLower(value) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("default %q is not a boolean (true, false, 1 or 0)", value)
}

// quoteString writes s as an SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// fieldLiteral renders a default or fill value for f's column, naming the
// field in the error when the value does not fit the column.
func fieldLiteral(p *state.Project, m *state.Model, f *state.Field, value string) (string, error) {
	_, vf, err := valueField(p, m, f)
	if err != nil {
		return "", err
	}
	lit, err := literal(vf.Kind, value)
	if err != nil {
		return "", fmt.Errorf("sqlite: %s.%s: %w", m.Label(), f.Name, err)
	}
	return lit, nil
}

// expectedDefault is how Inspect reports f's default: the literal's value,
// with booleans spelled true/false.
func expectedDefault(p *state.Project, m *state.Model, f *state.Field) (*string, error) {
	if f.Default == nil {
		return nil, nil
	}
	_, vf, err := valueField(p, m, f)
	if err != nil {
		return nil, err
	}
	value := *f.Default
	if literalKind(vf.Kind) == "boolean" {
		b, err := parseBool(value)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %s.%s: %w", m.Label(), f.Name, err)
		}
		value = strconv.FormatBool(b)
	}
	if vf.Kind == state.UUID {
		if value, err = uuidHex(value); err != nil {
			return nil, fmt.Errorf("sqlite: %s.%s: %w", m.Label(), f.Name, err)
		}
	}
	return &value, nil
}
