package schema

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pmanager/pmanager/pkg/state"
)

// Dialect names a database family.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql"
	SQLite   Dialect = "sqlite"
)

// ExecQuerier is what editors and executors need of a connection; *sql.DB,
// *sql.Tx and *sql.Conn all satisfy it.
type ExecQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// DDL renders the statements of state changes for one dialect. Every
// method is pure: it returns the statements (one per element, no trailing
// semicolon) and runs nothing, so the same output serves migrate and
// sqlmigrate.
//
// p is the project used to resolve relation targets: the state after the
// change, except for DeleteModel, which gets the state before it. from and to
// are the same model before and after the change (they may differ in table
// name, fields, indexes...). fill, when not nil, is a one-off literal for the
// rows that already exist; it is not kept as a column default.
type DDL interface {
	// Dialect says which database this editor writes for.
	Dialect() Dialect
	// Quote quotes an identifier for this dialect.
	Quote(name string) string
	// AtomicDDL reports whether DDL can run inside a transaction that rolls back.
	AtomicDDL() bool

	CreateModel(p *state.Project, m *state.Model) ([]string, error)
	DeleteModel(p *state.Project, m *state.Model) ([]string, error)
	// AlterModelTable renames the table (and the automatic M2M join tables that follow it).
	AlterModelTable(p *state.Project, from, to *state.Model) ([]string, error)
	AddField(p *state.Project, from, to *state.Model, field string, fill *string) ([]string, error)
	RemoveField(p *state.Project, from, to *state.Model, field string) ([]string, error)
	// AlterField changes field oldName of from into newName of to; the names
	// differ for a rename. Type, null, default, unique, index, relation and
	// column changes are all handled here.
	AlterField(p *state.Project, from, to *state.Model, oldName, newName string, fill *string) ([]string, error)
	AlterUniqueTogether(p *state.Project, from, to *state.Model) ([]string, error)
	AddIndex(p *state.Project, from, to *state.Model, idx state.Index) ([]string, error)
	RemoveIndex(p *state.Project, from, to *state.Model, idx state.Index) ([]string, error)
	RenameIndex(p *state.Project, from, to *state.Model, oldName, newName string) ([]string, error)
	AddConstraint(p *state.Project, from, to *state.Model, c state.Constraint) ([]string, error)
	RemoveConstraint(p *state.Project, from, to *state.Model, c state.Constraint) ([]string, error)
	// AlterTableComment changes the table's comment (Meta.Comment) where
	// the dialect keeps comments (Commenter).
	AlterTableComment(p *state.Project, from, to *state.Model) ([]string, error)
}

// Inspector reads a live database's schema back, apart from rendering
// DDL: the executor and the tests ask it what a migration really left.
type Inspector interface {
	// Inspect reads every user table of the live database (the history
	// table included), sorted by name, normalised to the vocabulary of Expected.
	Inspect(ctx context.Context, db ExecQuerier) ([]Table, error)
}

// Expecter says what an Inspector should find for a state, so a live
// schema can be compared with the one the migrations imply.
type Expecter interface {
	// Expected says what Inspect should find after every managed model of p
	// was created by this dialect's DDL: tables (join tables included),
	// sorted by name.
	Expected(p *state.Project) ([]Table, error)
}

// Editor is one whole dialect, composed of its small parts: the DDL it
// writes, the introspection that reads a database back, and the
// expectation that introspection is compared with. Further abilities
// (IntegrityChecker, Recoverer, Explainer, Runner, Preparer, ...) are
// discovered by type assertion.
type Editor interface {
	DDL
	Inspector
	Expecter
}

// IntegrityChecker is implemented by editors whose migrations run with
// foreign key enforcement off (SQLite table rebuilds); the executor calls it
// before committing a migration.
type IntegrityChecker interface {
	CheckIntegrity(ctx context.Context, db ExecQuerier) error
}

// Recoverer is implemented by editors whose server can refuse a statement
// because of stale bookkeeping of its own that the editor knows how to clear
// (MariaDB's persistent statistics). Exec asks it once per failure.
type Recoverer interface {
	// Recover looks at err, returned by stmt. It reports true when it
	// cleared the cause, so the statement is worth one more try, and an
	// error when clearing the cause failed.
	Recover(ctx context.Context, db ExecQuerier, stmt string, err error) (bool, error)
}

// Explainer is implemented by editors that can add to a server's error
// what a user should do about it, where the server's words alone do not
// say (PostgreSQL's "out of shared memory" is about its lock table).
type Explainer interface {
	// Explain returns err, wrapped with advice when there is some.
	Explain(err error) error
}

// Exec runs one rendered statement on db. When it fails and ed recognizes
// the failure as one it can clear, the statement runs once more, so a
// server-side hiccup does not leave a migration part-way; a failure that
// stays is explained where ed knows how.
func Exec(ctx context.Context, ed Editor, db ExecQuerier, stmt string) error {
	run := func() error {
		if r, ok := ed.(Runner); ok {
			return r.Run(ctx, db, stmt)
		}
		_, err := db.ExecContext(ctx, stmt)
		return err
	}
	err := run()
	if err == nil || ctx.Err() != nil {
		return err
	}
	if r, ok := ed.(Recoverer); ok {
		retry, rerr := r.Recover(ctx, db, stmt, err)
		switch {
		case rerr != nil:
			err = fmt.Errorf("%w (clearing the cause failed: %v)", err, rerr)
		case retry:
			if err = run(); err == nil {
				return nil
			}
		}
	}
	if x, ok := ed.(Explainer); ok {
		return x.Explain(err)
	}
	return err
}

// Runner is implemented by editors that must run some rendered statements
// themselves because what the statement needs lies in the live database
// beyond the state: a SQLite table rebuild keeps the triggers and views
// that refer to the table, which only the database knows. Exec calls Run
// instead of executing the statement directly.
type Runner interface {
	Run(ctx context.Context, db ExecQuerier, stmt string) error
}

// Preparer is implemented by editors that must set up a connection before a
// migration's transaction begins (SQLite turns foreign key enforcement off)
// and put it back afterwards, before the connection returns to the pool.
type Preparer interface {
	Prepare(ctx context.Context, db ExecQuerier) error
	Restore(ctx context.Context, db ExecQuerier) error
}
