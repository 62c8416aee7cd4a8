package sqlsplit

import "strings"

// blockTracker follows BEGIN ... END in the body of a trigger, procedure,
// function or event, where the statements inside end with the delimiter
// but do not end the outer statement: SQLite triggers, MySQL routines
// written without DELIMITER, PostgreSQL BEGIN ATOMIC bodies.
type blockTracker struct {
	// words counts the words seen; only a statement whose first word is
	// CREATE can hold a body.
	words   int
	create  bool
	routine bool
	// depth is the number of open BEGIN and CASE blocks.
	depth int
}

// maxKindWord is the last word position where the kind of the created
// object may appear.
const maxKindWord = 6

// feed takes the next word of the statement; next peeks at the word after
// it, in upper case.
func (b *blockTracker) feed(word string, next func() string) {
	b.words++
	if b.words == 1 {
		b.create = strings.EqualFold(word, "CREATE")
		return
	}
	if !b.create {
		return
	}
	switch strings.ToUpper(word) {
	case "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT":
		// Only as the kind of object created (CREATE OR REPLACE
		// CONSTRAINT TRIGGER at the latest), not as a column name later on.
		if b.words <= maxKindWord {
			b.routine = true
		}
	case "BEGIN", "CASE":
		if b.routine {
			b.depth++
		}
	case "END":
		if b.depth == 0 {
			return
		}
		switch next() {
		case "IF", "LOOP", "WHILE", "REPEAT", "FOR":
			// These close blocks that are not counted.
		default:
			b.depth--
		}
	}
}
