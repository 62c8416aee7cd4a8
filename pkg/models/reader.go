package models

import (
	"fmt"
	"go/token"
	"reflect"
	"strings"

	"github.com/pmanager/pmanager/pkg/models/modeltype"
	"github.com/pmanager/pmanager/pkg/state"
)

// Load reads every model of every app into one state. It is the entry point
// the CLI's generated loader calls with the user's models packages. The
// first problem found is returned as a one-line error naming the Go type and
// field and saying how to fix it.
func Load(apps ...App) (*state.Project, error) {
	r := &reader{byType: map[modeltype.Type]*entry{}}
	if err := r.register(apps); err != nil {
		return nil, err
	}
	for _, e := range r.models {
		if err := r.readModel(e); err != nil {
			return nil, err
		}
	}
	for _, e := range r.models {
		if err := r.resolve(e); err != nil {
			return nil, err
		}
	}
	if err := r.checkProject(); err != nil {
		return nil, err
	}
	p := state.NewProject()
	for _, e := range r.models {
		if err := p.Add(e.model); err != nil {
			return nil, fmt.Errorf("models: %w", err)
		}
	}
	return p, nil
}

// reader holds one Load call's work: every model type found, by modeltype.Type
// (so relations resolve across apps) and in the order the apps listed them.
type reader struct {
	byType map[modeltype.Type]*entry
	models []*entry
}

// entry is one model being read.
type entry struct {
	app   string
	t     modeltype.Type
	meta  Meta
	model *state.Model
	// sources are parallel to model.Fields: where each field came from.
	sources []fieldSource
}

// fieldSource remembers the Go side of a state field for later passes.
type fieldSource struct {
	goName string
	owner  modeltype.Type
	target modeltype.Type // the related model type of a relation field
}

// label is "app.Type", the form relations point with.
func (e *entry) label() string { return e.app + "." + e.t.Name() }

// where names a field of the model in error messages: pkg.Type.Field.
func (e *entry) where(field string) string { return e.t.String() + "." + field }

// register finds the models among the apps' types.
func (r *reader) register(apps []App) error {
	labels := map[string]bool{}
	keys := map[string]*entry{}
	for _, app := range apps {
		if !token.IsIdentifier(app.Label) {
			return fmt.Errorf("models: app label %q is not an identifier; use a name such as main or blog", app.Label)
		}
		if labels[app.Label] {
			return fmt.Errorf("models: app label %s is given twice; give each app its own label", app.Label)
		}
		labels[app.Label] = true
		for _, v := range app.Types {
			t := modelCandidate(v)
			if t == nil {
				continue
			}
			class, meta, err := classify(t)
			if err != nil {
				return err
			}
			if class != concreteModel {
				continue
			}
			if prev, ok := r.byType[t]; ok {
				if prev.app == app.Label {
					continue
				}
				return fmt.Errorf("%s: listed in apps %s and %s; list each model type in one app only", t, prev.app, app.Label)
			}
			if strings.ContainsRune(t.Name(), '[') {
				return fmt.Errorf("%s: a generic type cannot be a model; declare a non-generic struct", t)
			}
			e := &entry{app: app.Label, t: t, meta: meta}
			key := state.ModelKey(e.app, t.Name())
			if prev, ok := keys[key]; ok {
				return fmt.Errorf("%s: app %s already has a model named %s (from %s); rename one of them", t, app.Label, prev.t.Name(), prev.t.PkgPath())
			}
			keys[key] = e
			r.byType[t] = e
			r.models = append(r.models, e)
		}
	}
	return nil
}

// modelCandidate returns the exported struct type of v when it embeds Model
// somewhere (so it may be a model or an abstract base); nil otherwise.
func modelCandidate(v any) modeltype.Type {
	t := TypeOf(v)
	if t == nil {
		return nil
	}
	if t.Kind() != reflect.Struct || !token.IsExported(t.Name()) || isModelType(t) {
		return nil
	}
	if !reachesModel(t, map[modeltype.Type]bool{}) {
		return nil
	}
	return t
}

// structClass says what an embedded or referenced struct is.
type structClass int

const (
	plainStruct   structClass = iota // neither a model nor an abstract base
	abstractBase                     // its own Meta says Abstract
	concreteModel                    // embeds Model and is not abstract
)

