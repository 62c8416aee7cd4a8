package synth

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// ProjectOptions says where and how WriteProject lays a project out.
type ProjectOptions struct {
	// Dir is the folder the project is written to; it is created.
	Dir string
	// Module is the project's module path.
	Module string
	// Library is the folder of the pmanager checkout the project's go.mod
	// replaces the library with, so the project builds against it offline.
	Library string
	// Version goes into the header of the migration files.
	Version string
	// Time is the generation time written into the migration files.
	Time time.Time
}

// WriteProject writes a complete pmanager project of size s: go.mod (and
// go.sum) requiring the library at opts.Library, pmanager.toml, a models
// package whose structs are exactly the state the history builds, and the
// history itself as migration files written by migrations.WriteSource. Nothing
// is left to detect: makemigrations --check on the result finds no changes.
func WriteProject(s Size, opts ProjectOptions) error {
	hist := History(s)
	g, err := migrations.NewGraph(hist)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	final, err := g.State()
	if err != nil {
		return fmt.Errorf("synth: replay: %w", err)
	}
	modelsSrc, err := WriteModels(final, App)
	if err != nil {
		return err
	}
	loadSrc, err := loadBenchmark(final, App)
	if err != nil {
		return err
	}
	mod, sum, err := goModule(opts)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"go.mod":              mod,
		"go.sum":              sum,
		"pmanager.toml":       []byte(projectConfig),
		"models/models.go":    modelsSrc,
		"models/load_test.go": loadSrc,
		".gitignore":          []byte("pmanager.db\n"),
	}
	for _, m := range hist {
		src, err := migrations.WriteSource(m, "migrations", opts.Version, opts.Time)
		if err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		files[filepath.Join("migrations", m.Name+".go")] = src
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(opts.Dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	return nil
}

// projectConfig is the generated project's pmanager.toml: one app on the
// SQLite default, which PMANAGER_DATABASE_URL overrides per run.
const projectConfig = `# A synthetic project generated for benchmarks.
default_connection = "default"

[connections.default]
url = "sqlite://pmanager.db"

[apps.main]
models = "models"
migrations = "migrations"
`

var (
	goLineRE     = regexp.MustCompile(`(?m)^go .*$`)
	requireRE    = regexp.MustCompile(`(?ms)^require \(.*?^\)`)
	requireRowRE = regexp.MustCompile(`(?m)^(\t[^\s]+ [^\s]+)( // indirect)?$`)
)

// goModule returns a go.mod requiring the library through a replace of
// opts.Library, with the library's own requirements listed as indirect,
// and the library's go.sum, so the project builds without the network.
func goModule(opts ProjectOptions) (mod, sum []byte, err error) {
	lib, err := filepath.Abs(opts.Library)
	if err != nil {
		return nil, nil, fmt.Errorf("synth: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(lib, "go.mod"))
	if err != nil {
		return nil, nil, fmt.Errorf("synth: read the library's go.mod (is %s a pmanager checkout?): %w", lib, err)
	}
	sum, err = os.ReadFile(filepath.Join(lib, "go.sum"))
	if err != nil {
		return nil, nil, fmt.Errorf("synth: read the library's go.sum: %w", err)
	}
	src := string(data)
	block := strings.Join(requireRE.FindAllString(src, -1), "\n\n")
	block = requireRowRE.ReplaceAllString(block, "$1 // indirect")
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\n%s\n\n", opts.Module, goLineRE.FindString(src))
	b.WriteString("require github.com/pmanager/pmanager v0.0.0\n\n")
	b.WriteString(block + "\n\n")
	fmt.Fprintf(&b, "replace github.com/pmanager/pmanager => %s\n", lib)
	return []byte(b.String()), sum, nil
}

// WriteModels returns the gofmt'd source of a models package declaring one
// struct per model of app in p, with the Go types and pm tags the models
// reader turns back into exactly those fields and indexes. It knows the
// field kinds and options History produces and refuses others.
func WriteModels(p *state.Project, app string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Package models holds the models of a synthetic benchmark project.\n")
	b.WriteString("package models\n\nimport (\n\t\"time\"\n\n\t\"github.com/pmanager/pmanager/pkg/models\"\n)\n\n")
	b.WriteString("// The time package is used by most projects' date-time fields; keep it imported for those that have none.\nvar _ time.Time\n")
	for _, m := range p.App(app) {
		fmt.Fprintf(&b, "\n// %s is a generated model.\ntype %s struct {\n\tmodels.Model\n", m.Name, m.Name)
		for _, f := range m.Fields {
			if f.PrimaryKey {
				if f.Name != "id" || f.Kind != state.BigAuto {
					return nil, fmt.Errorf("synth: %s.%s: only the implicit id key is supported", m.Name, f.Name)
				}
				continue
			}
			line, err := goField(app, f)
			if err != nil {
				return nil, fmt.Errorf("synth: %s.%s: %w", m.Name, f.Name, err)
			}
			b.WriteString("\t" + line + "\n")
		}
		b.WriteString("}\n")
		if len(m.Indexes) > 0 {
			fmt.Fprintf(&b, "\n// Meta declares the indexes of %s.\nfunc (%s) Meta() models.Meta {\n\treturn models.Meta{Indexes: []models.Index{\n", m.Name, m.Name)
			for _, ix := range m.Indexes {
				fields := make([]string, len(ix.Fields))
				for i, name := range ix.Fields {
					fields[i] = strconv.Quote(name)
				}
				fmt.Fprintf(&b, "\t\t{Name: %q, Fields: []string{%s}},\n", ix.Name, strings.Join(fields, ", "))
			}
			b.WriteString("\t}}\n}\n")
		}
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("synth: generated models do not parse: %w", err)
	}
	return src, nil
}

// loadBenchmark is a benchmark file for the models package: models.Load of
// every model, the stage that reads the structs into a state.
func loadBenchmark(p *state.Project, app string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("package models\n\nimport (\n\t\"testing\"\n\n\t\"github.com/pmanager/pmanager/pkg/models\"\n)\n\n")
	b.WriteString("// BenchmarkLoad measures reading every model of the package into a state.\n")
	b.WriteString("func BenchmarkLoad(b *testing.B) {\n\tapp := models.App{Label: " + strconv.Quote(app) + ", Types: []any{\n")
	for _, m := range p.App(app) {
		b.WriteString("\t\t" + m.Name + "{},\n")
	}
	b.WriteString("\t}}\n\tb.ReportAllocs()\n\tfor b.Loop() {\n")
	fmt.Fprintf(&b, "\t\tp, err := models.Load(app)\n\t\tif err != nil {\n\t\t\tb.Fatal(err)\n\t\t}\n")
	fmt.Fprintf(&b, "\t\tif len(p.Models) != %d {\n\t\t\tb.Fatalf(\"loaded %%d models, want %d\", len(p.Models))\n\t\t}\n\t}\n}\n", len(p.App(app)), len(p.App(app)))
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("synth: generated benchmark does not parse: %w", err)
	}
	return src, nil
}

// goTypes maps the kinds History uses to their Go types.
var goTypes = map[state.Kind]string{
	state.Char:       "string",
	state.Text:       "string",
	state.BigInteger: "int64",
	state.Integer:    "int32",
	state.Boolean:    "bool",
	state.Decimal:    "models.Decimal",
	state.DateTime:   "time.Time",
}

// goField returns the struct field declaring f: its Go name, type and pm tag.
func goField(app string, f *state.Field) (string, error) {
	if f.Column != "" || f.Index || len(f.Choices) > 0 || f.Comment != "" {
		return "", fmt.Errorf("options beyond what History generates are not supported")
	}
	var tags []string
	typ := ""
	switch {
	case f.Kind == state.ForeignKey:
		if f.Relation == nil || f.Relation.ToField != "" || f.Relation.NoConstraint || f.Relation.RelatedName != "" {
			return "", fmt.Errorf("only plain foreign keys are supported")
		}
		to, name := state.SplitLabel(app, f.Relation.To)
		if to != app {
			return "", fmt.Errorf("a foreign key to another app is not supported")
		}
		typ = "*" + name
		if f.Null {
			tags = append(tags, "null")
		}
		tags = append(tags, "on_delete="+f.Relation.OnDelete)
	default:
		t, ok := goTypes[f.Kind]
		if !ok {
			return "", fmt.Errorf("kind %s is not supported", f.Kind)
		}
		typ = t
		if f.Null {
			typ = "*" + t
		}
	}
	if f.MaxLength > 0 {
		tags = append(tags, "max_length="+strconv.Itoa(f.MaxLength))
	}
	if f.MaxDigits > 0 {
		tags = append(tags, "max_digits="+strconv.Itoa(f.MaxDigits), "decimal_places="+strconv.Itoa(f.DecimalPlaces))
	}
	if f.Blank {
		tags = append(tags, "blank")
	}
	if f.Unique {
		tags = append(tags, "unique")
	}
	if f.Default != nil {
		if strings.ContainsAny(*f.Default, ",'\"`") {
			return "", fmt.Errorf("default %q needs quoting, which is not supported", *f.Default)
		}
		tags = append(tags, "default="+*f.Default)
	}
	line := goName(f.Name) + " " + typ
	if len(tags) > 0 {
		line += " `pm:\"" + strings.Join(tags, ",") + "\"`"
	}
	return line, nil
}

// goName is the exported Go field name whose snake_case is name
// ("f00" → "F00", "extra001" → "Extra001").
func goName(name string) string {
	parts := strings.Split(name, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// WriteFloorSQL writes, for the given dialects, the SQL script of the whole
// history of size s to dir/floor.<dialect>.sql: every migration as
// sqlmigrate prints it (one transaction each where the dialect's DDL is
// transactional), one after the other. Replayed through a database's own
// client it is the floor migrate is measured against.
func WriteFloorSQL(s Size, dir string, dialects []schema.Dialect) error {
	hist := History(s)
	for _, d := range dialects {
		ed := connect.EditorFor(d)
		if ed == nil {
			return fmt.Errorf("synth: no editor for dialect %q", d)
		}
		var b bytes.Buffer
		cur := state.NewProject()
		for _, m := range hist {
			if err := migrations.RenderSQL(&b, m, ed, cur, false); err != nil {
				return fmt.Errorf("synth: %w", err)
			}
			next := cur.CloneShallow()
			for _, op := range m.Operations {
				if err := op.StateForwards(m.App, next); err != nil {
					return fmt.Errorf("synth: %s: %w", m.Key(), err)
				}
			}
			cur = next
		}
		if err := os.WriteFile(filepath.Join(dir, "floor."+string(d)+".sql"), b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	return nil
}
