package checks

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// maxIdentifier is the longest identifier each dialect keeps: PostgreSQL
// counts bytes (NAMEDATALEN-1) and cuts longer names silently in some
// places and refuses them in others; MySQL/MariaDB counts characters;
// SQLite has no limit. ok is false when the dialect has none.
func maxIdentifier(d schema.Dialect) (limit int, unit string, ok bool) {
	switch d {
	case schema.Postgres:
		return 63, "bytes", true
	case schema.MySQL:
		return 64, "characters", true
	}
	return 0, "", false
}

// identifierLength measures name the way dialect d counts.
func identifierLength(d schema.Dialect, name string) int {
	if d == schema.MySQL {
		return utf8.RuneCountInString(name)
	}
	return len(name)
}

// checkNUL runs pm.E011, pm.E012 and pm.E013: PostgreSQL cannot store a NUL
// byte in text at all and SQLite's SQL cannot spell one, so any NUL in what
// becomes SQL fails at migrate.
func (r *run) checkNUL() {
	nul := func(s string) bool { return strings.ContainsRune(s, 0) }
	for _, m := range r.models {
		mobj := r.src.modelObject(m)
		if nul(m.Table) {
			r.add("pm.E012", mobj+".Meta", fmt.Sprintf("table name %q holds a NUL byte", m.Table), "remove it from Meta.Table")
		}
		for _, text := range []struct{ what, v string }{{"Meta.Comment", m.Options.Comment}, {"Meta.VerboseName", m.Options.VerboseName}} {
			if nul(text.v) {
				r.add("pm.E013", mobj+".Meta", fmt.Sprintf("%s %q holds a NUL byte", text.what, text.v), "remove the NUL byte")
			}
		}
		for _, f := range m.Fields {
			obj := r.src.fieldObject(m, f)
			if f.Default != nil && nul(*f.Default) {
				r.add("pm.E011", obj, fmt.Sprintf("default %q holds a NUL byte, which PostgreSQL cannot store in text and SQLite's SQL cannot spell", *f.Default),
					"remove the NUL byte from default=")
			}
			if nul(f.ColumnName()) {
				r.add("pm.E012", obj, fmt.Sprintf("column name %q holds a NUL byte", f.ColumnName()), "remove it from column= or the db tag")
			}
			if f.Relation != nil && nul(f.Relation.Table) {
				r.add("pm.E012", obj, fmt.Sprintf("join table name %q holds a NUL byte", f.Relation.Table), "remove it from table=")
			}
			if f.Relation != nil && (nul(f.Relation.FromColumn) || nul(f.Relation.ToColumn)) {
				r.add("pm.E012", obj, fmt.Sprintf("join table column name %q or %q holds a NUL byte", f.Relation.FromColumn, f.Relation.ToColumn), "remove it from from_column= or to_column=")
			}
			if nul(f.Comment) {
				r.add("pm.E013", obj, fmt.Sprintf("comment %q holds a NUL byte", f.Comment), "remove it from comment=")
			}
		}
		for _, idx := range m.Indexes {
			if nul(idx.Name) {
				r.add("pm.E012", mobj+".Meta", fmt.Sprintf("index name %q holds a NUL byte", idx.Name), "remove it from the Index's Name")
			}
			if nul(idx.Condition) {
				r.add("pm.E013", mobj+".Meta", fmt.Sprintf("index %s: its Condition holds a NUL byte", strings.ReplaceAll(idx.Name, "\x00", `\x00`)), "remove the NUL byte")
			}
		}
		for _, c := range m.Constraints {
			if nul(c.Name) {
				r.add("pm.E012", mobj+".Meta", fmt.Sprintf("constraint name %q holds a NUL byte", c.Name), "remove it from the constraint's Name")
			}
			if nul(c.Condition) || nul(c.Check) {
				r.add("pm.E013", mobj+".Meta", fmt.Sprintf("constraint %s: its SQL holds a NUL byte", strings.ReplaceAll(c.Name, "\x00", `\x00`)), "remove the NUL byte")
			}
		}
	}
}

