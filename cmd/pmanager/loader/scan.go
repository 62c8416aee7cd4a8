package loader

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Package is what the loader learns of a models package without type
// checking it.
type Package struct {
	// Name is the package clause's name.
	Name string
	// Structs lists the exported, non-generic struct types declared at the
	// top level of the package's non-test files, sorted. They are the
	// candidates for models; models.Load skips those that are not models.
	Structs []string
}

// ScanPackage reads the Go files of dir that the current build
// configuration would compile (test files and files excluded by build
// constraints are left out) and lists their exported struct types.
func ScanPackage(dir string) (*Package, error) {
	bp, err := importDir(dir)
	if err != nil {
		return nil, err
	}
	files := append(append([]string(nil), bp.GoFiles...), bp.CgoFiles...)
	fset := token.NewFileSet()
	pkg := &Package{Name: bp.Name}
	for _, name := range files {
		path := filepath.Join(dir, name)
		// A syntax error is left for the Go compiler to report in its own
		// words when the generated main is built; the partial file still
		// names the types declared before it.
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if f == nil {
			return nil, fmt.Errorf("loader: %w", err)
		}
		pkg.Structs = append(pkg.Structs, exportedStructs(f)...)
	}
	sort.Strings(pkg.Structs)
	return pkg, nil
}

// checkPackage is ScanPackage's checks of dir (a folder holding an
// importable Go package) without parsing its files: a Package without
// Structs.
func checkPackage(dir string) (*Package, error) {
	bp, err := importDir(dir)
	if err != nil {
		return nil, err
	}
	return &Package{Name: bp.Name}, nil
}

// importDir reads the package clause, imports and build constraints of
// the Go files of dir, refusing a folder that holds no importable package.
func importDir(dir string) (*build.Package, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("loader: folder %s does not exist; create the app's models package there (pmanager init writes one) or point pmanager.toml at it", dir)
	}
	bp, err := build.Default.ImportDir(dir, 0)
	if err != nil {
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil, fmt.Errorf("loader: %s has no Go files; put the app's models package there (pmanager init writes one)", dir)
		}
		return nil, fmt.Errorf("loader: read package %s: %w", dir, err)
	}
	if bp.Name == "main" {
		return nil, fmt.Errorf("loader: %s is package main, which cannot be imported; give the models package a name of its own", dir)
	}
	return bp, nil
}

// exportedStructs lists the file's top-level `type T struct{...}`
// declarations that are exported, not generic and not aliases.
func exportedStructs(f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			if !ts.Name.IsExported() || ts.TypeParams != nil || ts.Assign.IsValid() {
				continue
			}
			if _, ok := ts.Type.(*ast.StructType); ok {
				out = append(out, ts.Name.Name)
			}
		}
	}
	return out
}

// PackageName returns the package name of the Go files in dir, "" when dir
// holds none (or does not exist), so makemigrations writes files that match
// what is already there. It reads the first file, by name, that the build
// would compile: a migrations folder holds one file per migration, and
// reading the header of each, as go/build's ImportDir does, took about a
// tenth of makemigrations' CPU time at 1,000 migrations. Files that
// disagree are the compiler's to report.
func PackageName(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("loader: read package %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		ok, err := build.Default.MatchFile(dir, name)
		if err != nil {
			return "", fmt.Errorf("loader: read package %s: %w", dir, err)
		}
		if !ok {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.PackageClauseOnly)
		if err != nil {
			return "", fmt.Errorf("loader: read package %s: %w", dir, err)
		}
		if f.Name.Name == "documentation" {
			continue // go/build leaves such files out of the package
		}
		return f.Name.Name, nil
	}
	return "", nil
}
