package models

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/pmanager/pmanager/pkg/state"
)

// tagOption is one comma-separated item of a `pm:"..."` tag: a key, and a
// value when the item had "=".
type tagOption struct {
	Key      string
	Value    string
	HasValue bool
}

// parseTag splits a pm tag into its options. Items are separated by commas
// and trimmed of spaces; a value that starts with a single quote runs to the
// closing quote, may contain commas, and spells a quote as a doubled quote. It checks only
// the syntax; which keys exist is decodeTag's business.
func parseTag(tag string) ([]tagOption, error) {
	if strings.TrimSpace(tag) == "" {
		return nil, nil
	}
	var opts []tagOption
	i := 0
	for {
		start := i
		for i < len(tag) && tag[i] != '=' && tag[i] != ',' {
			i++
		}
		opt := tagOption{Key: strings.TrimSpace(tag[start:i])}
		if opt.Key == "" {
			return nil, fmt.Errorf("empty tag option at byte %d of %q; remove the stray comma or name the option", start, tag)
		}
		if i < len(tag) && tag[i] == '=' {
			opt.HasValue = true
			value, next, err := parseValue(tag, i+1, opt.Key == "type")
			if err != nil {
				return nil, fmt.Errorf("tag option %s: %w", opt.Key, err)
			}
			opt.Value, i = value, next
		}
		opts = append(opts, opt)
		if i >= len(tag) {
			return opts, nil
		}
		i++ // the comma
	}
}

// parseValue reads the value that starts at tag[i] and returns it with the
// index of the comma (or end) that follows it. With parens (the type
// option), a comma inside parentheses belongs to the value, so
// type=postgres:numeric(10,2) needs no quotes.
func parseValue(tag string, i int, parens bool) (string, int, error) {
	j := i
	for j < len(tag) && tag[j] == ' ' {
		j++
	}
	if j >= len(tag) || tag[j] != '\'' {
		end, depth := i, 0
		for ; end < len(tag) && (tag[end] != ',' || depth > 0); end++ {
			switch {
			case !parens:
			case tag[end] == '(':
				depth++
			case tag[end] == ')' && depth > 0:
				depth--
			}
		}
		return strings.TrimSpace(tag[i:end]), end, nil
	}
	var b strings.Builder
	for k := j + 1; k < len(tag); k++ {
		if tag[k] != '\'' {
			b.WriteByte(tag[k])
			continue
		}
		if k+1 < len(tag) && tag[k+1] == '\'' {
			b.WriteByte('\'')
			k++
			continue
		}
		rest := k + 1
		for rest < len(tag) && tag[rest] == ' ' {
			rest++
		}
		if rest < len(tag) && tag[rest] != ',' {
			return "", 0, fmt.Errorf("unexpected %q after the closing quote; put a comma after the quoted value, and write a quote inside it as ''", tag[rest:])
		}
		return b.String(), rest, nil
	}
	return "", 0, fmt.Errorf("quoted value has no closing quote; end it with '")
}

// optionKind says what an option takes after its name.
type optionKind int

const (
	flagOption   optionKind = iota // no value
	stringOption                   // a non-empty value
	numberOption                   // a whole number
	emptyOption                    // a value that may be empty (default=)
)

// knownOptions lists every tag option, in the order error messages show them.
const knownOptions = "primary_key, auto, null, blank, unique, index, default, db_default, max_length, max_digits, " +
	"decimal_places, type, column, on_delete, to_field, no_constraint, related_name, one_to_one, " +
	"m2m, through, table, from_column, to_column, choices, comment, was"

// kindOf returns the kind of a known option; ok is false for an unknown one.
func kindOf(key string) (optionKind, bool) {
	switch key {
	case "primary_key", "auto", "null", "blank", "unique", "index", "no_constraint", "one_to_one", "m2m":
		return flagOption, true
	case "max_length", "max_digits", "decimal_places":
		return numberOption, true
	case "default":
		return emptyOption, true
	case "type", "column", "on_delete", "to_field", "related_name", "through", "table", "from_column", "to_column", "choices", "comment", "was", "db_default":
		return stringOption, true
	}
	return 0, false
}

