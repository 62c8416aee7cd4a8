package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// scriptDB opens the database a script's pmanager uses by default:
// $PMANAGER_DATABASE_URL, else $DATABASE_URL, else pmanager.db in the
// current folder. An SQLite file must already exist, so that looking at
// the schema never creates the database a script expects to be absent.
func scriptDB(ts *testscript.TestScript) (*sql.DB, schema.Editor, error) {
	raw := ts.Getenv("PMANAGER_DATABASE_URL")
	if raw == "" {
		raw = ts.Getenv("DATABASE_URL")
	}
	if raw == "" {
		raw = "sqlite://pmanager.db"
	}
	t, err := connect.Parse(raw, ts.MkAbs("."))
	if err != nil {
		return nil, nil, err
	}
	if t.Dialect == schema.SQLite {
		if _, err := os.Stat(t.Database); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("SQLite database %s does not exist", t.Database)
		}
	}
	return t.Open()
}

// cmdDBSchema prints the live schema, one line per table, column, key,
// unique, index, foreign key and check, so scripts match lines with stdout
// or compare the whole with cmp:
//
//	table car
//	column car.price numeric(10,2) not null default "0"
//	pk car (id)
//	unique car.car_name_uniq (manufacturer_id, name)
//	index car.car_name_idx (name, -released) partial
//	fk car.manufacturer_id -> manufacturer(id) on delete CASCADE (car_manufacturer_id_fk)
//	check car.price_gte_0
//
// Arguments name the tables to show (default: all, the history table
// included). -tables prints the table lines only; -anyorder sorts the
// columns by name, for comparing schemas where a column re-added by
// ALTER TABLE lands last.
func cmdDBSchema(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! dbschema")
	}
	var opt schemaOptions
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-tables":
			opt.tablesOnly = true
		case "-anyorder":
			opt.anyOrder = true
		default:
			ts.Fatalf("usage: dbschema [-tables] [-anyorder] [table...]")
		}
		args = args[1:]
	}
	db, ed, err := scriptDB(ts)
	ts.Check(err)
	defer db.Close()
	tables, err := ed.Inspect(context.Background(), db)
	ts.Check(err)
	want := map[string]bool{}
	for _, a := range args {
		want[a] = true
	}
	seen := map[string]bool{}
	var b strings.Builder
	for _, t := range tables {
		if len(want) > 0 && !want[t.Name] {
			continue
		}
		seen[t.Name] = true
		writeTable(&b, t, opt)
	}
	for _, name := range args {
		if !seen[name] {
			ts.Fatalf("dbschema: no table %s in the database", name)
		}
	}
	_, err = ts.Stdout().Write([]byte(b.String()))
	ts.Check(err)
}

// schemaOptions are dbschema's flags.
type schemaOptions struct {
	tablesOnly, anyOrder bool
}

// writeTable renders one introspected table in dbschema's line format.
func writeTable(b *strings.Builder, t schema.Table, opt schemaOptions) {
	fmt.Fprintf(b, "table %s\n", t.Name)
	if opt.tablesOnly {
		return
	}
	cols := append([]schema.Column(nil), t.Columns...)
	if opt.anyOrder {
		sort.Slice(cols, func(i, j int) bool { return cols[i].Name < cols[j].Name })
	}
	for _, c := range cols {
		line := fmt.Sprintf("column %s.%s %s", t.Name, c.Name, c.Type)
		if c.Nullable {
			line += " null"
		} else {
			line += " not null"
		}
		if c.Default != nil {
			line += " default " + strconv.Quote(*c.Default)
		}
		if c.DBDefault != "" {
			line += " db_default " + c.DBDefault
		}
		if c.AutoIncrement {
			line += " auto"
		}
		b.WriteString(line + "\n")
	}
	if len(t.PrimaryKey) > 0 {
		fmt.Fprintf(b, "pk %s (%s)\n", t.Name, strings.Join(t.PrimaryKey, ", "))
	}
	partial := func(p bool) string {
		if p {
			return " partial"
		}
		return ""
	}
	for _, u := range t.Uniques {
		fmt.Fprintf(b, "unique %s.%s (%s)%s\n", t.Name, u.Name, strings.Join(u.Columns, ", "), partial(u.Partial))
	}
	for _, i := range t.Indexes {
		fmt.Fprintf(b, "index %s.%s (%s)%s\n", t.Name, i.Name, strings.Join(i.Columns, ", "), partial(i.Partial))
	}
	for _, f := range t.ForeignKeys {
		// SQLite's foreign keys have no name.
		name := ""
		if f.Name != "" {
			name = " (" + f.Name + ")"
		}
		fmt.Fprintf(b, "fk %s.%s -> %s(%s) on delete %s%s\n", t.Name, f.Column, f.RefTable, f.RefColumn, f.OnDelete, name)
	}
	for _, c := range t.Checks {
		fmt.Fprintf(b, "check %s.%s\n", t.Name, c)
	}
}

