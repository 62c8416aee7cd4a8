package sqlsplit

import (
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// DefaultDelimiter ends a statement unless a MySQL DELIMITER line says otherwise.
const DefaultDelimiter = ";"

// Statement is one statement of a script, as the database should get it.
type Statement struct {
	// Text is the statement without its delimiter, leading comments or
	// surrounding white space; comments inside it are kept.
	Text string
	// Line is the line of the script, from 1, where Text starts.
	Line int
	// Offset is where Text starts in the script, in bytes.
	Offset int
	// Delimiter is the delimiter that was in force for this statement.
	Delimiter string
	// CopyData marks a PostgreSQL COPY ... FROM STDIN whose rows follow it
	// in the script, as pg_dump writes them: Data holds those lines (each
	// with its newline, without the closing \. line), DataLine is the line
	// the first one is on, and End is where the \. line ends.
	CopyData bool
	Data     string
	DataLine int
	End      int
	// Meta marks a psql meta-command (a line starting with a backslash,
	// such as pg_dump's \restrict), which is for psql, not the server.
	Meta bool
}

// FirstLine is the statement's first line, for naming it in messages.
func (s Statement) FirstLine() string {
	line, _, _ := strings.Cut(s.Text, "\n")
	return strings.TrimRight(line, " \t\r")
}

// Error is a script that cannot be split: a quote, comment or dollar quote
// that never ends, or a DELIMITER line without a delimiter.
type Error struct {
	// Line is where the unfinished construct starts, from 1.
	Line int
	// Msg says what is wrong.
	Msg string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Split cuts src into statements for dialect d. Comments and delimiters
// between statements are dropped; a script that is only comments has no
// statements.
func Split(src string, d schema.Dialect) ([]Statement, error) {
	return splitFrom(src, d, DefaultDelimiter)
}

// splitFrom splits src starting with delim in force.
func splitFrom(src string, d schema.Dialect, delim string) ([]Statement, error) {
	s := &scanner{src: src, d: d, delim: delim, line: 1}
	var out []Statement
	for {
		if err := s.skipGap(); err != nil {
			return nil, err
		}
		if s.pos >= len(src) {
			return out, nil
		}
		start, line := s.pos, s.line
		if d == schema.Postgres && src[start] == '\\' {
			s.skipLine()
			out = append(out, Statement{Text: strings.TrimRight(src[start:s.pos], spaces), Line: line, Offset: start, Delimiter: s.delim, Meta: true})
			continue
		}
		end, err := s.statement()
		if err != nil {
			return nil, err
		}
		st := Statement{
			Text:      strings.TrimRight(src[start:end], spaces),
			Line:      line,
			Offset:    start,
			Delimiter: s.delim,
		}
		if s.pos < len(src) {
			s.advance(len(s.delim))
		}
		if d == schema.Postgres && copyFromStdin(st.Text) {
			if err := s.copyData(&st); err != nil {
				return nil, err
			}
		}
		out = append(out, st)
	}
}

// copyFromStdin reports whether a PostgreSQL statement is COPY ... FROM
// STDIN, whose data lines follow it in the script.
func copyFromStdin(text string) bool {
	words := Words(text, schema.Postgres, Server{})
	if len(words) < 4 || words[0] != "COPY" {
		return false
	}
	for i := 1; i+1 < len(words); i++ {
		if words[i] == "FROM" && words[i+1] == "STDIN" {
			return true
		}
	}
	return false
}

// copyData reads the data lines of a COPY ... FROM STDIN, from the line
// after the statement's delimiter to a line holding only \. (psql's and
// pg_dump's end-of-data marker).
func (s *scanner) copyData(st *Statement) error {
	rest := s.src[s.pos:]
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 || strings.Trim(rest[:nl], spaces) != "" {
		return &Error{Line: st.Line, Msg: "COPY ... FROM stdin must end its line; put its data on the lines after it and end them with a line holding only \\."}
	}
	s.advance(nl + 1)
	st.CopyData, st.DataLine = true, s.line
	start := s.pos
	for s.pos < len(s.src) {
		line := s.src[s.pos:]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		if strings.TrimRight(line, "\r\n") == `\.` {
			st.Data = s.src[start:s.pos]
			s.advance(len(line))
			st.End = s.pos
			return nil
		}
		s.advance(len(line))
	}
	return &Error{Line: st.Line, Msg: "the data of this COPY ... FROM stdin never ends; end it with a line holding only \\."}
}

// spaces is the white space between tokens.
const spaces = " \t\n\r\f\v"

func isSpace(c byte) bool { return strings.IndexByte(spaces, c) >= 0 }

// isWordStart and isWordByte classify identifier bytes; any byte of a
// multi-byte UTF-8 character counts as a letter.
func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isWordByte(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '$' }

// scanner walks a script, counting lines as it goes.
type scanner struct {
	src   string
	d     schema.Dialect
	delim string
	pos   int
	line  int
}

// advance moves n bytes on.
func (s *scanner) advance(n int) {
	end := min(s.pos+n, len(s.src))
	for ; s.pos < end; s.pos++ {
		if s.src[s.pos] == '\n' {
			s.line++
		}
	}
}

// skipGap moves past white space, comments, empty statements and MySQL
// DELIMITER lines, to the start of the next statement or the end.
func (s *scanner) skipGap() error {
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case isSpace(c):
			s.advance(1)
		case strings.HasPrefix(s.src[s.pos:], s.delim):
			s.advance(len(s.delim))
		case s.lineComment():
			s.skipLine()
		case s.blockComment() && !s.codeComment():
			if err := s.skipBlockComment(); err != nil {
				return err
			}
		case s.d == schema.MySQL && s.delimiterLine():
			if err := s.readDelimiter(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// lineComment reports whether a comment that runs to the end of the line
// starts here: -- (MySQL wants white space or a control character after
// it) or, on MySQL, #.
func (s *scanner) lineComment() bool {
	rest := s.src[s.pos:]
	if strings.HasPrefix(rest, "--") {
		if s.d != schema.MySQL {
			return true
		}
		return len(rest) > 2 && rest[2] <= ' '
	}
	return s.d == schema.MySQL && rest[0] == '#'
}

func (s *scanner) blockComment() bool { return strings.HasPrefix(s.src[s.pos:], "/*") }

// codeComment reports whether the block comment here is MySQL code: an
// executable comment (/*! ... */) or an optimizer hint (/*+ ... */).
func (s *scanner) codeComment() bool {
	rest := s.src[s.pos:]
	return s.d == schema.MySQL && len(rest) > 2 && (rest[2] == '!' || rest[2] == '+')
}

// skipLine moves to the newline that ends the current line (or the end).
func (s *scanner) skipLine() {
	if i := strings.IndexByte(s.src[s.pos:], '\n'); i >= 0 {
		s.advance(i)
		return
	}
	s.advance(len(s.src) - s.pos)
}

// skipBlockComment moves past a /* */ comment; PostgreSQL's nest.
func (s *scanner) skipBlockComment() error {
	line := s.line
	depth := 0
	for s.pos < len(s.src) {
		rest := s.src[s.pos:]
		switch {
		case strings.HasPrefix(rest, "/*") && (depth == 0 || s.d == schema.Postgres):
			depth++
			s.advance(2)
		case strings.HasPrefix(rest, "*/"):
			depth--
			s.advance(2)
			if depth == 0 {
				return nil
			}
		default:
			s.advance(1)
		}
	}
	return &Error{Line: line, Msg: "comment /* is never closed; end it with */"}
}

// delimiterLine reports whether a MySQL client DELIMITER command starts here.
func (s *scanner) delimiterLine() bool {
	const kw = "delimiter"
	rest := s.src[s.pos:]
	return len(rest) > len(kw) && strings.EqualFold(rest[:len(kw)], kw) && isSpace(rest[len(kw)])
}

// readDelimiter reads "DELIMITER x" up to the end of its line and puts x in force.
func (s *scanner) readDelimiter() error {
	line := s.line
	end := strings.IndexByte(s.src[s.pos:], '\n')
	if end < 0 {
		end = len(s.src) - s.pos
	}
	fields := strings.Fields(s.src[s.pos+len("delimiter") : s.pos+end])
	if len(fields) == 0 {
		return &Error{Line: line, Msg: "DELIMITER needs the new delimiter on the same line, such as DELIMITER //"}
	}
	s.delim = fields[0]
	s.advance(end)
	return nil
}

// statement moves to the delimiter that ends the statement starting here
// (or the end of the script) and returns where the statement's text ends.
func (s *scanner) statement() (int, error) {
	blocks := &blockTracker{}
	for s.pos < len(s.src) {
		rest := s.src[s.pos:]
		c := rest[0]
		switch {
		case blocks.depth == 0 && strings.HasPrefix(rest, s.delim):
			return s.pos, nil
		case s.lineComment():
			s.skipLine()
		case s.blockComment():
			if err := s.skipBlockComment(); err != nil {
				return 0, err
			}
		case c == '\'':
			if err := s.quoted('\'', s.d == schema.MySQL); err != nil {
				return 0, err
			}
		case c == '"':
			if err := s.quoted('"', s.d == schema.MySQL); err != nil {
				return 0, err
			}
		case c == '`' && s.d != schema.Postgres:
			if err := s.quoted('`', false); err != nil {
				return 0, err
			}
		case c == '[' && s.d == schema.SQLite:
			if err := s.bracketed(); err != nil {
				return 0, err
			}
		case c == '$' && s.d == schema.Postgres:
			if err := s.dollar(); err != nil {
				return 0, err
			}
		case isWordStart(c):
			if err := s.word(blocks); err != nil {
				return 0, err
			}
		case c >= '0' && c <= '9':
			s.number()
		default:
			s.advance(1)
		}
	}
	return s.pos, nil
}

// quoted moves past a string or quoted identifier that starts here; a
// doubled quote stands for itself and, when backslash is set, so does a
// backslash-escaped character.
func (s *scanner) quoted(q byte, backslash bool) error {
	line := s.line
	s.advance(1)
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case backslash && c == '\\':
			s.advance(2)
		case c == q && s.pos+1 < len(s.src) && s.src[s.pos+1] == q:
			s.advance(2)
		case c == q:
			s.advance(1)
			return nil
		default:
			s.advance(1)
		}
	}
	return &Error{Line: line, Msg: fmt.Sprintf("quote %c is never closed; close it, or double it (%c%c) inside the text", q, q, q)}
}

// bracketed moves past an SQLite [name].
func (s *scanner) bracketed() error {
	line := s.line
	i := strings.IndexByte(s.src[s.pos:], ']')
	if i < 0 {
		return &Error{Line: line, Msg: "bracket [ is never closed; end the name with ]"}
	}
	s.advance(i + 1)
	return nil
}

// dollar moves past a PostgreSQL dollar-quoted string ($$...$$ or
// $tag$...$tag$) when one starts here, or past the lone $ (a parameter
// such as $1) otherwise.
func (s *scanner) dollar() error {
	rest := s.src[s.pos:]
	if s.pos > 0 && isWordByte(s.src[s.pos-1]) {
		s.advance(1) // part of a name such as a$b
		return nil
	}
	n := 1
	for n < len(rest) && isWordByte(rest[n]) && rest[n] != '$' && (n > 1 || !(rest[n] >= '0' && rest[n] <= '9')) {
		n++
	}
	if n >= len(rest) || rest[n] != '$' {
		s.advance(1)
		return nil
	}
	tag := rest[:n+1]
	end := strings.Index(rest[len(tag):], tag)
	if end < 0 {
		return &Error{Line: s.line, Msg: fmt.Sprintf("dollar quote %s is never closed; end the body with %s", tag, tag)}
	}
	s.advance(len(tag) + end + len(tag))
	return nil
}

// number moves past a numeric literal, so 1e5 or 0x1F is not read as a word.
func (s *scanner) number() {
	n := 1
	for s.pos+n < len(s.src) && isWordByte(s.src[s.pos+n]) && s.src[s.pos+n] != '$' {
		n++
	}
	s.advance(n)
}

// word moves past a keyword or name, feeding it to the block tracker; on
// PostgreSQL an E before a quote starts a string with backslash escapes.
func (s *scanner) word(blocks *blockTracker) error {
	n := 1
	for s.pos+n < len(s.src) && isWordByte(s.src[s.pos+n]) {
		n++
	}
	w := s.src[s.pos : s.pos+n]
	s.advance(n)
	if s.d == schema.Postgres && (w == "E" || w == "e") && s.pos < len(s.src) && s.src[s.pos] == '\'' {
		return s.quoted('\'', true)
	}
	blocks.feed(w, s.nextWord)
	return nil
}

// nextWord returns the next word after white space and comments, upper
// case, without moving; "" when something else comes first.
func (s *scanner) nextWord() string {
	peek := *s
	for peek.pos < len(peek.src) {
		switch c := peek.src[peek.pos]; {
		case isSpace(c):
			peek.advance(1)
		case peek.lineComment():
			peek.skipLine()
		case peek.blockComment():
			if peek.skipBlockComment() != nil {
				return ""
			}
		case isWordStart(c):
			n := 1
			for peek.pos+n < len(peek.src) && isWordByte(peek.src[peek.pos+n]) {
				n++
			}
			return strings.ToUpper(peek.src[peek.pos : peek.pos+n])
		default:
			return ""
		}
	}
	return ""
}