// checkLengths runs pm.E014 and pm.E015: every column name, and every
// column of an automatic join table, must fit each target's identifier
// limit. (Table, index and constraint names are held to the strictest
// limit when the models are read; names pmanager makes up are shortened
// with a hash.)
func (r *run) checkLengths() {
	for _, dt := range r.dialects {
		limit, unit, ok := maxIdentifier(dt.dialect)
		if !ok {
			continue
		}
		for _, m := range r.models {
			for _, f := range m.Fields {
				obj := r.src.fieldObject(m, f)
				if f.HasColumn() {
					col := f.ColumnName()
					if n := identifierLength(dt.dialect, col); n > limit {
						r.add("pm.E014", obj, fmt.Sprintf("column name %s is %d %s long; %s keeps at most %d", col, n, unit, dt.on()[3:], limit),
							"name a shorter column with column= (or a db tag)")
					}
					continue
				}
				jt, err := schema.JoinTable(r.p, m, f)
				if err != nil || jt == nil {
					continue
				}
				for _, jf := range jt.Fields {
					col := jf.ColumnName()
					if n := identifierLength(dt.dialect, col); n > limit {
						r.add("pm.E015", obj, fmt.Sprintf("join table %s gets the column %s, %d %s long; %s keeps at most %d", jt.Table, col, n, unit, dt.on()[3:], limit),
							"shorten the model's type name, or declare a through= model whose foreign keys name their columns with column=")
					}
				}
			}
		}
	}
}

// dbObject is one named thing the editors create for a table.
type dbObject struct {
	kind, name, table string
	owner             string // the issue object that declares it
}

// tableObjects lists the named objects of m's table as the editors name
// them: the table, its primary key, uniques, indexes, foreign keys and checks.
func (r *run) tableObjects(m *state.Model, owner func(*state.Field) string) []dbObject {
	mobj := r.src.modelObject(m)
	out := []dbObject{{"table", m.Table, m.Table, mobj}, {"primary key", state.ObjectName(m.Table, nil, "pkey"), m.Table, mobj}}
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		col := f.ColumnName()
		if f.IsUnique() && !f.PrimaryKey {
			out = append(out, dbObject{"unique constraint", schema.FieldUniqueName(m.Table, col), m.Table, owner(f)})
		}
		if schema.NeedsIndex(f) {
			out = append(out, dbObject{"index", schema.FieldIndexName(m.Table, col), m.Table, owner(f)})
		}
		if schema.NeedsForeignKey(f) {
			out = append(out, dbObject{"foreign key", schema.ForeignKeyName(m.Table, col), m.Table, owner(f)})
		}
	}
	// A one-column group over a unique field shares the field's constraint.
	for _, group := range schema.UniqueGroups(m) {
		if cols, err := m.Columns(group); err == nil {
			out = append(out, dbObject{"unique constraint", schema.UniqueTogetherName(m.Table, cols), m.Table, mobj + ".Meta"})
		}
	}
	for _, idx := range m.Indexes {
		out = append(out, dbObject{"index", idx.Name, m.Table, mobj + ".Meta"})
	}
	for _, c := range m.Constraints {
		kind := "unique constraint"
		if c.Kind == state.CheckConstraint {
			kind = "check constraint"
		}
		out = append(out, dbObject{kind, c.Name, m.Table, mobj + ".Meta"})
	}
	return out
}

// allObjects lists the objects of every managed table, automatic join
// tables included.
func (r *run) allObjects() []dbObject {
	var out []dbObject
	for _, m := range r.models {
		out = append(out, r.tableObjects(m, func(f *state.Field) string { return r.src.fieldObject(m, f) })...)
		for _, f := range m.Fields {
			if f.HasColumn() {
				continue
			}
			jt, err := schema.JoinTable(r.p, m, f)
			if err != nil || jt == nil {
				continue
			}
			obj := r.src.fieldObject(m, f)
			for _, o := range r.tableObjects(jt, func(*state.Field) string { return obj }) {
				o.owner = obj
				out = append(out, o)
			}
		}
	}
	return out
}

