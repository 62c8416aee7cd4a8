package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/internal/sqlsplit"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

func (s *session) loadCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "database:load",
		Aliases:   []string{"db:load"},
		Usage:     "load an SQL script or a JSON fixture into a connection, in one transaction",
		ArgsUsage: "[conn] <file.sql|file.json>",
		Description: "An .sql file runs statement by statement (PostgreSQL COPY ... FROM stdin data included, as pg_dump\n" +
			"writes it); a .json fixture is {\"table\": [{\"column\": value, ...}, ...], ...}, inserted in file order.\n" +
			"Everything runs in one transaction and any error rolls it all back. A file holding statements that\n" +
			"commit by themselves (MySQL DDL, LOCK TABLES, ANALYZE TABLE, ...) or cannot run in a transaction\n" +
			"(CREATE INDEX CONCURRENTLY, VACUUM, ...) is refused before anything runs, unless --non-atomic is\n" +
			"given: the file then runs in steps, and a failure names exactly the statements that stay.",
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "non-atomic", Usage: "run a file that cannot load in one transaction in steps, committing around the statements that commit by themselves"},
		},
		Action: s.load,
	}
}

// load runs database:load.
func (s *session) load(c *ucli.Context) error {
	var conn, file string
	switch args := c.Args().Slice(); len(args) {
	case 1:
		file = args[0]
	case 2:
		conn, file = args[0], args[1]
	default:
		return fmt.Errorf("cli: database:load takes a connection and a file: pmanager database:load [conn] <file.sql|file.json>")
	}
	kind := strings.ToLower(filepath.Ext(file))
	if kind != ".sql" && kind != ".json" {
		return fmt.Errorf("cli: %s is neither an .sql script nor a .json fixture; database:load reads those two", file)
	}
	p, err := s.project()
	if err != nil {
		return err
	}
	path := file
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.dir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err // the path is the one the user typed, below
		}
		return fmt.Errorf("cli: cannot read %s: %w", file, err)
	}
	// Editors on some systems start UTF-8 files with a byte order mark,
	// which no server reads as SQL (nor JSON as JSON).
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	db, ed, err := s.open(c.Context, p, conn)
	if err != nil {
		return err
	}
	defer db.Close()
	if kind == ".sql" {
		res, err := loadSQL(c.Context, db, ed, file, string(data), c.Bool("non-atomic"))
		if err != nil {
			return err
		}
		var notes []string
		if res.copies > 0 {
			notes = append(notes, fmt.Sprintf("%d rows by COPY", res.copyRows))
		}
		if res.commits > 1 {
			notes = append(notes, fmt.Sprintf("committed in %d steps", res.commits))
		}
		detail := ""
		if len(notes) > 0 {
			detail = " (" + strings.Join(notes, "; ") + ")"
		}
		fmt.Fprintf(s.stdout, "Loaded %s from %s%s\n", plural(res.statements, "statement"), file, detail)
		return nil
	}
	rows, tables, err := loadFixture(c.Context, db, ed, file, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "Loaded %s into %s from %s\n", plural(rows, "row"), plural(tables, "table"), file)
	return nil
}

// loaded is what a successful SQL load ran.
type loaded struct {
	statements int
	// copies and copyRows count the COPY ... FROM STDIN statements and
	// the rows they sent.
	copies   int
	copyRows int64
	// commits is how many transactions committed (more than one only
	// with --non-atomic).
	commits int
}

