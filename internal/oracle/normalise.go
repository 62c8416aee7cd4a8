package oracle

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Schema is a database schema reduced to what Django and pmanager must agree
// on, whoever created it: tables by name, without object names, defaults,
// ON DELETE actions or index methods.
type Schema map[string]*Table

// Table is one normalised table.
type Table struct {
	// Columns by name.
	Columns map[string]Column
	// PrimaryKey lists the key's columns in order.
	PrimaryKey []string
	// Uniques are the column sets of unique constraints and unique indexes,
	// each sorted and comma-joined, " (partial)" appended for a conditional one.
	Uniques []string
	// Indexes are the non-unique indexes that are not implied by another
	// index, a unique constraint or the key: ordered columns, "-" marking a
	// descending one, comma-joined.
	Indexes []string
	// ForeignKeys are "column -> table.column".
	ForeignKeys []string
	// Checks are the names of the user's check constraints (implicit JSON
	// validity checks left out).
	Checks []string
}

// Column is a column's type family (see TypeFamily) and nullability.
type Column struct {
	Type     string
	Nullable bool
}

// TableNames returns the schema's table names, sorted.
func (s Schema) TableNames() []string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// rawIndex is an index or unique constraint before redundancy is removed.
type rawIndex struct {
	columns []string // "-" prefix for descending
	unique  bool
	partial bool
}

// FromDjango normalises the schema Django's recorder introspected on dialect d.
// PostgreSQL's varchar_pattern_ops "_like" indexes, which pmanager does not
// make, are left out.
func FromDjango(d schema.Dialect, tables map[string]DjangoTable) Schema {
	out := Schema{}
	for name, dt := range tables {
		t := &Table{Columns: map[string]Column{}, PrimaryKey: append([]string(nil), dt.PrimaryKey.Columns...)}
		for _, c := range dt.Columns {
			t.Columns[c.Name] = Column{Type: TypeFamily(d, c.Type), Nullable: c.Nullable}
		}
		var raw []rawIndex
		for _, u := range dt.UniqueConstraints {
			raw = append(raw, rawIndex{columns: u.Columns, unique: true})
		}
		for _, idx := range dt.Indexes {
			if d == schema.Postgres && strings.HasSuffix(idx.Name, "_like") {
				continue
			}
			cols := make([]string, len(idx.Columns))
			for i, c := range idx.Columns {
				cols[i] = c
				if i < len(idx.Orders) && strings.EqualFold(idx.Orders[i], "DESC") {
					cols[i] = "-" + c
				}
			}
			raw = append(raw, rawIndex{columns: cols, unique: idx.Unique, partial: idx.Partial})
		}
		t.Uniques, t.Indexes = reduceIndexes(t.PrimaryKey, raw)
		for _, fk := range dt.ForeignKeys {
			t.ForeignKeys = append(t.ForeignKeys, fkKey(strings.Join(fk.Columns, ","), fk.RefTable, strings.Join(fk.RefColumns, ",")))
		}
		sort.Strings(t.ForeignKeys)
		for _, ck := range dt.CheckConstraints {
			if strings.Contains(strings.ToLower(ck.Definition), "json_valid") {
				continue
			}
			n := "(unnamed)"
			if ck.Name != nil {
				n = *ck.Name
			}
			t.Checks = append(t.Checks, n)
		}
		sort.Strings(t.Checks)
		out[name] = t
	}
	return out
}

// FromInspect normalises what a pmanager editor's Inspect returned, leaving
// the history table out. MariaDB's automatic JSON validity checks (named
// after their column) and unnamed checks are left out as Django's are.
func FromInspect(d schema.Dialect, tables []schema.Table) Schema {
	out := Schema{}
	for _, st := range tables {
		if st.Name == schema.HistoryTable {
			continue
		}
		t := &Table{Columns: map[string]Column{}, PrimaryKey: append([]string(nil), st.PrimaryKey...)}
		for _, c := range st.Columns {
			t.Columns[c.Name] = Column{Type: TypeFamily(d, c.Type), Nullable: c.Nullable}
		}
		var raw []rawIndex
		for _, u := range st.Uniques {
			raw = append(raw, rawIndex{columns: u.Columns, unique: true, partial: u.Partial})
		}
		for _, idx := range st.Indexes {
			raw = append(raw, rawIndex{columns: idx.Columns, partial: idx.Partial})
		}
		t.Uniques, t.Indexes = reduceIndexes(t.PrimaryKey, raw)
		for _, fk := range st.ForeignKeys {
			t.ForeignKeys = append(t.ForeignKeys, fkKey(fk.Column, fk.RefTable, fk.RefColumn))
		}
		sort.Strings(t.ForeignKeys)
		for _, ck := range st.Checks {
			if _, isColumn := t.Columns[ck]; ck == "" || isColumn {
				continue
			}
			t.Checks = append(t.Checks, ck)
		}
		sort.Strings(t.Checks)
		out[st.Name] = t
	}
	return out
}

