package sqlsplit

import (
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Kind is how a statement stands to the transaction a script runs in.
type Kind int

const (
	// Transactional statements run inside the transaction and are undone
	// with it.
	Transactional Kind = iota
	// CommitsImplicitly statements end the open transaction by committing
	// it, and commit themselves (MySQL and MariaDB DDL, LOCK TABLES,
	// ANALYZE TABLE, GRANT, SET autocommit = 1, ...): whatever ran before
	// them stays even when a later statement fails.
	CommitsImplicitly
	// NoTransaction statements refuse to run inside a transaction block
	// (PostgreSQL CREATE INDEX CONCURRENTLY, VACUUM, CREATE DATABASE, ...;
	// SQLite VACUUM, ATTACH, ...).
	NoTransaction
	// TransactionControl statements begin, commit or roll back a
	// transaction themselves (BEGIN, COMMIT, ROLLBACK, START TRANSACTION,
	// XA ...), which would cut the script's own transaction.
	TransactionControl
)

// Server says which MySQL executable comments (/*!NNNNN ... */ and
// MariaDB's /*M!NNNNNN ... */) a server runs: those whose version is at
// most its own.
type Server struct {
	// Version is major*10000 + minor*100 + patch (MariaDB 10.11.6 is
	// 101106); 0 counts every executable comment, as the newest server would.
	Version int
	// MariaDB marks a MariaDB server, which also runs /*M! comments.
	MariaDB bool
}

// Class is what Classify found: the kind, and for any kind but
// Transactional a few words saying why.
type Class struct {
	Kind Kind
	Why  string
}

// Classify says how a statement of dialect d stands to a transaction,
// from the lists of statements that each server documents as committing
// implicitly or as not allowed in a transaction block. On MySQL the
// content of an executable comment counts as code when srv runs it, so
// mysqldump's /*!40000 ALTER TABLE t DISABLE KEYS */ is an ALTER TABLE.
func Classify(text string, d schema.Dialect, srv Server) Class {
	w := Words(text, d, srv)
	if len(w) == 0 {
		return Class{}
	}
	if c := transactionControl(w, d); c.Kind != Transactional {
		return c
	}
	switch d {
	case schema.MySQL:
		return classifyMySQL(w)
	case schema.Postgres:
		return classifyPostgres(w)
	case schema.SQLite:
		return classifySQLite(w)
	}
	return Class{}
}

// word is w[i], or "" past the end.
func word(w []string, i int) string {
	if i < len(w) {
		return w[i]
	}
	return ""
}

// transactionControl finds the statements that begin or end a transaction
// on every dialect. Savepoints and BEGIN ... END blocks with a body stay
// allowed.
func transactionControl(w []string, d schema.Dialect) Class {
	ctl := Class{Kind: TransactionControl, Why: "controls the transaction itself"}
	switch w[0] {
	case "COMMIT", "ABORT":
		return ctl
	case "ROLLBACK":
		// ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] undoes only part of it.
		if !slices.Contains(w, "TO") || word(w, 1) == "PREPARED" {
			return ctl
		}
	case "START":
		if word(w, 1) == "TRANSACTION" {
			return ctl
		}
	case "BEGIN", "END":
		switch word(w, 1) {
		case "", "TRANSACTION", "WORK", "DEFERRED", "IMMEDIATE", "EXCLUSIVE", "ISOLATION", "READ":
			return ctl
		}
	case "XA":
		if d == schema.MySQL {
			return ctl
		}
	case "PREPARE":
		if word(w, 1) == "TRANSACTION" {
			return ctl
		}
	}
	return Class{}
}

// classifyMySQL follows the MySQL and MariaDB lists of statements that
// cause an implicit commit.
func classifyMySQL(w []string) Class {
	commits := func(why string) Class { return Class{Kind: CommitsImplicitly, Why: why} }
	switch w[0] {
	case "CREATE", "DROP":
		if slices.Contains(w[1:min(len(w), 4)], "TEMPORARY") {
			return Class{} // temporary tables do not commit
		}
		return commits("DDL commits implicitly")
	case "ALTER", "RENAME", "TRUNCATE":
		return commits("DDL commits implicitly")
	case "GRANT", "REVOKE":
		return commits("changes the privilege tables and commits implicitly")
	case "INSTALL", "UNINSTALL":
		return commits("commits implicitly")
	case "LOCK", "UNLOCK":
		switch word(w, 1) {
		case "TABLE", "TABLES":
			return commits(w[0] + " TABLES commits implicitly")
		}
	case "ANALYZE", "CHECK", "OPTIMIZE", "REPAIR":
		return commits(w[0] + " TABLE commits implicitly")
	case "CACHE", "FLUSH", "RESET":
		return commits(w[0] + " commits implicitly")
	case "LOAD":
		switch word(w, 1) {
		case "INDEX":
			return commits("LOAD INDEX INTO CACHE commits implicitly")
		case "DATA", "XML":
			return commits("LOAD " + w[1] + " commits implicitly on some storage engines")
		}
	case "CHANGE":
		return commits("replication control commits implicitly")
	case "START", "STOP":
		switch word(w, 1) {
		case "SLAVE", "REPLICA", "ALL", "GROUP_REPLICATION":
			return commits("replication control commits implicitly")
		}
	case "SET":
		if word(w, 1) == "PASSWORD" {
			return commits("SET PASSWORD commits implicitly")
		}
		if setsAutocommitOn(w) {
			return commits("SET autocommit = 1 commits and ends the transaction")
		}
	}
	return Class{}
}

// setsAutocommitOn reports whether a SET statement assigns autocommit a
// value other than 0, OFF or FALSE (an expression counts as on: only the
// server knows its value).
func setsAutocommitOn(w []string) bool {
	for i := 1; i < len(w); i++ {
		if w[i] != "AUTOCOMMIT" || word(w, i+1) != "=" || word(w, i-1) == "=" {
			continue
		}
		switch word(w, i+2) {
		case "0", "OFF", "FALSE":
			continue
		}
		return true
	}
	return false
}

// classifyPostgres finds the statements PostgreSQL refuses to run inside a
// transaction block.
func classifyPostgres(w []string) Class {
	no := func(why string) Class { return Class{Kind: NoTransaction, Why: why} }
	head := w[:min(len(w), 5)]
	switch w[0] {
	case "VACUUM":
		return no("VACUUM cannot run inside a transaction block")
	case "CREATE", "DROP":
		switch {
		case word(w, 1) == "DATABASE" || word(w, 1) == "TABLESPACE":
			return no(w[0] + " " + w[1] + " cannot run inside a transaction block")
		case word(w, 1) == "SUBSCRIPTION":
			return no(w[0] + " SUBSCRIPTION cannot run inside a transaction block")
		case slices.Contains(head, "INDEX") && slices.Contains(head, "CONCURRENTLY"):
			return no(w[0] + " INDEX CONCURRENTLY cannot run inside a transaction block")
		}
	case "ALTER":
		switch word(w, 1) {
		case "SYSTEM":
			return no("ALTER SYSTEM cannot run inside a transaction block")
		case "SUBSCRIPTION":
			return no("ALTER SUBSCRIPTION cannot run inside a transaction block")
		case "DATABASE":
			if slices.Contains(w, "TABLESPACE") && slices.Contains(w, "SET") {
				return no("ALTER DATABASE SET TABLESPACE cannot run inside a transaction block")
			}
		}
	case "REINDEX":
		if slices.Contains(w, "CONCURRENTLY") || word(w, 1) == "DATABASE" || word(w, 1) == "SYSTEM" {
			return no("this REINDEX cannot run inside a transaction block")
		}
	case "CLUSTER":
		if len(w) == 1 || word(w, 1) == "VERBOSE" && len(w) == 2 {
			return no("CLUSTER of every table cannot run inside a transaction block")
		}
	case "DISCARD":
		if word(w, 1) == "ALL" {
			return no("DISCARD ALL cannot run inside a transaction block")
		}
	}
	return Class{}
}

// classifySQLite finds the statements SQLite refuses, or ignores, inside
// a transaction.
func classifySQLite(w []string) Class {
	no := func(why string) Class { return Class{Kind: NoTransaction, Why: why} }
	switch w[0] {
	case "VACUUM":
		return no("VACUUM cannot run inside a transaction")
	case "ATTACH", "DETACH":
		return no(w[0] + " cannot run inside a transaction")
	case "PRAGMA":
		switch word(w, 1) {
		case "FOREIGN_KEYS", "JOURNAL_MODE":
			return no("PRAGMA " + strings.ToLower(w[1]) + " has no effect inside a transaction")
		}
	}
	return Class{}
}

// Words returns the words of a statement in upper case, in order, the way
// the server reads them: comments, strings, quoted names and dollar
// quotes are left out; "=" is kept as a word of its own and a user
// variable keeps its "@"; on MySQL the content of an executable comment
// that srv runs is read as code.
func Words(text string, d schema.Dialect, srv Server) []string {
	var out []string
	my := d == schema.MySQL
	for i := 0; i < len(text); {
		c := text[i]
		rest := text[i:]
		switch {
		case isSpace(c):
			i++
		case strings.HasPrefix(rest, "--") || my && c == '#':
			if j := strings.IndexByte(rest, '\n'); j >= 0 {
				i += j + 1
			} else {
				i = len(text)
			}
		case strings.HasPrefix(rest, "/*"):
			if n, run := executableComment(rest, my, srv); n > 0 {
				if run {
					i += n // read on into the comment's content
					continue
				}
			}
			if j := strings.Index(rest[2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(text)
			}
		case strings.HasPrefix(rest, "*/"):
			i += 2 // the end of an executable comment read as code
		case c == '\'' || c == '"' || c == '`':
			i += quotedLen(rest, my || c == '\'' && i > 0 && (text[i-1] == 'E' || text[i-1] == 'e'))
		case c == '$' && d == schema.Postgres && (i == 0 || !isWordByte(text[i-1])):
			i += dollarLen(rest)
		case c == '=':
			out = append(out, "=")
			i++
		case c == '@' && len(rest) > 1 && rest[1] != '@' && isWordStart(rest[1]):
			n := 1
			for n < len(rest) && isWordByte(rest[n]) {
				n++
			}
			out = append(out, "@"+strings.ToUpper(rest[1:n]))
			i += n
		case isWordByte(c):
			n := 1
			for n < len(rest) && isWordByte(rest[n]) {
				n++
			}
			out = append(out, strings.ToUpper(rest[:n]))
			i += n
		default:
			i++
		}
	}
	return out
}

// executableComment reads the opening of a MySQL executable comment at the
// start of s (/*!, /*!NNNNN, or MariaDB's /*M!NNNNNN): n is the length of
// the opening, 0 when s does not start one; run says whether srv runs its
// content.
func executableComment(s string, my bool, srv Server) (n int, run bool) {
	if !my {
		return 0, false
	}
	mariaOnly := false
	switch {
	case strings.HasPrefix(s, "/*!"):
		n = 3
	case strings.HasPrefix(s, "/*M!"):
		n, mariaOnly = 4, true
	default:
		return 0, false
	}
	digits := 0
	for n+digits < len(s) && digits < 6 && s[n+digits] >= '0' && s[n+digits] <= '9' {
		digits++
	}
	version := 0
	for _, ch := range s[n : n+digits] {
		version = version*10 + int(ch-'0')
	}
	n += digits
	if mariaOnly && !srv.MariaDB {
		return n, false
	}
	return n, srv.Version == 0 || version <= srv.Version
}

// quotedLen is the length of the quoted text at the start of s, its
// quotes included; a doubled quote stands for itself, and so does a
// backslash-escaped character when backslash is set.
func quotedLen(s string, backslash bool) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case backslash && s[i] == '\\':
			i++
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return len(s)
}

// dollarLen is the length of the dollar-quoted string at the start of s,
// or 1 when the $ starts none (a parameter such as $1).
func dollarLen(s string) int {
	n := 1
	for n < len(s) && isWordByte(s[n]) && s[n] != '$' {
		n++
	}
	if n >= len(s) || s[n] != '$' || n > 1 && s[1] >= '0' && s[1] <= '9' {
		return 1
	}
	tag := s[:n+1]
	end := strings.Index(s[len(tag):], tag)
	if end < 0 {
		return len(s)
	}
	return len(tag) + end + len(tag)
}
