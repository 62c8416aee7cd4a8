package state

import (
	"fmt"
	"strings"
)

// Model is one table-backed model: its fields in declaration order plus the
// table-level options that migrations track.
type Model struct {
	// App is the app label the model belongs to ("main").
	App string
	// Name is the Go type name ("Car").
	Name string
	// Table is the database table name.
	Table  string
	Fields []*Field
	// Unmanaged models live in the state only: no DDL is ever emitted for them.
	Unmanaged      bool         `json:",omitempty"`
	UniqueTogether [][]string   `json:",omitempty"`
	Indexes        []Index      `json:",omitempty"`
	Constraints    []Constraint `json:",omitempty"`
	// Options are state-only settings (ordering, verbose name, comment).
	Options Options `json:",omitempty"`
	// Was is a hint read from the models (Meta{Was: "Old"}): the Go type
	// name the model had before a rename, in the same app. It lets
	// makemigrations pair a removed and an added model without asking. It
	// takes no part in equality and is never written to a migration file.
	Was string `json:"-"`
}

// Options are model settings that change the state and migration files but
// never the schema.
type Options struct {
	// Ordering lists the default ordering's terms, as Django accepts them:
	// a field name, "-" before it for descending, "pk", "?" (random), or a
	// path across relations ("author__name", see OrderingPath).
	Ordering    []string `json:",omitempty"`
	VerboseName string   `json:",omitempty"`
	Comment     string   `json:",omitempty"`
}

// Index is a named index over field names; a name prefixed "-" is descending.
// Condition, an SQL predicate over column names, makes it partial.
type Index struct {
	Name      string
	Fields    []string
	Condition string `json:",omitempty"`
}

// ConstraintKind tells unique constraints from check constraints.
type ConstraintKind string

// The constraint kinds of Meta().Constraints.
const (
	UniqueConstraint ConstraintKind = "unique"
	CheckConstraint  ConstraintKind = "check"
)

// Constraint is a named table constraint: Unique over Fields (optionally
// partial through Condition) or Check with an SQL expression.
type Constraint struct {
	Kind      ConstraintKind
	Name      string
	Fields    []string `json:",omitempty"`
	Condition string   `json:",omitempty"`
	Check     string   `json:",omitempty"`
}

// ConstName is the name of k's constant in this package, for generated files.
func (k ConstraintKind) ConstName() (string, bool) {
	switch k {
	case UniqueConstraint:
		return "UniqueConstraint", true
	case CheckConstraint:
		return "CheckConstraint", true
	}
	return "", false
}

// Key is the model's key in a Project: "app.name" in lower case.
func (m *Model) Key() string { return ModelKey(m.App, m.Name) }

// Label is "app.Name", the form relations use to point at the model.
func (m *Model) Label() string { return m.App + "." + m.Name }

// ModelKey normalises an app and model name into a Project key.
func ModelKey(app, name string) string { return strings.ToLower(app + "." + name) }

