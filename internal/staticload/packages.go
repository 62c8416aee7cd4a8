package staticload

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/models/modeltype"
)

// ErrUnsupported marks what this package cannot read with certainty; the
// caller then compiles the project instead.
var ErrUnsupported = errors.New("not readable without the Go compiler")

// unsupported returns an error wrapping ErrUnsupported that says why.
func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// modelsPath is the import path of pkg/models.
const modelsPath = "github.com/pmanager/pmanager/pkg/models"

// Module is the Go module the project's packages belong to.
type Module struct {
	// Path is the module path (go.mod's module line).
	Path string
	// Dir is the folder of go.mod.
	Dir string
}

// importPath is the import path of a folder of the module.
func (m Module) importPath(dir string) (string, error) {
	rel, err := filepath.Rel(m.Dir, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", unsupported("%s is outside the module at %s", dir, m.Dir)
	}
	if rel == "." {
		return m.Path, nil
	}
	return m.Path + "/" + filepath.ToSlash(rel), nil
}

// dirOf is the folder of a package of the module, "" for a path outside it.
func (m Module) dirOf(path string) string {
	switch {
	case path == m.Path:
		return m.Dir
	case strings.HasPrefix(path, m.Path+"/"):
		return filepath.Join(m.Dir, filepath.FromSlash(strings.TrimPrefix(path, m.Path+"/")))
	}
	return ""
}

// loader reads packages of one module, each once.
type loader struct {
	mod          Module
	fset         *token.FileSet
	pkgs         map[string]*pkg
	outsideTypes map[outsideKey]*stype
}

func newLoader(mod Module) *loader {
	return &loader{mod: mod, fset: token.NewFileSet(), pkgs: map[string]*pkg{}, outsideTypes: map[outsideKey]*stype{}}
}

// pkg is one package of the module read from source.
type pkg struct {
	l          *loader
	path, name string
	dir        string
	files      []*file
	decls      map[string]typeDecl
	metas      map[string]metaDecl
	blankVars  []typeUse
	named      map[string]*stype
	structs    []string // exported struct type declarations, sorted
}

// file is one source file and the imports it names.
type file struct {
	name    string
	ast     *ast.File
	imports map[string]string // local name → import path
}

type typeDecl struct {
	spec *ast.TypeSpec
	file *file
}

type metaDecl struct {
	fn   *ast.FuncDecl
	file *file
}

type typeUse struct {
	expr ast.Expr
	file *file
}

// source is one Go file of a package: its path and content.
type source struct {
	path string
	src  []byte
}

// goFiles reads the files of dir the Go build would compile (test files
// and files a build constraint excludes are left out), sorted by name, and
// returns them with the package name they declare. Each file is read once:
// the build constraints are matched on the content in memory.
func goFiles(dir string) (string, []source, error) {
	names, err := goFileNames(dir)
	if err != nil {
		return "", nil, err
	}
	ctxt := build.Default
	var out []source
	for _, name := range names {
		path := filepath.Join(dir, name)
		src, err := readSource(path)
		if err != nil {
			return "", nil, unsupported("read %s: %v", path, err)
		}
		ok, err := matchFile(&ctxt, dir, name, src)
		if err != nil {
			return "", nil, err
		}
		if ok {
			out = append(out, source{path, src})
		}
	}
	if len(out) == 0 {
		return "", nil, unsupported("%s has no Go files", dir)
	}
	name, err := packageClause(out)
	return name, out, err
}

// goFileNames lists the Go files of dir other than tests, sorted by name,
// refusing a package with files of other languages.
func goFileNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, unsupported("read package %s: %v", dir, err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			if !e.IsDir() && (strings.HasSuffix(name, ".c") || strings.HasSuffix(name, ".s") || strings.HasSuffix(name, ".S") || strings.HasSuffix(name, ".syso") || strings.HasSuffix(name, ".cc") || strings.HasSuffix(name, ".h")) {
				return nil, unsupported("%s has files other than Go", dir)
			}
			continue
		}
		out = append(out, name)
	}
	return out, nil
}

