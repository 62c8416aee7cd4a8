package inspectdb

import (
	"fmt"
	"go/format"
	"sort"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Options say what Write writes and from what.
type Options struct {
	// Dialect is the database the tables were read from.
	Dialect schema.Dialect
	// Package is the Go package name of the file.
	Package string
	// Checks are the check constraints' expressions (schema.CheckReader);
	// a named check without one makes its table Unmanaged.
	Checks []schema.CheckClause
	// Conditions are the partial indexes' predicates
	// (schema.ConditionReader); a partial index without one makes its
	// table Unmanaged.
	Conditions []schema.IndexCondition
	// Source names the database in the file's header comment (a redacted URL).
	Source string
}

// Model says what Write made of one table.
type Model struct {
	Name  string
	Table string
	// Unmanaged lists why the table is written Unmanaged; empty when the
	// model creates the table as it is.
	Unmanaged []string
}

// Result is the written file and what it holds.
type Result struct {
	Source []byte
	Models []Model
}

// Write writes the Go source of one models file declaring a model per
// table (pmanager's history table left out), in table-name order.
func Write(tables []schema.Table, o Options) (*Result, error) {
	if o.Package == "" {
		o.Package = "models"
	}
	var kept []schema.Table
	for _, t := range tables {
		if t.Name != schema.HistoryTable {
			kept = append(kept, t)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Name < kept[j].Name })
	w := &writer{opts: o, byTable: map[string]*model{}, checks: map[string]map[string]string{}, conditions: map[string]map[string]string{}, imports: map[string]bool{}}
	for _, c := range o.Conditions {
		if w.conditions[c.Table] == nil {
			w.conditions[c.Table] = map[string]string{}
		}
		w.conditions[c.Table][c.Index] = c.SQL
	}
	for _, c := range o.Checks {
		if w.checks[c.Table] == nil {
			w.checks[c.Table] = map[string]string{}
		}
		w.checks[c.Table][c.Name] = c.SQL
	}
	names := map[string]bool{}
	for i := range kept {
		m := &model{table: &kept[i], name: unique(camel(kept[i].Name), names)}
		w.models = append(w.models, m)
		w.byTable[m.table.Name] = m
	}
	for _, m := range w.models {
		w.nameFields(m)
	}
	for _, m := range w.models {
		w.describe(m)
	}
	w.spreadUnmanaged()
	src := w.render()
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("inspectdb: the written source does not parse (%v); this is a bug, please report it with the table definitions", err)
	}
	res := &Result{Source: out}
	for _, m := range w.models {
		res.Models = append(res.Models, Model{Name: m.name, Table: m.table.Name, Unmanaged: m.unmanaged})
	}
	return res, nil
}

// writer holds one Write call's models as they are worked out.
type writer struct {
	opts    Options
	models  []*model
	byTable map[string]*model
	checks  map[string]map[string]string
	// conditions holds each table's partial index predicates by index name.
	conditions map[string]map[string]string
	imports    map[string]bool
}

// model is one table on its way to a struct.
type model struct {
	table *schema.Table
	name  string
	// fields are the struct's fields in column order; implicitID is true
	// when models.Model's id stands for the key column.
	fields     []*field
	byColumn   map[string]*field
	implicitID bool
	unmanaged  []string
	// Meta parts, as Go expressions.
	uniqueTogether []string
	indexes        []string
	constraints    []string
}

// field is one column's struct field.
type field struct {
	col     schema.Column
	goName  string
	goType  string
	options []string
	notes   []string
	// fk is the foreign key the field follows (nil for a plain column).
	fk       *schema.ForeignKey
	target   *model
	pk       bool
	unique   bool
	indexed  bool
	relation bool
}

// nameFields gives every column a Go name and decides which columns are
// relations; types and options come later, once every model is named.
func (w *writer) nameFields(m *model) {
	t := m.table
	m.byColumn = map[string]*field{}
	fks := map[string]*schema.ForeignKey{}
	for i := range t.ForeignKeys {
		fk := &t.ForeignKeys[i]
		if strings.Contains(fk.Column, ",") {
			m.unmanaged = append(m.unmanaged, fmt.Sprintf("foreign key %s spans columns (%s), which a model field cannot say", fk.Name, fk.Column))
			continue
		}
		if fks[fk.Column] == nil {
			fks[fk.Column] = fk
		}
	}
	used := map[string]bool{"Model": true, "Meta": true}
	usedNames := map[string]bool{}
	for _, c := range t.Columns {
		f := &field{col: c}
		if fk := fks[c.Name]; fk != nil {
			f.fk, f.target = fk, w.byTable[fk.RefTable]
			f.relation = f.target != nil
		}
		base := c.Name
		if f.relation && strings.HasSuffix(base, "_id") && len(base) > 3 {
			base = strings.TrimSuffix(base, "_id")
		}
		goName := camel(base)
		switch goName {
		case "ID":
			goName = "IDValue" // only the key may be called ID; settled below
		case "Model", "Meta":
			goName += "Field" // the embedded models.Model and the Meta method
		}
		for used[goName] || usedNames[state.SnakeCase(goName)] {
			goName = bump(goName)
		}
		used[goName], usedNames[state.SnakeCase(goName)] = true, true
		f.goName = goName
		m.fields = append(m.fields, f)
		m.byColumn[c.Name] = f
	}
}

