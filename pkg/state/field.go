package state

import (
	"errors"
	"fmt"
	"strings"
)

// Kind names a field's logical type; dialect editors map it to a column type.
type Kind string

// The field kinds a model field can have. Auto kinds are integer keys the database fills.
const (
	BigAuto      Kind = "bigauto"
	Auto         Kind = "auto"
	Char         Kind = "char"
	Text         Kind = "text"
	BigInteger   Kind = "biginteger"
	Integer      Kind = "integer"
	SmallInteger Kind = "smallinteger"
	Boolean      Kind = "boolean"
	Float        Kind = "float"
	Decimal      Kind = "decimal"
	DateTime     Kind = "datetime"
	Date         Kind = "date"
	Time         Kind = "time"
	Duration     Kind = "duration"
	Binary       Kind = "binary"
	JSON         Kind = "json"
	UUID         Kind = "uuid"
	// SQL is a column whose type the model spells per dialect
	// (Field.SQLTypes): the escape hatch for types no other kind says.
	SQL        Kind = "sql"
	ForeignKey Kind = "foreignkey"
	OneToOne   Kind = "onetoone"
	ManyToMany Kind = "manytomany"
)

// kindConsts pairs each kind with the name of its constant.
var kindConsts = []struct {
	kind Kind
	name string
}{
	{BigAuto, "BigAuto"}, {Auto, "Auto"}, {Char, "Char"}, {Text, "Text"}, {BigInteger, "BigInteger"},
	{Integer, "Integer"}, {SmallInteger, "SmallInteger"}, {Boolean, "Boolean"}, {Float, "Float"},
	{Decimal, "Decimal"}, {DateTime, "DateTime"}, {Date, "Date"}, {Time, "Time"}, {Duration, "Duration"},
	{Binary, "Binary"}, {JSON, "JSON"}, {UUID, "UUID"}, {ForeignKey, "ForeignKey"}, {OneToOne, "OneToOne"},
	{ManyToMany, "ManyToMany"}, {SQL, "SQL"},
}

// Valid reports whether k is one of the kinds above, so loaders can
// validate hand-written files.
func (k Kind) Valid() bool {
	_, ok := k.ConstName()
	return ok
}

// ConstName is the name of k's constant in this package ("Char" for
// "char"), so generated migration files can write state.Char.
func (k Kind) ConstName() (string, bool) {
	for _, c := range kindConsts {
		if c.kind == k {
			return c.name, true
		}
	}
	return "", false
}

// IsRelation reports whether the kind points at another model.
func (k Kind) IsRelation() bool { return k == ForeignKey || k == OneToOne || k == ManyToMany }

// IsAuto reports whether the database generates the value (an auto-increment key).
func (k Kind) IsAuto() bool { return k == BigAuto || k == Auto }

// Field is one model field as migrations know it. Zero values mean "not set",
// so a migration file lists only what matters for each field.
type Field struct {
	// Name is the field's name in the state: snake_case of the Go field name.
	Name string
	// Kind is the logical type.
	Kind Kind
	// MaxLength, MaxDigits and DecimalPlaces size char and decimal columns;
	// they come right after Kind so a migration file reads like a type.
	MaxLength     int `json:",omitempty"`
	MaxDigits     int `json:",omitempty"`
	DecimalPlaces int `json:",omitempty"`
	// SQLTypes spells the column type per dialect for a SQL field
	// (pm:"type=postgres:inet;mysql:varchar(45)"), used verbatim in DDL.
	SQLTypes []SQLType `json:",omitempty"`
	// Column overrides the derived column name; empty means ColumnName's default.
	Column     string `json:",omitempty"`
	PrimaryKey bool   `json:",omitempty"`
	Null       bool   `json:",omitempty"`
	Blank      bool   `json:",omitempty"`
	Unique     bool   `json:",omitempty"`
	Index      bool   `json:",omitempty"`
	// Default is the column DEFAULT as a literal (nil: no default, "": empty string).
	Default *string `json:",omitempty"`
	// DBDefault is a DEFAULT the database computes for each new row (the
	// current time, a random UUID); it excludes Default.
	DBDefault DBDefault `json:",omitempty"`
	// Relation is set for ForeignKey, OneToOne and ManyToMany fields.
	Relation *Relation `json:",omitempty"`
	// Choices are state only: they never change the schema.
	Choices []string `json:",omitempty"`
	// Comment is the column's comment in the database (COMMENT ON COLUMN,
	// MySQL's COMMENT); state only on SQLite.
	Comment string `json:",omitempty"`
	// Was is a hint read from the models (pm:"was=old_name"): the state name
	// (or the column) the field had before a rename. It lets makemigrations pair a removed
	// and an added field without asking. It takes no part in equality and
	// is never written to a migration file.
	Was string `json:"-"`
}

// DBDefault names a default that the database evaluates when a row is
// inserted, so a value such as "now" is never frozen into a literal; each
// dialect renders it as its own expression.
type DBDefault string

// The database-side defaults a field can ask for (pm:"db_default=...").
const (
	// DBNow is the current date and time (datetime, date and time fields).
	DBNow DBDefault = "now"
	// DBUUID is a random (version 4) UUID (uuid fields).
	DBUUID DBDefault = "uuid"
)

// dbDefaultConsts pairs each database default with its constant's name.
var dbDefaultConsts = []struct {
	value DBDefault
	name  string
}{{DBNow, "DBNow"}, {DBUUID, "DBUUID"}}

