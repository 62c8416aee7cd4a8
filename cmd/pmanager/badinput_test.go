package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// TestBadInput runs the bad-input corpus of testdata/badinput: each case is
// a project, one command and the one line that command must print on
// stderr, checked by the reject command (exit status 1, one line, nothing
// written). The cases that need a server run when one is configured.
func TestBadInput(t *testing.T) {
	t.Parallel()
	runScripts(t, filepath.Join("testdata", "badinput"), schema.SQLite, nil)
}

// cmdReject runs a command that must fail on bad input and checks the
// whole failure:
//
//	reject [-prefix] 'expected stderr line' pmanager args...
//
// The command must exit with status 1 and print exactly one line on stderr,
// equal to the expected line (or, with -prefix, starting with it, for
// messages that end with a server's or a path's own words). Nothing may be
// written: the files of the script's folder (the generated .pmanager aside)
// and the database ($CHECKDB, else the script's default database) must be
// as they were, and no temporary file may be left behind. Its stdout and
// stderr stay available to the stdout and stderr commands.
func cmdReject(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! reject")
	}
	prefix := false
	if len(args) > 0 && args[0] == "-prefix" {
		prefix, args = true, args[1:]
	}
	if len(args) < 2 {
		ts.Fatalf("usage: reject [-prefix] 'expected stderr line' command args...")
	}
	want, command := args[0], args[1:]
	before := snapshot(ts)
	err := ts.Exec(command[0], command[1:]...)
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		ts.Fatalf("%s succeeded; it must fail with status 1", strings.Join(command, " "))
	case !errors.As(err, &exitErr):
		ts.Fatalf("run %s: %v", command[0], err)
	case exitErr.ExitCode() != 1:
		ts.Fatalf("%s exited with status %d, want 1", strings.Join(command, " "), exitErr.ExitCode())
	}
	checkOneLine(ts, ts.ReadFile("stderr"), want, prefix)
	after := snapshot(ts)
	if diff := before.diff(after); diff != "" {
		ts.Fatalf("%s wrote something although it failed:\n%s", strings.Join(command, " "), diff)
	}
}

// checkOneLine checks that stderr is exactly one line and that it is want
// (or starts with it).
func checkOneLine(ts *testscript.TestScript, stderr, want string, prefix bool) {
	line, ok := strings.CutSuffix(stderr, "\n")
	if !ok || strings.Contains(line, "\n") {
		ts.Fatalf("stderr is not exactly one line:\n%s", stderr)
	}
	if prefix {
		if !strings.HasPrefix(line, want) {
			ts.Fatalf("stderr:\n  %s\ndoes not start with\n  %s", line, want)
		}
		return
	}
	if line != want {
		ts.Fatalf("stderr:\n  %s\nwant\n  %s", line, want)
	}
}

// state is what a failed command must leave alone: every file of the
// script's folder by content, and a description of the database.
type state struct {
	files map[string]string
	temps []string
	db    string
}

// snapshot records the script's folder and database.
func snapshot(ts *testscript.TestScript) state {
	st := state{files: map[string]string{}}
	root := ts.Getenv("WORK")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			// The generated main and its binary are rebuilt on every run by
			// design; HOME holds the toolchain's own files.
			if d.Name() == ".pmanager" || rel == "home" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".tmp") {
			st.temps = append(st.temps, rel)
		}
		if strings.HasSuffix(d.Name(), ".db.lock") {
			// The migration lock beside an SQLite database says who took it
			// last; taking the lock before refusing is not a write.
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		st.files[rel] = hex.EncodeToString(sum[:8])
		return nil
	})
	ts.Check(err)
	st.db = describeDB(ts)
	return st
}

