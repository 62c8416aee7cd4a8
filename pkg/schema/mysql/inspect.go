package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Inspector reads a live MySQL/MariaDB schema back (Inspect) and says what it
// should hold for a state (Expected). It renders no DDL; the zero value is
// ready to use.
type Inspector struct{}

// The inspector's two abilities, checked at compile time.
var (
	_ schema.Inspector = Inspector{}
	_ schema.Expecter  = Inspector{}
)

// Inspect reads every base table of the current database (DATABASE()) from
// information_schema, normalised to the vocabulary of Expected: integer
// display widths dropped, tinyint(1) as bool, MariaDB's longtext-with-
// json_valid-check as json (the check hidden), defaults unquoted and
// canonicalised, the primary key's index hidden, descending index columns
// prefixed "-", everything sorted by name.
//
// On a Galera node a concurrent schema change elsewhere in the cluster
// (Total Order Isolation) may abort a read of information_schema with a
// deadlock error; the inspection, which only reads, is then made again.
func (Inspector) Inspect(ctx context.Context, db schema.ExecQuerier) ([]schema.Table, error) {
	for attempt := 1; ; attempt++ {
		tables, err := inspect(ctx, db)
		var me *gomysql.MySQLError
		if attempt == inspectAttempts || !errors.As(err, &me) || me.Number != 1213 {
			return tables, err
		}
		t := time.NewTimer(time.Duration(attempt) * 20 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// inspectAttempts bounds how often Inspect reads again after a Galera
// abort.
const inspectAttempts = 5

// inspect is one attempt of Inspect.
func inspect(ctx context.Context, db schema.ExecQuerier) ([]schema.Table, error) {
	var version string
	var database sql.NullString
	err := queryEach(ctx, db, "SELECT VERSION(), DATABASE()", func(rows *sql.Rows) error {
		return rows.Scan(&version, &database)
	})
	if err != nil {
		return nil, err
	}
	if !database.Valid {
		return nil, fmt.Errorf("mysql: inspect: the connection has no current database")
	}
	in := &inspection{mariadb: strings.Contains(strings.ToLower(version), "mariadb"), tables: map[string]*schema.Table{}}
	steps := []func(context.Context, schema.ExecQuerier) error{in.readTables, in.readChecks, in.readColumns, in.readIndexes, in.readForeignKeys}
	for _, step := range steps {
		if err := step(ctx, db); err != nil {
			return nil, err
		}
	}
	out := make([]schema.Table, 0, len(in.tables))
	for _, t := range in.tables {
		schema.SortTable(t)
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// inspection collects one Inspect call's results as its queries run.
type inspection struct {
	mariadb bool
	tables  map[string]*schema.Table
	// checks holds each table's check clauses by constraint name.
	checks map[string]map[string]string
}

// queryEach runs query and calls scan for every row.
func queryEach(ctx context.Context, db schema.ExecQuerier, query string, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("mysql: inspect: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("mysql: inspect: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mysql: inspect: %w", err)
	}
	return nil
}

// readTables lists the base tables of the current database (views excluded).
func (in *inspection) readTables(ctx context.Context, db schema.ExecQuerier) error {
	const q = `SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'`
	return queryEach(ctx, db, q, func(rows *sql.Rows) error {
		var name, comment string
		if err := rows.Scan(&name, &comment); err != nil {
			return err
		}
		in.tables[name] = &schema.Table{Name: name, Comment: comment}
		return nil
	})
}

// readChecks reads check constraints. MariaDB's CHECK_CONSTRAINTS names the
// table (its check names are per table); MySQL's does not, so there they
// are found through TABLE_CONSTRAINTS.
func (in *inspection) readChecks(ctx context.Context, db schema.ExecQuerier) error {
	q := `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()`
	if !in.mariadb {
		q = `SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'`
	}
	in.checks = map[string]map[string]string{}
	return queryEach(ctx, db, q, func(rows *sql.Rows) error {
		var table, name, clause string
		if err := rows.Scan(&table, &name, &clause); err != nil {
			return err
		}
		if in.checks[table] == nil {
			in.checks[table] = map[string]string{}
		}
		in.checks[table][name] = clause
		return nil
	})
}

// jsonCheck reports whether table has MariaDB's automatic CHECK
// (json_valid(`col`)), named after the column, that marks a json column.
func (in *inspection) jsonCheck(table, column string) bool {
	clause, ok := in.checks[table][column]
	if !ok {
		return false
	}
	want := "json_valid(`" + strings.ReplaceAll(column, "`", "``") + "`)"
	return strings.EqualFold(strings.TrimSpace(clause), want)
}

// readColumns reads every column in table order, recognising MariaDB's json
// columns, then files the checks that are not their automatic json_valid.
func (in *inspection) readColumns(ctx context.Context, db schema.ExecQuerier) error {
	const q = `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`
	hidden := map[string]map[string]bool{}
	err := queryEach(ctx, db, q, func(rows *sql.Rows) error {
		var table, name, dataType, columnType, nullable, extra, comment string
		var def sql.NullString
		if err := rows.Scan(&table, &name, &dataType, &columnType, &nullable, &def, &extra, &comment); err != nil {
			return err
		}
		t := in.tables[table]
		if t == nil {
			return nil // a view's column
		}
		isJSON := in.mariadb && strings.EqualFold(dataType, "longtext") && in.jsonCheck(table, name)
		if isJSON {
			if hidden[table] == nil {
				hidden[table] = map[string]bool{}
			}
			hidden[table][name] = true
		}
		typ := normaliseType(columnType, isJSON)
		t.Columns = append(t.Columns, schema.Column{
			Name:          name,
			Type:          typ,
			Nullable:      strings.EqualFold(nullable, "YES"),
			Default:       in.normaliseDefault(typ, def, extra),
			DBDefault:     string(in.dbDefault(def, extra)),
			AutoIncrement: strings.Contains(strings.ToLower(extra), "auto_increment"),
			Comment:       comment,
		})
		return nil
	})
	if err != nil {
		return err
	}
	for table, checks := range in.checks {
		t := in.tables[table]
		if t == nil {
			continue
		}
		for name := range checks {
			if !hidden[table][name] {
				t.Checks = append(t.Checks, name)
			}
		}
	}
	return nil
}

// normaliseType turns information_schema's COLUMN_TYPE into the spelling
// the editor writes: lower case, integer display widths dropped ("int(11)"
// is "int"), tinyint(1) as bool, MariaDB's json longtext as json.
func normaliseType(columnType string, isJSON bool) string {
	if isJSON {
		return "json"
	}
	typ := strings.ToLower(strings.TrimSpace(columnType))
	if typ == "tinyint(1)" {
		return "bool"
	}
	if isIntegerType(typ) {
		if open := strings.IndexByte(typ, '('); open >= 0 {
			if end := strings.IndexByte(typ[open:], ')'); end >= 0 {
				typ = typ[:open] + typ[open+end+1:]
			}
		}
	}
	return typ
}

// normaliseDefault turns COLUMN_DEFAULT into the raw literal value: MariaDB
// quotes string defaults ('KE') and says NULL for none; MySQL 8 gives
// literals bare and expressions (DEFAULT_GENERATED) with a charset
// introducer. The value is then canonicalised like Expected's.
func (in *inspection) normaliseDefault(typ string, def sql.NullString, extra string) *string {
	if !def.Valid {
		return nil
	}
	v := def.String
	switch {
	case in.dbDefault(def, extra) != "":
		return nil // a db_default: reported in Column.DBDefault
	case in.mariadb && v == "NULL":
		return nil
	case in.mariadb:
		if s, ok := unquoteLiteral(v); ok {
			v = s
		}
	case strings.Contains(strings.ToLower(extra), "default_generated"):
		v = mysqlExpressionValue(v)
	}
	v = canonicalDefault(typ, v)
	return &v
}

// dbDefault recognises a db_default expression; MariaDB quotes string
// literals and MySQL 8 marks expressions DEFAULT_GENERATED, so a string
// default that merely reads "now()" is never taken for one.
func (in *inspection) dbDefault(def sql.NullString, extra string) state.DBDefault {
	if !def.Valid || (!in.mariadb && !strings.Contains(strings.ToLower(extra), "default_generated")) {
		return ""
	}
	return dbDefaultOf(def.String)
}

// mysqlExpressionValue recovers a constant from a MySQL 8 expression
// default such as _utf8mb4\'abc\' (how ('abc') on a text column reads back).
// Anything else (CURRENT_TIMESTAMP(6), real expressions) is kept as is.
func mysqlExpressionValue(v string) string {
	s := strings.TrimSpace(v)
	if strings.HasPrefix(s, "_") {
		i := 1
		for i < len(s) && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			i++
		}
		s = s[i:]
	}
	if strings.HasPrefix(s, `\'`) && strings.HasSuffix(s, `\'`) && len(s) >= 4 {
		s = "'" + strings.ReplaceAll(s[2:len(s)-2], `\'`, `'`) + "'"
	}
	if lit, ok := unquoteLiteral(s); ok {
		return lit
	}
	return v
}

// unquoteLiteral reads a single-quoted SQL string literal: a doubled quote
// and \' are one quote, and backslash escapes (\\, \n, \t, \r, \0, \b,
// \Z) are decoded. It reports false when s is not one whole literal.
func unquoteLiteral(s string) (string, bool) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	inner := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		switch {
		case c == '\'' && i+1 < len(inner) && inner[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			return "", false // an unescaped quote: not one literal
		case c == '\\' && i+1 < len(inner):
			i++
			b.WriteByte(unescape(inner[i]))
		case c == '\\':
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// unescape decodes the character after a backslash in a MySQL string.
func unescape(c byte) byte {
	switch c {
	case '0':
		return 0
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'Z':
		return 0x1a
	}
	return c
}

// readIndexes reads indexes: PRIMARY becomes the primary key, unique ones
// Uniques, the rest Indexes, descending columns prefixed "-".
func (in *inspection) readIndexes(ctx context.Context, db schema.ExecQuerier) error {
	const q = `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`
	type index struct {
		table, name string
		unique      bool
		cols        []string
	}
	var order []string
	found := map[string]*index{}
	err := queryEach(ctx, db, q, func(rows *sql.Rows) error {
		var table, name string
		var nonUnique int
		var column, collation sql.NullString
		if err := rows.Scan(&table, &name, &nonUnique, &column, &collation); err != nil {
			return err
		}
		key := table + "\x00" + name
		idx := found[key]
		if idx == nil {
			idx = &index{table: table, name: name, unique: nonUnique == 0}
			found[key] = idx
			order = append(order, key)
		}
		col := column.String
		if !column.Valid {
			col = "(expression)"
		}
		if collation.String == "D" {
			col = "-" + col
		}
		idx.cols = append(idx.cols, col)
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range order {
		idx := found[key]
		t := in.tables[idx.table]
		switch {
		case t == nil:
		case idx.name == "PRIMARY":
			t.PrimaryKey = idx.cols
		case idx.unique:
			t.Uniques = append(t.Uniques, schema.Unique{Name: idx.name, Columns: idx.cols})
		default:
			t.Indexes = append(t.Indexes, schema.Index{Name: idx.name, Columns: idx.cols})
		}
	}
	return nil
}

// readForeignKeys reads foreign keys; the columns of a multi-column key
// (pmanager creates none) are joined with commas.
func (in *inspection) readForeignKeys(ctx context.Context, db schema.ExecQuerier) error {
	const q = `SELECT kcu.TABLE_NAME, kcu.CONSTRAINT_NAME, kcu.COLUMN_NAME,
  kcu.REFERENCED_TABLE_NAME, kcu.REFERENCED_COLUMN_NAME, rc.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE kcu
JOIN information_schema.REFERENTIAL_CONSTRAINTS rc
  ON rc.CONSTRAINT_SCHEMA = kcu.CONSTRAINT_SCHEMA AND rc.TABLE_NAME = kcu.TABLE_NAME
 AND rc.CONSTRAINT_NAME = kcu.CONSTRAINT_NAME
WHERE kcu.TABLE_SCHEMA = DATABASE() AND kcu.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY kcu.TABLE_NAME, kcu.CONSTRAINT_NAME, kcu.ORDINAL_POSITION`
	var order []string
	found := map[string]*schema.ForeignKey{}
	tableOf := map[string]string{}
	err := queryEach(ctx, db, q, func(rows *sql.Rows) error {
		var table, name, column, refTable, refColumn, rule string
		if err := rows.Scan(&table, &name, &column, &refTable, &refColumn, &rule); err != nil {
			return err
		}
		key := table + "\x00" + name
		if fk := found[key]; fk != nil {
			fk.Column += "," + column
			fk.RefColumn += "," + refColumn
			return nil
		}
		found[key] = &schema.ForeignKey{Name: name, Column: column, RefTable: refTable, RefColumn: refColumn, OnDelete: strings.ToUpper(rule)}
		tableOf[key] = table
		order = append(order, key)
		return nil
	})
	if err != nil {
		return err
	}
	for _, key := range order {
		if t := in.tables[tableOf[key]]; t != nil {
			t.ForeignKeys = append(t.ForeignKeys, *found[key])
		}
	}
	return nil
}

// The optional ability of reading check expressions, checked at compile time.
var _ schema.CheckReader = Inspector{}

// InspectCheckClauses reads the expression of every check constraint of
// the current database's tables, leaving out MariaDB's automatic
// json_valid check of a json column (Inspect reports that column as json).
func (Inspector) InspectCheckClauses(ctx context.Context, db schema.ExecQuerier) ([]schema.CheckClause, error) {
	var version string
	err := queryEach(ctx, db, "SELECT VERSION()", func(rows *sql.Rows) error { return rows.Scan(&version) })
	if err != nil {
		return nil, err
	}
	in := &inspection{mariadb: strings.Contains(strings.ToLower(version), "mariadb"), tables: map[string]*schema.Table{}}
	if err := in.readChecks(ctx, db); err != nil {
		return nil, err
	}
	var out []schema.CheckClause
	for table, checks := range in.checks {
		for name, clause := range checks {
			if in.mariadb && in.jsonCheck(table, name) {
				continue
			}
			out = append(out, schema.CheckClause{Table: table, Name: name, SQL: strings.TrimSpace(clause)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table < out[j].Table
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// mysqlTypeAliases are the names MySQL accepts for a type and the name
// COLUMN_TYPE reports in their place.
var mysqlTypeAliases = map[string]string{
	"integer": "int", "int4": "int", "int8": "bigint", "int2": "smallint", "int1": "tinyint", "int3": "mediumint",
	"middleint": "mediumint", "boolean": "tinyint(1)", "bool": "tinyint(1)", "dec": "decimal", "numeric": "decimal",
	"fixed": "decimal", "double precision": "double", "real": "double", "float8": "double", "float4": "float",
	"character varying": "varchar", "character": "char", "long varchar": "mediumtext", "long": "mediumtext",
}

// canonicalSQLType is a spelled (escape-hatch) column type as Inspect
// reports it back: lower case, the alias's reported name (integer is int,
// numeric is decimal), decimal and char with their default sizes, integer
// display widths dropped as normaliseType drops them.
func canonicalSQLType(typ string) string {
	base, rest := schema.TidySQLType(typ)
	word, after, _ := strings.Cut(base, " ")
	if to, ok := mysqlTypeAliases[base]; ok {
		base = to
	} else if to, ok := mysqlTypeAliases[word]; ok {
		base = strings.TrimSpace(to + " " + after)
	}
	first := base
	if i := strings.IndexByte(first, ' '); i >= 0 && !strings.HasPrefix(rest, "(") {
		first = first[:i]
	}
	switch {
	case first == "decimal" && !strings.HasPrefix(rest, "("):
		base = "decimal(10,0)" + strings.TrimPrefix(base, "decimal")
	case first == "char" && !strings.HasPrefix(rest, "("):
		base = "char(1)" + strings.TrimPrefix(base, "char")
	}
	return normaliseType(base+rest, false)
}