// spreadUnmanaged makes Unmanaged every model with a foreign key to an
// Unmanaged one, until none is left: its table could not be created where
// the table it references is not.
func (w *writer) spreadUnmanaged() {
	for changed := true; changed; {
		changed = false
		for _, m := range w.models {
			if len(m.unmanaged) > 0 {
				continue
			}
			for _, f := range m.fields {
				if f.relation && f.target != m && len(f.target.unmanaged) > 0 {
					m.unmanaged = append(m.unmanaged, fmt.Sprintf("its foreign key %s references %s, which is Unmanaged", f.col.Name, f.target.table.Name))
					changed = true
					break
				}
			}
		}
	}
}

// fieldName is the state name of f, which Meta's lists may use.
func (f *field) fieldName() string { return state.SnakeCase(f.goName) }

// describe works out each field's type and options and the model's Meta.
func (w *writer) describe(m *model) {
	w.primaryKey(m)
	for _, f := range m.fields {
		w.describeField(m, f)
		if f.col.Comment != "" {
			f.options = append(f.options, "comment="+quoteValue(f.col.Comment))
		}
	}
	w.uniques(m)
	w.indexes(m)
	w.checksOf(m)
}

// primaryKey marks the key column; models.Model's own id stands for an
// auto-increment key called id of its type.
func (w *writer) primaryKey(m *model) {
	pk := m.table.PrimaryKey
	switch {
	case len(pk) == 0:
		m.unmanaged = append(m.unmanaged, "the table has no primary key (the model marks its first column as one)")
		if len(m.fields) > 0 {
			m.fields[0].pk = true
		}
		return
	case len(pk) > 1:
		m.unmanaged = append(m.unmanaged, fmt.Sprintf("the primary key spans columns (%s), which a model cannot say (the model marks the first as its key)", strings.Join(pk, ", ")))
	}
	f := m.byColumn[strings.TrimPrefix(pk[0], "-")]
	if f == nil {
		m.unmanaged = append(m.unmanaged, fmt.Sprintf("the primary key is over %s, which is not a column", pk[0]))
		return
	}
	f.pk = true
	if f.relation {
		m.unmanaged = append(m.unmanaged, fmt.Sprintf("the primary key %s is also a foreign key, which a model cannot say yet", f.col.Name))
		f.relation, f.fk, f.target = false, nil, nil
	}
	if f.col.Name == "id" {
		f.goName = "ID"
	}
}

// describeField sets f's Go type and tag options.
func (w *writer) describeField(m *model, f *field) {
	c := f.col
	if f.relation {
		w.describeRelation(m, f)
		return
	}
	ft, why, ok := mapType(w.opts.Dialect, c.Type)
	if !ok {
		m.unmanaged = append(m.unmanaged, fmt.Sprintf("column %s: %s", c.Name, why))
		ft = nearestType(c.Type)
		f.notes = append(f.notes, fmt.Sprintf("%s: no model field makes this type; %s is the nearest Go type", c.Type, ft.Go))
	}
	if ft.Note != "" {
		f.notes = append(f.notes, ft.Note)
	}
	if f.fk != nil { // a foreign key to a table not written
		f.notes = append(f.notes, fmt.Sprintf("references %s(%s), a table not inspected: a plain column here", f.fk.RefTable, f.fk.RefColumn))
	}
	for _, imp := range ft.Imports {
		w.imports[imp] = true
	}
	f.goType = ft.Go
	if f.pk {
		w.describeKey(m, f, ft)
	} else if c.Nullable {
		if strings.HasPrefix(ft.Nullable, "*") {
			f.goType = ft.Nullable
		} else {
			f.options = append(f.options, "null")
		}
	}
	f.options = append(f.options, ft.Options...)
	if snake := state.SnakeCase(f.goName); snake != c.Name {
		f.options = append(f.options, "column="+quoteValue(c.Name))
	}
	if c.Default != nil && !c.AutoIncrement && c.DBDefault == "" && !literalFits(ft, *c.Default) {
		m.unmanaged = append(m.unmanaged, fmt.Sprintf("column %s: its default %s is an expression, not a literal default= can give", c.Name, *c.Default))
		return
	}
	w.defaults(f)
}

