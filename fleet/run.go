package fleet

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
)

// Options change how Migrate runs a fleet.
type Options struct {
	// Parallel is how many targets are migrated at once (and so the most
	// connections the run holds on one server); less than 1 means 1.
	Parallel int
	// StopOnError starts no new target once one has failed; the targets
	// running then are finished.
	StopOnError bool
	// Targets is where every database is migrated to, as for
	// migrations.Migrator.Migrate; nil is every app's latest migration.
	Targets []migrations.Target
	// Migrate is what every target's run is given (Fake, Resume,
	// LockTimeout, ...). Migrate reports each target's migrations, lock
	// waits and recoveries through Events, and passes them on to its
	// Observer too, which then hears several targets at once.
	Migrate migrations.Options
	// Events, when set, is told what each target does, one event at a
	// time (never from two goroutines at once).
	Events func(Event)
}

// EventKind says what happened to a target.
type EventKind int

// What an Event reports.
const (
	// TargetStarted: the target's turn came; it is being connected to.
	TargetStarted EventKind = iota
	// MigrationStarted and MigrationDone bracket one migration (Step).
	MigrationStarted
	MigrationDone
	// Waiting: another run holds the target's migration lock (Holder).
	Waiting
	// Recovering: a migration an earlier run left part-way is resumed or
	// rolled back (Step.Migration is nil; Partial says which).
	Recovering
	// TargetDone: the target is finished, Result says how.
	TargetDone
)

// Event is one thing a target did, for progress output.
type Event struct {
	Kind   EventKind
	Target Target
	// Step is the migration of MigrationStarted and MigrationDone.
	Step migrations.Step
	// Faked and Took describe a MigrationDone.
	Faked bool
	Took  time.Duration
	// Holder is who holds the lock, for Waiting.
	Holder schema.LockHolder
	// Partial is the migration being recovered, for Recovering.
	Partial migrations.Partial
	// Result is the target's outcome, for TargetDone.
	Result *Result
}

// Result is how one target of a run ended.
type Result struct {
	Target Target
	// Started is false when the target was never begun: --stop-on-error
	// after another's failure, or the run was interrupted first.
	Started bool
	// Applied lists the migrations this run applied (or unapplied) on the
	// target, in order, including any it recovered.
	Applied []migrations.Key
	// Edited lists applied migrations edited since they ran.
	Edited []migrations.Key
	// Err is why the target failed; nil when it succeeded.
	Err error
	// Took is how long the target's run lasted.
	Took time.Duration
}

// Status is the one word a summary table shows for a result.
func (r Result) Status() string {
	switch {
	case !r.Started:
		return "skipped"
	case r.Err != nil:
		return "failed"
	case len(r.Applied) > 0:
		return "migrated"
	}
	return "up to date"
}

// Migrate brings every target to opts.Targets with the migrations of g,
// Parallel targets at a time, and returns one result per target in the
// order of targets. Each target is one `pmanager migrate`: its own
// connection, lock, transactions and recovery; a failure is kept in its
// result and never stops the others (unless StopOnError). Failed reports
// the failures as one error.
func Migrate(ctx context.Context, targets []Target, g *migrations.Graph, opts Options) []Result {
	results := make([]Result, len(targets))
	var mu sync.Mutex
	emit := func(e Event) {
		if opts.Events == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		opts.Events(e)
	}
	var failed atomic.Bool
	each(len(targets), opts.Parallel, func(i int) {
		if ctx.Err() != nil || opts.StopOnError && failed.Load() {
			results[i] = Result{Target: targets[i]}
			return
		}
		r := migrateOne(ctx, targets[i], g, opts, emit)
		if r.Err != nil {
			failed.Store(true)
		}
		results[i] = r
		emit(Event{Kind: TargetDone, Target: targets[i], Result: &results[i]})
	})
	return results
}