// matchFile reports whether the build compiles the file name of dir,
// whose content is src, under the settings of ctxt.
func matchFile(ctxt *build.Context, dir, name string, src []byte) (bool, error) {
	c := *ctxt
	c.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(src)), nil }
	ok, err := c.MatchFile(dir, name)
	if err != nil {
		return false, unsupported("%s: %v", filepath.Join(dir, name), err)
	}
	return ok, nil
}

// packageClause is the package name every file declares.
func packageClause(files []source) (string, error) {
	name := ""
	for _, f := range files {
		af, err := parser.ParseFile(token.NewFileSet(), f.path, f.src, parser.PackageClauseOnly)
		if err != nil {
			return "", unsupported("%v", err)
		}
		if name != "" && af.Name.Name != name {
			return "", unsupported("%s declares package %s, another file %s", f.path, af.Name.Name, name)
		}
		name = af.Name.Name
	}
	return name, nil
}

// parseAll parses the files on every processor, keeping their order.
func (l *loader) parseAll(files []source) ([]*ast.File, error) {
	out := make([]*ast.File, len(files))
	errs := make([]error, len(files))
	parallel(len(files), func(i int) { out[i], errs[i] = l.parse(files[i]) })
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parse reads one Go file; a syntax error is left to the compiler to
// report in its own words.
func (l *loader) parse(f source) (*ast.File, error) {
	af, err := parser.ParseFile(l.fset, f.path, f.src, parser.SkipObjectResolution)
	if err != nil {
		return nil, unsupported("%v", err)
	}
	return af, nil
}

// load reads the package at import path (a folder of the module).
func (l *loader) load(path string) (*pkg, error) {
	if p, ok := l.pkgs[path]; ok {
		if p == nil {
			return nil, unsupported("import cycle through %s", path)
		}
		return p, nil
	}
	dir := l.mod.dirOf(path)
	if dir == "" {
		return nil, unsupported("package %s is outside the module", path)
	}
	l.pkgs[path] = nil
	name, files, err := goFiles(dir)
	if err != nil {
		return nil, err
	}
	if name == "main" {
		return nil, unsupported("%s is package main", dir)
	}
	asts, err := l.parseAll(files)
	if err != nil {
		return nil, err
	}
	p := &pkg{l: l, path: path, name: name, dir: dir, decls: map[string]typeDecl{}, metas: map[string]metaDecl{}, named: map[string]*stype{}}
	for i, af := range asts {
		if err := p.addFile(files[i].path, af); err != nil {
			return nil, err
		}
	}
	sort.Strings(p.structs)
	if err := p.resolveAll(); err != nil {
		return nil, err
	}
	l.pkgs[path] = p
	return p, nil
}

// addFile records one file's declarations, refusing anything but types,
// Meta methods and blank variables of a type.
func (p *pkg) addFile(path string, af *ast.File) error {
	f := &file{name: path, ast: af, imports: map[string]string{}}
	p.files = append(p.files, f)
	for _, decl := range af.Decls {
		var err error
		switch d := decl.(type) {
		case *ast.GenDecl:
			err = p.addGenDecl(f, d)
		case *ast.FuncDecl:
			err = p.addFunc(f, d)
		default:
			err = unsupported("%s: a declaration of an unknown kind", p.pos(d))
		}
		if err != nil {
			return err
		}
	}
	return checkImportsUsed(f)
}

func (p *pkg) pos(n ast.Node) string { return p.l.fset.Position(n.Pos()).String() }

func (p *pkg) addGenDecl(f *file, d *ast.GenDecl) error {
	switch d.Tok {
	case token.IMPORT:
		for _, s := range d.Specs {
			is := s.(*ast.ImportSpec)
			path, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return unsupported("%s: import path", p.pos(is))
			}
			name, err := p.l.packageName(path)
			if err != nil {
				return err
			}
			if is.Name != nil {
				if is.Name.Name == "_" || is.Name.Name == "." {
					return unsupported("%s: import %s %q", p.pos(is), is.Name.Name, path)
				}
				name = is.Name.Name
			}
			if _, dup := f.imports[name]; dup {
				return unsupported("%s: %s imported twice", p.pos(is), name)
			}
			f.imports[name] = path
		}
	case token.TYPE:
		for _, s := range d.Specs {
			ts := s.(*ast.TypeSpec)
			if ts.TypeParams != nil {
				return unsupported("%s: generic type %s", p.pos(ts), ts.Name.Name)
			}
			if _, dup := p.decls[ts.Name.Name]; dup || ts.Name.Name == "_" {
				return unsupported("%s: type %s declared twice", p.pos(ts), ts.Name.Name)
			}
			p.decls[ts.Name.Name] = typeDecl{ts, f}
			if _, ok := ts.Type.(*ast.StructType); ok && ts.Name.IsExported() && !ts.Assign.IsValid() {
				p.structs = append(p.structs, ts.Name.Name)
			}
		}
	case token.VAR:
		for _, s := range d.Specs {
			vs := s.(*ast.ValueSpec)
			if vs.Type == nil || len(vs.Values) > 0 {
				return unsupported("%s: a variable with a value", p.pos(vs))
			}
			for _, n := range vs.Names {
				if n.Name != "_" {
					return unsupported("%s: variable %s", p.pos(vs), n.Name)
				}
			}
			p.blankVars = append(p.blankVars, typeUse{vs.Type, f})
		}
	default:
		return unsupported("%s: %s declaration", p.pos(d), d.Tok)
	}
	return nil
}

