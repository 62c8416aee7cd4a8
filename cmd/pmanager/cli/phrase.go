package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/checks"
)

// The library's errors carry data and say what to do in the library's
// words: they name Options fields (Options.Resume), never a flag. The
// command line phrases them for its user: each option becomes the flag
// that sets it, and the ways on become commands to copy, with the context
// (app, target, connection) of the run that failed.

// optionFlags maps the library's Options fields to the flags that set them.
var optionFlags = map[string]string{
	"Resume":          "--resume",
	"RollbackPartial": "--rollback-partial",
	"AssumeDone":      "--assume-done",
	"AssumeNotDone":   "--assume-not-done",
	"AcceptEdited":    "--accept-edited",
	"LockTimeout":     "--lock-timeout",
	"LockRetries":     "--lock-retries",
	"Fake":            "--fake",
}

// optionName matches an Options field named in a library message.
var optionName = regexp.MustCompile(`Options\.([A-Za-z]+)`)

// phrasedError is a library error in the command line's words.
type phrasedError struct {
	err error
	msg string
}

// Error is the message for the command line's user.
func (e *phrasedError) Error() string { return e.msg }

// Unwrap returns the library's error, for errors.As and errors.Is.
func (e *phrasedError) Unwrap() error { return e.err }

// phrase rewrites err for the command line: each typed library error in
// its chain is worded with flags and commands (migrate is the migrate
// command line of this run, for the commands suggested), and every
// Options field left becomes its flag. An error already phrased, or nil,
// is returned as it is.
func phrase(err error, migrate string) error {
	var done *phrasedError
	if err == nil || errors.As(err, &done) {
		return err
	}
	msg := err.Error()
	for _, e := range chain(err) {
		if words, ok := cliWords(e, migrate); ok {
			msg = strings.Replace(msg, e.Error(), words, 1)
		}
	}
	msg = optionName.ReplaceAllStringFunc(msg, func(m string) string {
		if flag, ok := optionFlags[strings.TrimPrefix(m, "Options.")]; ok {
			return flag
		}
		return m
	})
	if msg == err.Error() {
		return err
	}
	return &phrasedError{err: err, msg: msg}
}

// chain lists err and the errors it wraps, outermost first.
func chain(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		out = append(out, e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// cliWords is the command line's message for one typed library error,
// whose own message it replaces; ok is false for any other error.
func cliWords(err error, migrate string) (string, bool) {
	ways := func() string {
		return fmt.Sprintf("run `%s --resume` to run the rest once the cause is fixed, or `%s --rollback-partial` to undo what ran", migrate, migrate)
	}
	switch e := err.(type) {
	case *migrations.ConflictError:
		return e.Error() + ". To fix them run 'pmanager makemigrations --merge'", true
	case *migrations.MigrateError:
		return e.Message(ways()), true
	case *migrations.PartialError:
		return e.Message(ways()), true
	case *migrations.DoubtError:
		cmd := migrate + " --resume"
		if e.Rollback {
			cmd = migrate + " --rollback-partial"
		}
		return e.Message(fmt.Sprintf("run `%s --assume-done %d` if it took effect, or `%s --assume-not-done %d` if it did not", cmd, e.Operation, cmd, e.Operation)), true
	case *migrations.RollbackError:
		return e.Message(fmt.Sprintf("run `%s --resume` to finish it instead", migrate)), true
	case *migrations.EditedError:
		names := make([]string, len(e.Migrations))
		for i, k := range e.Migrations {
			names[i] = k.String()
		}
		return e.Message("accept it with --accept-edited " + strings.Join(names, " --accept-edited ")), true
	case *migrations.HistoryTableError:
		return e.Message(fmt.Sprintf("record the migrations already in the database with `%s --fake`", migrate)), true
	case *autodetect.FillError:
		return e.Message(fillAdvice(e.Cause)), true
	}
	return "", false
}

// fillAdvice says how to give makemigrations the value it asked for.
func fillAdvice(c autodetect.FillCause) string {
	switch c {
	case autodetect.FillQuit:
		return "add default=... to its tag, then run makemigrations again"
	case autodetect.FillNoAnswer:
		return "no answer could be read (standard input is not a terminal, or it ended); " +
			"add default=... to its tag, or run makemigrations in a terminal to give a one-off value"
	}
	return "add default=... to its tag, or run makemigrations without --noinput to give a one-off value"
}

// issueHints are the command line's hints for the check issues whose
// library hint names an Options field, by check id.
var issueHints = map[string]string{
	"pm.W009": "set the variables its url uses, or run pmanager check --database with a connection whose URL is known",
}

// phraseIssues words report's hints for the command line's user, in place,
// before the report is printed.
func phraseIssues(report *checks.Report) {
	for i := range report.Issues {
		if hint, ok := issueHints[report.Issues[i].ID]; ok {
			report.Issues[i].Hint = hint
		}
	}
}
