package migrations

import (
	"database/sql"
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
	// OpenSpare, when set, opens a new pool to the executor's server. A
	// run whose own pool holds one connection (SetMaxOpenConns(1), as a
	// fleet's target) has no second one to stop its statement on the
	// server through when interrupted: with OpenSpare it reads its
	// session's id at the start and, only once interrupted, opens one
	// short-lived connection with it to cancel the statement (and end the
	// session) as any run does. Such a run does not follow its lock waits,
	// so a lock timeout does not name the blockers. Nil: an interrupted
	// run on such a pool only gives up its connection.
	OpenSpare func() (*sql.DB, error)
}

// Executor plans and runs migrations against one database: Django's
// executor. It holds nothing of a run: each run of Migrate or MigrateTo
// works through a runner of its own.
type Executor struct {
	db      *sql.DB
	ed      schema.Editor
	g       *Graph
	history *History
}

// runner is one run of migrations under the migration lock: the
// executor's database and graph, and what the run holds while it lasts.
type runner struct {
	db *sql.DB
	ed schema.Editor
	// g is the executor's graph as registered; a plan is checked and run
	// against that graph resolved for the history the run reads.
	g *Graph
	// conn is the connection that holds the migration lock and runs
	// every statement of the run; history records through it.
	conn    *sql.Conn
	history *History
	// opts say how the run goes; observer is their Observer (never nil).
	opts     Options
	observer Observer
	// takenOver, on a Galera cluster, is the run whose expired lease this
	// one took over (nil when it took a free lease).
	takenOver *schema.LockHolder
	// lease, on a Galera cluster, is the run's lease, which
	// every statement passes (fence) before it starts; nil elsewhere.
	lease *lease
}

// fence refuses to start a statement once the run can no longer be sure
// it holds its Galera lease (see lease.fence); off Galera it never does.
func (rn *runner) fence() error {
	if rn.lease == nil {
		return nil
	}
	return rn.lease.fence()
}

// announce tells the run's observer of a statement about to run.
func (rn *runner) announce(stmt string) {
	rn.observer.Statement(stmt)
}

// NewExecutor returns an executor for the migrations of g on db, whose
// dialect ed renders.
func NewExecutor(db *sql.DB, ed schema.Editor, g *Graph) *Executor {
	return &Executor{db: db, ed: ed, g: g, history: NewHistory(db, ed)}
}

// History returns the history table the executor records into.
func (e *Executor) History() *History { return e.history }
