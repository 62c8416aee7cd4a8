package autodetect

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// Questioner answers what Detect cannot decide alone: the value existing
// rows get when a column becomes NOT NULL without a default.
type Questioner interface {
	// AskFill is asked when a NOT NULL field without a default is added to an existing model (alteration=false),
	// or an existing field becomes NOT NULL without a default (alteration=true). It returns a one-off literal for the
	// existing rows, or an error to stop makemigrations (which then writes nothing).
	//
	// The literal is the value itself, as a Default holds it (0, hello, an
	// empty string for ""); the schema editor quotes it for the column. A nil
	// literal with a nil error means "no value": the operation is written
	// without one (the Interactive prompt offers this for alterations only).
	AskFill(model, field string, alteration bool) (*string, error)
}

// RenameQuestioner is the optional part of a Questioner that confirms
// renames. Detect asks it only about pairs with equal definitions and no
// hint (Meta.Was, was=); a Questioner without it answers no, so the pair
// becomes a removal and an addition.
type RenameQuestioner interface {
	// AskRename asks whether field oldName of model (a Go type name) was
	// renamed to newName, a field of the given kind.
	AskRename(model, oldName, newName string, kind state.Kind) (bool, error)
	// AskRenameModel asks whether the model oldName of app was renamed to newName.
	AskRenameModel(app, oldName, newName string) (bool, error)
}

// FillError is what a questioner returns when no value is given for the
// existing rows, so makemigrations stops and the user fixes the model. Its
// message says which field and how to fix it.
type FillError struct {
	// Model and Field name the field that got no value (Go type name, field name).
	Model, Field string
	// Alteration is true when an existing field becomes NOT NULL, false when
	// a NOT NULL field is added.
	Alteration bool
	// Cause says why there is no value, so the advice fits what happened.
	Cause FillCause
}

// FillCause is why a questioner gave no value for the existing rows.
type FillCause int

const (
	// FillNoInput: the questioner is not interactive (NonInteractive), so
	// nobody was asked.
	FillNoInput FillCause = iota
	// FillQuit: the user chose to quit at the prompt.
	FillQuit
	// FillNoAnswer: the input ended before an answer, as it does when
	// standard input is not a terminal.
	FillNoAnswer
)

// Error implements error.
func (e *FillError) Error() string {
	var advice string
	switch e.Cause {
	case FillQuit:
		advice = "add default=... to its tag, then detect the changes again"
	case FillNoAnswer:
		advice = "no answer could be read (the input ended); " +
			"add default=... to its tag, or answer with an interactive questioner to give a one-off value"
	default:
		advice = "add default=... to its tag, or answer with an interactive questioner to give a one-off value"
	}
	return e.Message(advice)
}

// Message is the error's message with advice, how to give the field a
// value, in the caller's words (a command line names its commands and
// flags); an advice that starts "add default=..." gets "(or null)" when a
// field is added.
func (e *FillError) Message(advice string) string {
	if e.Alteration {
		return fmt.Sprintf("cannot make the field %s of %s NOT NULL without a default: existing rows may hold NULL; %s", e.Field, e.Model, advice)
	}
	advice = strings.Replace(advice, "add default=...", "add default=... (or null)", 1)
	return fmt.Sprintf("cannot add the NOT NULL field %s to %s without a default: %s", e.Field, e.Model, advice)
}

// NonInteractive returns the questioner of makemigrations --noinput: it
// never invents a value and answers every fill question with a *FillError,
// and never guesses a rename (only hints make one).
func NonInteractive() Questioner { return nonInteractive{} }

type nonInteractive struct{}

// AskRename implements RenameQuestioner: no, nobody is there to confirm.
func (nonInteractive) AskRename(string, string, string, state.Kind) (bool, error) { return false, nil }

// AskRenameModel implements RenameQuestioner: no.
func (nonInteractive) AskRenameModel(string, string, string) (bool, error) { return false, nil }

// AskFill implements Questioner by refusing: nobody is there to answer.
func (nonInteractive) AskFill(model, field string, alteration bool) (*string, error) {
	return nil, &FillError{Model: model, Field: field, Alteration: alteration}
}

// Interactive returns the questioner of a terminal session: Django's prompt,
// read from in and written to out. Choosing to quit, or the end of the
// input, returns a *FillError.
//
// A value is typed as a literal: a bare value taken as it is once the
// surrounding spaces are trimmed (0, hello, 2024-01-31 10:00), or a quoted
// one, which is also how to give an empty string or a value with edge
// spaces:
//
//	'a, b'       single quotes; a quote inside is doubled: 'it''s'
//	''           the empty string
//	"a\tb"       double quotes, unquoted as a Go string literal
//	exit         quits (type 'exit' for the word itself)
func Interactive(in io.Reader, out io.Writer) Questioner {
	return &interactive{in: bufio.NewReader(in), out: out}
}

type interactive struct {
	in  *bufio.Reader
	out io.Writer
}

