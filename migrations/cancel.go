package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// How long an interrupted run works at stopping its statement on the
// server: it cancels the statement for up to stopCancel, then ends the
// session, and gives up after stopBound in all.
const (
	stopCancel = 3 * time.Second
	stopBound  = 5 * time.Second
	// lookupTimeout bounds each question the guard asks the server.
	lookupTimeout = 2 * time.Second
)

// LockWaitNotice is how long a statement waits for a lock before the run
// says, through Observer.StatementWaiting, whom it waits for.
const LockWaitNotice = 2 * time.Second

// LockWait describes a statement of the run waiting for a lock another
// session holds.
type LockWait struct {
	// Session is the run's own session, as the server shows it.
	Session schema.Session
	// Blockers are the sessions holding what it waits for.
	Blockers []schema.Session
	// Note says how sure the list of blockers is, when the server cannot
	// say exactly ("" when it can).
	Note string
	// Waited is how long the run has seen it wait; Timeout is when the
	// server gives up (--lock-timeout).
	Waited, Timeout time.Duration
}

// LockRetry describes a retry after a statement gave up waiting for a lock.
type LockRetry struct {
	// Attempt is the retry's number (from 1), of Retries in all.
	Attempt, Retries int
	// Pause is how long the run waits before it.
	Pause time.Duration
	// Err is the lock timeout that ended the attempt before.
	Err error
}

// cancelledError is a statement's error when the run was interrupted and
// the server stopped the statement: it is both the interruption and the
// server's answer.
type cancelledError struct {
	interrupt, server error
}

// Error implements error.
func (e *cancelledError) Error() string { return e.server.Error() }

// Unwrap returns both causes, so errors.Is finds context.Canceled.
func (e *cancelledError) Unwrap() []error { return []error{e.interrupt, e.server} }

// guard watches the session of a run while it migrates: it bounds the
// session's lock waits, notes whom a waiting statement waits for, and,
// when the run is interrupted, stops the session's statement on the
// server before the run gives up its connection.
type guard struct {
	lim schema.LockWaitLimiter
	// sc is nil when the guard only bounds lock waits.
	sc schema.SessionController
	// db is the pool the guard asks the server through: the run's own,
	// or, when spare is set, the one spare opens once the run is
	// interrupted (nil until then).
	db     *sql.DB
	spare  func() (*sql.DB, error)
	id     int64
	parent context.Context
	cancel context.CancelFunc
	opts   Options
	bound  time.Duration
	// restore puts the session's lock wait bound back.
	restore func(context.Context) error
	stop    chan struct{}
	done    chan struct{}

	mu       sync.Mutex
	blockers []schema.Session
	note     string
	report   string
}

// lockWaitBound is the bound on each statement's wait for a lock: the
// run's lock timeout, where "do not wait" is the least the server allows.
func lockWaitBound(opts Options) time.Duration {
	switch {
	case opts.LockTimeout == 0:
		return DefaultLockTimeout
	case opts.LockTimeout < 0:
		return time.Millisecond
	}
	return opts.LockTimeout
}

// guarded returns the context the run works under and the guard of its
// session on conn, after bounding the session's lock waits. Where the
// editor cannot control sessions (SQLite, whose statements run in this
// process and stop with ctx), or the pool cannot give a second connection
// to ask through and opts.OpenSpare cannot open one, the context is ctx
// and the guard only bounds lock waits and words their timeout. With
// OpenSpare on such a pool, the guard follows no lock waits (asking would
// take a connection the run does not hold) and opens its connection only
// once interrupted. An editor that cannot bound lock waits gets no guard.
func (e *Executor) guarded(ctx context.Context, conn *sql.Conn, opts Options) (context.Context, *guard, error) {
	lim, ok := e.ed.(schema.LockWaitLimiter)
	if !ok {
		return ctx, nil, nil
	}
	g := &guard{lim: lim, db: e.db, parent: ctx, opts: opts, bound: lockWaitBound(opts), cancel: func() {}}
	var err error
	if g.restore, err = lim.LimitLockWaits(ctx, conn, g.bound); err != nil {
		return nil, nil, fmt.Errorf("migrations: %w", err)
	}
	sc, ok := e.ed.(schema.SessionController)
	single := e.db.Stats().MaxOpenConnections == 1
	if !ok || single && opts.OpenSpare == nil {
		return ctx, g, nil
	}
	if single {
		g.db, g.spare = nil, opts.OpenSpare
	}
	if g.id, err = sc.SessionID(ctx, conn); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("migrations: %w", err), g.restore(context.WithoutCancel(ctx)))
	}
	g.sc = sc
	g.stop, g.done = make(chan struct{}), make(chan struct{})
	run, cancel := context.WithCancel(context.WithoutCancel(ctx))
	g.cancel = cancel
	go g.watch()
	return run, g, nil
}

// ask runs one question to the server with its own time bound.
func (g *guard) ask(f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	return f(ctx)
}

