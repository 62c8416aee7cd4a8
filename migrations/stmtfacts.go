package migrations

import (
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// This file reads a statement's text for what recovery needs to know of
// it: whether it can run inside a transaction, whether it commits on its
// own, and which schema objects it creates or removes, so that after an
// interruption the database can be asked about exactly those objects.

// sqlToken is one lexical unit of a statement: a bare word, a quoted
// identifier, a string literal or a punctuation character.
type sqlToken struct {
	text   string
	quoted bool // a quoted identifier: its text is the name itself
	str    bool // a string literal
}

// lex splits stmt into tokens, dropping comments. ok is false when the
// text has something the reader does not follow (an unterminated quote or
// a MySQL executable comment, whose content the server runs).
func lex(d schema.Dialect, stmt string) (toks []sqlToken, ok bool) {
	s := stmt
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-', c == '#' && d == schema.MySQL:
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if i+2 < len(s) && (s[i+2] == '!' || s[i+2] == '+') {
				return nil, false
			}
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, false
			}
			i += end + 4
		case c == '`' || (c == '"' && d != schema.MySQL):
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, false
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, sqlToken{text: b.String(), quoted: true})
			i = j + 1
		case c == '\'' || c == '"':
			j := i + 1
			for {
				if j >= len(s) {
					return nil, false
				}
				if s[j] == '\\' && d == schema.MySQL {
					j += 2
					continue
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			toks = append(toks, sqlToken{text: s[i : j+1], str: true})
			i = j + 1
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, sqlToken{text: s[i:j]})
			i = j
		default:
			toks = append(toks, sqlToken{text: s[i : i+1]})
			i++
		}
	}
	return toks, true
}

// isWordByte reports whether c belongs to a bare word (keywords, unquoted
// names, numbers; bytes of UTF-8 letters included).
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// firstWords returns the first n bare words of stmt, upper-cased, stopping
// at the first sqlToken that is not a bare word.
func firstWords(d schema.Dialect, stmt string, n int) []string {
	toks, ok := lex(d, stmt)
	if !ok {
		return nil
	}
	var out []string
	for _, t := range toks {
		if len(out) == n || t.quoted || t.str || !isWordByte(t.text[0]) {
			break
		}
		out = append(out, strings.ToUpper(t.text))
	}
	return out
}

// mustRunAlone reports whether PostgreSQL (or SQLite) refuses to run stmt
// inside a transaction block: the statements a NonAtomic migration exists
// for. Every other statement of such a migration commits together with
// its progress record.
func mustRunAlone(d schema.Dialect, stmt string) bool {
	w := firstWords(d, stmt, 4)
	has := func(ws ...string) bool {
		if len(w) < len(ws) {
			return false
		}
		for i, x := range ws {
			if w[i] != x {
				return false
			}
		}
		return true
	}
	if len(w) == 0 {
		return false
	}
	if d == schema.SQLite {
		return w[0] == "VACUUM" || w[0] == "BEGIN" || w[0] == "COMMIT" || w[0] == "END" || w[0] == "ROLLBACK"
	}
	switch w[0] {
	case "VACUUM", "BEGIN", "COMMIT", "END", "ROLLBACK", "START", "ABORT":
		// Transaction control in a statement of its own would end the
		// transaction pmanager wraps a statement in.
		return true
	case "PREPARE":
		return has("PREPARE", "TRANSACTION")
	case "CREATE":
		return has("CREATE", "INDEX", "CONCURRENTLY") || has("CREATE", "UNIQUE", "INDEX", "CONCURRENTLY") ||
			has("CREATE", "DATABASE") || has("CREATE", "TABLESPACE") || has("CREATE", "SUBSCRIPTION")
	case "DROP":
		return has("DROP", "INDEX", "CONCURRENTLY") || has("DROP", "DATABASE") || has("DROP", "TABLESPACE") || has("DROP", "SUBSCRIPTION")
	case "REINDEX":
		return strings.Contains(strings.ToUpper(stmt), "CONCURRENTLY") || has("REINDEX", "DATABASE") || has("REINDEX", "SYSTEM")
	case "ALTER":
		return has("ALTER", "SYSTEM") || has("ALTER", "DATABASE") && strings.Contains(strings.ToUpper(stmt), "TABLESPACE") ||
			has("ALTER", "SUBSCRIPTION")
	case "CLUSTER":
		return len(w) == 1
	}
	return false
}