// diff describes how after differs from st, "" when it does not; any
// temporary file is a difference.
func (st state) diff(after state) string {
	var out []string
	for name, sum := range after.files {
		if old, ok := st.files[name]; !ok {
			out = append(out, "new file "+name)
		} else if old != sum {
			out = append(out, "changed file "+name)
		}
	}
	for name := range st.files {
		if _, ok := after.files[name]; !ok {
			out = append(out, "removed file "+name)
		}
	}
	for _, name := range after.temps {
		out = append(out, "temporary file left behind: "+name)
	}
	if st.db != after.db {
		out = append(out, "database changed:\n--- before\n"+st.db+"--- after\n"+after.db)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// describeDB renders the tables and history rows of the database a case
// checks: $CHECKDB when set, else the script's default database. A
// database that cannot be reached is described as such, so that a case
// whose database does not exist checks it still does not.
func describeDB(ts *testscript.TestScript) string {
	raw := ts.Getenv("CHECKDB")
	var db *sql.DB
	var ed schema.Editor
	var err error
	if raw != "" {
		var t *connect.Target
		if t, err = connect.Parse(raw, ts.MkAbs(".")); err == nil {
			if _, serr := os.Stat(t.Database); t.Dialect == schema.SQLite && serr != nil {
				return "no database: " + t.Database + " does not exist\n"
			}
			db, ed, err = t.Open()
		}
	} else {
		db, ed, err = scriptDB(ts)
	}
	if err != nil {
		return "no database: " + scrubPassword(err.Error()) + "\n"
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tables, err := ed.Inspect(ctx, db)
	if err != nil {
		return "cannot inspect: " + scrubPassword(err.Error()) + "\n"
	}
	var b strings.Builder
	hasHistory := false
	for _, t := range tables {
		writeTable(&b, t, schemaOptions{})
		hasHistory = hasHistory || t.Name == schema.HistoryTable
	}
	if hasHistory {
		rows, err := queryRows(db, "SELECT * FROM "+ed.Quote(schema.HistoryTable)+" ORDER BY 1")
		ts.Check(err)
		b.WriteString(rows)
	}
	return b.String()
}

// scrubPassword hides passwords in URLs that a description may quote.
func scrubPassword(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		if u, err := url.Parse(f); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
				fields[i] = u.String()
			}
		}
	}
	return strings.Join(fields, " ")
}

// cmdCapture runs a command (like exec) and appends the command line, its
// stdout and its stderr to $WORK/output.log, so a script can search
// everything a session printed at once (for a secret that must never show).
// With ! the command must fail.
//
//	capture pmanager args...
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: capture command args...")
	}
	err := ts.Exec(args[0], args[1:]...)
	log, ferr := os.OpenFile(filepath.Join(ts.Getenv("WORK"), "output.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	ts.Check(ferr)
	_, werr := fmt.Fprintf(log, "$ %s\n%s%s", strings.Join(args, " "), ts.ReadFile("stdout"), ts.ReadFile("stderr"))
	ts.Check(errors.Join(werr, log.Close()))
	var exitErr *exec.ExitError
	switch {
	case err != nil && !errors.As(err, &exitErr):
		ts.Fatalf("run %s: %v", args[0], err)
	case neg && err == nil:
		ts.Fatalf("%s succeeded unexpectedly", strings.Join(args, " "))
	case !neg && err != nil:
		ts.Logf("stderr:\n%s", ts.ReadFile("stderr"))
		ts.Fatalf("%s failed: %v", strings.Join(args, " "), err)
	}
}

// cmdCreateUser creates a database user with a password on the server of
// args[0], allowed everything on the database named by the URL in $args[1],
// and rewrites that URL to log in as the new user with that password:
//
//	createuser postgres|mysql VAR PASSWORD
//
// The user is dropped when the script ends.
func cmdCreateUser(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: createuser postgres|mysql VAR PASSWORD")
	}
	d := schema.Dialect(args[0])
	admin := os.Getenv(serverEnv(d))
	if serverEnv(d) == "" || admin == "" {
		ts.Fatalf("createuser: no %s server configured", args[0])
	}
	u, err := url.Parse(ts.Getenv(args[1]))
	ts.Check(err)
	dbName := strings.TrimPrefix(u.Path, "/")
	// Random, so that test runs sharing a server never meet.
	var b [6]byte
	_, err = rand.Read(b[:])
	ts.Check(err)
	user := "pm_user_" + hex.EncodeToString(b[:])
	adminURL, err := url.Parse(admin)
	ts.Check(err)
	t, err := connect.Parse(adminURL.String(), ts.MkAbs("."))
	ts.Check(err)
	db, ed, err := t.Open()
	ts.Check(err)
	defer db.Close()
	password := strings.ReplaceAll(args[2], "'", "''")
	var create []string
	switch d {
	case schema.Postgres:
		create = []string{
			fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", ed.Quote(user), password),
			fmt.Sprintf("ALTER DATABASE %s OWNER TO %s", ed.Quote(dbName), ed.Quote(user)),
		}
	case schema.MySQL:
		create = []string{
			fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, password),
			fmt.Sprintf("GRANT ALL ON %s.* TO '%s'@'%%'", ed.Quote(dbName), user),
		}
	}
	for _, stmt := range create {
		if _, err := db.Exec(stmt); err != nil {
			ts.Fatalf("createuser: %v", err)
		}
	}
	ts.Defer(func() { dropUser(ts, d, adminURL, dbName, user) })
	u.User = url.UserPassword(user, args[2])
	ts.Setenv(args[1], u.String())
}

