package staticload

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strconv"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// Import paths of the packages whose types literals may name.
const (
	migrationsPath = "github.com/pmanager/pmanager/migrations"
	operationsPath = "github.com/pmanager/pmanager/pkg/operations"
	statePath      = "github.com/pmanager/pmanager/pkg/state"
)

// literalTypes are the types a decoded literal may name, by import path
// and name: what migration files and Meta methods are written with.
var literalTypes = map[string]map[string]reflect.Type{
	modelsPath: {
		"Meta": reflect.TypeFor[models.Meta](), "Index": reflect.TypeFor[models.Index](),
		"Unique": reflect.TypeFor[models.Unique](), "Check": reflect.TypeFor[models.Check](),
		"Constraint": reflect.TypeFor[models.Constraint](),
	},
	migrationsPath: {
		"Migration": reflect.TypeFor[migrations.Migration](), "Key": reflect.TypeFor[migrations.Key](),
		"Lint": reflect.TypeFor[migrations.Lint](),
	},
	statePath: {
		"Kind": reflect.TypeFor[state.Kind](), "Field": reflect.TypeFor[state.Field](),
		"DBDefault": reflect.TypeFor[state.DBDefault](), "Relation": reflect.TypeFor[state.Relation](),
		"SQLType": reflect.TypeFor[state.SQLType](),
		"Options": reflect.TypeFor[state.Options](), "Index": reflect.TypeFor[state.Index](),
		"ConstraintKind": reflect.TypeFor[state.ConstraintKind](), "Constraint": reflect.TypeFor[state.Constraint](),
	},
	operationsPath: operationTypes(),
}

// operationTypes lists every operation type (operations.All); RunGo is
// left out, since its functions exist only in compiled code.
func operationTypes() map[string]reflect.Type {
	types := map[string]reflect.Type{"Operation": reflect.TypeFor[operations.Operation]()}
	for _, op := range operations.All() {
		if _, ok := op.(operations.RunGo); ok {
			continue
		}
		t := reflect.TypeOf(op)
		types[t.Name()] = t
	}
	return types
}

// stateConsts are the constants of pkg/state a literal may name.
var stateConsts = func() map[string]reflect.Value {
	out := map[string]reflect.Value{}
	for _, k := range []state.Kind{
		state.BigAuto, state.Auto, state.Char, state.Text, state.BigInteger, state.Integer, state.SmallInteger,
		state.Boolean, state.Float, state.Decimal, state.DateTime, state.Date, state.Time, state.Duration,
		state.Binary, state.JSON, state.UUID, state.ForeignKey, state.OneToOne, state.ManyToMany, state.SQL,
	} {
		name, _ := k.ConstName()
		out[name] = reflect.ValueOf(k)
	}
	for _, d := range []state.DBDefault{state.DBNow, state.DBUUID} {
		name, _ := d.ConstName()
		out[name] = reflect.ValueOf(d)
	}
	for _, k := range []state.ConstraintKind{state.UniqueConstraint, state.CheckConstraint} {
		name, _ := k.ConstName()
		out[name] = reflect.ValueOf(k)
	}
	return out
}()

// decoder turns a literal expression of one file into a Go value.
type decoder struct {
	imports map[string]string // the file's local package names
}

// qualified returns the import path and name of pkg.Name, "" when e is
// not of that form or names no imported package.
func (d *decoder) qualified(e ast.Expr) (path, name string) {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return "", ""
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", ""
	}
	return d.imports[id.Name], sel.Sel.Name
}

