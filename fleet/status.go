package fleet

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect/dsn"
)

// Status is where one target stands: showmigrations for a fleet.
type Status struct {
	Target Target
	// Applied counts the migrations of the graph recorded as applied.
	Applied int
	// Pending lists the migrations not applied yet (those left part-way
	// included), in the order migrate would apply them.
	Pending []migrations.Key
	// Edited lists applied migrations edited since they ran.
	Edited []migrations.Key
	// Partial lists the migrations an earlier run left part-way.
	Partial []migrations.Partial
	// Running is the migrate run that holds the target's migration lock
	// now (nil: none, or the database cannot tell); what it has recorded
	// part-way is its work in flight.
	Running *migrations.Running
	// Err is why the target could not be read; the rest is then empty.
	Err error
}

// Statuses reads every target's history, parallel at a time, without
// changing anything (an SQLite file that does not exist is not created),
// and returns one status per target in the order of targets.
func Statuses(ctx context.Context, targets []Target, g *migrations.Graph, parallel int) []Status {
	out := make([]Status, len(targets))
	each(len(targets), parallel, func(i int) {
		t := targets[i]
		s, err := status(ctx, t, g)
		s.Target, s.Err = t, dsn.ScrubError(err, t.url)
		out[i] = s
	})
	return out
}

// status reads one target's history.
func status(ctx context.Context, t Target, g *migrations.Graph) (Status, error) {
	if t.conn != nil && t.conn.Dialect == schema.SQLite {
		if _, err := os.Stat(t.conn.Database); errors.Is(err, fs.ErrNotExist) {
			return Status{Pending: keys(g.Order())}, nil
		}
	}
	db, ed, err := t.open(ctx)
	if err != nil {
		return Status{}, err
	}
	defer db.Close()
	h := migrations.NewHistory(db, ed)
	applied, err := h.Applied(ctx)
	if err != nil {
		return Status{}, err
	}
	partials, err := h.Partials(ctx)
	if err != nil {
		return Status{}, err
	}
	// Resolved as showmigrations resolves one database's history: a
	// history that applied a migration before its dependency is this
	// target's error, not a count.
	gh, err := migrations.ResolveHistory(g, applied)
	if err != nil {
		return Status{}, err
	}
	running, err := migrations.RunInProgress(ctx, db, ed)
	if err != nil {
		return Status{}, err
	}
	s := Status{Edited: migrations.Edited(gh, applied), Partial: partials, Running: running}
	for _, m := range gh.Order() {
		if migrations.IsApplied(applied, m) {
			s.Applied++
		} else {
			s.Pending = append(s.Pending, m.Key())
		}
	}
	return s, nil
}

// keys lists the keys of ms.
func keys(ms []*migrations.Migration) []migrations.Key {
	out := make([]migrations.Key, len(ms))
	for i, m := range ms {
		out[i] = m.Key()
	}
	return out
}

// Planned is what migrate would run on one target: migrate --plan.
type Planned struct {
	Target Target
	// Steps are the migrations to apply (or unapply), in order.
	Steps []migrations.Step
	// Err is why no plan could be made (a migration left part-way, an
	// unreachable server, ...).
	Err error
	// Took is how long reading the target took.
	Took time.Duration
}

// Plan makes every target's plan to targets (nil: every app's latest
// migration), parallel at a time, running nothing, and returns one per
// target in the order of ts.
func Plan(ctx context.Context, ts []Target, g *migrations.Graph, targets []migrations.Target, parallel int) []Planned {
	out := make([]Planned, len(ts))
	each(len(ts), parallel, func(i int) {
		start := time.Now()
		steps, err := plan(ctx, ts[i], g, targets)
		out[i] = Planned{Target: ts[i], Steps: steps, Err: dsn.ScrubError(err, ts[i].url), Took: time.Since(start)}
	})
	return out
}

// plan is one target's plan.
func plan(ctx context.Context, t Target, g *migrations.Graph, targets []migrations.Target) ([]migrations.Step, error) {
	db, ed, err := t.open(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	p, err := migrations.NewMigrator(db, ed, g).Plan(ctx, targets)
	if err != nil {
		return nil, err
	}
	return p.Steps, nil
}