// session reads what the server says the run's session does.
func (g *guard) session() (schema.Session, error) {
	var s schema.Session
	err := g.ask(func(ctx context.Context) error {
		var err error
		s, err = g.sc.Session(ctx, g.db, g.id)
		return err
	})
	return s, err
}

// poll is how often the guard looks at the session: often enough to see
// a wait, and its blockers, before the server gives it up.
func (g *guard) poll() time.Duration {
	return min(max(g.bound/4, 20*time.Millisecond), 250*time.Millisecond)
}

// watch runs until the run ends: it follows lock waits, and stops the
// session's statement once the run is interrupted.
func (g *guard) watch() {
	defer close(g.done)
	defer g.cancel()
	defer g.closeSpare()
	// A guard with a spare asks nothing until the interrupt.
	var tick <-chan time.Time
	if g.spare == nil {
		t := time.NewTicker(g.poll())
		defer t.Stop()
		tick = t.C
	}
	var waitSeen time.Time
	var waitQuery string
	told := false
	for {
		select {
		case <-g.stop:
			return
		case <-g.parent.Done():
			if g.openSpare() {
				g.interrupted()
			}
			return
		case <-tick:
		}
		s, err := g.session()
		if err != nil || !s.WaitingForLock {
			waitSeen = time.Time{}
			continue
		}
		if waitSeen.IsZero() || s.Query != waitQuery {
			waitSeen, waitQuery, told = time.Now(), s.Query, false
		}
		var blockers []schema.Session
		var note string
		if err := g.ask(func(ctx context.Context) error {
			var err error
			blockers, note, err = g.sc.Blockers(ctx, g.db, g.id)
			return err
		}); err != nil || len(blockers) == 0 {
			continue
		}
		g.mu.Lock()
		g.blockers, g.note = blockers, note
		g.mu.Unlock()
		if waited := time.Since(waitSeen); !told && waited >= LockWaitNotice {
			told = true
			g.opts.observer().StatementWaiting(LockWait{Session: s, Blockers: blockers, Note: note, Waited: waited, Timeout: g.bound})
		}
	}
}

// openSpare opens, for a guard with a spare, the one connection it asks
// the server through once the run is interrupted, and reports whether the
// guard has a connection to ask through. When the server cannot be
// reached, the run's context is cancelled at once (the driver gives up
// the run's connection) and the report says the server could not be
// asked.
func (g *guard) openSpare() bool {
	if g.spare == nil {
		return true
	}
	db, err := g.spare()
	if err == nil {
		db.SetMaxOpenConns(1)
		if err = g.ask(db.PingContext); err != nil {
			db.Close()
		}
	}
	if err != nil {
		g.cancel()
		g.setReport(schema.Session{}, err, 0, false)
		return false
	}
	g.db = db
	return true
}

// closeSpare closes the connection openSpare opened, if any.
func (g *guard) closeSpare() {
	if g.spare != nil && g.db != nil {
		g.db.Close()
	}
}

