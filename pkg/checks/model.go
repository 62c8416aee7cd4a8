package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// checkReservedWords runs pm.E026 and pm.E028. pmanager quotes every identifier it
// writes, so a column may be called order or user; but a Check's SQL and an
// index or unique Condition are written as given, and a reserved word used
// there as a bare column name is a syntax error on the databases that
// reserve it.
func (r *run) checkReservedWords() {
	for _, dt := range r.dialects {
		for _, m := range r.models {
			columns := map[string]bool{}
			for _, f := range m.Fields {
				if f.HasColumn() {
					columns[strings.ToLower(f.ColumnName())] = true
				}
			}
			mobj := r.src.modelObject(m) + ".Meta"
			check := func(what, sql string) {
				if dt.dialect == schema.MySQL {
					for _, w := range doubleQuoted(sql) {
						if columns[strings.ToLower(w)] {
							r.add("pm.E028", mobj, fmt.Sprintf("%s writes the column %s in double quotes, which MySQL/MariaDB reads as the string '%s', not the column %s", what, w, w, dt.on()),
								"write the column name without quotes (rename the column if it is a reserved word), so every database reads it as the column")
							return
						}
					}
				}
				for _, w := range bareWords(sql) {
					lw := strings.ToLower(w)
					if columns[lw] && reserved(dt.dialect, lw) {
						r.add("pm.E026", mobj, fmt.Sprintf("%s uses the column %s without quotes, and %s is a reserved word %s", what, w, w, dt.on()),
							fmt.Sprintf("rename the column (with column=); quoting it works on one kind of database only (\"%s\" on PostgreSQL and SQLite, `%s` on MySQL)", w, w))
						return
					}
				}
			}
			for _, idx := range m.Indexes {
				check("the Condition of index "+idx.Name, idx.Condition)
			}
			for _, c := range m.Constraints {
				check("the SQL of constraint "+c.Name, c.Check+" "+c.Condition)
			}
		}
	}
}

// bareWords returns the unquoted words of an SQL expression: string
// literals and quoted identifiers are skipped.
func bareWords(sql string) []string {
	var out []string
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			end := strings.IndexByte(sql[i+1:], c)
			if end < 0 {
				return out
			}
			i += end + 2
		case c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			j := i
			for j < len(sql) && (sql[j] == '_' || sql[j] == '$' || sql[j] >= 'A' && sql[j] <= 'Z' || sql[j] >= 'a' && sql[j] <= 'z' || sql[j] >= '0' && sql[j] <= '9') {
				j++
			}
			out = append(out, sql[i:j])
			i = j
		case c >= '0' && c <= '9':
			for i < len(sql) && (sql[i] == '.' || sql[i] >= '0' && sql[i] <= '9' || sql[i] >= 'a' && sql[i] <= 'z' || sql[i] >= 'A' && sql[i] <= 'Z') {
				i++
			}
		default:
			i++
		}
	}
	return out
}

// doubleQuoted returns the texts in double quotes of an SQL expression,
// string literals in single quotes skipped.
func doubleQuoted(sql string) []string {
	var out []string
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c != '\'' && c != '"' {
			continue
		}
		end := strings.IndexByte(sql[i+1:], c)
		if end < 0 {
			break
		}
		if c == '"' {
			out = append(out, sql[i+1:i+1+end])
		}
		i += end + 1
	}
	return out
}

// checkIndexFields runs pm.E027: a key that lists a column twice is refused
// by every database.
func (r *run) checkIndexFields() {
	for _, m := range r.models {
		for _, k := range r.keys(m) {
			seen := map[string]bool{}
			for _, c := range k.cols {
				c = strings.TrimPrefix(c, "-")
				if seen[c] {
					r.add("pm.E027", k.object, fmt.Sprintf("%s lists the column %s twice", k.what, c), "list each field once")
					break
				}
				seen[c] = true
			}
		}
	}
}

// checkRelations runs pm.W003, pm.W004 and pm.W005.
func (r *run) checkRelations() {
	type relatedKey struct{ target, name string }
	related := map[relatedKey]string{}
	for _, m := range r.p.Sorted() {
		for _, f := range m.Fields {
			if f.Relation == nil {
				continue
			}
			obj := r.src.fieldObject(m, f)
			target := r.p.Resolve(m.App, f.Relation.To)
			if target == nil {
				continue
			}
			if !m.Unmanaged && target.Unmanaged && schema.NeedsForeignKey(f) {
				r.add("pm.W003", obj, fmt.Sprintf("its foreign key constraint points at %s, an unmanaged model: migrate expects table %s to exist with a unique %s, and fails if it does not (or is a view)",
					r.src.modelObject(target), target.Table, r.targetColumn(target, f)),
					"make sure the table exists before migrate, or add no_constraint to keep the column without a constraint")
			}
			if !m.Unmanaged && f.Kind == state.ForeignKey && f.Unique {
				r.add("pm.W004", obj, "unique on a foreign key makes it a one-to-one relation", "write one_to_one instead of unique")
			}
			if name := f.Relation.RelatedName; name != "" && !strings.HasSuffix(name, "+") {
				k := relatedKey{target.Key(), name}
				if prev, ok := related[k]; ok {
					r.add("pm.W005", obj, fmt.Sprintf("related_name=%s is also the related_name of %s, which points at %s too", name, prev, r.src.modelObject(target)),
						"give each relation to the same model its own related_name")
					continue
				}
				related[k] = obj
			}
		}
	}
}