// addFunc accepts `func (T) Meta() models.Meta`; every other function is
// code the compiler must see.
func (p *pkg) addFunc(f *file, d *ast.FuncDecl) error {
	if d.Recv == nil || d.Name.Name != "Meta" || len(d.Recv.List) != 1 {
		return unsupported("%s: function %s", p.pos(d), d.Name.Name)
	}
	recv, ok := d.Recv.List[0].Type.(*ast.Ident)
	if !ok {
		return unsupported("%s: Meta with a pointer or generic receiver", p.pos(d))
	}
	if _, dup := p.metas[recv.Name]; dup {
		return unsupported("%s: %s.Meta declared twice", p.pos(d), recv.Name)
	}
	p.metas[recv.Name] = metaDecl{d, f}
	return nil
}

// packageName is the name a package is known by when imported without
// a name of its own.
func (l *loader) packageName(path string) (string, error) {
	if knownOutside(path) {
		return path[strings.LastIndex(path, "/")+1:], nil
	}
	if l.mod.dirOf(path) == "" {
		return "", unsupported("import %q is not a package this reader knows", path)
	}
	other, err := l.load(path)
	if err != nil {
		return "", err
	}
	return other.name, nil
}

// knownOutside reports the packages whose types outside describes.
func knownOutside(path string) bool {
	switch path {
	case "time", "database/sql", "encoding/json", modelsPath, "github.com/google/uuid":
		return true
	}
	return false
}

// checkImportsUsed refuses a file with an import it does not use, which
// the compiler would refuse.
func checkImportsUsed(f *file) error {
	used := map[string]bool{}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	for name := range f.imports {
		if !used[name] {
			return unsupported("%s: import %s is not used", f.name, name)
		}
	}
	return nil
}