// userNamed ranks an object for checkNamespaces: 0 for a table, 1 for a
// generated name, 2 for a name from Meta.
func userNamed(o dbObject) int {
	switch {
	case o.kind == "table":
		return 0
	case strings.HasSuffix(o.owner, ".Meta"):
		return 2
	}
	return 1
}

// namespace says whether objects of kind share one namespace per database
// (schema-wide) or per table in dialect d, or have no name there.
func namespace(d schema.Dialect, kind string) (scope string) {
	switch d {
	case schema.Postgres:
		switch kind {
		case "table", "primary key", "unique constraint", "index":
			return "schema" // all are relations
		}
		return "table"
	case schema.SQLite:
		switch kind {
		case "table", "unique constraint", "index":
			return "schema"
		case "check constraint":
			return "table"
		}
		return "" // SQLite names neither its primary keys nor foreign keys
	case schema.MySQL:
		switch kind {
		case "foreign key", "check constraint":
			return "schema"
		case "unique constraint", "index":
			return "table"
		case "table":
			return "tables"
		}
	}
	return ""
}

// checkNamespaces runs pm.E016: two different objects that a target
// database would have to create under one name. Clashes between tables, or
// between index and constraint names the user wrote, are the reader's
// errors; this catches a table against an index (PostgreSQL and SQLite keep
// them in one namespace) and names pmanager generates against names the
// user chose.
func (r *run) checkNamespaces() {
	for _, c := range namespaceClashes(r.allObjects(), r.dialects) {
		r.add("pm.E016", c.object.owner, fmt.Sprintf("%s %s is also the name of the %s of %s; %s keeps both in one namespace",
			c.object.kind, c.object.name, c.prev.kind, c.prev.owner, c.on),
			"rename one of them (name= on a Meta index or constraint, Meta.Table on a model)")
	}
}

// clash is two objects a target database would have to create under one
// name.
type clash struct {
	// key names the namespace and the name in one dialect, so the same
	// clash found in two states compares equal.
	key          string
	object, prev dbObject
	// on names the dialect and its connections for a message.
	on string
}

// namespaceClashes finds the objects that take a name another object of
// the same namespace already has, in each of the dialects.
func namespaceClashes(objects []dbObject, dialects []dialectTargets) []clash {
	objects = append([]dbObject(nil), objects...)
	// Tables and the names pmanager makes up come first, so a clash is
	// reported on the name the user chose.
	sort.SliceStable(objects, func(i, j int) bool { return userNamed(objects[i]) < userNamed(objects[j]) })
	var out []clash
	for _, dt := range dialects {
		seen := map[string]dbObject{}
		for _, o := range objects {
			scope := namespace(dt.dialect, o.kind)
			if scope == "" {
				continue
			}
			key := scope + "\x00" + o.name
			switch scope {
			case "table":
				key = scope + "\x00" + o.table + "\x00" + o.name
				if dt.dialect == schema.Postgres {
					// PostgreSQL keeps the names of a table's constraints
					// together; the relation-kind ones clash schema-wide too.
					key = "constraint\x00" + o.table + "\x00" + o.name
				}
			case "tables":
				key = "table\x00" + o.name
			}
			prev, ok := seen[key]
			if !ok {
				seen[key] = o
				if dt.dialect == schema.Postgres && (o.kind == "primary key" || o.kind == "unique constraint") {
					seen["constraint\x00"+o.table+"\x00"+o.name] = o
				}
				continue
			}
			if prev.kind == "table" && o.kind == "table" {
				continue // the reader's error
			}
			out = append(out, clash{key: string(dt.dialect) + "\x00" + key, object: o, prev: prev, on: dt.on()[3:]})
		}
	}
	return out
}