// commitsOnItsOwn reports whether MySQL commits stmt by itself (DDL and
// the other statements its manual lists as causing an implicit commit),
// so it cannot commit together with its progress record.
func commitsOnItsOwn(stmt string) bool {
	w := firstWords(schema.MySQL, stmt, 2)
	if len(w) == 0 {
		return true // unreadable: assume the worst
	}
	switch w[0] {
	case "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "ANALYZE", "OPTIMIZE", "REPAIR", "CHECK",
		"LOCK", "UNLOCK", "GRANT", "REVOKE", "FLUSH", "BEGIN", "COMMIT", "START", "INSTALL", "UNINSTALL",
		"CACHE", "LOAD", "RESET", "SET":
		if w[0] == "SET" {
			return len(w) > 1 && (w[1] == "PASSWORD" || w[1] == "AUTOCOMMIT")
		}
		if w[0] == "LOAD" {
			return len(w) > 1 && w[1] == "INDEX"
		}
		return true
	}
	return false
}

// factKind says what sort of schema object a fact is about.
type factKind int

const (
	factTable factKind = iota
	factColumn
	factIndex      // an index, unique or not, by name
	factConstraint // a named constraint, or an index that carries one (MySQL)
)

// fact is one thing a statement makes true of the schema: an object that
// exists (present) or no longer does. Table is "" for an index known by
// name only (PostgreSQL's DROP INDEX), looked up across tables.
type fact struct {
	kind    factKind
	table   string
	name    string
	present bool
	// concurrent is a CREATE INDEX CONCURRENTLY: a killed one leaves an
	// invalid index behind, which does not count as present.
	concurrent bool
}

// effect is what reading a statement tells about it: the facts it
// establishes, or that running it again is harmless (it restates a column
// or gathers statistics), or neither (known false): then the database
// cannot settle whether it ran.
type effect struct {
	facts      []fact
	repeatable bool
	known      bool
}

// stmtParser walks the tokens of one statement.
type stmtParser struct {
	d    schema.Dialect
	toks []sqlToken
	i    int
}

// kw consumes the next sqlToken when it is one of the keywords ws in order.
func (p *stmtParser) kw(ws ...string) bool {
	if p.i+len(ws) > len(p.toks) {
		return false
	}
	for j, w := range ws {
		t := p.toks[p.i+j]
		if t.quoted || t.str || !strings.EqualFold(t.text, w) {
			return false
		}
	}
	p.i += len(ws)
	return true
}

// peekKw reports whether the next sqlToken is the keyword w.
func (p *stmtParser) peekKw(w string) bool {
	return p.i < len(p.toks) && !p.toks[p.i].quoted && !p.toks[p.i].str && strings.EqualFold(p.toks[p.i].text, w)
}

// name consumes an object name, possibly qualified (schema.name): the last
// part is returned; bare names fold the way the server folds them. An
// empty quoted identifier is no name (every server refuses one), so the
// statement is not read.
func (p *stmtParser) name() (string, bool) {
	var out string
	for {
		if p.i >= len(p.toks) {
			return "", false
		}
		t := p.toks[p.i]
		switch {
		case t.quoted && t.text != "":
			out = t.text
		case !t.quoted && !t.str && t.text != "" && isWordByte(t.text[0]):
			out = t.text
			if p.d == schema.Postgres {
				out = strings.ToLower(out)
			}
		default:
			return "", false
		}
		p.i++
		if p.i < len(p.toks) && p.toks[p.i].text == "." && !p.toks[p.i].quoted && !p.toks[p.i].str {
			p.i++
			continue
		}
		return out, true
	}
}

// statementEffect reads what stmt does to the schema, for the forms
// pmanager's editors write and the common hand-written ones.
func statementEffect(d schema.Dialect, stmt string) effect {
	toks, ok := lex(d, stmt)
	if !ok || len(toks) == 0 {
		return effect{}
	}
	p := &stmtParser{d: d, toks: toks}
	switch {
	case p.kw("CREATE"):
		return p.create()
	case p.kw("DROP"):
		return p.drop()
	case p.kw("ALTER", "TABLE"):
		return p.alterTable()
	case p.kw("ALTER", "INDEX"):
		p.kw("IF", "EXISTS")
		from, ok1 := p.name()
		if !ok1 || !p.kw("RENAME", "TO") {
			return effect{}
		}
		to, ok2 := p.name()
		if !ok2 || p.i != len(p.toks) {
			return effect{}
		}
		return effect{known: true, facts: []fact{{kind: factIndex, name: from}, {kind: factIndex, name: to, present: true}}}
	case p.kw("RENAME", "TABLE"):
		var facts []fact
		for {
			from, ok1 := p.name()
			if !ok1 || !p.kw("TO") {
				return effect{}
			}
			to, ok2 := p.name()
			if !ok2 {
				return effect{}
			}
			facts = append(facts, fact{kind: factTable, name: from}, fact{kind: factTable, name: to, present: true})
			if p.i == len(p.toks) {
				return effect{known: true, facts: facts}
			}
			if p.toks[p.i].text != "," {
				return effect{}
			}
			p.i++
		}
	}
	switch w := strings.ToUpper(toks[0].text); w {
	case "VACUUM", "ANALYZE", "REINDEX", "CLUSTER", "OPTIMIZE":
		if !toks[0].quoted && !toks[0].str {
			return effect{known: true, repeatable: true}
		}
	case "REFRESH":
		return effect{known: true, repeatable: true}
	}
	return effect{}
}