// resolveAll resolves every type the package declares or names, so a
// type the compiler would refuse is found here, and reads every Meta.
func (p *pkg) resolveAll() error {
	names := make([]string, 0, len(p.decls))
	for name := range p.decls {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := p.namedType(name); err != nil {
			return err
		}
	}
	for _, v := range p.blankVars {
		if _, err := p.resolve(v.expr, v.file); err != nil {
			return err
		}
	}
	for name := range p.metas {
		d, ok := p.decls[name]
		if !ok || d.spec.Assign.IsValid() {
			return unsupported("Meta on %s, which is not a type declared here", name)
		}
	}
	for _, name := range names {
		if err := checkNoValueCycle(p.named[name], map[*stype]bool{}); err != nil {
			return err
		}
		if err := p.setOwnMeta(name, p.named[name]); err != nil {
			return err
		}
	}
	for _, name := range names {
		if err := p.setPromotedMeta(name, p.named[name]); err != nil {
			return err
		}
	}
	return nil
}

// isPackage reports whether e is the name file f gives the package path.
func isPackage(e ast.Expr, f *file, path string) bool {
	id, ok := e.(*ast.Ident)
	return ok && f.imports[id.Name] == path
}

// checkNoValueCycle refuses a struct that contains itself by value.
func checkNoValueCycle(t *stype, onPath map[*stype]bool) error {
	if onPath[t] {
		return unsupported("type %s contains itself", t)
	}
	switch t.kind {
	case reflect.Struct:
		onPath[t] = true
		for _, f := range t.fields {
			if err := checkNoValueCycle(f.Type.(*stype), onPath); err != nil {
				return err
			}
		}
		delete(onPath, t)
	case reflect.Array:
		return checkNoValueCycle(t.elem, onPath)
	}
	return nil
}

// namedType returns the type a top-level declaration of the package names.
func (p *pkg) namedType(name string) (*stype, error) {
	if t, ok := p.named[name]; ok {
		return t, nil
	}
	d, ok := p.decls[name]
	if !ok {
		return nil, unsupported("%s: undefined type %s", p.path, name)
	}
	if d.spec.Assign.IsValid() {
		p.named[name] = nil // an alias of itself is a cycle
		t, err := p.resolve(d.spec.Type, d.file)
		if err != nil {
			return nil, err
		}
		p.named[name] = t
		return t, nil
	}
	t := &stype{name: name, pkgPath: p.path, pkgName: p.name}
	p.named[name] = t
	u, err := p.resolve(d.spec.Type, d.file)
	if err != nil {
		return nil, err
	}
	if !u.resolved {
		return nil, unsupported("type %s is defined by a type being defined", name)
	}
	t.kind, t.elem, t.length, t.fields = u.kind, u.elem, u.length, u.fields
	t.resolved = true
	return t, nil
}

// resolve returns the type a type expression of file f denotes.
func (p *pkg) resolve(e ast.Expr, f *file) (*stype, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return p.resolve(e.X, f)
	case *ast.Ident:
		if k, ok := predeclared[e.Name]; ok && p.decls[e.Name].spec == nil {
			return basic(k), nil
		}
		if (e.Name == "any" || e.Name == "error") && p.decls[e.Name].spec == nil {
			return &stype{kind: reflect.Interface, resolved: true}, nil
		}
		t, err := p.namedType(e.Name)
		if err == nil && t == nil {
			err = unsupported("alias cycle through %s", e.Name)
		}
		return t, err
	case *ast.SelectorExpr:
		return p.qualified(e, f)
	case *ast.StarExpr:
		elem, err := p.resolve(e.X, f)
		if err != nil {
			return nil, err
		}
		return &stype{kind: reflect.Pointer, elem: elem, resolved: true}, nil
	case *ast.ArrayType:
		elem, err := p.resolve(e.Elt, f)
		if err != nil {
			return nil, err
		}
		if e.Len == nil {
			return &stype{kind: reflect.Slice, elem: elem, resolved: true}, nil
		}
		lit, ok := e.Len.(*ast.BasicLit)
		if !ok || lit.Kind != token.INT {
			return nil, unsupported("%s: an array length that is not a number", p.pos(e))
		}
		n, err := strconv.ParseInt(lit.Value, 0, 32)
		if err != nil {
			return nil, unsupported("%s: array length %s", p.pos(e), lit.Value)
		}
		return &stype{kind: reflect.Array, elem: elem, length: int(n), resolved: true}, nil
	case *ast.MapType:
		if _, err := p.resolve(e.Key, f); err != nil {
			return nil, err
		}
		if _, err := p.resolve(e.Value, f); err != nil {
			return nil, err
		}
		return &stype{kind: reflect.Map, resolved: true}, nil
	case *ast.InterfaceType:
		if len(e.Methods.List) > 0 {
			return nil, unsupported("%s: an interface with methods", p.pos(e))
		}
		return &stype{kind: reflect.Interface, resolved: true}, nil
	case *ast.StructType:
		return p.structType(e, f)
	}
	return nil, unsupported("%s: a type this reader does not know", p.pos(e))
}