// fieldTag is a decoded, syntax-checked pm tag. Whether the options fit the
// field's Go type is checked by the reader.
type fieldTag struct {
	given map[string]bool
	order []string // the keys in tag order, for deterministic messages

	PrimaryKey, Auto, Null, Blank, Unique, Index bool
	NoConstraint, OneToOne, M2M                  bool

	Default *string
	// DBDefault is a default the database computes (db_default=now|uuid).
	DBDefault                           state.DBDefault
	MaxLength, MaxDigits, DecimalPlaces int
	Type, Column, OnDelete, ToField     string
	// SQLTypes are the per-dialect spellings of type=<dialect>:<type>;...
	// (then Type is "sql").
	SQLTypes                             []state.SQLType
	RelatedName, Through, Table, Comment string
	// FromColumn and ToColumn name the columns of a many-to-many's
	// automatic join table (from_column=, to_column=).
	FromColumn, ToColumn string
	Choices              []string
	// Was is the field's name or column before a rename (was=), in
	// snake_case: a hint for makemigrations.
	Was string
}

// has reports whether the tag named the option.
func (t *fieldTag) has(key string) bool { return t.given[key] }

// firstOf returns the first of keys (in tag order) that the tag names, or "".
func (t *fieldTag) firstOf(keys ...string) string {
	for _, k := range t.order {
		for _, want := range keys {
			if k == want {
				return k
			}
		}
	}
	return ""
}