// typeOf resolves a type expression of a literal.
func (d *decoder) typeOf(e ast.Expr) (reflect.Type, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return d.typeOf(e.X)
	case *ast.Ident:
		if k, ok := predeclared[e.Name]; ok && k != reflect.Uintptr && k != reflect.Complex64 && k != reflect.Complex128 {
			return basicReflect[k], nil
		}
	case *ast.SelectorExpr:
		path, name := d.qualified(e)
		if t, ok := literalTypes[path][name]; ok {
			return t, nil
		}
	case *ast.StarExpr:
		t, err := d.typeOf(e.X)
		if err != nil {
			return nil, err
		}
		return reflect.PointerTo(t), nil
	case *ast.ArrayType:
		t, err := d.typeOf(e.Elt)
		if err != nil {
			return nil, err
		}
		if e.Len == nil {
			return reflect.SliceOf(t), nil
		}
		lit, ok := e.Len.(*ast.BasicLit)
		if !ok || lit.Kind != token.INT {
			break
		}
		n, err := strconv.Atoi(lit.Value)
		if err != nil {
			break
		}
		return reflect.ArrayOf(n, t), nil
	case *ast.MapType:
		k, err := d.typeOf(e.Key)
		if err != nil {
			return nil, err
		}
		v, err := d.typeOf(e.Value)
		if err != nil {
			return nil, err
		}
		return reflect.MapOf(k, v), nil
	}
	return nil, fmt.Errorf("type %s is not one a literal here may use", exprString(e))
}

// basicReflect are the reflect types of the predeclared types.
var basicReflect = map[reflect.Kind]reflect.Type{
	reflect.Bool: reflect.TypeFor[bool](), reflect.String: reflect.TypeFor[string](),
	reflect.Int: reflect.TypeFor[int](), reflect.Int8: reflect.TypeFor[int8](), reflect.Int16: reflect.TypeFor[int16](),
	reflect.Int32: reflect.TypeFor[int32](), reflect.Int64: reflect.TypeFor[int64](),
	reflect.Uint: reflect.TypeFor[uint](), reflect.Uint8: reflect.TypeFor[uint8](), reflect.Uint16: reflect.TypeFor[uint16](),
	reflect.Uint32: reflect.TypeFor[uint32](), reflect.Uint64: reflect.TypeFor[uint64](),
	reflect.Float32: reflect.TypeFor[float32](), reflect.Float64: reflect.TypeFor[float64](),
}

// value decodes e as a value assignable to t.
func (d *decoder) value(e ast.Expr, t reflect.Type) (reflect.Value, error) {
	v, err := d.expr(e, t)
	if err != nil {
		return reflect.Value{}, err
	}
	if !v.Type().AssignableTo(t) {
		return reflect.Value{}, fmt.Errorf("%s: a %s where a %s goes", exprString(e), v.Type(), t)
	}
	out := reflect.New(t).Elem()
	out.Set(v)
	return out, nil
}

// expr decodes e; t is the type the context expects (what an untyped
// constant or an elided literal type becomes).
func (d *decoder) expr(e ast.Expr, t reflect.Type) (reflect.Value, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return d.expr(e.X, t)
	case *ast.BasicLit:
		return constant(e, t)
	case *ast.Ident:
		switch e.Name {
		case "true", "false":
			if t.Kind() != reflect.Bool {
				break
			}
			return reflect.ValueOf(e.Name == "true").Convert(t), nil
		case "nil":
			switch t.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
				return reflect.Zero(t), nil
			}
		}
	case *ast.SelectorExpr:
		path, name := d.qualified(e)
		if path == statePath {
			if c, ok := stateConsts[name]; ok {
				return c, nil
			}
		}
	case *ast.UnaryExpr:
		switch e.Op {
		case token.AND:
			lit, ok := e.X.(*ast.CompositeLit)
			if !ok {
				break
			}
			elem := t
			if t.Kind() == reflect.Pointer {
				elem = t.Elem()
			}
			v, err := d.composite(lit, elem)
			if err != nil {
				return reflect.Value{}, err
			}
			p := reflect.New(v.Type())
			p.Elem().Set(v)
			return p, nil
		case token.SUB:
			if lit, ok := e.X.(*ast.BasicLit); ok && (lit.Kind == token.INT || lit.Kind == token.FLOAT) {
				return constant(&ast.BasicLit{Kind: lit.Kind, Value: "-" + lit.Value}, t)
			}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD && t.Kind() == reflect.String {
			x, err := d.value(e.X, t)
			if err != nil {
				return reflect.Value{}, err
			}
			y, err := d.value(e.Y, t)
			if err != nil {
				return reflect.Value{}, err
			}
			return reflect.ValueOf(x.String() + y.String()).Convert(t), nil
		}
	case *ast.CompositeLit:
		if e.Type == nil && t.Kind() == reflect.Pointer {
			// &T elided inside a []*T literal.
			v, err := d.composite(e, t.Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			p := reflect.New(v.Type())
			p.Elem().Set(v)
			return p, nil
		}
		return d.composite(e, t)
	case *ast.CallExpr:
		return d.call(e)
	}
	return reflect.Value{}, fmt.Errorf("%s is not a literal value", exprString(e))
}