// create reads CREATE [UNIQUE] INDEX … and CREATE TABLE ….
func (p *stmtParser) create() effect {
	p.kw("UNIQUE")
	switch {
	case p.kw("INDEX"):
		concurrent := p.kw("CONCURRENTLY")
		p.kw("IF", "NOT", "EXISTS")
		if p.peekKw("ON") {
			return effect{} // an unnamed index: its name is the server's choice
		}
		name, ok := p.name()
		if !ok || !p.kw("ON") {
			return effect{}
		}
		p.kw("ONLY")
		table, ok := p.name()
		if !ok {
			return effect{}
		}
		return effect{known: true, facts: []fact{{kind: factIndex, table: table, name: name, present: true, concurrent: concurrent}}}
	case p.kw("TABLE"):
		p.kw("IF", "NOT", "EXISTS")
		table, ok := p.name()
		if !ok {
			return effect{}
		}
		return effect{known: true, facts: []fact{{kind: factTable, name: table, present: true}}}
	}
	return effect{}
}

// drop reads DROP INDEX … and DROP TABLE ….
func (p *stmtParser) drop() effect {
	switch {
	case p.kw("INDEX"):
		p.kw("CONCURRENTLY")
		p.kw("IF", "EXISTS")
		name, ok := p.name()
		if !ok {
			return effect{}
		}
		table := ""
		if p.kw("ON") {
			if table, ok = p.name(); !ok {
				return effect{}
			}
		}
		return effect{known: true, facts: []fact{{kind: factIndex, table: table, name: name}}}
	case p.kw("TABLE"):
		p.kw("IF", "EXISTS")
		var facts []fact
		for {
			table, ok := p.name()
			if !ok {
				return effect{}
			}
			facts = append(facts, fact{kind: factTable, name: table})
			if p.i < len(p.toks) && p.toks[p.i].text == "," {
				p.i++
				continue
			}
			return effect{known: true, facts: facts}
		}
	}
	return effect{}
}

// alterTable reads ALTER TABLE t clause, clause…: every clause must be
// understood for the statement to be.
func (p *stmtParser) alterTable() effect {
	p.kw("IF", "EXISTS")
	p.kw("ONLY")
	table, ok := p.name()
	if !ok {
		return effect{}
	}
	out := effect{known: true, repeatable: true}
	for _, clause := range splitClauses(p.toks[p.i:]) {
		c := &stmtParser{d: p.d, toks: clause}
		e := c.alterClause(table)
		if !e.known {
			return effect{}
		}
		out.facts = append(out.facts, e.facts...)
		out.repeatable = out.repeatable && e.repeatable
	}
	if len(out.facts) > 0 {
		out.repeatable = false
	}
	return out
}