// AskFill implements Questioner.
func (q *interactive) AskFill(model, field string, alteration bool) (*string, error) {
	quit := &FillError{Model: model, Field: field, Alteration: alteration, Cause: FillQuit}
	ended := &FillError{Model: model, Field: field, Alteration: alteration, Cause: FillNoAnswer}
	var intro string
	if alteration {
		intro = fmt.Sprintf("You are trying to change the nullable field '%s' on %s to non-nullable without a default; "+
			"we can't do that (the database needs something to populate existing rows).\n"+
			"Please select a fix:\n"+
			" 1) Provide a one-off default now (will be set on all existing rows with a null value for this column)\n"+
			" 2) Quit, and let me add a default in the model\n"+
			" 3) Ignore for now, and let me handle existing rows with NULL myself "+
			"(e.g. because you added a RunGo or RunSQL operation to handle NULL values in a previous data migration)\n",
			field, model)
	} else {
		intro = fmt.Sprintf("You are trying to add a non-nullable field '%s' to %s without a default; "+
			"we can't do that (the database needs something to populate existing rows).\n"+
			"Please select a fix:\n"+
			" 1) Provide a one-off default now (will be set on all existing rows)\n"+
			" 2) Quit, and let me add a default in the model\n",
			field, model)
	}
	if err := q.say(intro + "Select an option: "); err != nil {
		return nil, err
	}
	for {
		line, eof, err := q.readLine()
		if err != nil {
			return nil, err
		}
		switch strings.TrimSpace(line) {
		case "1":
			return q.askLiteral(quit, ended)
		case "2":
			return nil, quit
		case "3":
			if alteration {
				return nil, nil
			}
		}
		if eof {
			return nil, ended
		}
		if err := q.say("Please select a valid option: "); err != nil {
			return nil, err
		}
	}
}

// AskRename implements RenameQuestioner with Django's question.
func (q *interactive) AskRename(model, oldName, newName string, kind state.Kind) (bool, error) {
	m := strings.ToLower(model)
	return q.askYesNo(fmt.Sprintf("Did you rename %s.%s to %s.%s (a %s field)? [y/N] ", m, oldName, m, newName, kindName(kind)))
}

// AskRenameModel implements RenameQuestioner with Django's question.
func (q *interactive) AskRenameModel(app, oldName, newName string) (bool, error) {
	return q.askYesNo(fmt.Sprintf("Did you rename the %s.%s model to %s? [y/N] ", app, oldName, newName))
}

// kindName is the name a question gives a kind ("Char", "ForeignKey").
func kindName(k state.Kind) string {
	if name, ok := k.ConstName(); ok {
		return name
	}
	return string(k)
}

// askYesNo asks until the answer is yes or no; an empty answer or the end
// of the input is no.
func (q *interactive) askYesNo(question string) (bool, error) {
	if err := q.say(question); err != nil {
		return false, err
	}
	for {
		line, eof, err := q.readLine()
		if err != nil {
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return true, nil
		case "", "n", "no":
			return false, nil
		}
		if eof {
			return false, nil
		}
		if err := q.say("Please answer yes or no: "); err != nil {
			return false, err
		}
	}
}

// askLiteral reads the one-off value, asking again until it parses; exit
// returns quit and the end of the input ended.
func (q *interactive) askLiteral(quit, ended error) (*string, error) {
	err := q.say("Please enter the default value as a literal: a bare value such as 0, hello or 2024-01-31,\n" +
		"or a quoted one such as 'a, b' ('' is the empty string; '' inside quotes is one quote).\n" +
		"Type exit to quit.\n>>> ")
	if err != nil {
		return nil, err
	}
	for {
		line, eof, err := q.readLine()
		if err != nil {
			return nil, err
		}
		text := strings.TrimSpace(line)
		var retry string
		switch {
		case text == "exit":
			return nil, quit
		case text == "":
			retry = "Please enter a value, or exit to quit."
		default:
			v, perr := parseLiteral(text)
			if perr == nil {
				return &v, nil
			}
			retry = perr.Error() + "; please try again."
		}
		if eof {
			return nil, ended
		}
		if err := q.say(retry + "\n>>> "); err != nil {
			return nil, err
		}
	}
}

// readLine returns the next line without its line ending; eof is true when
// the input ended (line then holds whatever came before the end).
func (q *interactive) readLine() (line string, eof bool, err error) {
	line, err = q.in.ReadString('\n')
	if errors.Is(err, io.EOF) {
		return strings.TrimRight(line, "\r\n"), true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("autodetect: reading an answer: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func (q *interactive) say(s string) error {
	if _, err := io.WriteString(q.out, s); err != nil {
		return fmt.Errorf("autodetect: writing a question: %w", err)
	}
	return nil
}

// parseLiteral reads the value syntax of the prompt: 'single quoted' with
// a doubled quote for a quote, "double quoted" as in Go, or a bare value
// as it is.
func parseLiteral(text string) (string, error) {
	switch text[0] {
	case '\'':
		if len(text) < 2 || text[len(text)-1] != '\'' {
			return "", fmt.Errorf("the quote in %s is not closed", text)
		}
		inner := text[1 : len(text)-1]
		if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			return "", fmt.Errorf("a quote inside %s must be doubled ('')", text)
		}
		return strings.ReplaceAll(inner, "''", "'"), nil
	case '"':
		v, err := strconv.Unquote(text)
		if err != nil {
			return "", fmt.Errorf("%s is not a valid double-quoted string", text)
		}
		return v, nil
	}
	return text, nil
}