// Field returns the field called name, or nil.
func (m *Model) Field(name string) *Field {
	for _, f := range m.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// FieldIndex returns the position of the field called name, or -1.
func (m *Model) FieldIndex(name string) int {
	for i, f := range m.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// PrimaryKey returns the primary key field, or nil when the model has none.
func (m *Model) PrimaryKey() *Field {
	for _, f := range m.Fields {
		if f.PrimaryKey {
			return f
		}
	}
	return nil
}

// FieldByColumn returns the field stored in column, or nil.
func (m *Model) FieldByColumn(column string) *Field {
	for _, f := range m.Fields {
		if f.HasColumn() && f.ColumnName() == column {
			return f
		}
	}
	return nil
}

// Columns maps field names (with an optional "-" prefix kept) to column names,
// for index and constraint rendering. An unknown field is an error.
func (m *Model) Columns(fields []string) ([]string, error) {
	cols := make([]string, len(fields))
	for i, name := range fields {
		prefix := ""
		if strings.HasPrefix(name, "-") {
			prefix, name = "-", name[1:]
		}
		f := m.Field(name)
		if f == nil {
			return nil, fmt.Errorf("state: %s has no field %q", m.Label(), name)
		}
		if !f.HasColumn() {
			return nil, fmt.Errorf("state: %s.%s is a many-to-many field and has no column", m.Label(), name)
		}
		cols[i] = prefix + f.ColumnName()
	}
	return cols, nil
}

// Clone returns a deep copy.
func (m *Model) Clone() *Model {
	c := *m
	c.Fields = make([]*Field, len(m.Fields))
	for i, f := range m.Fields {
		c.Fields[i] = f.Clone()
	}
	c.UniqueTogether = cloneGroups(m.UniqueTogether)
	if m.Indexes != nil {
		c.Indexes = make([]Index, len(m.Indexes))
		for i, idx := range m.Indexes {
			idx.Fields = append([]string(nil), idx.Fields...)
			c.Indexes[i] = idx
		}
	}
	if m.Constraints != nil {
		c.Constraints = make([]Constraint, len(m.Constraints))
		for i, con := range m.Constraints {
			con.Fields = append([]string(nil), con.Fields...)
			c.Constraints[i] = con
		}
	}
	c.Options.Ordering = append([]string(nil), m.Options.Ordering...)
	if m.Options.Ordering == nil {
		c.Options.Ordering = nil
	}
	return &c
}

func cloneGroups(groups [][]string) [][]string {
	if groups == nil {
		return nil
	}
	out := make([][]string, len(groups))
	for i, g := range groups {
		out[i] = append([]string(nil), g...)
	}
	return out
}

// WithoutHints returns a deep copy with the model-reading hints of the
// model and its fields cleared.
func (m *Model) WithoutHints() *Model {
	c := m.Clone()
	c.Was = ""
	for _, f := range c.Fields {
		f.Was = ""
	}
	return c
}

// Index returns the index called name, or nil.
func (m *Model) Index(name string) *Index {
	for i := range m.Indexes {
		if m.Indexes[i].Name == name {
			return &m.Indexes[i]
		}
	}
	return nil
}

// Constraint returns the constraint called name, or nil.
func (m *Model) Constraint(name string) *Constraint {
	for i := range m.Constraints {
		if m.Constraints[i].Name == name {
			return &m.Constraints[i]
		}
	}
	return nil
}

// OrderingRandom is the ordering term that orders at random, as Django's "?".
const OrderingRandom = "?"

// OrderingPath splits an ordering term into its steps: the "-" dropped,
// then split at "__", the separator of a path across relations
// ("-author__name" is author, name). It returns nil for "?", which names no
// field.
func OrderingPath(term string) []string {
	if term == OrderingRandom {
		return nil
	}
	return strings.Split(strings.TrimPrefix(term, "-"), "__")
}

// RenameOrdering renames the model's field old to new in an ordering term:
// the term itself or the first step of its path; every other term is
// returned as it is.
func RenameOrdering(term, old, new string) string {
	path := OrderingPath(term)
	if len(path) == 0 || path[0] != old {
		return term
	}
	prefix := ""
	if strings.HasPrefix(term, "-") {
		prefix = "-"
	}
	path[0] = new
	return prefix + strings.Join(path, "__")
}

// OrderingTransform reports whether Django's ordering accepts name after a
// path's last field f: a lookup every field has (isnull, exact, ...), a
// date or time part registered for f's kind (created__year,
// created__date), or any key of a JSON field. A field without a column (a
// many-to-many) takes none.
func OrderingTransform(f *Field, name string) bool {
	if !f.HasColumn() {
		return false
	}
	switch name {
	case "exact", "iexact", "gt", "gte", "lt", "lte", "in", "contains", "icontains",
		"startswith", "istartswith", "endswith", "iendswith", "range", "isnull", "regex", "iregex":
		return true
	}
	datePart := false
	switch name {
	case "year", "month", "day", "week_day", "iso_week_day", "week", "iso_year", "quarter":
		datePart = true
	}
	timePart := name == "hour" || name == "minute" || name == "second"
	switch f.Kind {
	case JSON:
		return true
	case Date:
		return datePart
	case DateTime:
		return datePart || timePart || name == "date" || name == "time"
	case Time:
		return timePart
	}
	return false
}