func fkKey(col, table, ref string) string { return col + " -> " + table + "." + ref }

// reduceIndexes splits unique and plain indexes into their normalised forms.
// A plain, non-partial index whose columns are the key's, or a leftmost
// prefix of another index or unique constraint, is left out: MySQL does not
// make an index that a longer one already provides (its foreign key indexes
// come and go that way), so neither side is held to one.
func reduceIndexes(pk []string, raw []rawIndex) (uniques, indexes []string) {
	uniqueSet, indexSet := map[string]bool{}, map[string]bool{}
	for _, r := range raw {
		if !r.unique {
			continue
		}
		cols := stripDirection(r.columns)
		if !r.partial && sameSet(cols, pk) {
			continue
		}
		sort.Strings(cols)
		key := strings.Join(cols, ",")
		if r.partial {
			key += " (partial)"
		}
		uniqueSet[key] = true
	}
	for i, r := range raw {
		if r.unique {
			continue
		}
		key := strings.Join(r.columns, ",")
		if r.partial {
			indexSet[key+" (partial)"] = true
			continue
		}
		if covered(r.columns, pk) || coveredByOther(i, r, raw) {
			continue
		}
		indexSet[key] = true
	}
	return sortedKeys(uniqueSet), sortedKeys(indexSet)
}

// coveredByOther reports whether another non-partial index or unique
// constraint of raw starts with r's columns and is longer, or is unique.
func coveredByOther(self int, r rawIndex, raw []rawIndex) bool {
	for j, o := range raw {
		if j == self || o.partial {
			continue
		}
		if len(o.columns) > len(r.columns) || (o.unique && len(o.columns) == len(r.columns)) {
			if covered(r.columns, o.columns) {
				return true
			}
		}
	}
	return false
}

// covered reports whether cols, all ascending, are a leftmost prefix of other.
func covered(cols, other []string) bool {
	if len(cols) == 0 || len(cols) > len(other) {
		return false
	}
	for i, c := range cols {
		if strings.HasPrefix(c, "-") || strings.TrimPrefix(other[i], "-") != c {
			return false
		}
	}
	return true
}

func stripDirection(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = strings.TrimPrefix(c, "-")
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	as, bs := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(as)
	sort.Strings(bs)
	for i := range as {
		if as[i] != bs[i] {
			return false
		}
	}
	return true
}

func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	displayWidth = regexp.MustCompile(`^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)( unsigned)?$`)
	lengthType   = regexp.MustCompile(`^(?:varchar|character varying|nvarchar)\((\d+)\)$`)
	charType     = regexp.MustCompile(`^(?:char|character|nchar)\((\d+)\)$`)
	numericType  = regexp.MustCompile(`^(?:decimal|numeric)\((\d+),\s*(\d+)\)$`)
)

