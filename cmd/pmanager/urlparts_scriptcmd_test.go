package main

import (
	"net/url"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdURLParts splits the connection URL in $VAR into the variables
// PREFIX_HOST, PREFIX_PORT, PREFIX_USER and PREFIX_NAME, so a script can
// pass a test server to database:configure flag by flag:
//
//	urlparts VAR PREFIX
func cmdURLParts(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: urlparts VAR PREFIX")
	}
	u, err := url.Parse(ts.Getenv(args[0]))
	ts.Check(err)
	if u.User == nil || u.Port() == "" {
		ts.Fatalf("urlparts: $%s has no user or no port", args[0])
	}
	p := args[1]
	ts.Setenv(p+"_HOST", u.Hostname())
	ts.Setenv(p+"_PORT", u.Port())
	ts.Setenv(p+"_USER", u.User.Username())
	ts.Setenv(p+"_NAME", strings.TrimPrefix(u.Path, "/"))
}