// splitClauses splits tokens at the commas outside parentheses.
func splitClauses(toks []sqlToken) [][]sqlToken {
	var out [][]sqlToken
	depth, start := 0, 0
	for i, t := range toks {
		if t.quoted || t.str {
			continue
		}
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(out, toks[start:])
}

// alterClause reads one clause of ALTER TABLE table.
func (p *stmtParser) alterClause(table string) effect {
	one := func(k factKind, name string, present bool) effect {
		return effect{known: true, facts: []fact{{kind: k, table: table, name: name, present: present}}}
	}
	switch {
	case p.kw("ADD"):
		switch {
		case p.kw("CONSTRAINT"):
			name, ok := p.name()
			if !ok || p.peekKw("PRIMARY") {
				return effect{}
			}
			return one(factConstraint, name, true)
		case p.peekKw("PRIMARY"), p.peekKw("FOREIGN"), p.peekKw("CHECK"), p.peekKw("FULLTEXT"), p.peekKw("SPATIAL"):
			return effect{}
		case p.kw("UNIQUE"), p.peekKw("INDEX"), p.peekKw("KEY"):
			if !p.kw("INDEX") {
				p.kw("KEY")
			}
			p.kw("IF", "NOT", "EXISTS")
			if p.i < len(p.toks) && p.toks[p.i].text == "(" {
				return effect{}
			}
			name, ok := p.name()
			if !ok {
				return effect{}
			}
			return one(factIndex, name, true)
		}
		p.kw("COLUMN")
		p.kw("IF", "NOT", "EXISTS")
		name, ok := p.name()
		if !ok {
			return effect{}
		}
		return one(factColumn, name, true)
	case p.kw("DROP"):
		switch {
		case p.kw("CONSTRAINT"), p.kw("CHECK"), p.kw("FOREIGN", "KEY"):
			p.kw("IF", "EXISTS")
			name, ok := p.name()
			if !ok {
				return effect{}
			}
			return one(factConstraint, name, false)
		case p.kw("INDEX"), p.kw("KEY"):
			p.kw("IF", "EXISTS")
			name, ok := p.name()
			if !ok {
				return effect{}
			}
			return one(factIndex, name, false)
		case p.peekKw("PRIMARY"), p.peekKw("DEFAULT"):
			return effect{}
		}
		p.kw("COLUMN")
		p.kw("IF", "EXISTS")
		name, ok := p.name()
		if !ok {
			return effect{}
		}
		return one(factColumn, name, false)
	case p.kw("RENAME"):
		var k factKind
		switch {
		case p.kw("COLUMN"):
			k = factColumn
		case p.kw("INDEX"), p.kw("KEY"):
			k = factIndex
		case p.kw("CONSTRAINT"):
			k = factConstraint
		default:
			if !p.kw("TO") {
				p.kw("AS")
			}
			to, ok := p.name()
			if !ok {
				return effect{}
			}
			return effect{known: true, facts: []fact{{kind: factTable, name: table}, {kind: factTable, name: to, present: true}}}
		}
		from, ok1 := p.name()
		if !ok1 || !p.kw("TO") {
			return effect{}
		}
		to, ok2 := p.name()
		if !ok2 {
			return effect{}
		}
		return effect{known: true, facts: []fact{{kind: k, table: table, name: from}, {kind: k, table: table, name: to, present: true}}}
	case p.kw("CHANGE"):
		p.kw("COLUMN")
		from, ok1 := p.name()
		to, ok2 := p.name()
		if !ok1 || !ok2 {
			return effect{}
		}
		if strings.EqualFold(from, to) {
			return effect{known: true, repeatable: true}
		}
		return effect{known: true, facts: []fact{{kind: factColumn, table: table, name: from}, {kind: factColumn, table: table, name: to, present: true}}}
	case p.kw("MODIFY"), p.kw("ALTER", "COLUMN"):
		// Restating a column's definition again leaves it as it was.
		return effect{known: true, repeatable: true}
	}
	return effect{}
}

// holds reports whether f is true of the live tables; invalid lists the
// indexes PostgreSQL keeps marked invalid (left by a killed CREATE INDEX
// CONCURRENTLY), which do not count as present.
func (f fact) holds(live map[string]*schema.Table, invalid map[string]bool) bool {
	switch f.kind {
	case factTable:
		return (lookupTable(live, f.name) != nil) == f.present
	case factColumn:
		t := lookupTable(live, f.table)
		found := false
		if t != nil {
			for _, c := range t.Columns {
				if strings.EqualFold(c.Name, f.name) {
					found = true
				}
			}
		}
		return found == f.present
	}
	found := false
	var tables []*schema.Table
	if f.table == "" {
		for _, t := range live {
			tables = append(tables, t)
		}
	} else if t := lookupTable(live, f.table); t != nil {
		tables = append(tables, t)
	}
	for _, t := range tables {
		if hasNamed(t, f.name, f.kind == factConstraint) {
			found = true
		}
	}
	if found && f.present && invalid[strings.ToLower(f.name)] {
		found = false
	}
	return found == f.present
}

// lookupTable finds a live table by name, exactly or else ignoring case.
func lookupTable(live map[string]*schema.Table, name string) *schema.Table {
	if t, ok := live[name]; ok {
		return t
	}
	for n, t := range live {
		if strings.EqualFold(n, name) {
			return t
		}
	}
	return nil
}

// hasNamed reports whether t has an index (or, with constraints, any named
// constraint) called name.
func hasNamed(t *schema.Table, name string, constraints bool) bool {
	for _, x := range t.Indexes {
		if strings.EqualFold(x.Name, name) {
			return true
		}
	}
	for _, u := range t.Uniques {
		if strings.EqualFold(u.Name, name) {
			return true
		}
	}
	if !constraints {
		return false
	}
	for _, fk := range t.ForeignKeys {
		if strings.EqualFold(fk.Name, name) {
			return true
		}
	}
	for _, c := range t.Checks {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}