// classify reads t's Meta and says what t is. A Meta promoted from an
// embedded base is inherited with Abstract and Table reset, as Django does.
func classify(t modeltype.Type) (structClass, Meta, error) {
	meta, declared, err := metaOf(t)
	if err != nil {
		return 0, Meta{}, err
	}
	if declared && meta.Abstract {
		return abstractBase, meta, nil
	}
	if !declared {
		meta.Abstract, meta.Table = false, ""
	}
	if reachesModel(t, map[modeltype.Type]bool{}) {
		return concreteModel, meta, nil
	}
	return plainStruct, meta, nil
}

// reachesModel reports whether t embeds Model, directly or through embedded
// structs (by value or pointer; pointers are rejected later, with a message).
func reachesModel(t modeltype.Type, seen map[modeltype.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.Anonymous {
			continue
		}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if isModelType(ft) {
			return true
		}
		if ft.Kind() == reflect.Struct && !isValueStruct(ft) && reachesModel(ft, seen) {
			return true
		}
	}
	return false
}

// metaOf reads t's Meta method on a zero value. declared is false when t
// has no Meta or only one promoted from an embedded struct.
func metaOf(t modeltype.Type) (meta Meta, declared bool, err error) {
	v, found, declared, err := t.Meta()
	if err != nil || !found {
		return Meta{}, false, err
	}
	meta, ok := v.(Meta)
	if !ok {
		return Meta{}, false, fmt.Errorf("%s.Meta: Meta returned %T, not models.Meta; declare it as func (%s) Meta() models.Meta", t, v, t.Name())
	}
	return meta, declared, nil
}

// readModel turns one model type into its state.Model.
func (r *reader) readModel(e *entry) error {
	cands, err := collect(e.t, 0, nil)
	if err != nil {
		return err
	}
	cands, err = visible(e, cands)
	if err != nil {
		return err
	}
	cands, err = choosePrimaryKey(e, cands)
	if err != nil {
		return err
	}
	e.model = &state.Model{App: e.app, Name: e.t.Name(), Table: e.meta.Table, Unmanaged: e.meta.Unmanaged}
	if was := e.meta.Was; was != "" {
		if !isIdentifier(was) || was == e.t.Name() {
			return fmt.Errorf("%s.Meta: Was %q is not another type name; write the model's old Go type name, e.g. Was: \"Vehicle\"", e.t, was)
		}
		e.model.Was = was
	}
	if e.model.Table == "" {
		e.model.Table = state.SnakeCase(e.t.Name())
	}
	for _, c := range cands {
		f, src, err := r.readField(c)
		if err != nil {
			return err
		}
		e.model.Fields = append(e.model.Fields, f)
		e.sources = append(e.sources, src)
	}
	if err := checkNames(e); err != nil {
		return err
	}
	return readMeta(e)
}

// candidate is one Go struct field that may become a state field.
type candidate struct {
	sf    modeltype.Field
	owner modeltype.Type // the struct that declares the field
	depth int
	// implicitID marks models.Model.ID.
	implicitID bool
	// skip marks fields that hide promoted ones but are not read themselves
	// (pm:"-", db:"-", unexported).
	skip bool
	tag  *fieldTag
}

// collect walks t's fields in declaration order, embedded structs in place.
func collect(t modeltype.Type, depth int, out []candidate) ([]candidate, error) {
	for i := range t.NumField() {
		sf := t.Field(i)
		skip := !sf.Exported || tagSkips(sf)
		if sf.Anonymous {
			more, handled, err := collectEmbedded(t, sf, depth)
			if err != nil {
				return nil, err
			}
			if handled {
				out = append(out, more...)
				continue
			}
			if !sf.Exported {
				continue
			}
		}
		out = append(out, candidate{sf: sf, owner: t, depth: depth, skip: skip})
	}
	return out, nil
}