// describeKey sets the options of the primary key column.
func (w *writer) describeKey(m *model, f *field, ft fieldType) {
	c := f.col
	switch {
	case c.AutoIncrement && c.Name == "id" && ft.BigAuto && len(m.table.PrimaryKey) == 1:
		m.implicitID = true
	case c.AutoIncrement && ft.Auto:
		f.options = append(f.options, "primary_key", "auto")
	case c.AutoIncrement:
		m.unmanaged = append(m.unmanaged, fmt.Sprintf("the key %s auto-increments as %s, which no auto field is", c.Name, c.Type))
		f.options = append(f.options, "primary_key")
	default:
		if f.goName == "ID" && ft.Auto {
			f.goName = "IDKey" // a key called ID would auto-increment
		}
		f.options = append(f.options, "primary_key")
	}
}

// describeRelation makes f a *Target field with on_delete and, when the
// column is not the target's key, to_field.
func (w *writer) describeRelation(m *model, f *field) {
	c, fk := f.col, f.fk
	f.goType = "*" + f.target.name
	if c.Nullable {
		f.options = append(f.options, "null")
	}
	f.options = append(f.options, "on_delete="+onDelete(fk.OnDelete))
	tpk := f.target.table.PrimaryKey
	if len(tpk) != 1 || tpk[0] != fk.RefColumn {
		tf := f.target.byColumn[fk.RefColumn]
		if tf == nil {
			m.unmanaged = append(m.unmanaged, fmt.Sprintf("foreign key %s references %s(%s), not a column", fk.Name, fk.RefTable, fk.RefColumn))
		} else {
			f.options = append(f.options, "to_field="+tf.fieldName())
		}
	}
	if snake := state.SnakeCase(f.goName) + "_id"; snake != c.Name {
		f.options = append(f.options, "column="+quoteValue(c.Name))
	}
	if fk.OnDelete == "SET NULL" && !c.Nullable {
		m.unmanaged = append(m.unmanaged, fmt.Sprintf("foreign key %s sets NULL on delete in a NOT NULL column", c.Name))
	}
	w.defaults(f)
}

// defaults adds default= or db_default= from the column.
func (w *writer) defaults(f *field) {
	c := f.col
	switch {
	case c.AutoIncrement:
	case c.DBDefault != "":
		f.options = append(f.options, "db_default="+c.DBDefault)
	case c.Default != nil:
		f.options = append(f.options, "default="+quoteValue(*c.Default))
	}
}

// onDelete is the on_delete option of an SQL action.
func onDelete(action string) string {
	switch action {
	case "CASCADE":
		return "CASCADE"
	case "SET NULL":
		return "SET_NULL"
	case "SET DEFAULT":
		return "SET_DEFAULT"
	case "RESTRICT":
		return "RESTRICT"
	}
	return "DO_NOTHING"
}

// autoIndexName reports an index name SQLite made for an inline UNIQUE,
// which no statement can give an index of its own.
func autoIndexName(d schema.Dialect, name string) bool {
	return d == schema.SQLite && strings.HasPrefix(name, "sqlite_autoindex_")
}

// uniques turns unique constraints and indexes into unique fields,
// unique_together groups or named Unique constraints, keeping each name
// the database has where the model can say it.
func (w *writer) uniques(m *model) {
	t := m.table
	for _, u := range t.Uniques {
		fields, ok := w.fieldsOf(m, "unique", u.Name, u.Columns, false)
		if !ok {
			continue
		}
		if u.Partial {
			cond, ok := w.conditions[t.Name][u.Name]
			if !ok {
				m.unmanaged = append(m.unmanaged, fmt.Sprintf("unique index %s has a condition, which was not read", u.Name))
				continue
			}
			m.constraints = append(m.constraints, fmt.Sprintf("models.Unique{Name: %q, Fields: []string{%s}, Condition: %q}", u.Name, goNames(fields), cond))
			continue
		}
		if len(fields) == 1 {
			f := fields[0]
			if !f.unique && !f.pk && (u.Name == schema.FieldUniqueName(t.Name, f.col.Name) || autoIndexName(w.opts.Dialect, u.Name)) {
				f.unique = true
				if f.relation {
					f.options = append(f.options, "one_to_one")
				} else {
					f.options = append(f.options, "unique")
				}
				continue
			}
		}
		names := goNames(fields)
		if len(fields) > 1 && (u.Name == schema.UniqueTogetherName(t.Name, u.Columns) || autoIndexName(w.opts.Dialect, u.Name)) {
			m.uniqueTogether = append(m.uniqueTogether, "{"+names+"}")
			continue
		}
		m.constraints = append(m.constraints, fmt.Sprintf("models.Unique{Name: %q, Fields: []string{%s}}", u.Name, names))
	}
}