// TypeFamily reduces a column type as a dialect spells it to a family both
// sides can be compared in: "int", "bigint", "smallint", "varchar(N)",
// "char(N)", "text", "jsonb", "boolean", "date", "datetime", "time",
// "decimal(P,S)" (SQLite: "decimal"), "float", "binary", "uuid". On SQLite
// bigint and int are one family: SQLite has a single integer storage class
// and pmanager spells every integer "integer" there. JSON on MySQL and
// SQLite is text, as both Django and the servers store it.
func TypeFamily(d schema.Dialect, raw string) string {
	t := strings.ToLower(strings.TrimSpace(raw))
	if t == "tinyint(1)" {
		return "boolean"
	}
	if m := displayWidth.FindStringSubmatch(t); m != nil {
		t = m[1]
	}
	if m := lengthType.FindStringSubmatch(t); m != nil {
		return "varchar(" + m[1] + ")"
	}
	if m := charType.FindStringSubmatch(t); m != nil {
		return "char(" + m[1] + ")"
	}
	if m := numericType.FindStringSubmatch(t); m != nil {
		return "decimal(" + m[1] + "," + m[2] + ")"
	}
	switch t {
	case "bool", "boolean":
		return "boolean"
	case "int", "integer", "mediumint", "int4", "serial":
		return "int"
	case "bigint", "int8", "bigserial":
		if d == schema.SQLite {
			return "int"
		}
		return "bigint"
	case "smallint", "int2":
		return "smallint"
	case "text", "longtext", "mediumtext", "json", "clob":
		return "text"
	case "jsonb":
		return "jsonb"
	case "date":
		return "date"
	case "datetime", "datetime(6)", "timestamp", "timestamp with time zone", "timestamptz", "timestamp(6) with time zone":
		return "datetime"
	case "time", "time(6)", "time without time zone":
		return "time"
	case "decimal", "numeric":
		return "decimal"
	case "real", "double", "double precision", "float", "float8":
		return "float"
	case "blob", "longblob", "bytea":
		return "binary"
	case "uuid":
		return "uuid"
	}
	return t
}

// Diff lists how got differs from want, one line each, empty when they
// agree; wantName and gotName label the two sides ("Django", "pmanager").
// Integer and bigint columns compare equal where they are a key or foreign
// key column of want: Django 3.2 makes integer AutoField keys, pmanager big
// ones, and foreign key columns follow their target's key.
func Diff(want, got Schema, wantName, gotName string) []string {
	var out []string
	for _, name := range want.TableNames() {
		if _, ok := got[name]; !ok {
			out = append(out, fmt.Sprintf("table %s: missing in %s", name, gotName))
		}
	}
	for _, name := range got.TableNames() {
		if _, ok := want[name]; !ok {
			out = append(out, fmt.Sprintf("table %s: %s has it, %s does not", name, gotName, wantName))
		}
	}
	for _, name := range want.TableNames() {
		if g, ok := got[name]; ok {
			out = append(out, diffTable(name, want[name], g, wantName, gotName)...)
		}
	}
	return out
}

func diffTable(name string, want, got *Table, wantName, gotName string) []string {
	var out []string
	add := func(format string, args ...any) {
		out = append(out, name+": "+fmt.Sprintf(format, args...))
	}
	keyish := map[string]bool{}
	for _, c := range want.PrimaryKey {
		keyish[c] = true
	}
	for _, fk := range want.ForeignKeys {
		keyish[strings.SplitN(fk, " -> ", 2)[0]] = true
	}
	for _, col := range sortedColumnNames(want.Columns) {
		w := want.Columns[col]
		g, ok := got.Columns[col]
		if !ok {
			add("column %s: missing in %s", col, gotName)
			continue
		}
		if w.Type != g.Type && !(keyish[col] && intFamily(w.Type) && intFamily(g.Type)) {
			add("column %s: type %s in %s, %s in %s", col, w.Type, wantName, g.Type, gotName)
		}
		if w.Nullable != g.Nullable {
			add("column %s: nullable %t in %s, %t in %s", col, w.Nullable, wantName, g.Nullable, gotName)
		}
	}
	for _, col := range sortedColumnNames(got.Columns) {
		if _, ok := want.Columns[col]; !ok {
			add("column %s: %s has it, %s does not", col, gotName, wantName)
		}
	}
	cmpList := func(what string, w, g []string) {
		if strings.Join(w, " | ") != strings.Join(g, " | ") {
			add("%s: %s [%s], %s [%s]", what, wantName, strings.Join(w, " | "), gotName, strings.Join(g, " | "))
		}
	}
	cmpList("primary key", want.PrimaryKey, got.PrimaryKey)
	cmpList("unique column sets", want.Uniques, got.Uniques)
	cmpList("indexed column sets", want.Indexes, got.Indexes)
	cmpList("foreign keys", want.ForeignKeys, got.ForeignKeys)
	if len(want.Checks) != len(got.Checks) {
		add("check constraints: %s %d [%s], %s %d [%s]", wantName, len(want.Checks), strings.Join(want.Checks, ", "),
			gotName, len(got.Checks), strings.Join(got.Checks, ", "))
	}
	return out
}

func intFamily(t string) bool { return t == "int" || t == "bigint" }

func sortedColumnNames(cols map[string]Column) []string {
	names := make([]string, 0, len(cols))
	for n := range cols {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