// loadSQL splits an SQL script and runs it: in one transaction, or, when
// nonAtomic is set and the file holds statements that commit by
// themselves or cannot run in a transaction, in as few steps as those
// statements allow, reporting on failure exactly which statements stay.
func loadSQL(ctx context.Context, db *sql.DB, ed schema.Editor, file, src string, nonAtomic bool) (loaded, error) {
	d := ed.Dialect()
	stmts, err := sqlsplit.Split(src, d)
	if err != nil {
		return loaded{}, fmt.Errorf("cli: %s: %w; nothing was loaded", file, err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return loaded{}, fmt.Errorf("cli: connect: %w", err)
	}
	defer conn.Close()
	srv := sqlsplit.Server{}
	if d == schema.MySQL {
		if srv, err = mysqlServer(ctx, conn); err != nil {
			return loaded{}, err
		}
	}
	var run []sqlsplit.Statement
	var classes []sqlsplit.Class
	var standalone []sqlsplit.Statement
	var why []string
	for _, st := range stmts {
		if st.Meta {
			if err := metaCommand(file, st); err != nil {
				return loaded{}, err
			}
			continue
		}
		c := sqlsplit.Classify(st.Text, d, srv)
		switch c.Kind {
		case sqlsplit.TransactionControl:
			if nonAtomic {
				return loaded{}, fmt.Errorf("cli: %s:%d: %s: database:load --non-atomic begins and commits the file's steps itself; take the file's own transaction statements out; nothing was loaded", file, st.Line, st.FirstLine())
			}
			return loaded{}, fmt.Errorf("cli: %s:%d: %s: database:load runs the whole file in one transaction; take the file's own transaction statements out; nothing was loaded", file, st.Line, st.FirstLine())
		case sqlsplit.CommitsImplicitly, sqlsplit.NoTransaction:
			standalone = append(standalone, st)
			why = append(why, c.Why)
		}
		if d == schema.Postgres && copiesOut(st.Text) {
			return loaded{}, fmt.Errorf("cli: %s:%d: %s: COPY ... TO sends rows to the client; database:load only loads, take it out; nothing was loaded", file, st.Line, st.FirstLine())
		}
		run = append(run, st)
		classes = append(classes, c)
	}
	if len(standalone) > 0 && !nonAtomic {
		return loaded{}, fmt.Errorf("cli: %s cannot be loaded in one transaction: %s; nothing was loaded; take them out, or pass --non-atomic to run the file in steps (a failure then names the statements that stay)", file, listStandalone(d, standalone, why))
	}
	r := &sqlRun{ctx: ctx, conn: conn, ed: ed, file: file, stmts: run, classes: classes, srv: srv}
	if err := r.run(); err != nil {
		return loaded{}, err
	}
	return r.done, nil
}

// listStandalone names the statements that cannot share the file's
// transaction: how many, why, and where (the first few with their text,
// the line numbers of the rest).
func listStandalone(d schema.Dialect, sts []sqlsplit.Statement, why []string) string {
	const shown = 8
	what := "statements cannot run inside a transaction"
	if d == schema.MySQL {
		what = "statements commit by themselves on MySQL/MariaDB, with everything before them"
	}
	if len(sts) == 1 {
		what = "statement cannot run inside a transaction"
		if d == schema.MySQL {
			what = "statement commits by itself on MySQL/MariaDB, with everything before it"
		}
	}
	parts := make([]string, 0, shown+1)
	for i, st := range sts[:min(len(sts), shown)] {
		parts = append(parts, fmt.Sprintf("line %d %s (%s)", st.Line, st.FirstLine(), why[i]))
	}
	if rest := sts[min(len(sts), shown):]; len(rest) > 0 {
		lines := make([]string, 0, len(rest))
		for _, st := range rest[:min(len(rest), 40)] {
			lines = append(lines, strconv.Itoa(st.Line))
		}
		more := ""
		if len(rest) > 40 {
			more = ", …"
		}
		parts = append(parts, fmt.Sprintf("and %d more, on lines %s%s", len(rest), strings.Join(lines, ", "), more))
	}
	return fmt.Sprintf("%d %s: %s", len(sts), what, strings.Join(parts, "; "))
}

// metaCommand decides about a psql meta-command line: pg_dump's \restrict
// and \unrestrict only guard psql itself and are skipped; anything else
// needs psql and is refused.
func metaCommand(file string, st sqlsplit.Statement) error {
	name, _, _ := strings.Cut(st.Text, " ")
	switch name {
	case `\restrict`, `\unrestrict`:
		return nil
	}
	return fmt.Errorf("cli: %s:%d: %s: a psql meta-command, not SQL; database:load runs SQL only, take it out (or run the file with psql); nothing was loaded", file, st.Line, name)
}

// copiesOut reports whether a PostgreSQL statement is COPY ... TO, which
// would send rows back instead of loading any.
func copiesOut(text string) bool {
	w := sqlsplit.Words(text, schema.Postgres, sqlsplit.Server{})
	return len(w) > 0 && w[0] == "COPY" && slices.Contains(w, "TO") && !slices.Contains(w, "FROM")
}

// mysqlServer asks a MySQL-family server for its version, which decides
// which executable comments (/*!NNNNN ... */) it runs.
func mysqlServer(ctx context.Context, conn *sql.Conn) (sqlsplit.Server, error) {
	var v string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return sqlsplit.Server{}, fmt.Errorf("cli: ask the server its version: %w", err)
	}
	srv := sqlsplit.Server{MariaDB: strings.Contains(strings.ToLower(v), "mariadb")}
	nums := strings.SplitN(strings.FieldsFunc(v, func(r rune) bool { return r == '-' || r == '+' })[0], ".", 3)
	for _, part := range []int{10000, 100, 1} {
		n := 0
		if len(nums) > 0 {
			n, _ = strconv.Atoi(nums[0])
			nums = nums[1:]
		}
		srv.Version += n * part
	}
	return srv, nil
}