// qualified resolves pkg.Name.
func (p *pkg) qualified(e *ast.SelectorExpr, f *file) (*stype, error) {
	id, ok := e.X.(*ast.Ident)
	if !ok {
		return nil, unsupported("%s: a type this reader does not know", p.pos(e))
	}
	path, ok := f.imports[id.Name]
	if !ok {
		return nil, unsupported("%s: %s is not an imported package", p.pos(e), id.Name)
	}
	if !ast.IsExported(e.Sel.Name) {
		return nil, unsupported("%s: %s.%s is not exported", p.pos(e), id.Name, e.Sel.Name)
	}
	if !knownOutside(path) && p.l.mod.dirOf(path) != "" {
		other, err := p.l.load(path)
		if err != nil {
			return nil, err
		}
		return other.namedType(e.Sel.Name)
	}
	if t := p.l.outside(path, e.Sel.Name); t != nil {
		return t, nil
	}
	return nil, unsupported("%s: type %s.%s is not one this reader knows", p.pos(e), path, e.Sel.Name)
}

// structType resolves a struct type literal, tags and embedding included.
func (p *pkg) structType(e *ast.StructType, f *file) (*stype, error) {
	t := &stype{kind: reflect.Struct, resolved: true}
	seen := map[string]bool{}
	for _, fl := range e.Fields.List {
		ft, err := p.resolve(fl.Type, f)
		if err != nil {
			return nil, err
		}
		var tag reflect.StructTag
		if fl.Tag != nil {
			s, err := strconv.Unquote(fl.Tag.Value)
			if err != nil {
				return nil, unsupported("%s: struct tag", p.pos(fl.Tag))
			}
			tag = reflect.StructTag(s)
		}
		if len(fl.Names) == 0 {
			name, err := embeddedName(fl.Type)
			if err != nil {
				return nil, unsupported("%s: %v", p.pos(fl), err)
			}
			if seen[name] {
				return nil, unsupported("%s: duplicate field %s", p.pos(fl), name)
			}
			seen[name] = true
			t.fields = append(t.fields, modeltype.Field{Name: name, Type: ft, Tag: tag, Anonymous: true, Exported: ast.IsExported(name)})
			continue
		}
		for _, n := range fl.Names {
			if n.Name != "_" && seen[n.Name] {
				return nil, unsupported("%s: duplicate field %s", p.pos(n), n.Name)
			}
			seen[n.Name] = true
			t.fields = append(t.fields, modeltype.Field{Name: n.Name, Type: ft, Tag: tag, Exported: ast.IsExported(n.Name)})
		}
	}
	return t, nil
}

// embeddedName is the field name of an embedded type: its type name.
func embeddedName(e ast.Expr) (string, error) {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name, nil
	case *ast.SelectorExpr:
		return e.Sel.Name, nil
	}
	return "", fmt.Errorf("an embedded field that is not a type name")
}

// setOwnMeta gives t the Meta method declared on it.
func (p *pkg) setOwnMeta(name string, t *stype) error {
	if d, ok := p.metas[name]; ok {
		if t.kind == reflect.Struct && hasField(t, "Meta") {
			return unsupported("%s has both a field and a method Meta", name)
		}
		meta, err := p.readMeta(d)
		if err != nil {
			return err
		}
		t.meta = func() (any, bool, bool, error) { return meta, true, true, nil }
	}
	return nil
}