// each calls f(i) for i in [0, n), at most parallel at a time, starting
// them in order of i.
func each(n, parallel int, f func(i int)) {
	if parallel < 1 {
		parallel = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(parallel, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// migrateOne is one target's `pmanager migrate`.
func migrateOne(ctx context.Context, t Target, g *migrations.Graph, opts Options, emit func(Event)) (r Result) {
	start := time.Now()
	r = Result{Target: t, Started: true}
	defer func() {
		// A panic is a bug of pmanager; it fails this target, not the run.
		if p := recover(); p != nil {
			r.Err = fmt.Errorf("fleet: %s: internal error (please report it): %v\n%s", t.Name, p, debug.Stack())
		}
		r.Took = time.Since(start)
		r.Err = dsn.ScrubError(r.Err, t.url)
	}()
	emit(Event{Kind: TargetStarted, Target: t})
	db, ed, err := t.open(ctx)
	if err != nil {
		r.Err = err
		return r
	}
	defer db.Close()
	run := opts.Migrate
	inner := run.Observer
	if inner == nil {
		inner = migrations.NopObserver{}
	}
	run.Observer = &targetObserver{Observer: inner, emit: emit, t: t, r: &r}
	// An interrupt stops the running statement on the server, as for one
	// database, through a connection opened only then.
	run.OpenSpare = t.spare
	// The same workflow as one database's migrate: the history read, the
	// graph resolved for it and checked, edits reported, then the run.
	m := migrations.NewMigrator(db, ed, g)
	m.Options = run
	_, r.Err = m.Migrate(ctx, opts.Targets)
	return r
}

// targetObserver turns what a run on one target reports into the fleet's
// events and the target's result; everything else goes on to the
// observer the caller's options name.
type targetObserver struct {
	migrations.Observer
	emit func(Event)
	t    Target
	r    *Result
}

// Edited implements migrations.Observer.
func (o *targetObserver) Edited(keys []migrations.Key) {
	o.Observer.Edited(keys)
	o.r.Edited = keys
}

// Migrating implements migrations.Observer.
func (o *targetObserver) Migrating(s migrations.Step) {
	o.Observer.Migrating(s)
	o.emit(Event{Kind: MigrationStarted, Target: o.t, Step: s})
}

// Migrated implements migrations.Observer.
func (o *targetObserver) Migrated(s migrations.Step, faked bool, took time.Duration) {
	o.Observer.Migrated(s, faked, took)
	o.r.Applied = append(o.r.Applied, s.Migration.Key())
	o.emit(Event{Kind: MigrationDone, Target: o.t, Step: s, Faked: faked, Took: took})
}

// WaitingForLock implements migrations.Observer.
func (o *targetObserver) WaitingForLock(h schema.LockHolder) {
	o.Observer.WaitingForLock(h)
	o.emit(Event{Kind: Waiting, Target: o.t, Holder: h})
}

// Recovering implements migrations.Observer.
func (o *targetObserver) Recovering(p migrations.Partial, rollback bool) {
	o.Observer.Recovering(p, rollback)
	o.emit(Event{Kind: Recovering, Target: o.t, Partial: p})
}

// Recovered implements migrations.Observer.
func (o *targetObserver) Recovered(p migrations.Partial, rollback bool) {
	o.Observer.Recovered(p, rollback)
	o.r.Applied = append(o.r.Applied, p.Key)
}

// Failed is nil when every result succeeded, else an *Error naming each
// target that failed or was not started.
func Failed(results []Result) error {
	var e Error
	for _, r := range results {
		if r.Err != nil || !r.Started {
			e.Results = append(e.Results, r)
		}
	}
	if len(e.Results) == 0 {
		return nil
	}
	return &e
}

// Error is a fleet run in which some targets failed (or never started):
// one line per target, its name and its error.
type Error struct {
	Results []Result
}

// Error says how many targets failed, then each with its error.
func (e *Error) Error() string {
	var failed, skipped int
	for _, r := range e.Results {
		if r.Started {
			failed++
		} else {
			skipped++
		}
	}
	var b strings.Builder
	switch {
	case skipped == 0:
		fmt.Fprintf(&b, "fleet: %s failed", plural(failed, "target"))
	case failed == 0:
		fmt.Fprintf(&b, "fleet: %s not started", plural(skipped, "target"))
	default:
		fmt.Fprintf(&b, "fleet: %s failed, %d not started", plural(failed, "target"), skipped)
	}
	for _, r := range e.Results {
		if r.Started {
			fmt.Fprintf(&b, "\n%s: %s", r.Target.Name, firstLine(r.Err))
		}
	}
	return b.String()
}

// Unwrap gives the targets' errors, for errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	var errs []error
	for _, r := range e.Results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errs
}

// firstLine is an error's message without the package prefixes that only
// say which of pmanager's packages spoke, on one line.
func firstLine(err error) string {
	msg := strings.TrimSpace(err.Error())
	msg = strings.ReplaceAll(msg, "\n", "; ")
	for _, p := range [...]string{"migrations: ", "connect: ", "fleet: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// plural writes a count and its noun, with an s unless the count is one.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// errNoConn guards against a Target made outside this package.
var errNoConn = errors.New("fleet: a Target is made by Resolve or FromURLs")