// sqlRun runs the statements of a file on one connection, keeping count of
// what is committed: committed statements are always the first ones of
// the file, as each commit covers everything before it.
type sqlRun struct {
	ctx     context.Context
	conn    *sql.Conn
	ed      schema.Editor
	file    string
	stmts   []sqlsplit.Statement
	classes []sqlsplit.Class
	// ran counts the statements that ran, committed those of them that
	// are committed.
	ran, committed int
	// open is set while a transaction is open (PostgreSQL and SQLite).
	open bool
	// autocommit is set when the file turned MySQL's autocommit back on:
	// each statement then commits by itself.
	autocommit bool
	// noInTx is set once the server has shown it cannot tell whether a
	// transaction is open.
	noInTx bool
	// srv is the MySQL server, for reading executable comments; locked is
	// set while the file holds LOCK TABLES.
	srv    sqlsplit.Server
	locked bool
	done   loaded
}

// run runs every statement and commits what is left at the end.
func (r *sqlRun) run() (err error) {
	d := r.ed.Dialect()
	if d == schema.MySQL {
		// With autocommit off, statements after a DDL statement still wait
		// for the final COMMIT (a transaction begun with BEGIN would end
		// at the DDL and leave them to autocommit).
		if _, err := r.conn.ExecContext(r.ctx, "SET autocommit = 0"); err != nil {
			return fmt.Errorf("cli: turn autocommit off: %w", err)
		}
		defer func() {
			if _, rerr := r.conn.ExecContext(context.WithoutCancel(r.ctx), "SET autocommit = 1"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("cli: turn autocommit back on: %w", rerr))
			}
		}()
	}
	for i, st := range r.stmts {
		kind := r.classes[i].Kind
		switch {
		case kind == sqlsplit.NoTransaction:
			// Commit what ran so far, then run the statement on its own.
			if err := r.commit(); err != nil {
				return r.fail(i, err)
			}
			if err := r.exec(st); err != nil {
				return r.fail(i, err)
			}
			r.ran, r.committed = i+1, i+1
			r.done.commits++
		case d == schema.MySQL:
			if err := r.exec(st); err != nil {
				return r.fail(i, err)
			}
			r.ran = i + 1
			if r.autocommit || kind == sqlsplit.CommitsImplicitly && r.mysqlCommits(st, nil) {
				r.committed = i + 1
				r.done.commits++
			}
			r.trackLocks(st)
			if slices.Contains(sqlsplit.Words(st.Text, d, sqlsplit.Server{}), "AUTOCOMMIT") {
				if err := r.askAutocommit(); err != nil {
					return r.fail(i, err)
				}
			}
		default:
			if !r.open {
				if err := r.begin(); err != nil {
					return r.fail(i, err)
				}
			}
			if err := r.exec(st); err != nil {
				return r.fail(i, err)
			}
			r.ran = i + 1
			if d == schema.Postgres {
				// A procedure may commit; the server says whether the
				// transaction is still open.
				in, err := connect.InTransaction(r.conn)
				if err != nil {
					return r.fail(i, err)
				}
				if !in {
					r.open, r.committed = false, i+1
				}
			}
		}
	}
	if err := r.commit(); err != nil {
		return r.fail(len(r.stmts), err)
	}
	r.done.statements = len(r.stmts)
	return nil
}

