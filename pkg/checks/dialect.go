package checks

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/mysql"
	"github.com/pmanager/pmanager/pkg/schema/postgres"
	"github.com/pmanager/pmanager/pkg/schema/sqlite"
	"github.com/pmanager/pmanager/pkg/state"
)

// MySQL/MariaDB limits with the utf8mb4 character set every table is
// created with (4 bytes a character) and InnoDB's DYNAMIC row format.
const (
	mysqlMaxKeyBytes   = 3072  // one index, all its columns together
	mysqlMaxRowBytes   = 65535 // one row, BLOB and TEXT contents aside
	mysqlMaxVarchar    = 16383 // 65535 bytes / 4, less the length prefix
	mysqlMaxDigits     = 65
	mysqlMaxPlaces     = 30
	postgresMaxDigits  = 1000
	postgresMaxVarchar = 10485760
)

// key is one index or unique constraint the editors create on a table.
type key struct {
	what   string // "unique constraint car_name_uniq", for messages
	object string // the issue object that declares it
	fields []*state.Field
	cols   []string // with a "-" prefix for descending parts
	cond   string
}

// keys lists every index and unique constraint of m's table, the primary
// key included, with the fields behind each.
func (r *run) keys(m *state.Model) []key {
	mobj := r.src.modelObject(m)
	var out []key
	for _, f := range m.Fields {
		if !f.HasColumn() {
			continue
		}
		col, obj := f.ColumnName(), r.src.fieldObject(m, f)
		switch {
		case f.PrimaryKey:
			out = append(out, key{"primary key", obj, []*state.Field{f}, []string{col}, ""})
		case f.IsUnique():
			out = append(out, key{"unique constraint " + schema.FieldUniqueName(m.Table, col), obj, []*state.Field{f}, []string{col}, ""})
		case schema.NeedsIndex(f):
			out = append(out, key{"index " + schema.FieldIndexName(m.Table, col), obj, []*state.Field{f}, []string{col}, ""})
		}
	}
	group := func(what string, names []string, cond string) {
		k := key{what: what, object: mobj + ".Meta", cond: cond}
		for _, n := range names {
			desc := strings.HasPrefix(n, "-")
			f := m.Field(strings.TrimPrefix(n, "-"))
			if f == nil || !f.HasColumn() {
				return
			}
			col := f.ColumnName()
			if desc {
				col = "-" + col
			}
			k.fields, k.cols = append(k.fields, f), append(k.cols, col)
		}
		out = append(out, k)
	}
	for _, g := range m.UniqueTogether {
		cols, err := m.Columns(g)
		if err != nil {
			continue
		}
		group("unique_together "+schema.UniqueTogetherName(m.Table, cols), g, "")
	}
	for _, idx := range m.Indexes {
		group("index "+idx.Name, idx.Fields, idx.Condition)
	}
	for _, c := range m.Constraints {
		if c.Kind == state.UniqueConstraint {
			group("unique constraint "+c.Name, c.Fields, c.Condition)
		}
	}
	return out
}

// valueField follows a relation to the field whose column type the
// relation column copies; f itself when it is no relation.
func (r *run) valueField(m *state.Model, f *state.Field) *state.Field {
	for depth := 0; f != nil && (f.Kind == state.ForeignKey || f.Kind == state.OneToOne) && depth < 16; depth++ {
		target := r.p.Resolve(m.App, f.Relation.To)
		if target == nil {
			return nil
		}
		if f.Relation.ToField != "" {
			f = target.Field(f.Relation.ToField)
		} else {
			f = target.PrimaryKey()
		}
		m = target
	}
	return f
}

