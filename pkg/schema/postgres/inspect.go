package postgres

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Inspector reads a live PostgreSQL schema back (Inspect) and says what it
// should hold for a state (Expected). It renders no DDL; the zero value is
// ready to use.
type Inspector struct{}

// The inspector's two abilities, checked at compile time.
var (
	_ schema.Inspector = Inspector{}
	_ schema.Expecter  = Inspector{}
)

// The catalog queries of Inspect. Every one is limited to the ordinary and
// partitioned tables (not partitions) of current_schema().
const (
	tablesQuery = `
SELECT c.relname, COALESCE(obj_description(c.oid, 'pg_class'), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition`

	columnsQuery = `
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.attidentity::text, d.adbin IS NOT NULL, COALESCE(pg_get_expr(d.adbin, d.adrelid), ''),
       COALESCE(col_description(c.oid, a.attnum), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum`

	// indexesQuery yields one row per key column of every index; an
	// expression column has no attname and is spelled by pg_get_indexdef.
	indexesQuery = `
SELECT t.relname, i.relname, x.indisunique, x.indisprimary, x.indpred IS NOT NULL,
       COALESCE(a.attname, pg_get_indexdef(x.indexrelid, k.ord::int, true)),
       (x.indoption[(k.ord - 1)::int] & 1) = 1
FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0
WHERE n.nspname = current_schema() AND t.relkind IN ('r', 'p') AND NOT t.relispartition
  AND k.ord <= x.indnkeyatts
ORDER BY t.relname, i.relname, k.ord`

	foreignKeysQuery = `
SELECT t.relname, c.conname, a.attname, rt.relname, ra.attname, c.confdeltype::text
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class rt ON rt.oid = c.confrelid
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, refcol)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refcol
WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relkind IN ('r', 'p') AND NOT t.relispartition`

	checksQuery = `
SELECT t.relname, c.conname
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE c.contype = 'c' AND n.nspname = current_schema() AND t.relkind IN ('r', 'p') AND NOT t.relispartition`
)