// setPromotedMeta gives t, when it declares no Meta, the one promoted
// from an embedded struct.
func (p *pkg) setPromotedMeta(name string, t *stype) error {
	if _, ok := p.metas[name]; ok || t.kind != reflect.Struct || t.name != name || t.pkgPath != p.path {
		return nil
	}
	found, err := promotedMeta(t, 0)
	if err != nil || found == nil {
		return err
	}
	t.meta = func() (any, bool, bool, error) {
		v, _, _, err := found.meta()
		return v, true, false, err
	}
	return nil
}

func hasField(t *stype, name string) bool {
	for _, f := range t.fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// promotedMeta finds the Meta method a struct gets from its embedded
// fields: the one of the shallowest embedded type that declares one.
// Anything Go's promotion rules make subtle (two at one depth, a field
// named Meta, an embedded pointer) is refused.
func promotedMeta(t *stype, depth int) (*stype, error) {
	if depth > 8 {
		return nil, unsupported("embedding deeper than this reader follows")
	}
	level := []*stype{}
	for _, f := range t.fields {
		if !f.Anonymous {
			if f.Name == "Meta" {
				return nil, unsupported("%s has a field named Meta", t)
			}
			continue
		}
		ft := f.Type.(*stype)
		if ft.kind == reflect.Pointer {
			if ft.elem.kind == reflect.Struct && ft.elem.meta != nil {
				return nil, unsupported("%s embeds a pointer to a struct with Meta", t)
			}
			continue
		}
		if f.Name == "Meta" {
			return nil, unsupported("%s embeds a type named Meta", t)
		}
		if ft.kind == reflect.Struct {
			level = append(level, ft)
		}
	}
	var own []*stype
	for _, ft := range level {
		if ft.meta != nil && ft.pkgPath != "" {
			if _, _, declared, _ := ft.meta(); declared {
				own = append(own, ft)
			}
		}
	}
	switch len(own) {
	case 1:
		return own[0], nil
	case 0:
	default:
		return nil, unsupported("%s gets Meta from two embedded structs", t)
	}
	var deeper []*stype
	for _, ft := range level {
		found, err := promotedMeta(ft, depth+1)
		if err != nil {
			return nil, err
		}
		if found != nil {
			deeper = append(deeper, found)
		}
	}
	switch len(deeper) {
	case 0:
		return nil, nil
	case 1:
		return deeper[0], nil
	}
	return nil, unsupported("%s gets Meta from two embedded structs", t)
}

// readMeta decodes the Meta literal a method returns.
func (p *pkg) readMeta(d metaDecl) (models.Meta, error) {
	fn := d.fn
	if fn.Type.TypeParams != nil || (fn.Type.Params != nil && len(fn.Type.Params.List) > 0) ||
		fn.Type.Results == nil || len(fn.Type.Results.List) != 1 || len(fn.Type.Results.List[0].Names) > 0 {
		return models.Meta{}, unsupported("%s: Meta's signature", p.pos(fn))
	}
	sel, ok := fn.Type.Results.List[0].Type.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Meta" || !isPackage(sel.X, d.file, modelsPath) {
		return models.Meta{}, unsupported("%s: Meta does not return models.Meta", p.pos(fn))
	}
	if fn.Body == nil || len(fn.Body.List) != 1 {
		return models.Meta{}, unsupported("%s: Meta does more than return a literal", p.pos(fn))
	}
	ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return models.Meta{}, unsupported("%s: Meta does more than return a literal", p.pos(fn))
	}
	dec := &decoder{imports: d.file.imports}
	v, err := dec.value(ret.Results[0], reflect.TypeFor[models.Meta]())
	if err != nil {
		return models.Meta{}, unsupported("%s: %v", p.pos(ret), err)
	}
	return v.Interface().(models.Meta), nil
}
