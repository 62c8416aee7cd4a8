package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Inspector reads a live SQLite schema back (Inspect) and says what it
// should hold for a state (Expected). It renders no DDL; the zero value is
// ready to use.
type Inspector struct{}

// The inspector's two abilities, checked at compile time.
var (
	_ schema.Inspector = Inspector{}
	_ schema.Expecter  = Inspector{}
)

// Inspect reads every table of the database (SQLite's own sqlite_* tables
// excepted, the history table included) from sqlite_master and the table
// pragmas, normalised to Expected's vocabulary: lower-case types, defaults
// unquoted with booleans as true/false, unique indexes in Uniques and the
// rest in Indexes (the primary key's own index hidden), unnamed foreign keys,
// checks by the names parsed from the CREATE TABLE text.
func (Inspector) Inspect(ctx context.Context, db schema.ExecQuerier) ([]schema.Table, error) {
	type master struct{ name, sql string }
	var found []master
	err := queryRows(ctx, db, func(rows *sql.Rows) error {
		var m master
		if err := rows.Scan(&m.name, &m.sql); err != nil {
			return err
		}
		found = append(found, m)
		return nil
	}, `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect: list tables: %w", err)
	}
	tables := make([]schema.Table, 0, len(found))
	for _, m := range found {
		t, err := inspectTable(ctx, db, m.name, m.sql)
		if err != nil {
			return nil, fmt.Errorf("sqlite: inspect table %q: %w", m.name, err)
		}
		tables = append(tables, t)
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	return tables, nil
}

// queryRows runs a query and calls scan for each row, closing the rows
// before it returns so the next query can use the same connection.
func queryRows(ctx context.Context, db schema.ExecQuerier, scan func(*sql.Rows) error, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inspectTable reads one table; createSQL is its CREATE TABLE text.
func inspectTable(ctx context.Context, db schema.ExecQuerier, name, createSQL string) (schema.Table, error) {
	t := schema.Table{Name: name}
	cols, pk, err := inspectColumns(ctx, db, name)
	if err != nil {
		return t, err
	}
	t.Columns, t.PrimaryKey = cols, pk
	tokens := tokenize(createSQL)
	if hasAutoincrement(tokens) && len(pk) == 1 {
		for i := range t.Columns {
			if t.Columns[i].Name == pk[0] {
				t.Columns[i].AutoIncrement = true
			}
		}
	}
	if t.Uniques, t.Indexes, err = inspectIndexes(ctx, db, name); err != nil {
		return t, err
	}
	if t.ForeignKeys, err = inspectForeignKeys(ctx, db, name); err != nil {
		return t, err
	}
	t.Checks = checkNames(tokens)
	schema.SortTable(&t)
	return t, nil
}

// inspectColumns reads the columns in table order and the primary key's
// columns in key order.
func inspectColumns(ctx context.Context, db schema.ExecQuerier, table string) ([]schema.Column, []string, error) {
	var cols []schema.Column
	keyPos := map[string]int{}
	err := queryRows(ctx, db, func(rows *sql.Rows) error {
		var name, typ string
		var notNull, pk int
		var def sql.NullString
		if err := rows.Scan(&name, &typ, &notNull, &def, &pk); err != nil {
			return err
		}
		typ = strings.ToLower(strings.TrimSpace(typ))
		col := schema.Column{Name: name, Type: typ, Nullable: notNull == 0}
		if d := dbDefaultOf(def.String); def.Valid && d != "" {
			col.DBDefault = string(d)
		} else {
			col.Default = normaliseDefault(typ, def)
		}
		cols = append(cols, col)
		if pk > 0 {
			keyPos[name] = pk
		}
		return nil
	}, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, nil, fmt.Errorf("columns: %w", err)
	}
	var pk []string
	for name := range keyPos {
		pk = append(pk, name)
	}
	sort.Slice(pk, func(i, j int) bool { return keyPos[pk[i]] < keyPos[pk[j]] })
	return cols, pk, nil
}

// normaliseDefault turns pragma_table_info's dflt_value (the literal as
// written) into the value Expected reports: quotes removed, booleans as
// true/false, DEFAULT NULL as no default.
func normaliseDefault(typ string, raw sql.NullString) *string {
	if !raw.Valid || strings.EqualFold(raw.String, "NULL") {
		return nil
	}
	v := raw.String
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		v = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
		return &v
	}
	if typ == "bool" || typ == "boolean" {
		switch strings.ToLower(v) {
		case "1", "true":
			v = "true"
		case "0", "false":
			v = "false"
		}
	}
	return &v
}

// inspectIndexes splits the table's indexes into uniques and plain ones;
// the index SQLite makes for a non-rowid primary key is hidden.
func inspectIndexes(ctx context.Context, db schema.ExecQuerier, table string) ([]schema.Unique, []schema.Index, error) {
	type listed struct {
		name            string
		unique, partial bool
	}
	var list []listed
	err := queryRows(ctx, db, func(rows *sql.Rows) error {
		var l listed
		var origin string
		if err := rows.Scan(&l.name, &l.unique, &origin, &l.partial); err != nil {
			return err
		}
		if origin != "pk" {
			list = append(list, l)
		}
		return nil
	}, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, table)
	if err != nil {
		return nil, nil, fmt.Errorf("indexes: %w", err)
	}
	var uniques []schema.Unique
	var indexes []schema.Index
	for _, l := range list {
		cols, err := indexColumns(ctx, db, l.name)
		if err != nil {
			return nil, nil, fmt.Errorf("index %q: %w", l.name, err)
		}
		if l.unique {
			uniques = append(uniques, schema.Unique{Name: l.name, Columns: cols, Partial: l.partial})
		} else {
			indexes = append(indexes, schema.Index{Name: l.name, Columns: cols, Partial: l.partial})
		}
	}
	return uniques, indexes, nil
}

// indexColumns lists an index's key columns in order, "-" marking a
// descending one; an expression column reads as "(expression)".
func indexColumns(ctx context.Context, db schema.ExecQuerier, index string) ([]string, error) {
	var cols []string
	err := queryRows(ctx, db, func(rows *sql.Rows) error {
		var name sql.NullString
		var desc bool
		if err := rows.Scan(&name, &desc); err != nil {
			return err
		}
		col := "(expression)"
		if name.Valid {
			col = name.String
		}
		if desc {
			col = "-" + col
		}
		cols = append(cols, col)
		return nil
	}, `SELECT name, "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, index)
	return cols, err
}

// inspectForeignKeys reads the table's foreign keys, one per column. SQLite
// does not name them; a reference to the target's implicit key is resolved
// to that key's column.
func inspectForeignKeys(ctx context.Context, db schema.ExecQuerier, table string) ([]schema.ForeignKey, error) {
	var fks []schema.ForeignKey
	err := queryRows(ctx, db, func(rows *sql.Rows) error {
		var fk schema.ForeignKey
		var to sql.NullString
		if err := rows.Scan(&fk.Column, &fk.RefTable, &to, &fk.OnDelete); err != nil {
			return err
		}
		fk.RefColumn = to.String
		fk.OnDelete = strings.ToUpper(fk.OnDelete)
		fks = append(fks, fk)
		return nil
	}, `SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table)
	if err != nil {
		return nil, fmt.Errorf("foreign keys: %w", err)
	}
	for i := range fks {
		if fks[i].RefColumn != "" {
			continue
		}
		_, pk, err := inspectColumns(ctx, db, fks[i].RefTable)
		if err != nil {
			return nil, fmt.Errorf("foreign key target %q: %w", fks[i].RefTable, err)
		}
		if len(pk) == 1 {
			fks[i].RefColumn = pk[0]
		}
	}
	return fks, nil
}

// token is one lexical unit of a CREATE TABLE statement: a bare word, a
// quoted identifier or string (unquoted), or a punctuation byte.
type token struct {
	kind byte // 'w' word, 'i' quoted identifier, 's' string, 'p' punctuation
	text string
}

// tokenize splits SQL into tokens, skipping blanks and comments, so names
// and keywords can be found without being fooled by string literals.
func tokenize(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(s[i:], "--"):
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				return out
			}
			i += end + 1
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += end + 4
		case c == '\'' || c == '"' || c == '`':
			text, next := readQuoted(s, i, c)
			kind := byte('i')
			if c == '\'' {
				kind = 's'
			}
			out = append(out, token{kind: kind, text: text})
			i = next
		case c == '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return append(out, token{kind: 'i', text: s[i+1:]})
			}
			out = append(out, token{kind: 'i', text: s[i+1 : i+end]})
			i += end + 1
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, token{kind: 'w', text: s[i:j]})
			i = j
		default:
			out = append(out, token{kind: 'p', text: s[i : i+1]})
			i++
		}
	}
	return out
}

