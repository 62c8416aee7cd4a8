package staticload

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
)

// The cache keeps decoded migration files in a binary form of their own,
// written and read by reflection over the very types the decoder fills.
// Unlike encoding/gob it keeps a nil slice or map apart from an empty one
// and a nil pointer apart from a pointer to a zero value, and unlike
// encoding/json it keeps every byte of a string: a value read back is
// reflect.DeepEqual to the one written. A value the form cannot carry (a
// function, a channel, a set unexported field, a type outside the
// decoder's) is refused when written, and the file is then simply not
// cached.

// maxDepth bounds how deep a value may nest, in writing and in reading.
const maxDepth = 200

// codecTypes are the named types a value in an interface may have, by
// package path and name: every type a literal may name and every type
// reachable from one.
var codecTypes = func() map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		if t.Name() != "" {
			name := typeName(t)
			if _, seen := out[name]; seen {
				return
			}
			out[name] = t
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(t.Elem())
		case reflect.Map:
			walk(t.Key())
			walk(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		}
	}
	for _, byName := range literalTypes {
		for _, t := range byName {
			walk(t)
		}
	}
	for _, t := range basicReflect {
		walk(t)
	}
	walk(reflect.TypeFor[cacheEntry]())
	return out
}()

// typeName names a named type in the form.
func typeName(t reflect.Type) string { return t.PkgPath() + "." + t.Name() }

