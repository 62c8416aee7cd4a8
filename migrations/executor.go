package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Options change how Migrate runs a plan.
type Options struct {
	// Fake records (or forgets) migrations without running their SQL.
	Fake bool
	// FakeInitial fakes an Initial migration whose tables all exist already.
	FakeInitial bool
	// LockTimeout bounds the wait for another run's migration lock: 0
	// means DefaultLockTimeout, a negative value not to wait at all.
	LockTimeout time.Duration
	// Lease is the length of the migration lease on a Galera cluster (0:
	// DefaultLease): how long a run that stopped renewing it keeps others
	// waiting.
	Lease time.Duration
	// LockTimeout also bounds each statement's wait for a table or row
	// lock (see LockTimeoutError). LockRetries is how many times a
	// migration whose statement gave up such a wait, leaving nothing
	// behind, is tried again, after a growing pause.
	LockRetries int
	// Resume finishes the migrations an earlier run left part-way (see
	// Partial) before anything else; without Resume or RollbackPartial such
	// a migration stops the run with a *PartialError.
	Resume bool
	// RollbackPartial undoes what ran of them instead.
	RollbackPartial bool
	// AcceptEdited lists applied migrations whose edits the user accepts:
	// their new checksums are recorded and the run no longer refuses to
	// pass over them.
	AcceptEdited []Key
	// AssumeDone and AssumeNotDone are the user's word, for the statement
	// in doubt in operation number N (from 1) of a partial migration whose
	// outcome the database cannot show (see DoubtError), that it took
	// effect or did not; 0 when not given.
	AssumeDone, AssumeNotDone int
	// Observer hears what the run decides and does (nil: nothing hears).
	Observer Observer
}

// Executor plans and runs migrations against one database: Django's executor.
type Executor struct {
	db      *sql.DB
	ed      schema.Editor
	g       *Graph
	history *History
	// conn, during a run, is the connection that holds the migration lock
	// and runs every statement of the run; nil outside a run.
	conn *sql.Conn
	// observer, during a run, is the run's Options.Observer.
	observer Observer
	// takenOver, during a run on a Galera cluster, is the run whose
	// expired lease this one took over (nil when it took a free lease).
	takenOver *schema.LockHolder
	// lease, during a run on a Galera cluster, is the run's lease, which
	// every statement passes (fence) before it starts; nil elsewhere.
	lease *lease
}

// fence refuses to start a statement once the run can no longer be sure
// it holds its Galera lease (see lease.fence); off Galera it never does.
func (e *Executor) fence() error {
	if e.lease == nil {
		return nil
	}
	return e.lease.fence()
}

// announce tells the run's observer of a statement about to run.
func (e *Executor) announce(stmt string) {
	if e.observer != nil {
		e.observer.Statement(stmt)
	}
}

// querier is what the executor reads and writes through: the run's
// connection during a run, else the pool.
func (e *Executor) querier() schema.ExecQuerier {
	if e.conn != nil {
		return e.conn
	}
	return e.db
}

// connection returns a connection for one migration: the run's own, or one
// of the pool that done gives back.
func (e *Executor) connection(ctx context.Context) (*sql.Conn, func() error, error) {
	if e.conn != nil {
		return e.conn, func() error { return nil }, nil
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("migrations: get a connection: %w", err)
	}
	return conn, func() error {
		if err := conn.Close(); err != nil {
			return fmt.Errorf("migrations: release connection: %w", err)
		}
		return nil
	}, nil
}

// NewExecutor returns an executor for the migrations of g on db, whose
// dialect ed renders.
func NewExecutor(db *sql.DB, ed schema.Editor, g *Graph) *Executor {
	return &Executor{db: db, ed: ed, g: g, history: NewHistory(db, ed)}
}

// History returns the history table the executor records into.
func (e *Executor) History() *History { return e.history }