// collectEmbedded handles an embedded field: models.Model gives the implicit
// id, abstract bases and plain structs are flattened, and anything else that
// is not a column value is an error. handled is false for embedded fields
// that are ordinary columns (an embedded time.Time or named string).
func collectEmbedded(t modeltype.Type, sf modeltype.Field, depth int) ([]candidate, bool, error) {
	where := t.String() + "." + sf.Name
	ft := sf.Type
	if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && !isValueStruct(ft.Elem()) {
		return nil, false, fmt.Errorf("%s: embedded *%s is a pointer; embed %s by value, or declare a named foreign key field", where, ft.Elem().Name(), ft.Elem().Name())
	}
	if ft.Kind() != reflect.Struct || isValueStruct(ft) {
		return nil, false, nil
	}
	if tagSkips(sf) {
		return nil, true, nil
	}
	if tag := sf.Tag.Get("pm"); tag != "" {
		return nil, false, fmt.Errorf("%s: pm tag options do not apply to an embedded struct; remove the tag (or use pm:\"-\" to leave it out)", where)
	}
	if isModelType(ft) {
		id, _ := modeltype.FieldByName(ft, "ID")
		return []candidate{{sf: id, owner: ft, depth: depth + 1, implicitID: true}}, true, nil
	}
	class, _, err := classify(ft)
	if err != nil {
		return nil, false, err
	}
	if class == concreteModel {
		return nil, false, fmt.Errorf("%s: embedding the model %s is not supported; make %s an abstract base (Meta{Abstract: true}) or point at it with a *%s field", where, ft, ft.Name(), ft.Name())
	}
	more, err := collect(ft, depth+1, nil)
	return more, true, err
}

// tagSkips reports pm:"-" or db:"-".
func tagSkips(sf modeltype.Field) bool {
	return sf.Tag.Get("pm") == "-" || dbName(sf) == "-"
}

// dbName is the column a sqlx-style db tag names ("" when none).
func dbName(sf modeltype.Field) string {
	name, _, _ := strings.Cut(sf.Tag.Get("db"), ",")
	return strings.TrimSpace(name)
}

// visible applies Go's shadowing: for each Go field name only the shallowest
// candidates survive, and two at the same depth are an error (except two
// copies of models.Model.ID, which are one field).
func visible(e *entry, cands []candidate) ([]candidate, error) {
	shallowest := map[string]int{}
	for _, c := range cands {
		if d, ok := shallowest[c.sf.Name]; !ok || c.depth < d {
			shallowest[c.sf.Name] = c.depth
		}
	}
	first := map[string]candidate{}
	var out []candidate
	for _, c := range cands {
		name := c.sf.Name
		if c.depth != shallowest[name] {
			continue
		}
		if prev, ok := first[name]; ok {
			if prev.implicitID && c.implicitID {
				continue
			}
			return nil, fmt.Errorf("%s: field %s comes from both %s and %s; declare %s on %s to choose one, or remove one of them",
				e.where(name), name, prev.owner, c.owner, name, e.t.Name())
		}
		first[name] = c
		out = append(out, c)
	}
	return out, nil
}

// choosePrimaryKey parses the tags of the visible fields, drops skipped
// ones, and keeps models.Model's id only when no field is a primary key.
func choosePrimaryKey(e *entry, cands []candidate) ([]candidate, error) {
	var out []candidate
	own := ""
	hasImplicit := false
	for _, c := range cands {
		if c.implicitID {
			hasImplicit = true
			out = append(out, c)
			continue
		}
		if c.skip {
			continue
		}
		tag, err := decodeTag(c.sf.Tag.Get("pm"))
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", c.owner, c.sf.Name, err)
		}
		c.tag = tag
		if tag.PrimaryKey {
			if own != "" {
				return nil, fmt.Errorf("%s: a second primary key (%s is already one); keep one primary_key and use Meta.UniqueTogether for the other", e.where(c.sf.Name), own)
			}
			own = c.sf.Name
		}
		out = append(out, c)
	}
	if own != "" {
		kept := out[:0]
		for _, c := range out {
			if !c.implicitID {
				kept = append(kept, c)
			}
		}
		return kept, nil
	}
	if hasImplicit {
		return out, nil
	}
	for _, c := range cands {
		if c.sf.Name == "ID" && !c.skip {
			return nil, fmt.Errorf("%s: a field named ID hides the id of models.Model, so it must be the primary key; add primary_key to its tag, or rename it", e.where("ID"))
		}
	}
	return nil, fmt.Errorf("%s: the model has no primary key (the id of models.Model is hidden or left out); embed models.Model without pm:\"-\" and no skipped ID field, or mark a field primary_key", e.t)
}

// checkNames rejects two fields with one state name or one column.
func checkNames(e *entry) error {
	names := map[string]string{}
	columns := map[string]string{}
	for i, f := range e.model.Fields {
		goName := e.sources[i].goName
		if prev, ok := names[f.Name]; ok {
			return fmt.Errorf("%s: its name %s is also the name of %s; rename one of the Go fields", e.where(goName), f.Name, prev)
		}
		names[f.Name] = goName
		if !f.HasColumn() {
			continue
		}
		col := f.ColumnName()
		if prev, ok := columns[col]; ok {
			return fmt.Errorf("%s: column %s is also the column of %s; rename one with column= or a db tag", e.where(goName), col, prev)
		}
		columns[col] = goName
	}
	return nil
}