// readQuoted reads a literal opened by quote at s[start], where a doubled
// quote stands for one; it returns the unquoted text and the next position.
func readQuoted(s string, start int, quote byte) (string, int) {
	var b strings.Builder
	i := start + 1
	for i < len(s) {
		if s[i] == quote {
			if i+1 < len(s) && s[i+1] == quote {
				b.WriteByte(quote)
				i += 2
				continue
			}
			return b.String(), i + 1
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), i
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// hasAutoincrement reports whether the statement says AUTOINCREMENT
// outside any literal (SQLite allows it only on the integer primary key).
func hasAutoincrement(tokens []token) bool {
	for _, t := range tokens {
		if t.kind == 'w' && strings.EqualFold(t.text, "AUTOINCREMENT") {
			return true
		}
	}
	return false
}

// checkNames returns the names of `CONSTRAINT name CHECK` clauses; unnamed
// checks have no name to report and are left out.
func checkNames(tokens []token) []string {
	var names []string
	for i := 0; i+2 < len(tokens); i++ {
		t := tokens[i]
		if t.kind != 'w' || !strings.EqualFold(t.text, "CONSTRAINT") {
			continue
		}
		name, next := tokens[i+1], tokens[i+2]
		if name.kind != 'p' && next.kind == 'w' && strings.EqualFold(next.text, "CHECK") {
			names = append(names, name.text)
		}
	}
	return names
}

// The optional ability of reading check expressions, checked at compile time.
var _ schema.CheckReader = Inspector{}

// InspectCheckClauses reads the expression of every named check constraint
// (`CONSTRAINT name CHECK (...)`) from the tables' CREATE TABLE text;
// unnamed checks have no name a model could give them and are left out.
func (Inspector) InspectCheckClauses(ctx context.Context, db schema.ExecQuerier) ([]schema.CheckClause, error) {
	var out []schema.CheckClause
	err := queryRows(ctx, db, func(rows *sql.Rows) error {
		var table, createSQL string
		if err := rows.Scan(&table, &createSQL); err != nil {
			return err
		}
		for _, c := range checkClauses(tokenize(createSQL)) {
			c.Table = table
			out = append(out, c)
		}
		return nil
	}, `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect check clauses: %w", err)
	}
	return out, nil
}

// checkClauses finds each `CONSTRAINT name CHECK (expr)` and spells expr
// again from its tokens (identifiers double-quoted, strings single-quoted).
func checkClauses(tokens []token) []schema.CheckClause {
	var out []schema.CheckClause
	for i := 0; i+3 < len(tokens); i++ {
		t, name, kw, open := tokens[i], tokens[i+1], tokens[i+2], tokens[i+3]
		if t.kind != 'w' || !strings.EqualFold(t.text, "CONSTRAINT") || name.kind == 'p' ||
			kw.kind != 'w' || !strings.EqualFold(kw.text, "CHECK") || open.kind != 'p' || open.text != "(" {
			continue
		}
		depth, end := 0, -1
		for j := i + 3; j < len(tokens) && end < 0; j++ {
			if tokens[j].kind != 'p' {
				continue
			}
			switch tokens[j].text {
			case "(":
				depth++
			case ")":
				depth--
				if depth == 0 {
					end = j
				}
			}
		}
		if end < 0 {
			break
		}
		out = append(out, schema.CheckClause{Name: name.text, SQL: spellTokens(tokens[i+4 : end])})
		i = end
	}
	return out
}

// spellTokens writes tokens back as SQL: words as they were, identifiers
// and strings quoted again, operator characters and dots kept together.
func spellTokens(tokens []token) string {
	var b strings.Builder
	for i, t := range tokens {
		if i > 0 && !glued(tokens[i-1], t) {
			b.WriteByte(' ')
		}
		switch t.kind {
		case 'i':
			b.WriteString(`"` + strings.ReplaceAll(t.text, `"`, `""`) + `"`)
		case 's':
			b.WriteString(`'` + strings.ReplaceAll(t.text, `'`, `''`) + `'`)
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// glued reports whether two neighbouring tokens were written without a
// space between them: the parts of an operator (>=, <>, ||), and either
// side of a dot (a.b, 1.5).
func glued(prev, next token) bool {
	if prev.kind == 'p' && prev.text == "." || next.kind == 'p' && next.text == "." {
		return true
	}
	return prev.kind == 'p' && next.kind == 'p' && strings.Contains("<>=!|", prev.text) && strings.Contains("<>=!|", next.text)
}

// The optional ability of reading partial index predicates, checked at compile time.
var _ schema.ConditionReader = Inspector{}

// InspectIndexConditions reads the predicate of every partial index from
// its CREATE INDEX text (what follows WHERE), spelled again from its tokens.
func (Inspector) InspectIndexConditions(ctx context.Context, db schema.ExecQuerier) ([]schema.IndexCondition, error) {
	var out []schema.IndexCondition
	err := queryRows(ctx, db, func(rows *sql.Rows) error {
		var c schema.IndexCondition
		var createSQL string
		if err := rows.Scan(&c.Table, &c.Index, &createSQL); err != nil {
			return err
		}
		if c.SQL = indexCondition(tokenize(createSQL)); c.SQL != "" {
			out = append(out, c)
		}
		return nil
	}, `SELECT tbl_name, name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY tbl_name, name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect index conditions: %w", err)
	}
	return out, nil
}

// indexCondition is what follows the WHERE of a CREATE INDEX statement
// outside parentheses, "" when it has none.
func indexCondition(tokens []token) string {
	depth := 0
	for i, t := range tokens {
		switch {
		case t.kind == 'p' && t.text == "(":
			depth++
		case t.kind == 'p' && t.text == ")":
			depth--
		case depth == 0 && t.kind == 'w' && strings.EqualFold(t.text, "WHERE"):
			return spellTokens(tokens[i+1:])
		}
	}
	return ""
}

// canonicalSQLType is a spelled (escape-hatch) column type as Inspect
// reports it back: SQLite keeps the declared type as written, which
// Inspect lower-cases.
func canonicalSQLType(typ string) string {
	return strings.ToLower(strings.TrimSpace(typ))
}
