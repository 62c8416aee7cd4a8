package models

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pmanager/pmanager/pkg/models/modeltype"
	"github.com/pmanager/pmanager/pkg/state"
)

// goType is what a non-relation Go type says about its column, before tag
// options: the kind, whether the type itself is nullable (*T, sql.Null*),
// and the underlying shape that type= overrides and max_length care about.
type goType struct {
	Kind state.Kind
	Null bool
	// Shape is the base type after unwrapping pointers and sql.Null*.
	Shape modeltype.Type
}

// isString reports whether the base type is a Go string (named or not) other
// than Decimal: the types max_length, char, text and uuid apply to.
func (g goType) isString() bool {
	return g.Shape.Kind() == reflect.String && !modeltype.Is(g.Shape, modelsPkg, "Decimal")
}

// isUUIDArray reports whether the base type is a [16]byte (uuid.UUID and friends).
func (g goType) isUUIDArray() bool {
	return g.Shape.Kind() == reflect.Array && g.Shape.Len() == 16 && g.Shape.Elem().Kind() == reflect.Uint8
}

// isInteger reports whether the kind is one of the integer kinds.
func isInteger(k state.Kind) bool {
	return k == state.BigInteger || k == state.Integer || k == state.SmallInteger
}

// scalarType maps a Go type to its kind per the Go type table of docs/models.md. ok is false
// for a type the table does not list ([16]byte included: it needs type=uuid).
// Pointers and sql.Null* types set Null; time.Duration is checked before
// int64 and json.RawMessage before []byte.
func scalarType(t modeltype.Type) (goType, bool) {
	null := false
	if t.Kind() == reflect.Pointer {
		null, t = true, t.Elem()
	}
	if inner, ok := sqlNullInner(t); ok {
		g, ok := scalarType(inner)
		g.Null = true
		return g, ok && inner.Kind() != reflect.Pointer
	}
	g := goType{Null: null, Shape: t}
	switch {
	case modeltype.Is(t, "time", "Duration"):
		g.Kind = state.Duration
	case modeltype.Is(t, "encoding/json", "RawMessage"):
		g.Kind = state.JSON
	case modeltype.Is(t, "time", "Time"):
		g.Kind = state.DateTime
	case modeltype.Is(t, modelsPkg, "Decimal"):
		g.Kind = state.Decimal
	}
	if g.Kind != "" {
		return g, true
	}
	switch t.Kind() {
	case reflect.String:
		g.Kind = state.Text
	case reflect.Int, reflect.Int64:
		g.Kind = state.BigInteger
	case reflect.Int32:
		g.Kind = state.Integer
	case reflect.Int16:
		g.Kind = state.SmallInteger
	case reflect.Bool:
		g.Kind = state.Boolean
	case reflect.Float32, reflect.Float64:
		g.Kind = state.Float
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			g.Kind = state.Binary
		}
	}
	return g, g.Kind != ""
}

// sqlNullInner returns the value type a database/sql nullable wrapper holds:
// sql.NullString → string, sql.Null[T] → T. NullByte holds a byte, which is
// read as a small integer.
func sqlNullInner(t modeltype.Type) (modeltype.Type, bool) {
	if t.PkgPath() != sqlPkg || t.Kind() != reflect.Struct {
		return nil, false
	}
	if inner, ok := sqlNullKinds[t.Name()]; ok {
		return basicType{inner}, true
	}
	if t.Name() == "NullTime" {
		if v, ok := modeltype.FieldByName(t, "Time"); ok {
			return v.Type, true
		}
	}
	if strings.HasPrefix(t.Name(), "Null[") {
		if v, ok := modeltype.FieldByName(t, "V"); ok {
			return v.Type, true
		}
	}
	return nil, false
}

// sqlNullKinds are the predeclared types database/sql's non-generic
// nullable wrappers hold, by wrapper name.
var sqlNullKinds = map[string]reflect.Kind{
	"NullString":  reflect.String,
	"NullInt64":   reflect.Int64,
	"NullInt32":   reflect.Int32,
	"NullInt16":   reflect.Int16,
	"NullByte":    reflect.Int16,
	"NullBool":    reflect.Bool,
	"NullFloat64": reflect.Float64,
}

// basicType is a predeclared type (string, int64, ...): what a nullable
// wrapper holds.
type basicType struct{ kind reflect.Kind }

func (b basicType) Kind() reflect.Kind             { return b.kind }
func (b basicType) Name() string                   { return b.kind.String() }
func (b basicType) String() string                 { return b.kind.String() }
func (b basicType) PkgPath() string                { return "" }
func (b basicType) Elem() modeltype.Type           { panic("models: Elem of a predeclared type") }
func (b basicType) Len() int                       { panic("models: Len of a predeclared type") }
func (b basicType) NumField() int                  { panic("models: NumField of a predeclared type") }
func (b basicType) Field(int) modeltype.Field      { panic("models: Field of a predeclared type") }
func (b basicType) Meta() (any, bool, bool, error) { return nil, false, false, nil }

// isValueStruct reports whether a struct type is a column value (time.Time,
// sql.Null*) rather than a model, a base or a struct to flatten.
func isValueStruct(t modeltype.Type) bool {
	if modeltype.Is(t, "time", "Time") {
		return true
	}
	_, ok := sqlNullInner(t)
	return ok
}

// typeOverrides lists the type= values, in the order error messages show them.
const typeOverrides = "char, text, date, time, datetime, json, uuid, biginteger, integer, smallinteger"

// overrideKind applies type=name to the Go type's kind. JSON fits any type
// and is handled before relations, so it never reaches here.
func overrideKind(g goType, name string) (state.Kind, error) {
	fits := false
	var kind state.Kind
	switch name {
	case "char", "text":
		kind, fits = state.Kind(name), g.isString()
	case "uuid":
		kind, fits = state.UUID, g.isString() || g.isUUIDArray()
	case "date", "time", "datetime":
		kind, fits = state.Kind(name), g.Kind == state.DateTime
	case "biginteger", "integer", "smallinteger":
		kind, fits = state.Kind(name), isInteger(g.Kind)
	default:
		return "", fmt.Errorf("unknown type=%s; use one of %s", name, typeOverrides)
	}
	if !fits {
		return "", fmt.Errorf("type=%s does not fit Go type %s; %s", name, g.Shape, overrideHint(name))
	}
	return kind, nil
}

func overrideHint(name string) string {
	switch name {
	case "char", "text":
		return "use a string field"
	case "uuid":
		return "use a string or [16]byte field"
	case "date", "time", "datetime":
		return "use a time.Time field"
	}
	return "use an integer field"
}