// decodeTag parses a pm tag and checks every option: known, given once, with
// a value exactly when it takes one, numbers that are numbers.
func decodeTag(tag string) (*fieldTag, error) {
	opts, err := parseTag(tag)
	if err != nil {
		return nil, err
	}
	t := &fieldTag{given: map[string]bool{}}
	for _, o := range opts {
		if err := t.set(o); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *fieldTag) set(o tagOption) error {
	kind, ok := kindOf(o.Key)
	if !ok {
		return fmt.Errorf("unknown tag option %q; known options: %s", o.Key, knownOptions)
	}
	if t.given[o.Key] {
		return fmt.Errorf("tag option %s given twice; keep one", o.Key)
	}
	t.given[o.Key] = true
	t.order = append(t.order, o.Key)
	switch {
	case kind == flagOption && o.HasValue:
		return fmt.Errorf("tag option %s takes no value; write just %s", o.Key, o.Key)
	case kind != flagOption && !o.HasValue:
		return fmt.Errorf("tag option %s needs a value; write %s=<value>", o.Key, o.Key)
	case (kind == stringOption || kind == numberOption) && o.Value == "":
		return fmt.Errorf("tag option %s has an empty value; write %s=<value>", o.Key, o.Key)
	}
	switch kind {
	case flagOption:
		t.setFlag(o.Key)
	case numberOption:
		return t.setNumber(o.Key, o.Value)
	case emptyOption:
		v := o.Value
		t.Default = &v
	case stringOption:
		return t.setString(o.Key, o.Value)
	}
	return nil
}

func (t *fieldTag) setFlag(key string) {
	switch key {
	case "primary_key":
		t.PrimaryKey = true
	case "auto":
		t.Auto = true
	case "null":
		t.Null = true
	case "blank":
		t.Blank = true
	case "unique":
		t.Unique = true
	case "index":
		t.Index = true
	case "no_constraint":
		t.NoConstraint = true
	case "one_to_one":
		t.OneToOne = true
	case "m2m":
		t.M2M = true
	}
}

func (t *fieldTag) setNumber(key, value string) error {
	n, err := strconv.Atoi(value)
	if err != nil {
		return fmt.Errorf("%s=%s is not a whole number; write a number such as %s=10", key, value, key)
	}
	switch key {
	case "max_length":
		if n <= 0 {
			return fmt.Errorf("max_length=%s must be positive; write a length such as max_length=100", value)
		}
		t.MaxLength = n
	case "max_digits":
		if n <= 0 {
			return fmt.Errorf("max_digits=%s must be positive; write a precision such as max_digits=10", value)
		}
		t.MaxDigits = n
	case "decimal_places":
		if n < 0 {
			return fmt.Errorf("decimal_places=%s must not be negative; write a scale such as decimal_places=2", value)
		}
		t.DecimalPlaces = n
	}
	return nil
}

func (t *fieldTag) setString(key, value string) error {
	switch key {
	case "type":
		if !strings.Contains(value, ":") {
			t.Type = value
			return nil
		}
		types, err := parseSQLTypes(value)
		if err != nil {
			return err
		}
		t.Type, t.SQLTypes = "sql", types

	case "column":
		t.Column = value
	case "on_delete":
		t.OnDelete = value
	case "to_field":
		t.ToField = value
	case "related_name":
		t.RelatedName = value
	case "through":
		t.Through = value
	case "table":
		t.Table = value
	case "from_column":
		t.FromColumn = value
	case "to_column":
		t.ToColumn = value
	case "comment":
		t.Comment = value
	case "db_default":
		d := state.DBDefault(strings.ToLower(value))
		if _, ok := d.ConstName(); !ok {
			return fmt.Errorf("db_default=%s is not known; write db_default=now (the current time) or db_default=uuid (a random UUID), or use default= for a literal", value)
		}
		t.DBDefault = d
	case "was":
		if !isIdentifier(value) {
			return fmt.Errorf("was=%s is not a field name; write the field's old Go name, e.g. was=Name", value)
		}
		t.Was = state.SnakeCase(value)
	case "choices":
		choices := strings.Split(value, "|")
		seen := map[string]bool{}
		for _, c := range choices {
			if c == "" {
				return fmt.Errorf("choices=%s has an empty choice; separate choices with single bars, choices=a|b|c", value)
			}
			if seen[c] {
				return fmt.Errorf("choices=%s lists %q twice; list each choice once", value, c)
			}
			seen[c] = true
		}
		t.Choices = choices
	}
	return nil
}

// isIdentifier reports whether s is a Go-style identifier (letters, digits
// and underscores, not starting with a digit), as a field name must be.
func isIdentifier(s string) bool {
	for i, r := range s {
		if r != '_' && !unicode.IsLetter(r) && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// parseSQLTypes reads the escape hatch's value, one spelling per dialect
// separated by semicolons: postgres:inet;mysql:varchar(45);sqlite:text.
// pg is short for postgres. Each spelling is checked by
// state.CheckSQLTypeSpelling, since it goes into DDL verbatim.
func parseSQLTypes(value string) ([]state.SQLType, error) {
	var out []state.SQLType
	seen := map[string]bool{}
	for _, part := range strings.Split(value, ";") {
		dialect, typ, ok := strings.Cut(strings.TrimSpace(part), ":")
		dialect, typ = strings.ToLower(strings.TrimSpace(dialect)), strings.TrimSpace(typ)
		if dialect == "pg" {
			dialect = "postgres"
		}
		switch {
		case !ok || typ == "":
			return nil, fmt.Errorf("type=%s: %q is not <dialect>:<type>; write e.g. type=postgres:inet;mysql:varchar(45)", value, part)
		case !slices.Contains(state.SQLDialects, dialect):
			return nil, fmt.Errorf("type=%s: unknown dialect %q; use postgres (or pg), mysql or sqlite", value, dialect)
		case seen[dialect]:
			return nil, fmt.Errorf("type=%s spells the %s type twice; keep one", value, dialect)
		}
		if err := state.CheckSQLTypeSpelling(typ); err != nil {
			return nil, fmt.Errorf("type=%s: %s type %q: %w", value, dialect, typ, err)
		}
		seen[dialect] = true
		out = append(out, state.SQLType{Dialect: dialect, Type: typ})
	}
	state.SortSQLTypes(out)
	return out, nil
}