// indexes turns plain indexes into index options or Meta.Indexes. A
// foreign key column gets an index of its own from the model, so the one
// the database has for it is left to that (its name may then differ).
func (w *writer) indexes(m *model) {
	t := m.table
	own := map[*field]bool{} // relation fields whose own index is found
	taken := map[string]bool{}
	for _, idx := range t.Indexes {
		if len(idx.Columns) != 1 || idx.Partial {
			continue
		}
		f := m.byColumn[idx.Columns[0]]
		if f != nil && f.relation && !f.unique && idx.Name == schema.FieldIndexName(t.Name, f.col.Name) {
			own[f], taken[idx.Name] = true, true
		}
	}
	for _, idx := range t.Indexes {
		if len(idx.Columns) != 1 || idx.Partial || taken[idx.Name] || strings.HasSuffix(idx.Name, "_like") {
			continue
		}
		f := m.byColumn[idx.Columns[0]]
		if f != nil && f.relation && !f.unique && !own[f] {
			own[f], taken[idx.Name] = true, true
		}
	}
	for _, idx := range t.Indexes {
		if taken[idx.Name] {
			continue
		}
		fields, ok := w.fieldsOf(m, "index", idx.Name, idx.Columns, true)
		if !ok {
			continue
		}
		cond, ok := w.conditions[t.Name][idx.Name]
		if idx.Partial && !ok {
			m.unmanaged = append(m.unmanaged, fmt.Sprintf("index %s has a condition, which was not read", idx.Name))
			continue
		}
		if len(fields) == 1 && !idx.Partial && !strings.HasPrefix(idx.Columns[0], "-") {
			f := fields[0]
			if !f.indexed && !f.relation && !f.unique && idx.Name == schema.FieldIndexName(t.Name, f.col.Name) {
				f.indexed = true
				f.options = append(f.options, "index")
				continue
			}
		}
		var parts []string
		for i, f := range fields {
			name := f.goName
			if strings.HasPrefix(idx.Columns[i], "-") {
				name = "-" + name
			}
			parts = append(parts, strconv.Quote(name))
		}
		where := ""
		if idx.Partial {
			where = fmt.Sprintf(", Condition: %q", cond)
		}
		m.indexes = append(m.indexes, fmt.Sprintf("{Name: %q, Fields: []string{%s}%s}", idx.Name, strings.Join(parts, ", "), where))
	}
}

// fieldsOf maps an index's columns to fields; an expression or unknown
// column makes the model Unmanaged and ok false.
func (w *writer) fieldsOf(m *model, what, name string, cols []string, descOK bool) ([]*field, bool) {
	var out []*field
	for _, c := range cols {
		col := c
		if descOK {
			col = strings.TrimPrefix(c, "-")
		}
		f := m.byColumn[col]
		if f == nil {
			m.unmanaged = append(m.unmanaged, fmt.Sprintf("%s %s is over %s, which a model index cannot say", what, name, c))
			return nil, false
		}
		out = append(out, f)
	}
	return out, true
}

// checksOf writes the named checks whose expression was read.
func (w *writer) checksOf(m *model) {
	for _, name := range m.table.Checks {
		sql, ok := w.checks[m.table.Name][name]
		if !ok {
			m.unmanaged = append(m.unmanaged, fmt.Sprintf("check %s: its expression was not read", name))
			continue
		}
		m.constraints = append(m.constraints, fmt.Sprintf("models.Check{Name: %q, SQL: %q}", name, sql))
	}
}

// goNames is the quoted Go names of fields, comma separated.
func goNames(fields []*field) string {
	var parts []string
	for _, f := range fields {
		parts = append(parts, strconv.Quote(f.goName))
	}
	return strings.Join(parts, ", ")
}

