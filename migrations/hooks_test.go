package migrations

import (
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// hooks is an Observer for tests: each field that is set hears its event.
type hooks struct {
	NopObserver
	// progress hears Migrating (done false) and Migrated (done true).
	progress         func(s Step, done, faked bool, took time.Duration)
	waitingForLock   func(schema.LockHolder)
	statementWaiting func(LockWait)
	retrying         func(LockRetry)
	recovered        func(p Partial, rollback bool)
}

func (h hooks) Migrating(s Step) {
	if h.progress != nil {
		h.progress(s, false, false, 0)
	}
}

func (h hooks) Migrated(s Step, faked bool, took time.Duration) {
	if h.progress != nil {
		h.progress(s, true, faked, took)
	}
}

func (h hooks) WaitingForLock(holder schema.LockHolder) {
	if h.waitingForLock != nil {
		h.waitingForLock(holder)
	}
}

func (h hooks) StatementWaiting(w LockWait) {
	if h.statementWaiting != nil {
		h.statementWaiting(w)
	}
}

func (h hooks) Retrying(r LockRetry) {
	if h.retrying != nil {
		h.retrying(r)
	}
}

func (h hooks) Recovered(p Partial, rollback bool) {
	if h.recovered != nil {
		h.recovered(p, rollback)
	}
}
