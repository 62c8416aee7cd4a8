package migrations

import (
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Observer hears what a migrate run decides and does, as it happens, so a
// command can print it, ask the user, or turn it into events. The Migrator
// and the Executor both call it, through Options.Observer; it is the one
// way a run reports. Embed NopObserver and implement only the methods you
// need.
type Observer interface {
	// Edited is told of the applied migrations whose files changed since
	// they ran (the edits Options.AcceptEdited accepts left out), in order.
	Edited(keys []Key)
	// Confirm is asked about a plan before it runs; its error stops the
	// workflow with nothing done. Migrator.Migrate asks only when the plan
	// can be made before taking the lock (a run left part-way is the
	// executor's to explain first).
	Confirm(plan []Step) error
	// NothingToRun is told, by the step-wise workflows, that a plan had
	// nothing to run; backwards when it would have unapplied.
	NothingToRun(backwards bool)

	// WaitingForLock is told once, when another run holds the migration
	// lock (or lease) and this one starts waiting for it.
	WaitingForLock(holder schema.LockHolder)
	// LeaseTakenOver is told when this run takes over the lease of a run
	// on a Galera cluster that was not seen renewing it for silent.
	LeaseTakenOver(previous schema.LockHolder, silent time.Duration)

	// Recovering is told before a migration an earlier run left part-way
	// is resumed (or, rollback, has what ran of it undone); Recovered
	// after it succeeded.
	Recovering(p Partial, rollback bool)
	Recovered(p Partial, rollback bool)

	// Migrating is told before each step of a plan runs; Migrated after
	// it succeeded, faked when it was only recorded, with how long it took.
	Migrating(step Step)
	Migrated(step Step, faked bool, took time.Duration)
	// Statement is told of each SQL statement (or "Go function <name>")
	// just before it runs.
	Statement(stmt string)
	// StatementWaiting is told once per statement whose wait for a table
	// or row lock lasts LockWaitNotice, naming whom it waits for.
	StatementWaiting(w LockWait)
	// Retrying is told before a migration whose statement gave up waiting
	// for a lock, leaving nothing behind, is tried again.
	Retrying(r LockRetry)
}

// NopObserver hears nothing and confirms every plan: the observer of a run
// whose Options name none, and the type to embed in an observer that cares
// about a few of the methods only.
type NopObserver struct{}

// Edited implements Observer.
func (NopObserver) Edited([]Key) {}

// Confirm implements Observer: every plan may run.
func (NopObserver) Confirm([]Step) error { return nil }

// NothingToRun implements Observer.
func (NopObserver) NothingToRun(bool) {}

// WaitingForLock implements Observer.
func (NopObserver) WaitingForLock(schema.LockHolder) {}

// LeaseTakenOver implements Observer.
func (NopObserver) LeaseTakenOver(schema.LockHolder, time.Duration) {}

// Recovering implements Observer.
func (NopObserver) Recovering(Partial, bool) {}

// Recovered implements Observer.
func (NopObserver) Recovered(Partial, bool) {}

// Migrating implements Observer.
func (NopObserver) Migrating(Step) {}

// Migrated implements Observer.
func (NopObserver) Migrated(Step, bool, time.Duration) {}

// Statement implements Observer.
func (NopObserver) Statement(string) {}

// StatementWaiting implements Observer.
func (NopObserver) StatementWaiting(LockWait) {}

// Retrying implements Observer.
func (NopObserver) Retrying(LockRetry) {}

// observer returns the run's observer: Options.Observer, or one that hears
// nothing.
func (o Options) observer() Observer {
	if o.Observer == nil {
		return NopObserver{}
	}
	return o.Observer
}
