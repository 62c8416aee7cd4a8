package schema

import (
	"fmt"
	"sort"
	"strings"
)

// DiffKind names one kind of difference between the tables a state
// implies and the tables a database holds. The values are stable words:
// the drift command prints them in its JSON.
type DiffKind string

// The kinds of difference Compare reports, by the object they are about.
const (
	TableMissing        DiffKind = "missing_table"
	TableExtra          DiffKind = "extra_table"
	ColumnMissing       DiffKind = "missing_column"
	ColumnExtra         DiffKind = "extra_column"
	ColumnType          DiffKind = "type"
	ColumnNull          DiffKind = "nullability"
	ColumnDefault       DiffKind = "default"
	ColumnAutoIncrement DiffKind = "auto_increment"
	ColumnOrder         DiffKind = "column_order"
	PrimaryKeyChanged   DiffKind = "primary_key"
	IndexMissing        DiffKind = "missing_index"
	IndexExtra          DiffKind = "extra_index"
	IndexChanged        DiffKind = "index"
	ConstraintMissing   DiffKind = "missing_constraint"
	ConstraintExtra     DiffKind = "extra_constraint"
	ConstraintChanged   DiffKind = "constraint"
	ForeignKeyMissing   DiffKind = "missing_foreign_key"
	ForeignKeyExtra     DiffKind = "extra_foreign_key"
	ForeignKeyChanged   DiffKind = "foreign_key"
	TableComment        DiffKind = "table_comment"
	ColumnComment       DiffKind = "comment"
)

// Difference is one way a live table differs from the table a state
// implies: the one comparison that the drift command and the tests that
// hold a migrated database to its state share.
type Difference struct {
	// Table is the table it is about.
	Table string
	// Kind says what differs.
	Kind DiffKind
	// Object names the column, index, constraint or foreign key ("" for
	// the table itself and its key); a foreign key is named by its column.
	Object string
	// Want is what the state implies, Got what the database holds, in
	// the words of the dialect's DDL; "" when there is nothing on that side.
	Want string
	Got  string
}

// String says the difference on one line, without its table.
func (d Difference) String() string {
	switch d.Kind {
	case TableMissing:
		return "missing table"
	case TableExtra:
		return "extra table"
	case ColumnMissing, IndexMissing, ConstraintMissing, ForeignKeyMissing:
		return fmt.Sprintf("missing %s: %s", d.object(), d.Want)
	case ColumnExtra, IndexExtra, ConstraintExtra, ForeignKeyExtra:
		return fmt.Sprintf("extra %s: %s", d.object(), d.Got)
	case ColumnOrder, PrimaryKeyChanged, TableComment:
		return fmt.Sprintf("%s is %s, expected %s", kindNoun(d.Kind), d.Got, d.Want)
	}
	return fmt.Sprintf("%s: %s is %s, expected %s", d.object(), kindAspect(d.Kind), d.Got, d.Want)
}

// object names what the difference is about: `column "name"`, or for a
// foreign key, which is known by its column, `foreign key of "maker_id"`.
func (d Difference) object() string {
	noun := kindNoun(d.Kind)
	if noun == "foreign key" {
		return fmt.Sprintf("foreign key of %q", d.Object)
	}
	return fmt.Sprintf("%s %q", noun, d.Object)
}

// kindNoun is the object a kind is about, as a message names it.
func kindNoun(k DiffKind) string {
	switch k {
	case ColumnMissing, ColumnExtra, ColumnType, ColumnNull, ColumnDefault, ColumnAutoIncrement, ColumnComment:
		return "column"
	case ColumnOrder:
		return "column order"
	case PrimaryKeyChanged:
		return "primary key"
	case TableComment:
		return "table comment"
	case IndexMissing, IndexExtra, IndexChanged:
		return "index"
	case ConstraintMissing, ConstraintExtra, ConstraintChanged:
		return "constraint"
	case ForeignKeyMissing, ForeignKeyExtra, ForeignKeyChanged:
		return "foreign key"
	}
	return "table"
}

// kindAspect is what of an object differs, for the kinds that change one.
func kindAspect(k DiffKind) string {
	switch k {
	case ColumnType:
		return "type"
	case ColumnNull:
		return "nullability"
	case ColumnDefault:
		return "default"
	case ColumnAutoIncrement:
		return "auto-increment"
	case ColumnComment, TableComment:
		return "comment"
	}
	return "definition"
}

// CompareOptions says what Compare holds a database to beyond its
// content.
type CompareOptions struct {
	// ColumnOrder reports columns in another order than the state's.
	// Off, columns are compared by name: PostgreSQL can only append a
	// column, so a column restored by undoing its removal comes last
	// there while the state keeps its place.
	ColumnOrder bool
	// OnlyWanted leaves out the tables of got that want does not have
	// (the tables of no model of the state), instead of reporting each
	// as TableExtra.
	OnlyWanted bool
}

