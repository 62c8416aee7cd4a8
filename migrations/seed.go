package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// SeedFunc fills a database with data: `pmanager database:seed` calls it
// inside a transaction of its own, committed when it returns nil and
// rolled back when it returns an error.
type SeedFunc func(ctx context.Context, tx *SeedTx) error

// Seeder is a registered seeding function and the name it runs under.
type Seeder struct {
	// Name is what database:seed prints and --only selects.
	Name string
	// Run fills the database.
	Run SeedFunc
}

// SeedTx is the transaction a seeder writes through, with what it needs
// to write SQL that runs on every dialect.
type SeedTx struct {
	*sql.Tx
	editor schema.Editor
}

// NewSeedTx wraps tx, open on a database of ed's dialect, for a seeder.
func NewSeedTx(tx *sql.Tx, ed schema.Editor) *SeedTx { return &SeedTx{Tx: tx, editor: ed} }

// Dialect says which database the seeder writes to.
func (t *SeedTx) Dialect() schema.Dialect { return t.editor.Dialect() }

// Quote quotes a table or column name for the dialect, so names such as
// user or order work everywhere.
func (t *SeedTx) Quote(name string) string { return t.editor.Quote(name) }

// Rebind turns the ? placeholders of query into the dialect's own ($1, $2
// on PostgreSQL); a ? inside quotes is left alone.
func (t *SeedTx) Rebind(query string) string {
	if t.Dialect() != schema.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Exec runs query, written with ? placeholders and names quoted by Quote,
// with args bound as parameters.
func (t *SeedTx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.ExecContext(ctx, t.Rebind(query), args...)
}

// RegisterSeeder adds a seeder that runs after those registered before it.
// Problems (an empty name, a nil function, a name used twice) are kept
// and reported by Seeders, because seeders register from init.
func (r *Registry) RegisterSeeder(name string, fn SeedFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case strings.TrimSpace(name) == "":
		r.seedErrs = append(r.seedErrs, fmt.Errorf("migrations: RegisterSeeder called without a name (after %d registered); give every seeder a name", len(r.seeders)))
		return
	case fn == nil:
		r.seedErrs = append(r.seedErrs, fmt.Errorf("migrations: seeder %q was registered with a nil function", name))
		return
	}
	for _, s := range r.seeders {
		if s.Name == name {
			r.seedErrs = append(r.seedErrs, fmt.Errorf("migrations: seeder %q is registered twice; give each seeder its own name", name))
			return
		}
	}
	r.seeders = append(r.seeders, Seeder{Name: name, Run: fn})
}

// Seeders returns the registered seeders in registration order, or every
// registration problem.
func (r *Registry) Seeders() ([]Seeder, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seedErrs) > 0 {
		return nil, errors.Join(r.seedErrs...)
	}
	return append([]Seeder(nil), r.seeders...), nil
}

// RegisterSeeder adds a seeder to the default registry; a project's
// seeders package calls it from init.
func RegisterSeeder(name string, fn SeedFunc) { defaultRegistry.RegisterSeeder(name, fn) }

// Seed runs the seeders in order, each in its own transaction, and stops
// at the first that fails: that one is rolled back, those before it stay
// committed. report, when not nil, is called before each seeder runs
// (err is nil then) and after it, with its outcome.
func Seed(ctx context.Context, db *sql.DB, ed schema.Editor, seeders []Seeder, report func(name string, done bool, err error)) error {
	if report == nil {
		report = func(string, bool, error) {}
	}
	for _, s := range seeders {
		report(s.Name, false, nil)
		err := seedOne(ctx, db, ed, s)
		report(s.Name, true, err)
		if err != nil {
			return err
		}
	}
	return nil
}

// seedOne runs one seeder in a transaction.
func seedOne(ctx context.Context, db *sql.DB, ed schema.Editor, s Seeder) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrations: seeder %s: begin: %w", s.Name, err)
	}
	defer func() {
		if err != nil {
			if rbErr := rollback(ctx, tx); rbErr != nil {
				err = errors.Join(err, fmt.Errorf("migrations: seeder %s: rollback: %w", s.Name, rbErr))
			}
		}
	}()
	if err := s.Run(ctx, NewSeedTx(tx, ed)); err != nil {
		return fmt.Errorf("migrations: seeder %s: %w", s.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrations: seeder %s: commit: %w", s.Name, err)
	}
	return nil
}
