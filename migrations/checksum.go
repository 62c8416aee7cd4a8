package migrations

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
)

// Checksum fingerprints what a migration does: the SHA-256, in hex, of a
// canonical rendering of its operations (type names and exported, non-zero
// fields; RunGo functions by name). It ignores formatting, comments and
// dependencies, so only an edit that changes what runs changes it, and a
// field added to an operation type later leaves old checksums alone.
//
// For a registered migration whose file wrote operations as pointers it is
// the checksum of what the file wrote, from before registration made them
// values, so it does not change with that.
func Checksum(m *Migration) string {
	if m.writtenSum != "" {
		return m.writtenSum
	}
	var b strings.Builder
	for _, op := range m.Operations {
		canonical(&b, reflect.ValueOf(op))
		b.WriteByte('\n')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// canonical writes one unambiguous rendering of v. Nil and empty slices
// differ, as they do for RunSQL.Reverse.
func canonical(b *strings.Builder, v reflect.Value) {
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Kind() == reflect.Pointer {
			b.WriteByte('&')
		}
		canonical(b, v.Elem())
	case reflect.Struct:
		b.WriteString(v.Type().String())
		b.WriteByte('{')
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || v.Field(i).IsZero() {
				continue
			}
			b.WriteString(f.Name)
			b.WriteByte(':')
			canonical(b, v.Field(i))
			b.WriteByte(';')
		}
		b.WriteByte('}')
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			canonical(b, v.Index(i))
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case reflect.Map:
		canonicalMap(b, v)
	case reflect.Func:
		b.WriteString("func:")
		b.WriteString(funcName(v))
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	default:
		fmt.Fprintf(b, "%v", v.Interface())
	}
}

// canonicalMap writes a map's entries sorted by their rendered keys.
func canonicalMap(b *strings.Builder, v reflect.Value) {
	if v.IsNil() {
		b.WriteString("nil")
		return
	}
	entries := make([]string, 0, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		var e strings.Builder
		canonical(&e, iter.Key())
		e.WriteByte(':')
		canonical(&e, iter.Value())
		entries = append(entries, e.String())
	}
	sort.Strings(entries)
	b.WriteString("map[" + strings.Join(entries, ",") + "]")
}

// funcName names a function value the way sqlmigrate shows RunGo steps.
func funcName(v reflect.Value) string {
	if v.IsNil() {
		return ""
	}
	if fn, ok := v.Interface().(operations.GoFunc); ok {
		return operations.FuncName(fn)
	}
	return runtime.FuncForPC(v.Pointer()).Name()
}