// ConstName is the name of d's constant ("DBNow" for "now"), so generated
// migration files write state.DBNow.
func (d DBDefault) ConstName() (string, bool) {
	for _, c := range dbDefaultConsts {
		if c.value == d {
			return c.name, true
		}
	}
	return "", false
}

// CheckDBDefault reports a database default the field's kind cannot take,
// or one given together with a literal default; every stage that accepts
// or renders a field relies on this one rule.
func (f *Field) CheckDBDefault() error {
	switch f.DBDefault {
	case "":
		return nil
	case DBNow:
		if f.Kind != DateTime && f.Kind != Date && f.Kind != Time {
			return fmt.Errorf("db_default=now needs a time.Time field (datetime, date or time), not a %s field", f.Kind)
		}
	case DBUUID:
		if f.Kind != UUID {
			return fmt.Errorf("db_default=uuid needs a uuid field (type=uuid), not a %s field", f.Kind)
		}
	default:
		return fmt.Errorf("unknown db_default %q (known: now, uuid)", string(f.DBDefault))
	}
	if f.Default != nil {
		return errors.New("default and db_default exclude each other; keep one")
	}
	return nil
}

// Relation describes where a relation field points and how it behaves.
type Relation struct {
	// To is the target model as "app.Model".
	To string
	// ToField is a unique target field other than its primary key ("" = the key).
	ToField string `json:",omitempty"`
	// OnDelete is CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT or DO_NOTHING.
	OnDelete string `json:",omitempty"`
	// NoConstraint keeps the column but creates no database FK constraint.
	NoConstraint bool   `json:",omitempty"`
	RelatedName  string `json:",omitempty"`
	// Through names an explicit join model ("app.Model") of a ManyToMany.
	Through string `json:",omitempty"`
	// Table names the automatic join table of a ManyToMany ("" = <table>_<field>).
	Table string `json:",omitempty"`
	// FromColumn names the automatic join table's column that points at the
	// field's own model ("" = snake_case of the model + "_id"), so a table
	// another tool named (Django's flatpage_id) can be adopted as it is.
	FromColumn string `json:",omitempty"`
	// ToColumn names the automatic join table's column that points at the
	// target ("" = snake_case of the target + "_id").
	ToColumn string `json:",omitempty"`
}

// OnDelete actions accepted on relation fields.
var OnDeleteActions = []string{"CASCADE", "PROTECT", "RESTRICT", "SET_NULL", "SET_DEFAULT", "DO_NOTHING"}

// ColumnName is the database column of the field: Column when set, else the
// name, with "_id" appended for foreign keys; "" for many-to-many fields,
// which have a join table instead of a column.
func (f *Field) ColumnName() string {
	switch {
	case f.Kind == ManyToMany:
		return ""
	case f.Column != "":
		return f.Column
	case f.Kind == ForeignKey || f.Kind == OneToOne:
		return f.Name + "_id"
	default:
		return f.Name
	}
}

// CheckSize reports a char field without a positive MaxLength or a decimal
// field whose digits do not fit; every stage that renders or accepts a field
// relies on this one rule.
func (f *Field) CheckSize() error {
	switch {
	case f.Kind == Char && f.MaxLength <= 0:
		return errors.New("a char field needs MaxLength > 0 (max_length)")
	case f.Kind == Decimal && (f.MaxDigits <= 0 || f.DecimalPlaces < 0 || f.DecimalPlaces > f.MaxDigits):
		return errors.New("a decimal field needs MaxDigits > 0 and 0 <= DecimalPlaces <= MaxDigits (max_digits, decimal_places)")
	}
	return nil
}

// HasColumn reports whether the field is stored as a column of its model's table.
func (f *Field) HasColumn() bool { return f.Kind != ManyToMany }

// IsUnique reports whether the column carries a unique constraint (primary
// keys and one-to-one columns are unique by nature).
func (f *Field) IsUnique() bool { return f.Unique || f.PrimaryKey || f.Kind == OneToOne }

// Clone returns a deep copy.
func (f *Field) Clone() *Field {
	c := *f
	if f.Default != nil {
		d := *f.Default
		c.Default = &d
	}
	if f.Relation != nil {
		r := *f.Relation
		c.Relation = &r
	}
	if f.Choices != nil {
		c.Choices = append([]string(nil), f.Choices...)
	}
	if f.SQLTypes != nil {
		c.SQLTypes = append([]SQLType(nil), f.SQLTypes...)
	}
	return &c
}

// WithoutHints returns a deep copy with the model-reading hints cleared,
// for operations that must describe the field as migrations know it.
func (f *Field) WithoutHints() *Field {
	c := f.Clone()
	c.Was = ""
	return c
}

// Str returns a pointer to s; migration files use it for Default.
func Str(s string) *string { return &s }

// SnakeCase converts a Go identifier to snake_case the way pmanager names
// columns and tables: FirstName → first_name, HTTPPort → http_port.
func SnakeCase(s string) string {
	var b strings.Builder
	runes := []rune(s)
	for i, r := range runes {
		upper := r >= 'A' && r <= 'Z'
		if upper && i > 0 {
			prevLower := runes[i-1] >= 'a' && runes[i-1] <= 'z' || runes[i-1] >= '0' && runes[i-1] <= '9'
			nextLower := i+1 < len(runes) && runes[i+1] >= 'a' && runes[i+1] <= 'z'
			prevUpper := runes[i-1] >= 'A' && runes[i-1] <= 'Z'
			if prevLower || (prevUpper && nextLower) {
				b.WriteByte('_')
			}
		}
		if upper {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
