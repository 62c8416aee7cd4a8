package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
)

// Option changes how Latest runs.
type Option func(*options)

type options struct {
	// options observes the run, printing progress when asked to.
	migrations.NopObserver
	progress io.Writer
	// open is set while a progress line waits for its outcome.
	open bool
	// apps limits Latest to these apps (and what they depend on); nil is
	// every app of the registry.
	apps []string
}

// Apps limits Latest to the migrations of the given apps and those they
// depend on: the apps that pmanager.toml routes to this database.
func Apps(labels ...string) Option {
	return func(o *options) { o.apps = append([]string(nil), labels...) }
}

// WithProgress writes a line per migration applied to w, in the words of
// `pmanager migrate` ("Applying main.0001_initial... OK"), for start-up logs.
func WithProgress(w io.Writer) Option { return func(o *options) { o.progress = w } }

// Latest applies every migration of reg not yet applied to db, a database
// of the given dialect, in dependency order; a nil reg is the default
// registry that generated migration files fill. It returns nil when
// nothing was pending. A failure is returned as the executor reports it
// (*migrations.MigrateError says what ran before it).
func Latest(ctx context.Context, db *sql.DB, dialect schema.Dialect, reg *migrations.Registry, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	switch dialect {
	case schema.Postgres, schema.MySQL, schema.SQLite:
	default:
		return fmt.Errorf("migrate: unknown dialect %q; use schema.Postgres, schema.MySQL or schema.SQLite", dialect)
	}
	if reg == nil {
		reg = migrations.Default()
	}
	g, err := reg.Graph()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := migrations.CheckConflicts(g, nil); err != nil {
		return err
	}
	var targets []migrations.Target
	for _, app := range o.apps {
		if len(g.Migrations(app)) > 0 {
			targets = append(targets, migrations.Target{App: app})
		}
	}
	if o.apps != nil && len(targets) == 0 {
		return nil // none of these apps has a migration
	}
	// The same workflow as `pmanager migrate`: plan from the history, then
	// plan again and run under the migration lock.
	m := migrations.NewMigrator(db, connect.EditorFor(dialect), g)
	m.Options.Observer = &o
	_, err = m.Migrate(ctx, targets)
	if o.open {
		fmt.Fprintln(o.progress, " FAILED")
	}
	return err
}

// Migrating prints the start of a migration's line when WithProgress
// asked for it.
func (o *options) Migrating(step migrations.Step) {
	if o.progress == nil {
		return
	}
	fmt.Fprintf(o.progress, "Applying %s...", step.Migration.Key())
	o.open = true
}

// Migrated ends the line Migrating started.
func (o *options) Migrated(migrations.Step, bool, time.Duration) {
	if o.progress == nil {
		return
	}
	fmt.Fprintln(o.progress, " OK")
	o.open = false
}

// LatestURL is Latest for a pmanager connection URL (postgres://,
// mysql://, sqlite://path): it opens the database, migrates it and closes
// it again. It reads only url: neither the environment nor pmanager.toml
// (Configured routes by those).
func LatestURL(ctx context.Context, url string, reg *migrations.Registry, opts ...Option) error {
	if strings.TrimSpace(url) == "" {
		return fmt.Errorf("migrate: LatestURL was given an empty URL; it reads only its url argument, never the environment or pmanager.toml: pass the database's URL (postgres://, mysql:// or sqlite://path), such as os.Getenv(\"DATABASE_URL\") checked to be set, or call migrate.Configured to route by pmanager.toml")
	}
	t, err := connect.Parse(url, "")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	db, _, err := t.Open()
	if err != nil {
		return dsn.ScrubError(fmt.Errorf("migrate: %w", err), url)
	}
	err = Latest(ctx, db, t.Dialect, reg, opts...)
	if cerr := db.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("migrate: close %s: %w", t.Redacted, cerr)
	}
	// A driver error may quote the connection string back.
	return dsn.ScrubError(err, url)
}

// Configured migrates every database pmanager.toml in dir routes apps to,
// by the same rule as the pmanager command: each app on its own
// connection, else the default connection, whose URL
// PMANAGER_DATABASE_URL or DATABASE_URL replaces. Relative SQLite paths
// start from dir. With nothing configured (no connection in pmanager.toml
// and neither variable set) it refuses rather than create a database
// nobody named. With WithProgress, each database is announced first
// ("Database: <redacted URL> (<where it came from>)").
func Configured(ctx context.Context, dir string, reg *migrations.Registry, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := config.Read(dir, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if reg == nil {
		reg = migrations.Default()
	}
	g, err := reg.Graph()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	labels := cfg.Labels()
	for _, app := range g.Apps() {
		if _, ok := cfg.App(app); !ok {
			labels = append(labels, app)
		}
	}
	for _, group := range cfg.Group(labels) {
		r, err := cfg.RouteApp(group[0], "", "")
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if r.Builtin {
			return fmt.Errorf("migrate: no database configured in %s and neither %s nor %s is set; Configured migrates only a database it is told about", filepath.Join(dir, config.FileName), config.EnvURL, config.EnvURLFallback)
		}
		t, err := connect.Parse(r.URL, dir)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if o.progress != nil {
			fmt.Fprintf(o.progress, "Database: %s (%s)\n", t.Redacted, r.Source)
		}
		db, _, err := t.Open()
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		err = Latest(ctx, db, t.Dialect, reg, append(opts, Apps(group...))...)
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("migrate: close %s: %w", t.Redacted, cerr)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