// lookup finds a field by state name or Go name.
func (e *entry) lookup(ref string) *state.Field {
	if f := e.model.Field(ref); f != nil {
		return f
	}
	for i, src := range e.sources {
		if src.goName == ref {
			return e.model.Fields[i]
		}
	}
	return nil
}

// attname finds the foreign key or one-to-one whose attribute name
// (Django's attname, the field name + "_id") is ref, as Django's ordering
// accepts it; nil when none is.
func (e *entry) attname(ref string) *state.Field {
	for _, f := range e.model.Fields {
		if (f.Kind == state.ForeignKey || f.Kind == state.OneToOne) && f.Name+"_id" == ref {
			return f
		}
	}
	return nil
}

// fieldNames lists the model's state field names for error messages.
func (e *entry) fieldNames() string {
	names := make([]string, len(e.model.Fields))
	for i, f := range e.model.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// modelByLabel finds a registered model by "Type" (in app) or "app.Type".
func (r *reader) modelByLabel(app, ref string) *entry {
	app, name := state.SplitLabel(app, ref)
	key := state.ModelKey(app, name)
	for _, e := range r.models {
		if state.ModelKey(e.app, e.t.Name()) == key {
			return e
		}
	}
	return nil
}

// checkProject runs the checks that need every model: one table per model,
// join tables that clash with nothing, index and constraint names unique.
func (r *reader) checkProject() error {
	tables := map[string]string{}
	for _, e := range r.models {
		if e.model.Unmanaged {
			continue
		}
		if err := checkLength(e.t.String()+".Meta", "table", e.model.Table, "set a shorter Meta.Table"); err != nil {
			return err
		}
		if prev, ok := tables[e.model.Table]; ok {
			return fmt.Errorf("%s: table %s is also the table of %s; set Meta.Table on one of them", e.t, e.model.Table, prev)
		}
		tables[e.model.Table] = e.t.String()
	}
	for _, e := range r.models {
		if e.model.Unmanaged {
			continue
		}
		for i, f := range e.model.Fields {
			if f.Kind != state.ManyToMany || f.Relation.Through != "" {
				continue
			}
			table := f.Relation.Table
			if table == "" {
				table = e.model.Table + "_" + f.Name
			}
			if err := checkLength(e.where(e.sources[i].goName), "join table", table, "name it with a shorter table="); err != nil {
				return err
			}
			if prev, ok := tables[table]; ok {
				return fmt.Errorf("%s: its join table %s is also the table of %s; name the join table with table=", e.where(e.sources[i].goName), table, prev)
			}
			tables[table] = e.where(e.sources[i].goName) + "'s join table"
		}
	}
	return checkObjectNames(r.models)
}

// checkObjectNames rejects an index or constraint name used twice in the
// project (PostgreSQL and MySQL name some of them per schema, not per table).
func checkObjectNames(models []*entry) error {
	names := map[string]string{}
	claim := func(e *entry, kind, name string) error {
		if err := checkLength(e.t.String()+".Meta", kind, name, "shorten it"); err != nil {
			return err
		}
		if prev, ok := names[name]; ok {
			return fmt.Errorf("%s.Meta: %s name %s is also used by %s; rename one (an abstract base can put %%(class)s in the name)", e.t, kind, name, prev)
		}
		names[name] = e.t.String()
		return nil
	}
	for _, e := range models {
		if e.model.Unmanaged {
			continue
		}
		for _, idx := range e.model.Indexes {
			if err := claim(e, "index", idx.Name); err != nil {
				return err
			}
		}
		for _, c := range e.model.Constraints {
			if err := claim(e, "constraint", c.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLength rejects a database name longer than every dialect keeps:
// PostgreSQL would silently cut it, and two cut names could then clash.
func checkLength(where, kind, name, fix string) error {
	if len(name) > state.MaxNameLength {
		return fmt.Errorf("%s: %s name %s is %d characters long, more than the %d a database keeps; %s", where, kind, name, len(name), state.MaxNameLength, fix)
	}
	return nil
}