// mysqlBytes is the most bytes a value of f takes in a MySQL index, and
// whether it can be indexed at all (TEXT, BLOB and JSON need a prefix
// length pmanager does not write).
func mysqlBytes(f *state.Field) (int, bool) {
	switch f.Kind {
	case state.Char:
		return 4 * f.MaxLength, true
	case state.UUID:
		return 4 * 32, true
	case state.Text, state.Binary, state.JSON:
		return 0, false
	case state.BigAuto, state.BigInteger, state.Duration, state.Float, state.DateTime:
		return 8, true
	case state.Auto, state.Integer:
		return 4, true
	case state.SmallInteger:
		return 2, true
	case state.Boolean:
		return 1, true
	case state.Decimal:
		return decimalBytes(f.MaxDigits-f.DecimalPlaces) + decimalBytes(f.DecimalPlaces), true
	case state.Date:
		return 3, true
	case state.Time:
		return 6, true
	}
	return 0, true
}

// decimalBytes is MySQL's storage of n decimal digits: 4 bytes a group of
// nine, and 1 to 4 for the rest.
func decimalBytes(n int) int {
	rest := [...]int{0, 1, 1, 2, 2, 3, 3, 4, 4, 4}
	return n/9*4 + rest[n%9]
}

// mysqlRowBytes is what a column counts towards MySQL's row size limit:
// a varchar its bytes plus the length prefix, a TEXT/BLOB/JSON its pointer.
func mysqlRowBytes(f *state.Field) int {
	switch f.Kind {
	case state.Char:
		n := 4 * f.MaxLength
		if n > 255 {
			return n + 2
		}
		return n + 1
	case state.Text, state.Binary, state.JSON:
		return 12
	}
	n, _ := mysqlBytes(f)
	return n
}

// checkMySQL runs the checks of what MySQL/MariaDB cannot express:
// pm.E017 to pm.E021, pm.E024 and pm.E033.
func (r *run) checkMySQL() {
	dt, ok := r.dialect(schema.MySQL)
	if !ok {
		return
	}
	on, conns := dt.on(), dt.conns()
	for _, m := range r.models {
		mobj := r.src.modelObject(m)
		for _, idx := range m.Indexes {
			if idx.Condition != "" {
				r.add("pm.E017", mobj+".Meta", fmt.Sprintf("index %s has a Condition (a partial index), which MySQL/MariaDB cannot create %s", idx.Name, conns),
					"drop the Condition (index every row), or migrate this app only to PostgreSQL and SQLite")
			}
		}
		for _, c := range m.Constraints {
			if c.Kind == state.UniqueConstraint && c.Condition != "" {
				r.add("pm.E018", mobj+".Meta", fmt.Sprintf("unique constraint %s has a Condition, which MySQL/MariaDB cannot enforce %s", c.Name, conns),
					"drop the Condition, or enforce it with a generated column that is NULL where the condition is false and a unique constraint on it, written in RunSQL")
			}
		}
		r.checkMySQLComments(m, conns)
		rowBytes := 0
		for _, f := range m.Fields {
			if !f.HasColumn() {
				continue
			}
			if schema.NeedsForeignKey(f) && f.Relation.OnDelete == "SET_DEFAULT" {
				r.add("pm.E019", r.src.fieldObject(m, f), fmt.Sprintf("on_delete=SET_DEFAULT is refused by InnoDB %s", on),
					"use SET_NULL (with null), CASCADE, PROTECT, RESTRICT or DO_NOTHING")
			}
			if vf := r.valueField(m, f); vf != nil {
				rowBytes += mysqlRowBytes(vf)
			}
		}
		if rowBytes > mysqlMaxRowBytes {
			r.add("pm.E024", mobj, fmt.Sprintf("a row of table %s can take %d bytes, more than the %d MySQL/MariaDB allows %s (utf8mb4 counts 4 bytes a character of varchar)", m.Table, rowBytes, mysqlMaxRowBytes, conns),
				"use string fields without max_length (longtext is stored apart) for the longest, or lower some max_length")
		}
		for _, k := range r.keys(m) {
			r.checkMySQLKey(k, m, conns)
		}
		r.checkJoinTableKeys(m, conns)
	}
}