// typesFingerprint sums the shape of every type the form carries (kinds,
// struct fields, their types and order), so that a change to the decoded
// types, such as a new field of migrations.Migration, gives every entry a
// new key without anyone remembering to change readerVersion.
var typesFingerprint = func() string {
	names := make([]string, 0, len(codecTypes))
	for name := range codecTypes {
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		t := codecTypes[name]
		fmt.Fprintf(h, "%s %s %d\n", name, t.Kind(), t.Size())
		if t.Kind() == reflect.Struct {
			for i := range t.NumField() {
				f := t.Field(i)
				fmt.Fprintf(h, "\t%s %s %v\n", f.Name, f.Type, f.Anonymous)
			}
		} else {
			fmt.Fprintf(h, "\t%s\n", t)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}()

// errForm is what reading a malformed entry returns.
var errForm = errors.New("cache entry is malformed")

// encoder appends values to buf.
type encoder struct {
	buf []byte
}

func (e *encoder) uvarint(n uint64) { e.buf = binary.AppendUvarint(e.buf, n) }

func (e *encoder) flag(b bool) {
	if b {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

func (e *encoder) string(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// value appends v.
func (e *encoder) value(v reflect.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("a value nested deeper than %d", maxDepth)
	}
	switch v.Kind() {
	case reflect.Bool:
		e.flag(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = binary.AppendVarint(e.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uvarint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v.Float()))
	case reflect.String:
		e.string(v.String())
	case reflect.Pointer:
		e.flag(!v.IsNil())
		if !v.IsNil() {
			return e.value(v.Elem(), depth+1)
		}
	case reflect.Slice:
		e.flag(!v.IsNil())
		if v.IsNil() {
			return nil
		}
		e.uvarint(uint64(v.Len()))
		for i := range v.Len() {
			if err := e.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Array:
		for i := range v.Len() {
			if err := e.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		return e.mapValue(v, depth)
	case reflect.Interface:
		e.flag(!v.IsNil())
		if v.IsNil() {
			return nil
		}
		if err := e.typ(v.Elem().Type()); err != nil {
			return err
		}
		return e.value(v.Elem(), depth+1)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				// The decoder sets exported fields only; one set otherwise
				// would be lost here, so the value is not cached.
				if !v.Field(i).IsZero() {
					return fmt.Errorf("%s.%s is unexported and set", t, t.Field(i).Name)
				}
				continue
			}
			if err := e.value(v.Field(i), depth+1); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("a %s value", v.Kind())
	}
	return nil
}

// mapValue appends a map with its entries in the order of their encoded
// keys, so that equal maps are equal bytes.
func (e *encoder) mapValue(v reflect.Value, depth int) error {
	e.flag(!v.IsNil())
	if v.IsNil() {
		return nil
	}
	type pair struct{ k, v []byte }
	pairs := make([]pair, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		var ke, ve encoder
		if err := ke.value(it.Key(), depth+1); err != nil {
			return err
		}
		if err := ve.value(it.Value(), depth+1); err != nil {
			return err
		}
		pairs = append(pairs, pair{ke.buf, ve.buf})
	}
	sort.Slice(pairs, func(i, j int) bool { return bytes.Compare(pairs[i].k, pairs[j].k) < 0 })
	e.uvarint(uint64(len(pairs)))
	for _, p := range pairs {
		e.buf = append(append(e.buf, p.k...), p.v...)
	}
	return nil
}

// Type descriptors of the dynamic type of an interface value.
const (
	typeNamed byte = iota + 1
	typePointer
	typeSlice
	typeArray
	typeMap
)

// typ appends the descriptor of t: a named type by name, a pointer, slice,
// array or map by its parts.
func (e *encoder) typ(t reflect.Type) error {
	if t.Name() != "" {
		name := typeName(t)
		if codecTypes[name] != t {
			return fmt.Errorf("type %s is not one the decoder makes", t)
		}
		e.buf = append(e.buf, typeNamed)
		e.string(name)
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		e.buf = append(e.buf, typePointer)
	case reflect.Slice:
		e.buf = append(e.buf, typeSlice)
	case reflect.Array:
		e.buf = append(e.buf, typeArray)
		e.uvarint(uint64(t.Len()))
	case reflect.Map:
		e.buf = append(e.buf, typeMap)
		if err := e.typ(t.Key()); err != nil {
			return err
		}
	default:
		return fmt.Errorf("type %s is not one the decoder makes", t)
	}
	return e.typ(t.Elem())
}

// reader reads values back from the form.
type reader struct {
	buf []byte
}

func (r *reader) byte() (byte, error) {
	if len(r.buf) == 0 {
		return 0, errForm
	}
	b := r.buf[0]
	r.buf = r.buf[1:]
	return b, nil
}

func (r *reader) flag() (bool, error) {
	b, err := r.byte()
	if err != nil || b > 1 {
		return false, errForm
	}
	return b == 1, nil
}

func (r *reader) uvarint() (uint64, error) {
	n, size := binary.Uvarint(r.buf)
	if size <= 0 {
		return 0, errForm
	}
	r.buf = r.buf[size:]
	return n, nil
}

// length reads a count of things each taking at least one byte, so that a
// malformed count cannot make a huge allocation.
func (r *reader) length() (int, error) {
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.buf)) {
		return 0, errForm
	}
	return int(n), nil
}

func (r *reader) string() (string, error) {
	b, err := r.bytes()
	return string(b), err
}

// bytes reads what string wrote, without a copy.
func (r *reader) bytes() ([]byte, error) {
	n, err := r.length()
	if err != nil {
		return nil, err
	}
	b := r.buf[:n:n]
	r.buf = r.buf[n:]
	return b, nil
}

// value reads into v, which is settable and holds its zero value.
func (r *reader) value(v reflect.Value, depth int) error {
	if depth > maxDepth {
		return errForm
	}
	switch v.Kind() {
	case reflect.Bool:
		b, err := r.flag()
		v.SetBool(b)
		return err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, size := binary.Varint(r.buf)
		if size <= 0 || v.OverflowInt(n) {
			return errForm
		}
		r.buf = r.buf[size:]
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := r.uvarint()
		if err != nil || v.OverflowUint(n) {
			return errForm
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		if len(r.buf) < 8 {
			return errForm
		}
		v.SetFloat(math.Float64frombits(binary.LittleEndian.Uint64(r.buf)))
		r.buf = r.buf[8:]
	case reflect.String:
		s, err := r.string()
		if err != nil {
			return err
		}
		v.SetString(s)
	case reflect.Pointer:
		set, err := r.flag()
		if err != nil || !set {
			return err
		}
		p := reflect.New(v.Type().Elem())
		if err := r.value(p.Elem(), depth+1); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		set, err := r.flag()
		if err != nil || !set {
			return err
		}
		n, err := r.length()
		if err != nil {
			return err
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			if err := r.value(s.Index(i), depth+1); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			if err := r.value(v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		return r.mapValue(v, depth)
	case reflect.Interface:
		set, err := r.flag()
		if err != nil || !set {
			return err
		}
		t, err := r.typ(0)
		if err != nil || !t.AssignableTo(v.Type()) {
			return errForm
		}
		elem := reflect.New(t).Elem()
		if err := r.value(elem, depth+1); err != nil {
			return err
		}
		v.Set(elem)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			if err := r.value(v.Field(i), depth+1); err != nil {
				return err
			}
		}
	default:
		return errForm
	}
	return nil
}

func (r *reader) mapValue(v reflect.Value, depth int) error {
	set, err := r.flag()
	if err != nil || !set {
		return err
	}
	n, err := r.length()
	if err != nil {
		return err
	}
	t := v.Type()
	m := reflect.MakeMapWithSize(t, n)
	for range n {
		k := reflect.New(t.Key()).Elem()
		if err := r.value(k, depth+1); err != nil {
			return err
		}
		if m.MapIndex(k).IsValid() {
			return errForm
		}
		e := reflect.New(t.Elem()).Elem()
		if err := r.value(e, depth+1); err != nil {
			return err
		}
		m.SetMapIndex(k, e)
	}
	v.Set(m)
	return nil
}

// typ reads a type descriptor.
func (r *reader) typ(depth int) (reflect.Type, error) {
	if depth > maxDepth {
		return nil, errForm
	}
	b, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch b {
	case typeNamed:
		name, err := r.string()
		if err != nil {
			return nil, err
		}
		if t, ok := codecTypes[name]; ok {
			return t, nil
		}
		return nil, errForm
	case typeArray:
		n, err := r.uvarint()
		if err != nil || n > uint64(len(r.buf)) {
			return nil, errForm
		}
		elem, err := r.typ(depth + 1)
		if err != nil {
			return nil, err
		}
		return reflect.ArrayOf(int(n), elem), nil
	case typeMap:
		key, err := r.typ(depth + 1)
		if err != nil || !key.Comparable() {
			return nil, errForm
		}
		elem, err := r.typ(depth + 1)
		if err != nil {
			return nil, err
		}
		return reflect.MapOf(key, elem), nil
	case typePointer, typeSlice:
		elem, err := r.typ(depth + 1)
		if err != nil {
			return nil, err
		}
		if b == typePointer {
			return reflect.PointerTo(elem), nil
		}
		return reflect.SliceOf(elem), nil
	}
	return nil, errForm
}