// begin opens a transaction (on MySQL autocommit is off, so one is
// always open).
func (r *sqlRun) begin() error {
	stmt := "BEGIN"
	if r.ed.Dialect() == schema.SQLite {
		stmt = "BEGIN IMMEDIATE"
	}
	if _, err := r.conn.ExecContext(r.ctx, stmt); err != nil {
		return fmt.Errorf("begin a transaction: %w", err)
	}
	r.open = true
	return nil
}

// commit checks the deferred foreign keys and commits what ran since the
// last commit, if anything did.
func (r *sqlRun) commit() error {
	if r.committed == r.ran && !r.open {
		return nil
	}
	if err := checkDeferred(r.ctx, r.conn, r.ed, r.file); err != nil {
		return err
	}
	if _, err := r.conn.ExecContext(r.ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	r.open, r.committed = false, r.ran
	r.done.commits++
	return nil
}

// exec runs one statement; a COPY ... FROM STDIN sends its data lines
// through the copy protocol.
func (r *sqlRun) exec(st sqlsplit.Statement) error {
	if !st.CopyData {
		_, err := r.conn.ExecContext(r.ctx, st.Text)
		return err
	}
	n, err := connect.CopyFrom(r.ctx, r.conn, st.Text, strings.NewReader(st.Data))
	if err != nil {
		return err
	}
	r.done.copies++
	r.done.copyRows += n
	return nil
}

// askAutocommit reads MySQL's autocommit after a statement that set it.
func (r *sqlRun) askAutocommit() error {
	var on int
	if err := r.conn.QueryRowContext(r.ctx, "SELECT @@autocommit").Scan(&on); err != nil {
		return fmt.Errorf("ask the server whether autocommit is on: %w", err)
	}
	r.autocommit = on != 0
	return nil
}

// fail rolls back what is not committed and says what failed and exactly
// which statements stay. i is the failing statement (len(stmts) for the
// final commit).
func (r *sqlRun) fail(i int, cause error) error {
	if r.ed.Dialect() == schema.MySQL && r.committed < r.ran {
		r.settleMySQL(i, cause)
	}
	ctx := context.WithoutCancel(r.ctx)
	var rbErr error
	if r.open || r.ed.Dialect() == schema.MySQL {
		if _, err := r.conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			rbErr = fmt.Errorf("cli: roll back: %w", err)
		}
	}
	where := fmt.Sprintf("%s (the final commit)", r.file)
	if i < len(r.stmts) {
		st := r.stmts[i]
		where = fmt.Sprintf("%s:%d: %s", r.file, st.Line, st.FirstLine())
		var cl *connect.CopyLineError
		if errors.As(cause, &cl) && st.CopyData {
			where = fmt.Sprintf("%s:%d: the data of %s (line %d)", r.file, st.DataLine+cl.Line-1, st.FirstLine(), st.Line)
		}
	}
	var ce *checkError
	msg := fmt.Errorf("cli: load failed at %s: %w", where, cause)
	if errors.As(cause, &ce) {
		msg = cause
	}
	return errors.Join(fmt.Errorf("%w%s", msg, r.kept()), rbErr)
}

// settleMySQL asks a MySQL-family server, after a failure, whether the
// statements that ran since the last known commit were committed anyway:
// a statement that commits implicitly commits what came before it even
// when it then fails. MariaDB answers with @@in_transaction; where the
// server cannot, a failed implicitly-committing statement that got past
// the parser is taken to have committed.
func (r *sqlRun) settleMySQL(i int, cause error) {
	if i < len(r.stmts) && r.classes[i].Kind == sqlsplit.CommitsImplicitly && r.mysqlCommits(r.stmts[i], cause) {
		r.committed = r.ran
	}
}