// Compare lists every difference between want, the tables a state
// implies (Expecter.Expected), and got, the tables a database holds
// (Inspector.Inspect), both normalised by the dialect to the same
// vocabulary: table by table in name order, then within a table the
// table itself, its columns in the state's order, its key, its indexes,
// its constraints and its foreign keys, each by name. No difference means
// the database holds what the state says.
func Compare(want, got []Table, opts CompareOptions) []Difference {
	have := map[string]*Table{}
	for i := range got {
		have[got[i].Name] = &got[i]
	}
	var out []Difference
	seen := map[string]bool{}
	for i := range want {
		w := &want[i]
		seen[w.Name] = true
		g := have[w.Name]
		if g == nil {
			out = append(out, Difference{Table: w.Name, Kind: TableMissing})
			continue
		}
		out = append(out, compareTable(w, g, opts)...)
	}
	if !opts.OnlyWanted {
		for _, g := range got {
			if !seen[g.Name] {
				out = append(out, Difference{Table: g.Name, Kind: TableExtra})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Table < out[j].Table })
	return out
}

// compareTable lists the differences of one table present on both sides.
func compareTable(w, g *Table, opts CompareOptions) []Difference {
	var out []Difference
	if w.Comment != g.Comment {
		out = append(out, Difference{Table: w.Name, Kind: TableComment, Want: commentWords(w.Comment), Got: commentWords(g.Comment)})
	}
	out = append(out, compareColumns(w, g, opts)...)
	if !sameStrings(w.PrimaryKey, g.PrimaryKey) {
		out = append(out, Difference{Table: w.Name, Kind: PrimaryKeyChanged, Want: columnList(w.PrimaryKey), Got: columnList(g.PrimaryKey)})
	}
	out = append(out, compareNamed(w.Name, indexObjects(w.Indexes), indexObjects(g.Indexes), IndexMissing, IndexExtra, IndexChanged)...)
	out = append(out, compareNamed(w.Name, constraintObjects(w), constraintObjects(g), ConstraintMissing, ConstraintExtra, ConstraintChanged)...)
	out = append(out, compareNamed(w.Name, foreignKeyObjects(w.ForeignKeys), foreignKeyObjects(g.ForeignKeys), ForeignKeyMissing, ForeignKeyExtra, ForeignKeyChanged)...)
	return out
}

// compareColumns lists the missing, extra and changed columns of a table,
// and with opts.ColumnOrder the order of the columns both sides have.
func compareColumns(w, g *Table, opts CompareOptions) []Difference {
	var out []Difference
	have := map[string]*Column{}
	for i := range g.Columns {
		have[g.Columns[i].Name] = &g.Columns[i]
	}
	wanted := map[string]bool{}
	var wantOrder []string
	for i := range w.Columns {
		wc := &w.Columns[i]
		wanted[wc.Name] = true
		gc := have[wc.Name]
		if gc == nil {
			out = append(out, Difference{Table: w.Name, Kind: ColumnMissing, Object: wc.Name, Want: ColumnSpec(*wc)})
			continue
		}
		wantOrder = append(wantOrder, wc.Name)
		col := func(k DiffKind, want, got string) {
			out = append(out, Difference{Table: w.Name, Kind: k, Object: wc.Name, Want: want, Got: got})
		}
		if wc.Type != gc.Type {
			col(ColumnType, wc.Type, gc.Type)
		}
		if wc.Nullable != gc.Nullable {
			col(ColumnNull, nullWords(wc.Nullable), nullWords(gc.Nullable))
		}
		if wd, gd := defaultWords(*wc), defaultWords(*gc); wd != gd {
			col(ColumnDefault, wd, gd)
		}
		if wc.AutoIncrement != gc.AutoIncrement {
			col(ColumnAutoIncrement, autoWords(wc.AutoIncrement), autoWords(gc.AutoIncrement))
		}
		if wc.Comment != gc.Comment {
			col(ColumnComment, commentWords(wc.Comment), commentWords(gc.Comment))
		}
	}
	var gotOrder []string
	for _, gc := range g.Columns {
		if !wanted[gc.Name] {
			out = append(out, Difference{Table: w.Name, Kind: ColumnExtra, Object: gc.Name, Got: ColumnSpec(gc)})
			continue
		}
		gotOrder = append(gotOrder, gc.Name)
	}
	if opts.ColumnOrder && !sameStrings(wantOrder, gotOrder) {
		out = append(out, Difference{Table: w.Name, Kind: ColumnOrder, Want: columnList(wantOrder), Got: columnList(gotOrder)})
	}
	return out
}

// ColumnSpec says a column as DDL would: its type, NOT NULL, its default
// and auto-increment.
func ColumnSpec(c Column) string {
	s := c.Type
	if !c.Nullable {
		s += " NOT NULL"
	}
	if d := defaultWords(c); d != noDefault {
		s += " DEFAULT " + d
	}
	if c.AutoIncrement {
		s += " auto-increment"
	}
	return s
}

func nullWords(null bool) string {
	if null {
		return "NULL"
	}
	return "NOT NULL"
}

// commentWords says a comment as SQL quotes it, or none.
func commentWords(c string) string {
	if c == "" {
		return noDefault
	}
	return "'" + strings.ReplaceAll(c, "'", "''") + "'"
}

func autoWords(auto bool) string {
	if auto {
		return "on"
	}
	return "off"
}

// noDefault is what defaultWords says of a column without a default.
const noDefault = "none"

// defaultWords says a column's default: a literal, quoted as SQL quotes
// it, a default the database computes (now, uuid), or none.
func defaultWords(c Column) string {
	var parts []string
	if c.Default != nil {
		parts = append(parts, "'"+strings.ReplaceAll(*c.Default, "'", "''")+"'")
	}
	if c.DBDefault != "" {
		parts = append(parts, c.DBDefault+" (computed by the database)")
	}
	if len(parts) == 0 {
		return noDefault
	}
	return strings.Join(parts, " and ")
}

// named is an index, constraint or foreign key reduced to its name and
// the words that define it, for comparison by name.
type named struct {
	name string
	// def is the definition, "UNIQUE (a, b)", "CHECK", ...: a unique
	// constraint that became a check of the same name is a change.
	def string
}

func indexObjects(ix []Index) []named {
	out := make([]named, len(ix))
	for i, x := range ix {
		out[i] = named{name: x.Name, def: partialWords("INDEX "+columnList(x.Columns), x.Partial)}
	}
	return out
}

// constraintObjects are a table's unique constraints (unique indexes
// alike) and checks.
func constraintObjects(t *Table) []named {
	out := make([]named, 0, len(t.Uniques)+len(t.Checks))
	for _, u := range t.Uniques {
		out = append(out, named{name: u.Name, def: partialWords("UNIQUE "+columnList(u.Columns), u.Partial)})
	}
	for _, c := range t.Checks {
		out = append(out, named{name: c, def: "CHECK"})
	}
	return out
}

// foreignKeyObjects names each foreign key by its column: SQLite's are
// unnamed, and a column has one foreign key; the constraint's name is
// part of its definition.
func foreignKeyObjects(fks []ForeignKey) []named {
	out := make([]named, len(fks))
	for i, fk := range fks {
		def := fmt.Sprintf("REFERENCES %s (%s) ON DELETE %s", fk.RefTable, fk.RefColumn, fk.OnDelete)
		if fk.Name != "" {
			def = fmt.Sprintf("%s, named %s", def, fk.Name)
		}
		out[i] = named{name: fk.Column, def: def}
	}
	return out
}

func partialWords(s string, partial bool) string {
	if partial {
		return s + " WHERE ..."
	}
	return s
}

// compareNamed pairs want's objects with got's by name. An object missing
// by one name and extra by another with the same definition is one
// object under another name: one change, not a missing and an extra.
func compareNamed(table string, want, got []named, missing, extra, changed DiffKind) []Difference {
	have := map[string]named{}
	for _, g := range got {
		have[g.name] = g
	}
	wanted := map[string]bool{}
	var out, lost []Difference
	for _, w := range want {
		wanted[w.name] = true
		g, ok := have[w.name]
		switch {
		case !ok:
			lost = append(lost, Difference{Table: table, Kind: missing, Object: w.name, Want: w.def})
		case g.def != w.def:
			out = append(out, Difference{Table: table, Kind: changed, Object: w.name, Want: w.def, Got: g.def})
		}
	}
	var found []Difference
	for _, g := range got {
		if !wanted[g.name] {
			found = append(found, Difference{Table: table, Kind: extra, Object: g.name, Got: g.def})
		}
	}
	// Foreign keys are paired by column already: a name is part of
	// their definition.
	for i := 0; missing != ForeignKeyMissing && i < len(lost); i++ {
		for j := range found {
			if found[j].Kind == extra && found[j].Got == lost[i].Want {
				lost[i] = Difference{Table: table, Kind: changed, Object: lost[i].Object,
					Want: lost[i].Want + " named " + lost[i].Object, Got: found[j].Got + " named " + found[j].Object}
				found[j].Kind = "" // paired
				break
			}
		}
	}
	out = append(out, lost...)
	for _, f := range found {
		if f.Kind != "" {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Object < out[j].Object })
	return out
}

// columnList writes columns as "(a, b)".
func columnList(cols []string) string { return "(" + strings.Join(cols, ", ") + ")" }

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