// cmdDBQuery runs one query (its arguments joined by spaces) and prints
// each row as its values joined by "|", NULL for a null. With ! the query
// must fail; the error goes to stderr.
func cmdDBQuery(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: dbquery SQL")
	}
	db, _, err := scriptDB(ts)
	ts.Check(err)
	defer db.Close()
	out, err := queryRows(db, strings.Join(args, " "))
	finish(ts, neg, "dbquery", err)
	_, err = ts.Stdout().Write([]byte(out))
	ts.Check(err)
}

// queryRows runs query and renders its rows.
func queryRows(db *sql.DB, query string) (string, error) {
	rows, err := db.Query(query)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = cell(v)
		}
		b.WriteString(strings.Join(cells, "|") + "\n")
	}
	return b.String(), rows.Err()
}

// cell renders one value the same way whatever the driver returned it as.
func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case time.Time:
		return v.UTC().Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}

// cmdDBExec runs one statement (its arguments joined by spaces). With ! the
// statement must fail (a violated constraint, say); its error goes to
// stderr so the script can match it.
func cmdDBExec(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: dbexec SQL")
	}
	db, _, err := scriptDB(ts)
	ts.Check(err)
	defer db.Close()
	_, err = db.Exec(strings.Join(args, " "))
	finish(ts, neg, "dbexec", err)
}

// finish applies the script's expectation (neg: the statement must fail)
// to err.
func finish(ts *testscript.TestScript, neg bool, cmd string, err error) {
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s: %v", cmd, err)
	case err == nil && neg:
		ts.Fatalf("%s succeeded unexpectedly", cmd)
	case err != nil:
		_, werr := fmt.Fprintln(ts.Stderr(), err)
		ts.Check(werr)
	}
}

// generatedHeader is the first line of a generated migration file, which
// holds the time it was written.
var generatedHeader = regexp.MustCompile(`^// Generated by pmanager [^ ]+ on \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$`)

// cmdCmpMigration compares a generated migration file with a golden file
// from its second line on, after checking that the first line is the
// generated-by header (its timestamp changes on every run; the CLI has no
// way to fix the clock).
func cmdCmpMigration(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cmpmigration generated.go want.go")
	}
	got := ts.ReadFile(args[0])
	first, rest, _ := strings.Cut(got, "\n")
	if !generatedHeader.MatchString(first) {
		ts.Fatalf("%s: first line %q is not the generated-by header", args[0], first)
	}
	want := ts.ReadFile(args[1])
	if rest != want {
		ts.Logf("%s", diff.Diff(args[0]+" (from line 2)", []byte(rest), args[1], []byte(want)))
		ts.Fatalf("%s (from line 2 on) and %s differ", args[0], args[1])
	}
}

// cmdURLPassword puts the password args[1] into the database URL held by
// the variable args[0], so scripts check that a password never shows up
// in pmanager's output (against a live server when the URL names one).
func cmdURLPassword(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: urlpassword VAR PASSWORD")
	}
	u, err := url.Parse(ts.Getenv(args[0]))
	ts.Check(err)
	if u.User == nil {
		ts.Fatalf("urlpassword: $%s has no user to give a password to", args[0])
	}
	u.User = url.UserPassword(u.User.Username(), args[1])
	ts.Setenv(args[0], u.String())
}