// mysqlCommits decides whether a statement that commits implicitly did
// commit what ran before it (cause is its error, nil when it succeeded).
// When the server says no transaction is open, it did. Otherwise a new
// transaction may have begun after the commit (LOCK TABLES begins one),
// so the documented rules decide: a syntax error stops a statement before
// its commit, and UNLOCK TABLES commits only when tables were locked.
func (r *sqlRun) mysqlCommits(st sqlsplit.Statement, cause error) bool {
	if open, known := r.mysqlOpen(); known && !open {
		return true
	}
	if cause != nil && isParseError(cause) {
		return false
	}
	w := sqlsplit.Words(st.Text, schema.MySQL, r.srv)
	if len(w) > 0 && w[0] == "UNLOCK" {
		return r.locked
	}
	return true
}

// trackLocks follows LOCK TABLES and UNLOCK TABLES, for mysqlCommits.
func (r *sqlRun) trackLocks(st sqlsplit.Statement) {
	w := sqlsplit.Words(st.Text, schema.MySQL, r.srv)
	if len(w) > 1 && (w[1] == "TABLE" || w[1] == "TABLES") {
		switch w[0] {
		case "LOCK":
			r.locked = true
		case "UNLOCK":
			r.locked = false
		}
	}
}

// mysqlOpen asks a MySQL-family server whether the session has a
// transaction open (work not committed yet); known is false when the
// server cannot say (@@in_transaction is MariaDB's).
func (r *sqlRun) mysqlOpen() (open, known bool) {
	if r.noInTx {
		return false, false
	}
	var in int
	if err := r.conn.QueryRowContext(context.WithoutCancel(r.ctx), "SELECT @@in_transaction").Scan(&in); err != nil {
		r.noInTx = true
		return false, false
	}
	return in != 0, true
}

// isParseError reports whether a MySQL error is a syntax error, which the
// server raises before running anything (implicit commits included).
func isParseError(err error) bool {
	return strings.Contains(err.Error(), "Error 1064 ")
}

// kept says which statements stay after a failure.
func (r *sqlRun) kept() string {
	if r.committed == 0 {
		return "; nothing was loaded"
	}
	first, last := r.stmts[0], r.stmts[r.committed-1]
	if r.committed == 1 {
		return fmt.Sprintf("; the statement on line %d (%s) stays committed and everything after it was rolled back; take it out of the file before loading it again", first.Line, first.FirstLine())
	}
	return fmt.Sprintf("; the first %d statements, lines %d to %d (up to %s), stay committed and everything after them was rolled back; take them out of the file before loading it again", r.committed, first.Line, last.Line, last.FirstLine())
}

// checkDeferred runs the deferred foreign key checks before the commit
// (pmanager's foreign keys are DEFERRABLE INITIALLY DEFERRED on PostgreSQL
// and SQLite, so rows may come in any order), so a row that points nowhere
// is reported as a load failure of file rather than as a failed commit.
func checkDeferred(ctx context.Context, q schema.ExecQuerier, ed schema.Editor, file string) error {
	var err error
	switch ic, ok := ed.(schema.IntegrityChecker); {
	case ed.Dialect() == schema.Postgres:
		_, err = q.ExecContext(ctx, "SET CONSTRAINTS ALL IMMEDIATE")
	case ok:
		err = ic.CheckIntegrity(ctx, q)
	}
	if err != nil {
		return &checkError{file: file, err: err}
	}
	return nil
}

// checkError is a load whose rows broke a foreign key, found by the checks
// before its commit.
type checkError struct {
	file string
	err  error
}

func (e *checkError) Error() string {
	return fmt.Sprintf("cli: load failed at %s: the foreign key checks at the end found: %v", e.file, e.err)
}

// Unwrap returns the database's error.
func (e *checkError) Unwrap() error { return e.err }

// inTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise.
func inTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cli: begin a transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("cli: roll back: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cli: commit: %w", err)
	}
	return nil
}