// MySQL and MariaDB refuse a column comment longer than 1024 characters
// and a table comment longer than 2048.
const (
	mysqlMaxColumnComment = 1024
	mysqlMaxTableComment  = 2048
)

// checkMySQLComments runs pm.E033: a comment MySQL/MariaDB would refuse
// at migrate.
func (r *run) checkMySQLComments(m *state.Model, conns string) {
	if n := utf8.RuneCountInString(m.Options.Comment); n > mysqlMaxTableComment {
		r.add("pm.E033", r.src.modelObject(m)+".Meta", fmt.Sprintf("Meta.Comment is %d characters long, more than the %d MySQL/MariaDB keeps for a table %s", n, mysqlMaxTableComment, conns),
			fmt.Sprintf("shorten Meta.Comment to at most %d characters", mysqlMaxTableComment))
	}
	for _, f := range m.Fields {
		if n := utf8.RuneCountInString(f.Comment); f.HasColumn() && n > mysqlMaxColumnComment {
			r.add("pm.E033", r.src.fieldObject(m, f), fmt.Sprintf("comment= is %d characters long, more than the %d MySQL/MariaDB keeps for a column %s", n, mysqlMaxColumnComment, conns),
				fmt.Sprintf("shorten comment= to at most %d characters", mysqlMaxColumnComment))
		}
	}
}

// checkJoinTableKeys runs pm.E020 and pm.E021 on the keys of m's automatic
// join tables, whose columns copy the type of each side's primary key.
func (r *run) checkJoinTableKeys(m *state.Model, conns string) {
	for _, f := range m.Fields {
		if f.HasColumn() {
			continue
		}
		jt, err := schema.JoinTable(r.p, m, f)
		if err != nil || jt == nil {
			continue
		}
		obj := r.src.fieldObject(m, f)
		for _, k := range r.keys(jt) {
			if k.what == "primary key" {
				continue // the join table's own id
			}
			k.object, k.what = obj, "join table "+jt.Table+": "+k.what
			r.checkMySQLKey(k, jt, conns)
		}
	}
}

// checkMySQLKey runs pm.E020 and pm.E021 on one index of m.
func (r *run) checkMySQLKey(k key, m *state.Model, conns string) {
	total := 0
	for _, f := range k.fields {
		vf := r.valueField(m, f)
		if vf == nil {
			return
		}
		n, ok := mysqlBytes(vf)
		if !ok {
			r.add("pm.E020", k.object, fmt.Sprintf("%s covers %s, a %s column that MySQL/MariaDB cannot index without a prefix length %s", k.what, f.ColumnName(), vf.Kind, conns),
				"give the field max_length (a varchar can be indexed), or drop it from the key")
			return
		}
		total += n
	}
	if total > mysqlMaxKeyBytes {
		r.add("pm.E021", k.object, fmt.Sprintf("%s is %d bytes long, more than the %d-byte key limit of MySQL/MariaDB %s (utf8mb4: 4 bytes a character of varchar)", k.what, total, mysqlMaxKeyBytes, conns),
			fmt.Sprintf("lower max_length (varchar(%d) alone is the most one key holds) or index fewer columns", mysqlMaxKeyBytes/4))
	}
}

