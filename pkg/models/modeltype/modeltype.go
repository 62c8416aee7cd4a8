// Package modeltype describes the part of a Go type that reading models
// looks at, so pkg/models can read a struct whether its description comes
// from reflection (a program that compiled the user's models) or from the
// source text (internal/staticload, which reads the models without the Go
// compiler). Both descriptions go through the same reading rules; only how
// a type is known differs.
package modeltype

import "reflect"

// Type is a Go type as model reading sees it: the subset of reflect.Type
// that pkg/models and pkg/checks use, plus the model's Meta method. Two
// Types are the same Go type exactly when they compare equal with ==, so
// they can key maps as reflect.Type does.
type Type interface {
	// Kind, Name, String, PkgPath, Elem and Len mean what reflect.Type's
	// methods of those names mean.
	Kind() reflect.Kind
	Name() string
	String() string
	PkgPath() string
	Elem() Type
	Len() int
	// NumField and Field list a struct's fields in declaration order.
	NumField() int
	Field(i int) Field
	// Meta calls the type's Meta method on its zero value: found is false
	// when the type has none in its value method set; declared is false
	// when the method is promoted from an embedded field. value is a
	// models.Meta. err says why the method is unusable (a pointer
	// receiver, a wrong signature), or why its result cannot be known.
	Meta() (value any, found, declared bool, err error)
}

// Field is one field of a struct Type, as reflect.StructField gives it.
type Field struct {
	Name      string
	Type      Type
	Tag       reflect.StructTag
	Anonymous bool
	// Exported is reflect.StructField.IsExported: the field's name (the
	// type name for an embedded field) is exported.
	Exported bool
}

// Is reports whether t is the named type pkgPath.name.
func Is(t Type, pkgPath, name string) bool {
	return t != nil && t.Name() == name && t.PkgPath() == pkgPath
}

// FieldByName returns the first field of struct t named name.
func FieldByName(t Type, name string) (Field, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}
