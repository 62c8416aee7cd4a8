package staticload

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/pmanager/pmanager/pkg/models/modeltype"
)

// stype is a Go type read from source. Named types are one value per
// declaration (their pointer is their identity); unnamed ones are built
// as needed, and compared only through the named types they lead to.
type stype struct {
	kind    reflect.Kind
	name    string // "" for an unnamed type
	pkgPath string
	pkgName string
	elem    *stype // pointer, slice, array
	length  int    // array
	fields  []modeltype.Field
	// meta answers Meta; nil means no Meta method.
	meta func() (any, bool, bool, error)
	// resolved is set once a named type's underlying type is known.
	resolved bool
}

func (t *stype) Kind() reflect.Kind { return t.kind }
func (t *stype) Name() string       { return t.name }
func (t *stype) PkgPath() string    { return t.pkgPath }
func (t *stype) Len() int           { return t.length }
func (t *stype) NumField() int      { return len(t.fields) }

func (t *stype) Field(i int) modeltype.Field { return t.fields[i] }

// Elem returns the element type; it is nil only on a kind without one,
// where reflect would panic.
func (t *stype) Elem() modeltype.Type {
	if t.elem == nil {
		panic(fmt.Sprintf("staticload: Elem of %s", t))
	}
	return t.elem
}

// String spells the type as reflect.Type.String does.
func (t *stype) String() string {
	if t.name != "" {
		if t.pkgName == "" {
			return t.name
		}
		return t.pkgName + "." + t.name
	}
	switch t.kind {
	case reflect.Pointer:
		return "*" + t.elem.String()
	case reflect.Slice:
		return "[]" + t.elem.String()
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.length, t.elem.String())
	case reflect.Struct:
		parts := make([]string, len(t.fields))
		for i, f := range t.fields {
			p := f.Name + " " + f.Type.String()
			if f.Anonymous {
				p = f.Type.String()
			}
			if f.Tag != "" {
				p += " " + fmt.Sprintf("%q", string(f.Tag))
			}
			parts[i] = p
		}
		if len(parts) == 0 {
			return "struct {}"
		}
		return "struct { " + strings.Join(parts, "; ") + " }"
	case reflect.Interface:
		return "interface {}"
	}
	return t.kind.String()
}

// Meta calls the declared or promoted Meta method, if any.
func (t *stype) Meta() (any, bool, bool, error) {
	if t.meta == nil {
		return nil, false, false, nil
	}
	return t.meta()
}

// basic returns the predeclared type of a kind.
func basic(k reflect.Kind) *stype { return &stype{kind: k, resolved: true} }

// predeclared maps the predeclared type names to their kinds.
var predeclared = map[string]reflect.Kind{
	"bool": reflect.Bool, "string": reflect.String,
	"int": reflect.Int, "int8": reflect.Int8, "int16": reflect.Int16, "int32": reflect.Int32, "int64": reflect.Int64,
	"uint": reflect.Uint, "uint8": reflect.Uint8, "uint16": reflect.Uint16, "uint32": reflect.Uint32, "uint64": reflect.Uint64,
	"uintptr": reflect.Uintptr, "byte": reflect.Uint8, "rune": reflect.Int32,
	"float32": reflect.Float32, "float64": reflect.Float64,
	"complex64": reflect.Complex64, "complex128": reflect.Complex128,
}

// known are the types of other modules a models package may use, built
// once per load by outside.
type outsideKey struct{ path, name string }

// outside returns the known type path.name of a package outside the
// module, or nil.
func (l *loader) outside(path, name string) *stype {
	key := outsideKey{path, name}
	if t, ok := l.outsideTypes[key]; ok {
		return t
	}
	named := func(kind reflect.Kind, pkgName string) *stype {
		return &stype{kind: kind, name: name, pkgPath: path, pkgName: pkgName, resolved: true}
	}
	field := func(name string, t *stype) modeltype.Field {
		return modeltype.Field{Name: name, Type: t, Exported: true}
	}
	var t *stype
	switch key {
	case outsideKey{"time", "Time"}:
		t = named(reflect.Struct, "time")
		// Its fields are unexported; none of them is read.
		t.fields = []modeltype.Field{
			{Name: "wall", Type: basic(reflect.Uint64)},
			{Name: "ext", Type: basic(reflect.Int64)},
			{Name: "loc", Type: &stype{kind: reflect.Pointer, elem: named(reflect.Struct, "time"), resolved: true}},
		}
		t.fields[2].Type.(*stype).elem.name = "Location"
	case outsideKey{"time", "Duration"}:
		t = named(reflect.Int64, "time")
	case outsideKey{"encoding/json", "RawMessage"}:
		t = named(reflect.Slice, "json")
		t.elem = basic(reflect.Uint8)
	case outsideKey{"github.com/google/uuid", "UUID"}:
		t = named(reflect.Array, "uuid")
		t.elem, t.length = basic(reflect.Uint8), 16
	case outsideKey{modelsPath, "Decimal"}:
		t = named(reflect.String, "models")
	case outsideKey{modelsPath, "Model"}:
		t = named(reflect.Struct, "models")
		t.fields = []modeltype.Field{{Name: "ID", Type: basic(reflect.Int64), Tag: `db:"id"`, Exported: true}}
	default:
		if path != "database/sql" {
			return nil
		}
		inner, ok := sqlNullFields[name]
		if !ok {
			return nil
		}
		t = named(reflect.Struct, "sql")
		var v *stype
		if inner.kind == reflect.Struct {
			v = l.outside("time", "Time")
		} else {
			v = basic(inner.kind)
		}
		t.fields = []modeltype.Field{field(inner.field, v), field("Valid", basic(reflect.Bool))}
	}
	l.outsideTypes[key] = t
	return t
}

// sqlNullFields are database/sql's nullable wrappers: the name and kind
// of their value field (Struct stands for time.Time).
var sqlNullFields = map[string]struct {
	field string
	kind  reflect.Kind
}{
	"NullString": {"String", reflect.String}, "NullInt64": {"Int64", reflect.Int64},
	"NullInt32": {"Int32", reflect.Int32}, "NullInt16": {"Int16", reflect.Int16},
	"NullByte": {"Byte", reflect.Uint8}, "NullBool": {"Bool", reflect.Bool},
	"NullFloat64": {"Float64", reflect.Float64}, "NullTime": {"Time", reflect.Struct},
}