// render writes the whole file; format.Source lays it out.
func (w *writer) render() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "// Models written by pmanager inspectdb from %s (%s).\n", orUnknown(w.opts.Source), w.opts.Dialect)
	b.WriteString("// Review them: the names, the on_delete actions and the Go types are\n")
	b.WriteString("// the database's reading; then run pmanager makemigrations and adopt the\n")
	b.WriteString("// database with pmanager migrate --fake-initial.\n\n")
	fmt.Fprintf(&b, "package %s\n\n", w.opts.Package)
	var std []string
	for imp := range w.imports {
		std = append(std, imp)
	}
	sort.Strings(std)
	b.WriteString("import (\n")
	for _, imp := range std {
		fmt.Fprintf(&b, "\t%q\n", imp)
	}
	if len(std) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("\t\"github.com/pmanager/pmanager/pkg/models\"\n")
	b.WriteString(")\n")
	for _, m := range w.models {
		w.renderModel(&b, m)
	}
	return []byte(b.String())
}

// renderModel writes one struct and its Meta method.
func (w *writer) renderModel(b *strings.Builder, m *model) {
	fmt.Fprintf(b, "\n// %s is the table %s.\n", m.name, m.table.Name)
	if len(m.unmanaged) > 0 {
		b.WriteString("//\n// Unmanaged: pmanager keeps it in the migration state but makes no DDL for it, because\n")
		for _, why := range m.unmanaged {
			fmt.Fprintf(b, "//   - %s\n", why)
		}
	}
	fmt.Fprintf(b, "type %s struct {\n\tmodels.Model\n", m.name)
	for _, f := range m.fields {
		if f.pk && m.implicitID {
			continue
		}
		for _, n := range f.notes {
			fmt.Fprintf(b, "\t// %s\n", n)
		}
		fmt.Fprintf(b, "\t%s %s", f.goName, f.goType)
		if len(f.options) > 0 {
			fmt.Fprintf(b, " %s", structTag(f.options))
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	var meta []string
	if state.SnakeCase(m.name) != m.table.Name {
		meta = append(meta, fmt.Sprintf("Table: %q,", m.table.Name))
	}
	if len(m.unmanaged) > 0 {
		meta = append(meta, "Unmanaged: true,")
	}
	if m.table.Comment != "" {
		meta = append(meta, fmt.Sprintf("Comment: %q,", m.table.Comment))
	}
	if len(m.uniqueTogether) > 0 {
		meta = append(meta, "UniqueTogether: [][]string{\n"+strings.Join(m.uniqueTogether, ",\n")+",\n},")
	}
	if len(m.indexes) > 0 {
		meta = append(meta, "Indexes: []models.Index{\n"+strings.Join(m.indexes, ",\n")+",\n},")
	}
	if len(m.constraints) > 0 {
		meta = append(meta, "Constraints: []models.Constraint{\n"+strings.Join(m.constraints, ",\n")+",\n},")
	}
	if len(meta) == 0 {
		return
	}
	fmt.Fprintf(b, "\n// Meta says what the struct's fields do not.\nfunc (%s) Meta() models.Meta {\n\treturn models.Meta{\n%s\n\t}\n}\n", m.name, strings.Join(meta, "\n"))
}

// orUnknown is s, or a placeholder when the source was not given.
func orUnknown(s string) string {
	if s == "" {
		return "a database"
	}
	return s
}

// structTag writes the pm tag of options: a raw string literal unless the
// tag holds a backquote.
func structTag(options []string) string {
	tag := "pm:" + strconv.Quote(strings.Join(options, ","))
	if strings.Contains(tag, "`") {
		return strconv.Quote(tag)
	}
	return "`" + tag + "`"
}

// quoteValue writes a tag option's value, single-quoted when it holds a
// comma, a quote or surrounding blanks (the pm tag's quoting).
func quoteValue(v string) string {
	if strings.ContainsAny(v, ",'") || strings.TrimSpace(v) != v {
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return v
}

// camel turns a table or column name into an exported Go name:
// auth_user → AuthUser, user_id → UserID, 2fa → F2fa.
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if initialisms[strings.ToLower(part)] {
			b.WriteString(strings.ToUpper(part))
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	out := b.String()
	if out == "" {
		return "Field"
	}
	if out[0] >= '0' && out[0] <= '9' {
		out = "F" + out
	}
	return out
}

// initialisms are the words Go spells in capitals (UserID, URL); the
// column= option covers any whose snake_case does not come back the same.
var initialisms = map[string]bool{"id": true, "url": true, "uri": true, "ip": true, "uuid": true, "json": true, "html": true, "http": true, "api": true, "sql": true}

// unique makes name unused in names (a number appended) and records it.
func unique(name string, names map[string]bool) string {
	for names[name] || name == "Model" {
		name = bump(name)
	}
	names[name] = true
	return name
}

// bump appends 2 to a name, or counts its trailing number up.
func bump(name string) string {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(name[i:])
	if err != nil {
		return name + "2"
	}
	return name[:i] + strconv.Itoa(n+1)
}
