package cli

import (
	"regexp"
	"strings"
)

// The library's errors suggest commands in their bare form ("run `pmanager
// migrate --resume`"). Copied as they are, those would act on the default
// database and every app; the CLI knows the context the user gave and
// puts it into every suggestion, so a copied command repeats it.

// commandLine renders a pmanager command for a user to copy: the command,
// its positional arguments and the flags that say where it acts, each
// quoted for a POSIX shell where needed.
func commandLine(command string, args []string, flags ...string) string {
	parts := []string{"pmanager", command}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	for _, f := range flags {
		parts = append(parts, shellQuote(f))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell unless it needs none.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/:=@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// databaseFlags is --database NAME when the user named a connection.
func databaseFlags(named string) []string {
	if named == "" {
		return nil
	}
	return []string{"--database", named}
}

// suggested matches the start of a suggested migrate command, with the
// --database flag the library may already have put in.
var suggested = regexp.MustCompile("`pmanager migrate( --database[ =][^ `]+)?")

// contextError is an error whose suggested `pmanager migrate` commands
// carry the context of the run that failed.
type contextError struct {
	err error
	msg string
}

// Error is the message with the context put in.
func (e *contextError) Error() string { return e.msg }

// Unwrap returns the library's error, for errors.As and errors.Is.
func (e *contextError) Unwrap() error { return e.err }

// withContext rewrites every suggested "`pmanager migrate ...`" of err so
// that it starts with migrate (a full "pmanager migrate [app [target]]
// [--database C]" line); nil stays nil.
func withContext(err error, migrate string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !strings.Contains(msg, "`pmanager migrate") || migrate == "pmanager migrate" {
		return err
	}
	// A suggestion that already names a connection names the one of this
	// run; the full context replaces it rather than repeating it.
	return &contextError{err: err, msg: suggested.ReplaceAllString(msg, "`"+migrate)}
}
