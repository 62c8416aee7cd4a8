package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/internal/sqlsplit"
	"github.com/pmanager/pmanager/pkg/schema"
)

func (s *session) loadCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "database:load",
		Aliases:   []string{"db:load"},
		Usage:     "load an SQL script or a JSON fixture into a connection, in one transaction",
		ArgsUsage: "[conn] <file.sql|file.json>",
		Description: "An .sql file runs statement by statement; a .json fixture is {\"table\": [{\"column\": value, ...}, ...], ...},\n" +
			"inserted in file order. Everything runs in one transaction and any error rolls it all back\n" +
			"(on MySQL, CREATE/ALTER/DROP statements commit themselves and stay).",
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
	db, ed, err := s.open(c.Context, p, conn)
	if err != nil {
		return err
	}
	defer db.Close()
	if kind == ".sql" {
		n, err := loadSQL(c.Context, db, ed, file, string(data))
		if err != nil {
			return err
		}
		fmt.Fprintf(s.stdout, "Loaded %d statements from %s\n", n, file)
		return nil
	}
	rows, tables, err := loadFixture(c.Context, db, ed, file, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.stdout, "Loaded %d rows into %d tables from %s\n", rows, tables, file)
	return nil
}

// loadSQL splits an SQL script and runs its statements in one transaction,
// returning how many ran.
func loadSQL(ctx context.Context, db *sql.DB, ed schema.Editor, file, src string) (int, error) {
	stmts, err := sqlsplit.Split(src, ed.Dialect())
	if err != nil {
		return 0, fmt.Errorf("cli: %s: %w; nothing was loaded", file, err)
	}
	for _, st := range stmts {
		if controlsTransaction(st.Text) {
			return 0, fmt.Errorf("cli: %s:%d: %s: database:load runs the whole file in one transaction; take the file's own transaction statements out; nothing was loaded", file, st.Line, st.FirstLine())
		}
	}
	run := func(q schema.ExecQuerier) error {
		for i, st := range stmts {
			if _, err := q.ExecContext(ctx, st.Text); err != nil {
				return fmt.Errorf("cli: load failed at %s:%d: %s: %w%s", file, st.Line, st.FirstLine(), err, mysqlDDLNote(ed, stmts[:i]))
			}
		}
		return checkDeferred(ctx, q, ed, file)
	}
	if ed.Dialect() == schema.MySQL {
		err = withoutAutocommit(ctx, db, run)
	} else {
		err = inTx(ctx, db, func(tx *sql.Tx) error { return run(tx) })
	}
	if err != nil {
		return 0, err
	}
	return len(stmts), nil
}

// controlsTransaction reports whether a statement begins, ends or commits
// a transaction, which would break the one transaction a load runs in.
// Savepoints stay allowed, and so do BEGIN ... END blocks with a body.
func controlsTransaction(text string) bool {
	words := strings.Fields(strings.ToUpper(text))
	switch words[0] {
	case "COMMIT", "ABORT":
		return true
	case "ROLLBACK":
		// ROLLBACK [WORK|TRANSACTION] TO SAVEPOINT undoes only part of it.
		return !slices.Contains(words, "TO")
	case "START":
		return len(words) > 1 && words[1] == "TRANSACTION"
	case "BEGIN", "END":
		if len(words) == 1 {
			return true
		}
		switch words[1] {
		case "TRANSACTION", "WORK", "DEFERRED", "IMMEDIATE", "EXCLUSIVE", "ISOLATION", "READ":
			return true
		}
	}
	return false
}

// mysqlDDLNote is what a failed load adds on MySQL when statements that
// ran before the failure were DDL: MySQL commits each by itself, with
// everything before it.
func mysqlDDLNote(ed schema.Editor, ran []sqlsplit.Statement) string {
	if ed.Dialect() != schema.MySQL {
		return "; nothing was loaded"
	}
	for i := len(ran) - 1; i >= 0; i-- {
		word, _, _ := strings.Cut(strings.TrimSpace(ran[i].Text), " ")
		switch strings.ToUpper(word) {
		case "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE":
			return fmt.Sprintf("; MySQL commits DDL by itself, so the statements up to line %d (%s) stay and only those after it were rolled back", ran[i].Line, ran[i].FirstLine())
		}
	}
	return "; nothing was loaded"
}

// withoutAutocommit runs fn on one MySQL connection with autocommit off,
// then commits, or rolls back when fn fails. Unlike a transaction begun
// with BEGIN, which ends at the first DDL statement (MySQL commits DDL by
// itself) and leaves what follows to autocommit, the statements after a
// DDL statement still wait for the final COMMIT.
func withoutAutocommit(ctx context.Context, db *sql.DB, fn func(q schema.ExecQuerier) error) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("cli: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET autocommit = 0"); err != nil {
		return fmt.Errorf("cli: turn autocommit off: %w", err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "SET autocommit = 1"); rerr != nil {
			err = errors.Join(err, fmt.Errorf("cli: turn autocommit back on: %w", rerr))
		}
	}()
	if err := fn(conn); err != nil {
		if _, rbErr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
			return errors.Join(err, fmt.Errorf("cli: roll back: %w", rbErr))
		}
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("cli: commit: %w", err)
	}
	return nil
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
		return fmt.Errorf("cli: load failed at %s: the foreign key checks at the end found: %w; nothing was loaded", file, err)
	}
	return nil
}

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