// call decodes state.Str("…"), migrations.Allow("…", …) and conversions
// such as state.Kind("…").
func (d *decoder) call(e *ast.CallExpr) (reflect.Value, error) {
	if path, name := d.qualified(e.Fun); path == migrationsPath && name == "Allow" && !e.Ellipsis.IsValid() {
		ids := make([]string, len(e.Args))
		for i, a := range e.Args {
			v, err := d.value(a, reflect.TypeFor[string]())
			if err != nil {
				return reflect.Value{}, err
			}
			ids[i] = v.String()
		}
		return reflect.ValueOf(migrations.Allow(ids...)), nil
	}
	if len(e.Args) != 1 || e.Ellipsis.IsValid() {
		return reflect.Value{}, fmt.Errorf("%s is a call this reader does not know", exprString(e))
	}
	path, name := d.qualified(e.Fun)
	if path == statePath && name == "Str" {
		v, err := d.value(e.Args[0], reflect.TypeFor[string]())
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(state.Str(v.String())), nil
	}
	t, err := d.typeOf(e.Fun)
	if err != nil {
		return reflect.Value{}, fmt.Errorf("%s is a call this reader does not know", exprString(e))
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
	default:
		return reflect.Value{}, fmt.Errorf("%s: a conversion this reader does not follow", exprString(e))
	}
	v, err := d.expr(e.Args[0], t)
	if err != nil {
		return reflect.Value{}, err
	}
	if v.Kind() != t.Kind() {
		return reflect.Value{}, fmt.Errorf("%s: a conversion between kinds", exprString(e))
	}
	return v.Convert(t), nil
}

// composite decodes T{…}; t is the expected type when the literal elides it.
func (d *decoder) composite(lit *ast.CompositeLit, t reflect.Type) (reflect.Value, error) {
	if lit.Type != nil {
		named, err := d.typeOf(lit.Type)
		if err != nil {
			return reflect.Value{}, err
		}
		t = named
	}
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Struct:
		return v, d.structure(lit, v)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(t, 0, len(lit.Elts)))
		for _, el := range lit.Elts {
			if _, ok := el.(*ast.KeyValueExpr); ok {
				return reflect.Value{}, fmt.Errorf("an indexed slice literal")
			}
			ev, err := d.value(el, t.Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			v.Set(reflect.Append(v, ev))
		}
		return v, nil
	case reflect.Array:
		if len(lit.Elts) > t.Len() {
			return reflect.Value{}, fmt.Errorf("too many elements for %s", t)
		}
		for i, el := range lit.Elts {
			if _, ok := el.(*ast.KeyValueExpr); ok {
				return reflect.Value{}, fmt.Errorf("an indexed array literal")
			}
			ev, err := d.value(el, t.Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			v.Index(i).Set(ev)
		}
		return v, nil
	case reflect.Map:
		v.Set(reflect.MakeMapWithSize(t, len(lit.Elts)))
		for _, el := range lit.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				return reflect.Value{}, fmt.Errorf("a map element without a key")
			}
			k, err := d.value(kv.Key, t.Key())
			if err != nil {
				return reflect.Value{}, err
			}
			if v.MapIndex(k).IsValid() {
				return reflect.Value{}, fmt.Errorf("duplicate key %v in a map literal", k)
			}
			ev, err := d.value(kv.Value, t.Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			v.SetMapIndex(k, ev)
		}
		return v, nil
	}
	return reflect.Value{}, fmt.Errorf("a composite literal of %s", t)
}