// checkSizes runs pm.E022 and pm.E023: numeric precision and varchar
// lengths beyond what a target database accepts.
func (r *run) checkSizes() {
	for _, dt := range r.dialects {
		maxDigits, maxPlaces, maxVarchar := 0, 0, 0
		switch dt.dialect {
		case schema.MySQL:
			maxDigits, maxPlaces, maxVarchar = mysqlMaxDigits, mysqlMaxPlaces, mysqlMaxVarchar
		case schema.Postgres:
			maxDigits, maxPlaces, maxVarchar = postgresMaxDigits, postgresMaxDigits, postgresMaxVarchar
		default:
			continue
		}
		for _, m := range r.models {
			for _, f := range m.Fields {
				obj := r.src.fieldObject(m, f)
				switch {
				case f.Kind == state.Decimal && (f.MaxDigits > maxDigits || f.DecimalPlaces > maxPlaces):
					r.add("pm.E022", obj, fmt.Sprintf("max_digits=%d, decimal_places=%d is more than the %d digits and %d places a decimal column takes %s", f.MaxDigits, f.DecimalPlaces, maxDigits, maxPlaces, dt.on()),
						"lower max_digits and decimal_places, or store the number as a string")
				case f.Kind == state.Char && f.MaxLength > maxVarchar:
					r.add("pm.E023", obj, fmt.Sprintf("max_length=%d is more than the %d characters a varchar column takes %s", f.MaxLength, maxVarchar, dt.on()),
						"drop max_length (a string without it is a text column of any length), or lower it")
				}
			}
		}
	}
}

// checkSQLTypes runs pm.E032: a field whose column type is spelled per
// dialect (type=postgres:inet;mysql:varchar(45)) must spell one for every
// kind of database the app is migrated to; a dialect no connection uses
// needs none.
func (r *run) checkSQLTypes() {
	for _, dt := range r.dialects {
		for _, m := range r.models {
			for _, f := range m.Fields {
				if f.Kind != state.SQL {
					continue
				}
				if _, ok := f.SQLTypeFor(string(dt.dialect)); ok {
					continue
				}
				obj := r.src.fieldObject(m, f)
				r.add("pm.E032", obj, fmt.Sprintf("%s spells its column type for %s but not for %s, which it is migrated to %s", obj, spelledDialects(f), dialectName(dt.dialect), dt.conns()),
					fmt.Sprintf("add %s:<type> to its type= option (e.g. type=%s;%s:text)", dt.dialect, spelledOption(f), dt.dialect))
			}
		}
	}
}

// spelledDialects names the dialects a SQL field spells a type for.
func spelledDialects(f *state.Field) string {
	names := make([]string, len(f.SQLTypes))
	for i, t := range f.SQLTypes {
		names[i] = dialectName(schema.Dialect(t.Dialect))
	}
	return strings.Join(names, ", ")
}

// spelledOption is a SQL field's type= value as the tag writes it.
func spelledOption(f *state.Field) string {
	parts := make([]string, len(f.SQLTypes))
	for i, t := range f.SQLTypes {
		parts[i] = t.Dialect + ":" + t.Type
	}
	return strings.Join(parts, ";")
}

// editorFor is the schema editor of a dialect, for the render check.
func editorFor(d schema.Dialect) schema.Editor {
	switch d {
	case schema.Postgres:
		return postgres.New()
	case schema.MySQL:
		return mysql.New()
	case schema.SQLite:
		return sqlite.New()
	}
	return nil
}

// checkRender runs pm.E025: each target's editor renders every managed
// model's CREATE TABLE, as migrate would, and anything it refuses that no
// other check explained is reported here, before a migration is written.
func (r *run) checkRender() {
	explained := map[string]bool{}
	for _, i := range r.issues {
		if i.Level == Error {
			explained[strings.SplitN(i.Object, ".Meta", 2)[0]] = true
		}
	}
	for _, dt := range r.dialects {
		ed := editorFor(dt.dialect)
		for _, m := range r.models {
			mobj := r.src.modelObject(m)
			if explainedModel(explained, mobj) {
				continue
			}
			if _, err := ed.CreateModel(r.p, m); err != nil {
				r.add("pm.E025", mobj, fmt.Sprintf("the schema editor cannot create its table %s: %v", dt.on(), err),
					"change the model so the database can hold it")
			}
		}
	}
}

// explainedModel reports whether an error was already reported for the
// model or one of its fields.
func explainedModel(explained map[string]bool, mobj string) bool {
	for obj := range explained {
		if obj == mobj || strings.HasPrefix(obj, mobj+".") {
			return true
		}
	}
	return false
}
