package cli

import "strings"

// The commands the CLI suggests in an error ("run `pmanager migrate
// --resume`") would, in their bare form, act on the default database and
// every app; the CLI knows the context the user gave and puts it into
// every suggestion, so a copied command repeats it.

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