// dropUser removes what createuser made. On PostgreSQL the user's tables
// in the script's database go first (a role that owns objects cannot be
// dropped) and the database goes back to the admin, whose clean-up then
// drops it.
func dropUser(ts *testscript.TestScript, d schema.Dialect, admin *url.URL, dbName, user string) {
	run := func(u *url.URL, stmts ...string) {
		t, err := connect.Parse(u.String(), ts.MkAbs("."))
		if err != nil {
			ts.Logf("createuser: clean-up: %v", err)
			return
		}
		db, _, err := t.Open()
		if err != nil {
			ts.Logf("createuser: clean-up: %v", err)
			return
		}
		defer db.Close()
		for _, stmt := range stmts {
			if _, err := db.Exec(stmt); err != nil {
				ts.Logf("createuser: clean-up: %v", err)
			}
		}
	}
	// Both names are made of letters, digits and underscores (createdb's
	// and createuser's own), so they need no quoting here.
	switch d {
	case schema.Postgres:
		inDB := *admin
		inDB.Path = "/" + dbName
		run(&inDB, "DROP OWNED BY "+user+" CASCADE")
		run(admin, "ALTER DATABASE "+dbName+" OWNER TO CURRENT_USER", "DROP ROLE IF EXISTS "+user)
	case schema.MySQL:
		run(admin, "DROP USER IF EXISTS '"+user+"'@'%'")
	}
}

// cmdURLSet changes parts of the URL held by a variable, to point a case
// at a user, password, host or database that is not the working one, or
// to move the password out of the user info into a query parameter NAME:
//
//	urlset VAR [user=U] [password=P] [host=H:PORT] [db=NAME] [passparam=NAME]
func cmdURLSet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: urlset VAR [user=U] [password=P] [host=H:PORT] [db=NAME] [passparam=NAME]")
	}
	u, err := url.Parse(ts.Getenv(args[0]))
	ts.Check(err)
	for _, a := range args[1:] {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("urlset: %q is not part=value", a)
		}
		pass, hasPass := "", false
		if u.User != nil {
			pass, hasPass = u.User.Password()
		}
		switch k {
		case "user":
			if hasPass {
				u.User = url.UserPassword(v, pass)
			} else {
				u.User = url.User(v)
			}
		case "password":
			u.User = url.UserPassword(u.User.Username(), v)
		case "host":
			u.Host = v
		case "db":
			u.Path = "/" + v
		case "passparam":
			if !hasPass {
				ts.Fatalf("urlset: passparam: the URL has no password to move")
			}
			u.User = url.User(u.User.Username())
			q := u.Query()
			q.Set(v, pass)
			u.RawQuery = q.Encode()
		default:
			ts.Fatalf("urlset: unknown part %q; use user, password, host, db or passparam", k)
		}
	}
	ts.Setenv(args[0], u.String())
}
