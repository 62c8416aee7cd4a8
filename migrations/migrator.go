package migrations

import (
	"context"
	"database/sql"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Migrator runs the migrate workflows on one database: migrate to targets
// (or unapply down to one), apply the next N pending migrations, unapply the
// last N, redo them, refresh everything. Every command that migrates, and
// the migrate package's Latest, goes through it, so a library user gets the
// same checks in the same order as a user of the command line. It reads the
// history, resolves the graph for it, reports and plans; the Executor runs
// each plan.
type Migrator struct {
	db *sql.DB
	ed schema.Editor
	g  *Graph
	// Options say how each plan runs; their Observer hears what a
	// workflow decides before anything runs, and each migration as it runs.
	Options Options
}

// NewMigrator returns a migrator for the migrations of g on db, whose
// dialect ed renders.
func NewMigrator(db *sql.DB, ed schema.Editor, g *Graph) *Migrator {
	return &Migrator{db: db, ed: ed, g: g}
}

// Planned is what Migrate would run: the plan, and the history and graph
// it was made from, for a command that prints it.
type Planned struct {
	Steps []Step
	// Applied is the history as read.
	Applied map[Key]Applied
	// Graph is the migrator's graph resolved for that history (squashed
	// migrations or the ones they replace).
	Graph *Graph
}

// Plan works out what Migrate would run to reach targets (nil: every
// app's leaf), from the history as it is now; it changes nothing, not even
// by creating the history table.
func (m *Migrator) Plan(ctx context.Context, targets []Target) (*Planned, error) {
	g, applied, err := m.resolved(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := NewExecutor(m.db, m.ed, g).Plan(ctx, targets)
	if err != nil {
		return nil, err
	}
	return &Planned{Steps: plan, Applied: applied, Graph: g}, nil
}

// Migrate takes the database to targets (nil: every app's leaf; Target
// names a migration to stop at or Zero to unapply an app), Django's
// migrate: it plans, asks the observer to confirm, then, under the migration lock,
// plans again from the history as it is then (finishing or undoing a run
// left part-way first, when Options ask for it) and runs that plan. It
// returns the plan it ran.
func (m *Migrator) Migrate(ctx context.Context, targets []Target) ([]Step, error) {
	g, _, err := m.resolved(ctx)
	if err != nil {
		return nil, err
	}
	ex := NewExecutor(m.db, m.ed, g)
	if plan, err := ex.Plan(ctx, targets); err == nil {
		if err := m.Options.observer().Confirm(plan); err != nil {
			return nil, err
		}
	}
	return ex.MigrateTo(ctx, targets, m.Options)
}

// resolved reads the history, resolves the graph for it, checks that
// every applied migration's dependencies are applied, and reports the
// edited migrations.
func (m *Migrator) resolved(ctx context.Context) (*Graph, map[Key]Applied, error) {
	applied, err := NewHistory(m.db, m.ed).Applied(ctx)
	if err != nil {
		return nil, nil, err
	}
	g, err := ResolveHistory(m.g, applied)
	if err != nil {
		return nil, nil, err
	}
	m.reportEdited(g, withoutKeys(applied, m.Options.AcceptEdited))
	return g, applied, nil
}

// Up applies the first n pending migrations of apps (every app when apps
// is empty; n <= 0: all), with the pending migrations of other apps they
// need: migration:up. It returns the plan it ran.
func (m *Migrator) Up(ctx context.Context, apps []string, n int) ([]Step, error) {
	applied, err := m.history(ctx)
	if err != nil {
		return nil, err
	}
	plan := Pending(m.g, applied, apps, n)
	if err := m.confirm(plan); err != nil {
		return nil, err
	}
	return plan, m.run(ctx, plan, false)
}

// Down unapplies the last n applied migrations of apps (every app when
// apps is empty; n <= 0: all), newest first: migration:down. It returns
// the plan it ran.
func (m *Migrator) Down(ctx context.Context, apps []string, n int) ([]Step, error) {
	applied, err := m.history(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := Latest(m.g, applied, apps, n)
	if err != nil {
		return nil, err
	}
	if err := m.confirm(plan); err != nil {
		return nil, err
	}
	return plan, m.run(ctx, plan, true)
}

// Redo unapplies the last n applied migrations of apps and applies them
// again: migration:redo. An irreversible migration among them stops it
// with an *IrreversibleError before anything runs.
func (m *Migrator) Redo(ctx context.Context, apps []string, n int) error {
	return m.downUp(ctx, apps, n)
}

// Refresh unapplies every applied migration of apps, then applies every
// migration of apps: migration:refresh. An irreversible migration stops it
// with an *IrreversibleError before anything runs.
func (m *Migrator) Refresh(ctx context.Context, apps []string) error {
	return m.downUp(ctx, apps, 0)
}

// downUp is Redo (n > 0) and Refresh (n = 0, which then applies every
// pending migration, not only the ones it unapplied).
func (m *Migrator) downUp(ctx context.Context, apps []string, n int) error {
	applied, err := m.history(ctx)
	if err != nil {
		return err
	}
	down, err := Latest(m.g, applied, apps, n)
	if err != nil {
		return err
	}
	if err := Irreversible(down); err != nil {
		return err
	}
	if err := m.confirm(down); err != nil {
		return err
	}
	if err := m.run(ctx, down, true); err != nil {
		return err
	}
	up := Reverse(down)
	if n == 0 {
		if applied, err = NewHistory(m.db, m.ed).Applied(ctx); err != nil {
			return err
		}
		up = Pending(m.g, applied, apps, 0)
	}
	return m.run(ctx, up, false)
}

// history makes sure the history table exists, reads it and reports the
// edited migrations: how the step-wise workflows start.
func (m *Migrator) history(ctx context.Context) (map[Key]Applied, error) {
	h := NewHistory(m.db, m.ed)
	if err := h.Ensure(ctx); err != nil {
		return nil, err
	}
	applied, err := h.Applied(ctx)
	if err != nil {
		return nil, err
	}
	m.reportEdited(m.g, applied)
	return applied, nil
}

// confirm asks the observer about plan.
func (m *Migrator) confirm(plan []Step) error {
	return m.Options.observer().Confirm(plan)
}

// run runs a step-wise plan under the lock; an empty one runs nothing and
// is reported to Observer.NothingToRun, with the direction it would have
// run in.
func (m *Migrator) run(ctx context.Context, plan []Step, backwards bool) error {
	if len(plan) == 0 {
		m.Options.observer().NothingToRun(backwards)
		return nil
	}
	return NewExecutor(m.db, m.ed, m.g).Migrate(ctx, plan, m.Options)
}

// reportEdited tells Observer.Edited of the edited applied migrations.
func (m *Migrator) reportEdited(g *Graph, applied map[Key]Applied) {
	if keys := Edited(g, applied); len(keys) > 0 {
		m.Options.observer().Edited(keys)
	}
}

// withoutKeys returns applied without the migrations ks.
func withoutKeys(applied map[Key]Applied, ks []Key) map[Key]Applied {
	if len(ks) == 0 {
		return applied
	}
	out := make(map[Key]Applied, len(applied))
	for k, a := range applied {
		out[k] = a
	}
	for _, k := range ks {
		delete(out, k)
	}
	return out
}