// targetColumn names the column a relation references.
func (r *run) targetColumn(target *state.Model, f *state.Field) string {
	tf := target.PrimaryKey()
	if f.Relation.ToField != "" {
		tf = target.Field(f.Relation.ToField)
	}
	if tf == nil {
		return "key"
	}
	return "column " + tf.ColumnName()
}

// checkBlank runs pm.W006: blank says a form may leave the field empty, but
// a NOT NULL number, date, time or relation has no empty value to store.
func (r *run) checkBlank() {
	for _, m := range r.models {
		for _, f := range m.Fields {
			if !f.Blank || f.Null || f.Default != nil || f.PrimaryKey || !f.HasColumn() {
				continue
			}
			switch f.Kind {
			case state.Char, state.Text, state.Binary, state.JSON, state.Boolean:
				continue
			}
			r.add("pm.W006", r.src.fieldObject(m, f), fmt.Sprintf("blank lets it be left empty, but a NOT NULL %s column has no empty value and there is no default", f.Kind),
				"add null (and a pointer or sql.Null type) or a default, or remove blank")
		}
	}
}

// checkRedundantIndexes runs pm.W007: an index over exactly the columns of
// another index or unique constraint (same order, directions and
// condition) costs writes and space and speeds up nothing.
func (r *run) checkRedundantIndexes() {
	for _, m := range r.models {
		seen := map[string]string{}
		for _, k := range r.keys(m) {
			sig := strings.Join(k.cols, ",") + "\x00" + k.cond
			if prev, ok := seen[sig]; ok {
				r.add("pm.W007", k.object, fmt.Sprintf("%s covers the same columns (%s) as %s", k.what, strings.Join(k.cols, ", "), prev),
					"remove one of them")
				continue
			}
			seen[sig] = k.what
		}
	}
}

// checkTableCase runs pm.W008: MySQL/MariaDB on Windows and macOS (and any
// server with lower_case_table_names set) stores table names in lower
// case, so two that differ only in case become one table there.
func (r *run) checkTableCase() {
	dt, ok := r.dialect(schema.MySQL)
	if !ok {
		return
	}
	type named struct{ table, object string }
	var tables []named
	for _, m := range r.models {
		tables = append(tables, named{m.Table, r.src.modelObject(m)})
		for _, f := range m.Fields {
			if jt := schema.JoinTableName(m, f); jt != "" {
				tables = append(tables, named{jt, r.src.fieldObject(m, f)})
			}
		}
	}
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].table < tables[j].table })
	first := map[string]named{}
	for _, t := range tables {
		lower := strings.ToLower(t.table)
		if prev, ok := first[lower]; ok && prev.table != t.table {
			r.add("pm.W008", t.object, fmt.Sprintf("table %s differs from table %s of %s only in case; a server with lower_case_table_names (the default on Windows and macOS) makes them one table %s", t.table, prev.table, prev.object, dt.on()),
				"give the tables names that differ in more than case (Meta.Table)")
			continue
		}
		first[lower] = t
	}
}

// checkGaleraKeys warns about models without a primary key when a target
// is a Galera cluster node: Galera replicates row changes by their key, so
// DML on a table without one is slow to certify, can diverge between
// nodes, and is refused outright where wsrep_mode has REQUIRED_PRIMARY_KEY.
func (r *run) checkGaleraKeys() {
	if len(r.galera) == 0 {
		return
	}
	word := "connection"
	if len(r.galera) > 1 {
		word = "connections"
	}
	for _, m := range r.models {
		if m.PrimaryKey() != nil {
			continue
		}
		r.add("pm.W011", r.src.modelObject(m), fmt.Sprintf("table %s has no primary key, and %s %s is a Galera cluster, which replicates each row change by its key: "+
			"without one, changes to its rows certify slowly, can differ between nodes, and are refused where wsrep_mode has REQUIRED_PRIMARY_KEY", m.Table, word, strings.Join(r.galera, ", ")),
			"give the model a primary key (keep models.Model's id, or mark a field primary_key)")
	}
}
