package staticload

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/models"
)

// App is one app of the project: its label and the folders of its models
// and migrations packages.
type App struct {
	Label         string
	ModelsDir     string
	MigrationsDir string
}

// Models reads every app's models package and returns the apps as
// models.Load takes them: each exported struct type declared in the
// package, sorted by name, as the generated main lists them.
func Models(mod Module, apps []App) ([]models.App, error) {
	l := newLoader(mod)
	out := make([]models.App, 0, len(apps))
	for _, app := range apps {
		path, err := mod.importPath(app.ModelsDir)
		if err != nil {
			return nil, err
		}
		p, err := l.load(path)
		if err != nil {
			return nil, err
		}
		types := make([]any, len(p.structs))
		for i, name := range p.structs {
			types[i] = p.named[name]
		}
		out = append(out, models.App{Label: app.Label, Types: types})
	}
	return out, nil
}

// Migrations reads every app's migration files into a registry, in the
// order the compiled program registers them: packages by import path (Go
// initialises them so), files by name, and each file's Register calls in
// order. With a cache (nil for none), a file read before with the same
// content is taken from it instead of being parsed and decoded again.
func Migrations(mod Module, apps []App, cache *Cache) (*migrations.Registry, error) {
	paths := map[string]string{}
	var sorted []string
	for _, app := range apps {
		path, err := mod.importPath(app.MigrationsDir)
		if err != nil {
			return nil, err
		}
		if _, ok := paths[path]; !ok {
			sorted = append(sorted, path)
		}
		paths[path] = app.MigrationsDir
	}
	sort.Strings(sorted)
	reg := migrations.NewRegistry()
	l := newLoader(mod)
	now := time.Now()
	for _, path := range sorted {
		if err := l.migrationPackage(paths[path], reg, cache, now); err != nil {
			return nil, err
		}
	}
	if cache != nil {
		// Trimming only bounds the cache's size; a failure to is no
		// failure of the command, and the next run tries again.
		_ = cache.trim(now)
	}
	return reg, nil
}

// migrationPackage registers the migrations one package declares.
func (l *loader) migrationPackage(dir string, reg *migrations.Registry, cache *Cache, now time.Time) error {
	names, err := goFileNames(dir)
	if err != nil {
		return err
	}
	ctxt := build.Default
	settings := buildSettings(&ctxt)
	var kept *pack
	if cache != nil {
		kept = cache.readPack(dir)
	}
	read := make([]fileRead, len(names))
	parallel(len(names), func(i int) {
		read[i] = l.readMigrationFile(&ctxt, settings, dir, names[i], cache, kept)
	})
	vars := map[string]*migrations.Migration{}
	var order []string
	pkgName, included := "", 0
	for i, r := range read {
		if r.err != nil {
			return r.err
		}
		if !r.entry.Included {
			continue
		}
		included++
		if pkgName != "" && r.entry.Package != pkgName {
			return unsupported("%s declares package %s, another file %s", filepath.Join(dir, names[i]), r.entry.Package, pkgName)
		}
		pkgName = r.entry.Package
		for _, v := range r.entry.Vars {
			if _, dup := vars[v.Name]; dup {
				return unsupported("%s: variable %s declared twice", dir, v.Name)
			}
			vars[v.Name] = v.Migration
		}
		order = append(order, r.entry.Registered...)
	}
	if included == 0 {
		return unsupported("%s has no Go files", dir)
	}
	for _, name := range order {
		m, ok := vars[name]
		if !ok {
			return unsupported("%s registers %s, which is not a migration literal of the package", dir, name)
		}
		reg.Register(m)
	}
	if cache != nil {
		keepRead(cache, dir, kept, read, now)
	}
	return nil
}

// keepRead writes the package's entries to the cache when they changed.
// A cache that cannot be written costs only the reading of these files
// next time; Stats reports it.
func keepRead(cache *Cache, dir string, kept *pack, read []fileRead, now time.Time) {
	entries := make(map[string][]byte, len(read))
	hits, misses := 0, 0
	var encodeErr error
	for _, r := range read {
		if r.hit {
			hits++
		} else {
			misses++
		}
		if r.encoded != nil {
			entries[r.key] = r.encoded
		} else if encodeErr == nil {
			encodeErr = r.encodeErr
		}
	}
	err := cache.update(dir, kept, entries, now)
	if err == nil {
		err = encodeErr
	}
	cache.count(hits, misses, err)
}

// fileRead is what one file of a migrations package declares, and how
// the cache holds it.
type fileRead struct {
	entry     cacheEntry
	err       error
	key       string // with a cache: the file's key
	hit       bool   // the entry came from the cache
	encoded   []byte // the entry as the cache keeps it; nil when it cannot
	encodeErr error  // why encoded is nil
}

// readMigrationFile reads what one file of a migrations package declares,
// from the cache's pack when it holds the file's content, else from
// source. A file the reader refuses is never cached.
func (l *loader) readMigrationFile(ctxt *build.Context, settings, dir, name string, cache *Cache, kept *pack) fileRead {
	path := filepath.Join(dir, name)
	src, err := readSource(path)
	if err != nil {
		return fileRead{err: unsupported("read %s: %v", path, err)}
	}
	var r fileRead
	if cache != nil {
		r.key = cache.key(settings, name, src)
		if e, ok := kept.get(r.key); ok {
			return fileRead{entry: e, key: r.key, hit: true, encoded: kept.entries[r.key]}
		}
	}
	r.entry, r.err = l.decodeMigrationFile(ctxt, dir, name, src)
	if cache != nil && r.err == nil {
		r.encoded, r.encodeErr = encodeEntry(r.entry)
	}
	return r
}