// structure fills the struct v from a keyed (or complete positional) literal.
func (d *decoder) structure(lit *ast.CompositeLit, v reflect.Value) error {
	t := v.Type()
	if len(lit.Elts) == 0 {
		return nil
	}
	if _, keyed := lit.Elts[0].(*ast.KeyValueExpr); !keyed {
		if len(lit.Elts) != t.NumField() {
			return fmt.Errorf("a positional %s literal with %d of its %d fields", t, len(lit.Elts), t.NumField())
		}
		for i, el := range lit.Elts {
			if _, ok := el.(*ast.KeyValueExpr); ok || !t.Field(i).IsExported() {
				return fmt.Errorf("a mixed or unexported positional %s literal", t)
			}
			fv, err := d.value(el, t.Field(i).Type)
			if err != nil {
				return err
			}
			v.Field(i).Set(fv)
		}
		return nil
	}
	seen := map[string]bool{}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			return fmt.Errorf("a %s literal mixing keyed and positional fields", t)
		}
		key, ok := kv.Key.(*ast.Ident)
		if !ok || seen[key.Name] {
			return fmt.Errorf("a %s literal with a bad or repeated key", t)
		}
		seen[key.Name] = true
		sf, ok := t.FieldByName(key.Name)
		if !ok || !sf.IsExported() || len(sf.Index) != 1 {
			return fmt.Errorf("%s has no field %s", t, key.Name)
		}
		fv, err := d.value(kv.Value, sf.Type)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", t.Name(), key.Name, err)
		}
		v.Field(sf.Index[0]).Set(fv)
	}
	return nil
}

// constant decodes a basic literal as a value of t (or of its default
// type when t is an interface).
func constant(lit *ast.BasicLit, t reflect.Type) (reflect.Value, error) {
	switch lit.Kind {
	case token.STRING:
		s, err := strconv.Unquote(lit.Value)
		if err != nil || t.Kind() != reflect.String {
			break
		}
		return reflect.ValueOf(s).Convert(t), nil
	case token.INT:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(lit.Value, 0, 64)
			if err != nil || reflect.Zero(t).OverflowInt(n) {
				break
			}
			return reflect.ValueOf(n).Convert(t), nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			n, err := strconv.ParseUint(lit.Value, 0, 64)
			if err != nil || reflect.Zero(t).OverflowUint(n) {
				break
			}
			return reflect.ValueOf(n).Convert(t), nil
		case reflect.Float32, reflect.Float64:
			f, err := strconv.ParseFloat(lit.Value, 64)
			if err != nil {
				break
			}
			return reflect.ValueOf(f).Convert(t), nil
		}
	case token.FLOAT:
		if t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64 {
			f, err := strconv.ParseFloat(lit.Value, 64)
			if err != nil {
				break
			}
			return reflect.ValueOf(f).Convert(t), nil
		}
	}
	return reflect.Value{}, fmt.Errorf("literal %s does not fit %s", lit.Value, t)
}

// exprString shows an expression in an error message.
func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	case *ast.BasicLit:
		return e.Value
	case *ast.CallExpr:
		return exprString(e.Fun) + "(…)"
	case *ast.CompositeLit:
		if e.Type != nil {
			return exprString(e.Type) + "{…}"
		}
		return "{…}"
	}
	return fmt.Sprintf("%T", e)
}