// interrupted stops the run's statement on the server: it cancels the
// statement the session runs when the interrupt comes (and any statement
// of the session that then waits for a lock), ends the session if that
// has not stopped after stopCancel, and leaves the run's own bookkeeping
// (recording what happened) to finish. The run's context stays open while
// the run takes the server's answer, and is cancelled at once when the
// session was idle (the run was in a Go step or between statements), so
// the run sees the interrupt without a statement to cancel. It stays until
// the run returns or stopBound passes, and leaves in g.report what the
// server last showed.
func (g *guard) interrupted() {
	start := time.Now()
	cancels, ended := 0, false
	var first *schema.Session
	var last schema.Session
	var lastErr error
	for time.Since(start) < stopBound {
		s, err := g.session()
		last, lastErr = s, err
		if err == nil && first == nil {
			first = &s
		}
		switch {
		case err != nil:
		case s.Gone:
			g.cancel()
		case s.Running && (s.Query == first.Query || s.WaitingForLock):
			if time.Since(start) >= stopCancel && !ended {
				ended = true
				lastErr = g.ask(func(ctx context.Context) error { return g.sc.EndSession(ctx, g.db, g.id) })
			} else {
				cancels++
				lastErr = g.ask(func(ctx context.Context) error { return g.sc.CancelStatement(ctx, g.db, g.id) })
			}
		case s.Running:
			// The run records what happened; let it.
		case cancels == 0:
			g.cancel()
		}
		select {
		case <-g.stop:
			// The run has returned: one last look, in case it dropped its
			// connection while the server still ran a statement. A
			// statement that ends by itself within a second (a rollback
			// the driver sends on its own) is left to finish.
			last, lastErr = g.settled()
			if lastErr == nil && last.Running && !ended && (first == nil || last.Query == first.Query || last.WaitingForLock) {
				_ = g.ask(func(ctx context.Context) error { return g.sc.EndSession(ctx, g.db, g.id) })
				ended = true
				last, lastErr = g.settled()
			}
			g.setReport(last, lastErr, cancels, ended)
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	g.cancel()
	g.setReport(last, lastErr, cancels, ended)
}

// settled waits, up to a second, until the session runs nothing.
func (g *guard) settled() (schema.Session, error) {
	var s schema.Session
	var err error
	for i := 0; i < 20; i++ {
		if s, err = g.session(); err == nil && (s.Gone || !s.Running) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s, err
}

// setReport words what the server showed after the interrupt.
func (g *guard) setReport(s schema.Session, err error, cancels int, ended bool) {
	var r string
	switch {
	case err != nil:
		r = fmt.Sprintf("could not ask the server whether session %d stopped: %v", g.id, err)
	case s.Gone && ended:
		r = fmt.Sprintf("its statement did not stop when cancelled, so session %d was ended, and the migration lock with it", g.id)
	case s.Gone:
		r = fmt.Sprintf("session %d has ended, and the migration lock with it", g.id)
	case s.Running:
		r = fmt.Sprintf("the server still runs the statement of session %d (%s) and holds the migration lock until it ends", g.id, schema.Shorten(s.Query, 60))
	case cancels > 0:
		r = fmt.Sprintf("the server cancelled the running statement; session %d is %s", g.id, s.State)
	default:
		r = fmt.Sprintf("no statement was running on the server; session %d is %s", g.id, s.State)
	}
	g.mu.Lock()
	g.report = r
	g.mu.Unlock()
}

// finish stops the guard once the run has returned, puts the session's
// lock wait bound back and words err: an interrupted run says what the
// server showed, and a lock timeout names the sessions that held the lock.
func (g *guard) finish(err error, retries int) error {
	if g == nil {
		return err
	}
	if g.sc != nil {
		close(g.stop)
		<-g.done
	}
	// After an interrupt the connection may be gone already; a bound it
	// keeps then ends with it.
	if rerr := g.restore(context.WithoutCancel(g.parent)); rerr != nil && err == nil && g.parent.Err() == nil {
		err = fmt.Errorf("migrations: %w", rerr)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var me *MigrateError
	if errors.As(err, &me) && g.parent.Err() == nil && g.lim.IsLockTimeout(me.Err) {
		note := g.note
		if g.sc == nil || g.spare != nil {
			note = "another connection to the database holds it in a write transaction"
		}
		me.Err = &LockTimeoutError{Timeout: g.bound, Blockers: g.blockers, Note: note, Retries: retries, Err: me.Err}
	}
	if err == nil || g.parent.Err() == nil {
		return err
	}
	if errors.As(err, &me) && !me.Interrupted() {
		me.Err = &cancelledError{interrupt: g.parent.Err(), server: me.Err}
	}
	if g.report == "" {
		return err
	}
	return &InterruptedError{Err: err, Server: g.report}
}

// released adds to an interrupted run's report that the migration lock
// was given back, once unlock has done so.
func released(err error) error {
	var ie *InterruptedError
	if errors.As(err, &ie) && !strings.Contains(ie.Server, "migration lock") {
		ie.Server += "; the migration lock is released"
	}
	return err
}

// lockTimedOut reports whether err is a migration that gave up waiting
// for a lock and left nothing of itself behind, so it can be tried again.
func (g *guard) lockTimedOut(err error) bool {
	var me *MigrateError
	return g != nil && g.parent.Err() == nil && errors.As(err, &me) && !me.Partial && g.lim.IsLockTimeout(me.Err)
}

// lockRetryPause is the pause before retry n (from 1): it doubles from a
// second, up to half a minute.
func lockRetryPause(n int) time.Duration {
	return min(time.Second<<min(n-1, 5), 30*time.Second)
}

// migrateRetrying runs migrate, and runs it again, up to Options.LockRetries
// times with a growing pause, while it fails only because a statement gave
// up waiting for a lock: each attempt plans from the history again, so what
// an attempt completed is not run twice.
func (rn *runner) migrateRetrying(ctx context.Context, g *guard, planFor planFunc) ([]Step, int, error) {
	var all []Step
	seen := map[Key]bool{}
	for n := 0; ; n++ {
		steps, err := rn.migrate(ctx, planFor)
		for _, s := range steps {
			if !seen[s.Migration.Key()] {
				seen[s.Migration.Key()] = true
				all = append(all, s)
			}
		}
		if err == nil || n >= rn.opts.LockRetries || !g.lockTimedOut(err) {
			return all, n, err
		}
		pause := lockRetryPause(n + 1)
		rn.observer.Retrying(LockRetry{Attempt: n + 1, Retries: rn.opts.LockRetries, Pause: pause, Err: err})
		t := time.NewTimer(pause)
		select {
		case <-g.parent.Done():
			t.Stop()
			return all, n, err
		case <-t.C:
		}
		g.mu.Lock()
		g.blockers, g.note = nil, ""
		g.mu.Unlock()
	}
}