// decodeMigrationFile reads one file of a migrations package from source.
func (l *loader) decodeMigrationFile(ctxt *build.Context, dir, name string, src []byte) (cacheEntry, error) {
	ok, err := matchFile(ctxt, dir, name, src)
	if err != nil || !ok {
		return cacheEntry{}, err
	}
	path := filepath.Join(dir, name)
	af, err := l.parse(source{path, src})
	if err != nil {
		return cacheEntry{}, err
	}
	registered, vars, err := migrationFile(path, af)
	if err != nil {
		return cacheEntry{}, err
	}
	return cacheEntry{Included: true, Package: af.Name.Name, Registered: registered, Vars: vars}, nil
}

// namedMigration is one package-level migration variable.
type namedMigration struct {
	Name      string
	Migration *migrations.Migration
}

// migrationFile decodes one migration file: imports of pmanager's
// packages, `var x = &migrations.Migration{…}` and
// `func init() { migrations.Register(x) }`. It returns the names init
// registers, in order, and the variables declared.
func migrationFile(path string, af *ast.File) ([]string, []namedMigration, error) {
	f := &file{name: path, ast: af, imports: map[string]string{}}
	var registered []string
	var vars []namedMigration
	for _, decl := range af.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			switch d.Tok {
			case token.IMPORT:
				for _, s := range d.Specs {
					is := s.(*ast.ImportSpec)
					p, name, ok := pmanagerImport(is)
					if !ok {
						return nil, nil, unsupported("%s: import %s", path, is.Path.Value)
					}
					if _, dup := f.imports[name]; dup {
						return nil, nil, unsupported("%s: %s imported twice", path, name)
					}
					f.imports[name] = p
				}
			case token.VAR:
				for _, s := range d.Specs {
					v, err := migrationVar(f, s.(*ast.ValueSpec))
					if err != nil {
						return nil, nil, err
					}
					vars = append(vars, v)
				}
			default:
				return nil, nil, unsupported("%s: a %s declaration", path, d.Tok)
			}
		case *ast.FuncDecl:
			names, err := registerCalls(f, d)
			if err != nil {
				return nil, nil, err
			}
			registered = append(registered, names...)
		default:
			return nil, nil, unsupported("%s: a declaration of an unknown kind", path)
		}
	}
	if err := checkImportsUsed(f); err != nil {
		return nil, nil, err
	}
	return registered, vars, nil
}

// parallel runs do(0), …, do(n-1) on every processor.
func parallel(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				do(i)
			}
		}()
	}
	wg.Wait()
}

// pmanagerImport accepts an import of one of the packages migration files
// are written with, under its own name.
func pmanagerImport(is *ast.ImportSpec) (path, name string, ok bool) {
	for _, p := range []string{migrationsPath, operationsPath, statePath} {
		if is.Path.Value == `"`+p+`"` {
			name = p[len(p)-len(filepath.Base(p)):]
			if is.Name != nil && is.Name.Name != name {
				return "", "", false
			}
			return p, name, true
		}
	}
	return "", "", false
}

// migrationVar decodes `var x = &migrations.Migration{…}`.
func migrationVar(f *file, vs *ast.ValueSpec) (namedMigration, error) {
	none := namedMigration{}
	if vs.Type != nil || len(vs.Names) != 1 || len(vs.Values) != 1 {
		return none, unsupported("%s: a variable that is not one migration literal", f.name)
	}
	name := vs.Names[0].Name
	if name == "_" {
		return none, unsupported("%s: a blank migration variable", f.name)
	}
	u, ok := vs.Values[0].(*ast.UnaryExpr)
	if !ok || u.Op != token.AND {
		return none, unsupported("%s: %s is not &migrations.Migration{…}", f.name, name)
	}
	lit, ok := u.X.(*ast.CompositeLit)
	if !ok || lit.Type == nil {
		return none, unsupported("%s: %s is not &migrations.Migration{…}", f.name, name)
	}
	dec := &decoder{imports: f.imports}
	if path, tn := dec.qualified(lit.Type); path != migrationsPath || tn != "Migration" {
		return none, unsupported("%s: %s is not &migrations.Migration{…}", f.name, name)
	}
	v, err := dec.value(vs.Values[0], reflect.TypeFor[*migrations.Migration]())
	if err != nil {
		return none, unsupported("%s: %s: %v", f.name, name, err)
	}
	return namedMigration{name, v.Interface().(*migrations.Migration)}, nil
}

// registerCalls reads `func init() { migrations.Register(x); … }`.
func registerCalls(f *file, d *ast.FuncDecl) ([]string, error) {
	if d.Recv != nil || d.Name.Name != "init" || d.Type.Params.NumFields() > 0 || d.Type.Results != nil || d.Body == nil {
		return nil, unsupported("%s: function %s", f.name, d.Name.Name)
	}
	var names []string
	for _, st := range d.Body.List {
		es, ok := st.(*ast.ExprStmt)
		if !ok {
			return nil, unsupported("%s: init does more than register", f.name)
		}
		call, ok := es.X.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || call.Ellipsis.IsValid() {
			return nil, unsupported("%s: init does more than register", f.name)
		}
		dec := &decoder{imports: f.imports}
		if path, fn := dec.qualified(call.Fun); path != migrationsPath || fn != "Register" {
			return nil, unsupported("%s: init does more than register", f.name)
		}
		id, ok := call.Args[0].(*ast.Ident)
		if !ok {
			return nil, unsupported("%s: Register of something other than a variable", f.name)
		}
		names = append(names, id.Name)
	}
	return names, nil
}

// String names a module in messages.
func (m Module) String() string { return fmt.Sprintf("%s (%s)", m.Path, m.Dir) }