// Inspect reads every base table of current_schema() (the history table
// included) and normalises it to the vocabulary of Expected: types as the
// editor writes them, identity and serial columns as AutoIncrement, defaults
// as the bare literal, unique constraints and unique indexes in Uniques, the
// primary key's index hidden, descending index columns prefixed with "-".
func (Inspector) Inspect(ctx context.Context, db schema.ExecQuerier) ([]schema.Table, error) {
	tables := map[string]*schema.Table{}
	err := query(ctx, db, tablesQuery, func(scan func(...any) error) error {
		var name, comment string
		if err := scan(&name, &comment); err != nil {
			return err
		}
		tables[name] = &schema.Table{Name: name, Comment: comment}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: inspect tables: %w", err)
	}
	steps := []struct {
		what string
		fn   func(context.Context, schema.ExecQuerier, map[string]*schema.Table) error
	}{
		{"columns", inspectColumns},
		{"indexes", inspectIndexes},
		{"foreign keys", inspectForeignKeys},
		{"checks", inspectChecks},
	}
	for _, s := range steps {
		if err := s.fn(ctx, db, tables); err != nil {
			return nil, fmt.Errorf("postgres: inspect %s: %w", s.what, err)
		}
	}
	out := make([]schema.Table, 0, len(tables))
	for _, t := range tables {
		schema.SortTable(t)
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// query runs q and calls row for every result row.
func query(ctx context.Context, db schema.ExecQuerier, q string, row func(scan func(...any) error) error) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func inspectColumns(ctx context.Context, db schema.ExecQuerier, tables map[string]*schema.Table) error {
	return query(ctx, db, columnsQuery, func(scan func(...any) error) error {
		var table, name, typ, identity, expr, comment string
		var notNull, hasDefault bool
		if err := scan(&table, &name, &typ, &notNull, &identity, &hasDefault, &expr, &comment); err != nil {
			return err
		}
		t := tables[table]
		if t == nil {
			return nil // created after the tables query ran
		}
		col := schema.Column{Name: name, Type: normaliseType(typ), Nullable: !notNull, AutoIncrement: identity != "", Comment: comment}
		if hasDefault {
			value, kind := parseDefault(expr)
			switch kind {
			case defaultSequence:
				col.AutoIncrement = true
			case defaultValue:
				if d := dbDefaultOf(expr); d != "" {
					col.DBDefault = string(d)
					break
				}
				if col.Type == "timestamp with time zone" {
					value = canonicalTimestamp(value)
				}
				col.Default = &value
			}
		}
		t.Columns = append(t.Columns, col)
		return nil
	})
}

func inspectIndexes(ctx context.Context, db schema.ExecQuerier, tables map[string]*schema.Table) error {
	type index struct {
		table, name              string
		unique, primary, partial bool
		cols                     []string
	}
	var all []*index
	err := query(ctx, db, indexesQuery, func(scan func(...any) error) error {
		var table, name, col string
		var unique, primary, partial, desc bool
		if err := scan(&table, &name, &unique, &primary, &partial, &col, &desc); err != nil {
			return err
		}
		if desc {
			col = "-" + col
		}
		if n := len(all); n > 0 && all[n-1].table == table && all[n-1].name == name {
			all[n-1].cols = append(all[n-1].cols, col)
			return nil
		}
		all = append(all, &index{table: table, name: name, unique: unique, primary: primary, partial: partial, cols: []string{col}})
		return nil
	})
	if err != nil {
		return err
	}
	for _, idx := range all {
		t := tables[idx.table]
		switch {
		case t == nil:
		case idx.primary:
			t.PrimaryKey = idx.cols
		case idx.unique:
			t.Uniques = append(t.Uniques, schema.Unique{Name: idx.name, Columns: idx.cols, Partial: idx.partial})
		default:
			t.Indexes = append(t.Indexes, schema.Index{Name: idx.name, Columns: idx.cols, Partial: idx.partial})
		}
	}
	return nil
}

// onDeleteActions maps pg_constraint.confdeltype to the SQL action.
var onDeleteActions = map[string]string{
	"a": "NO ACTION",
	"r": "RESTRICT",
	"c": "CASCADE",
	"n": "SET NULL",
	"d": "SET DEFAULT",
}

func inspectForeignKeys(ctx context.Context, db schema.ExecQuerier, tables map[string]*schema.Table) error {
	return query(ctx, db, foreignKeysQuery, func(scan func(...any) error) error {
		var fk schema.ForeignKey
		var table, action string
		if err := scan(&table, &fk.Name, &fk.Column, &fk.RefTable, &fk.RefColumn, &action); err != nil {
			return err
		}
		fk.OnDelete = onDeleteActions[action]
		if fk.OnDelete == "" {
			fk.OnDelete = action
		}
		if t := tables[table]; t != nil {
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
		return nil
	})
}

func inspectChecks(ctx context.Context, db schema.ExecQuerier, tables map[string]*schema.Table) error {
	return query(ctx, db, checksQuery, func(scan func(...any) error) error {
		var table, name string
		if err := scan(&table, &name); err != nil {
			return err
		}
		if t := tables[table]; t != nil {
			t.Checks = append(t.Checks, name)
		}
		return nil
	})
}

// normaliseType turns format_type's spelling into the editor's.
func normaliseType(t string) string {
	switch {
	case strings.HasPrefix(t, "character varying"):
		return "varchar" + strings.TrimPrefix(t, "character varying")
	case strings.HasPrefix(t, "character("), t == "character":
		return "char" + strings.TrimPrefix(t, "character")
	case strings.HasPrefix(t, "time") && strings.HasSuffix(t, " without time zone"):
		return strings.TrimSuffix(t, " without time zone")
	}
	return t
}

// defaultKind classifies a column default expression.
type defaultKind int

const (
	defaultNull     defaultKind = iota // DEFAULT NULL: no default
	defaultValue                       // a constant or, verbatim, any other expression
	defaultSequence                    // nextval(...): a serial column
)

var (
	// castSuffix matches a chain of casts such as ::character varying or
	// ::numeric(10,2) or ::"char".
	castSuffix = regexp.MustCompile(`^(::("[^"]+"|[a-zA-Z_][a-zA-Z0-9_ ]*)(\([0-9, ]*\))?(\[\])*)*$`)
	bareConst  = regexp.MustCompile(`^(-?[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?|true|false|NULL)$`)
)

// parseDefault reduces pg_get_expr's rendering of a default to the literal
// the state holds: 'KE'::character varying → KE, '-5'::integer → -5,
// true → true. Any other expression is returned verbatim.
func parseDefault(expr string) (string, defaultKind) {
	s := strings.TrimSpace(expr)
	if strings.HasPrefix(strings.ToLower(s), "nextval(") {
		return "", defaultSequence
	}
	if value, rest, ok := unquote(s); ok && castSuffix.MatchString(rest) {
		return value, defaultValue
	}
	head, rest := s, ""
	if i := strings.Index(s, "::"); i >= 0 {
		head, rest = s[:i], s[i:]
	}
	if bareConst.MatchString(head) && castSuffix.MatchString(rest) {
		if head == "NULL" {
			return "", defaultNull
		}
		return head, defaultValue
	}
	return s, defaultValue
}

// unquote reads a leading string literal ('...' or E'...') off s, returning
// its value and what follows it.
func unquote(s string) (value, rest string, ok bool) {
	escapes := false
	switch {
	case strings.HasPrefix(s, "'"):
		s = s[1:]
	case strings.HasPrefix(s, "E'"), strings.HasPrefix(s, "e'"):
		s, escapes = s[2:], true
	default:
		return "", "", false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			return b.String(), s[i+1:], true
		case c == '\\' && escapes && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// checkClausesQuery reads each check constraint's definition, pretty
// printed ("CHECK (price >= 0)").
const checkClausesQuery = `
SELECT t.relname, c.conname, pg_get_constraintdef(c.oid, true)
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE c.contype = 'c' AND n.nspname = current_schema() AND t.relkind IN ('r', 'p') AND NOT t.relispartition
ORDER BY t.relname, c.conname`

// The optional ability of reading check expressions, checked at compile time.
var _ schema.CheckReader = Inspector{}

// InspectCheckClauses reads the expression of every check constraint of
// current_schema()'s tables, as PostgreSQL prints it back.
func (Inspector) InspectCheckClauses(ctx context.Context, db schema.ExecQuerier) ([]schema.CheckClause, error) {
	var out []schema.CheckClause
	err := query(ctx, db, checkClausesQuery, func(scan func(...any) error) error {
		var c schema.CheckClause
		var def string
		if err := scan(&c.Table, &c.Name, &def); err != nil {
			return err
		}
		c.SQL = checkExpression(def)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: inspect check clauses: %w", err)
	}
	return out, nil
}

// checkExpression takes the expression out of a constraint definition:
// "CHECK ((a > 0)) NOT VALID" → "(a > 0)".
func checkExpression(def string) string {
	s := strings.TrimSpace(def)
	s = strings.TrimSpace(strings.TrimSuffix(s, "NOT VALID"))
	s = strings.TrimSpace(strings.TrimPrefix(s, "CHECK"))
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && schema.Balanced(s[1:len(s)-1]) {
		s = s[1 : len(s)-1]
	}
	return s
}

// indexConditionsQuery reads the predicate of every partial index.
const indexConditionsQuery = `
SELECT t.relname, i.relname, pg_get_expr(x.indpred, x.indrelid, true)
FROM pg_index x
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND t.relkind IN ('r', 'p') AND NOT t.relispartition
  AND x.indpred IS NOT NULL
ORDER BY t.relname, i.relname`

// The optional ability of reading partial index predicates, checked at compile time.
var _ schema.ConditionReader = Inspector{}

// InspectIndexConditions reads the predicate of every partial index of
// current_schema()'s tables, as PostgreSQL prints it back.
func (Inspector) InspectIndexConditions(ctx context.Context, db schema.ExecQuerier) ([]schema.IndexCondition, error) {
	var out []schema.IndexCondition
	err := query(ctx, db, indexConditionsQuery, func(scan func(...any) error) error {
		var c schema.IndexCondition
		if err := scan(&c.Table, &c.Index, &c.SQL); err != nil {
			return err
		}
		if s := strings.TrimSpace(c.SQL); strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && schema.Balanced(s[1:len(s)-1]) {
			c.SQL = s[1 : len(s)-1]
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: inspect index conditions: %w", err)
	}
	return out, nil
}

// pgTypeAliases are the names PostgreSQL accepts for a type and the name
// format_type reports (after normaliseType) in their place.
var pgTypeAliases = map[string]string{
	"int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint",
	"float8": "double precision", "float": "double precision", "float4": "real",
	"bool": "boolean", "decimal": "numeric", "character varying": "varchar", "character": "char",
	"timestamptz": "timestamp with time zone", "timestamp without time zone": "timestamp",
	"timetz": "time with time zone", "time without time zone": "time", "varbit": "bit varying",
	"bpchar": "char",
}

// canonicalSQLType is a spelled (escape-hatch) column type as Inspect
// reports it back: lower case, the alias's reported name (int4 is
// integer, character varying(255) is varchar(255)), char as char(1).
func canonicalSQLType(typ string) string {
	base, rest := schema.TidySQLType(typ)
	if to, ok := pgTypeAliases[base]; ok {
		base = to
	}
	if base == "char" && !strings.HasPrefix(rest, "(") {
		rest = "(1)" + rest
	}
	return normaliseType(base + rest)
}
