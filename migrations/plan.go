package migrations

import (
	"context"
	"fmt"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// Step is one migration of a plan: one to apply, or to unapply when
// Backwards is true.
type Step struct {
	Migration *Migration
	Backwards bool
}

// String says the step the way plans are listed.
func (s Step) String() string {
	if s.Backwards {
		return "Unapply " + s.Migration.Key().String()
	}
	return "Apply " + s.Migration.Key().String()
}

// Target is where migrate should take an app. Name is a migration name or
// unique prefix; "" means the app's leaf and "zero" unapplies every
// migration of the app.
type Target struct {
	App  string
	Name string
}

// Zero is the Target.Name that unapplies a whole app.
const Zero = "zero"

// IsApplied reports whether m counts as applied in a history: recorded
// itself, or, for a squashed migration, every migration it replaces recorded.
func IsApplied(applied map[Key]Applied, m *Migration) bool {
	if _, ok := applied[m.Key()]; ok {
		return true
	}
	if len(m.Replaces) == 0 {
		return false
	}
	for _, r := range m.Replaces {
		if _, ok := applied[r]; !ok {
			return false
		}
	}
	return true
}

// Plan works out which migrations to apply or unapply to reach targets
// (nil: every app's leaf), from the history in the database.
func (e *Executor) Plan(ctx context.Context, targets []Target) ([]Step, error) {
	applied, err := e.history.Applied(ctx)
	if err != nil {
		return nil, err
	}
	g, err := e.g.ForHistory(applied)
	if err != nil {
		return nil, err
	}
	return plan(g, applied, targets)
}

// plan is Plan on a history already read, with g the graph resolved for
// it (squashed migrations or the ones they replace, by Django's rule).
// Django's semantics: a target not applied yet means applying it and
// everything it needs; an applied target means unapplying what was built
// on it in its app (newest first); zero unapplies the app and whatever
// depends on it.
func plan(g *Graph, applied map[Key]Applied, targets []Target) ([]Step, error) {
	if err := CheckConflicts(g, nil); err != nil {
		return nil, err
	}
	done, err := appliedSet(g, applied)
	if err != nil {
		return nil, err
	}
	if targets == nil {
		for _, app := range g.Apps() {
			targets = append(targets, Target{App: app})
		}
	}
	var steps []Step
	unapply := func(ms []*Migration) {
		for i := len(ms) - 1; i >= 0; i-- {
			if k := ms[i].Key(); done[k] {
				steps = append(steps, Step{Migration: ms[i], Backwards: true})
				done[k] = false
			}
		}
	}
	for _, t := range targets {
		if len(g.Migrations(t.App)) == 0 {
			return nil, fmt.Errorf("migrations: app %q has no migrations", t.App)
		}
		if t.Name == Zero {
			set := map[Key]bool{}
			for _, m := range g.Migrations(t.App) {
				for _, d := range g.descendants(m.Key()) {
					set[d.Key()] = true
				}
			}
			unapply(g.inOrder(set))
			continue
		}
		k, err := resolveTarget(g, t)
		if err != nil {
			return nil, err
		}
		if done[k] {
			for _, c := range g.children(k) {
				if c.App == k.App {
					unapply(g.descendants(c))
				}
			}
			continue
		}
		for _, m := range g.Ancestors(k) {
			if !done[m.Key()] {
				steps = append(steps, Step{Migration: m})
				done[m.Key()] = true
			}
		}
	}
	return steps, nil
}

// resolveTarget turns a target other than zero into a key of g.
func resolveTarget(g *Graph, t Target) (Key, error) {
	if t.Name == "" {
		return g.Leaves(t.App)[0], nil
	}
	m, err := g.Find(t.App, t.Name)
	if err != nil {
		return Key{}, err
	}
	return m.Key(), nil
}

// appliedSet marks the migrations of g that count as applied and checks
// that each one's dependencies are applied too.
func appliedSet(g *Graph, applied map[Key]Applied) (map[Key]bool, error) {
	if err := CheckConsistent(g, applied); err != nil {
		return nil, err
	}
	done := map[Key]bool{}
	for _, m := range g.order {
		if IsApplied(applied, m) {
			done[m.Key()] = true
		}
	}
	return done, nil
}

// checkPlan rejects plans that mix directions, name migrations g does not
// know or would unapply an irreversible operation.
func checkPlan(g *Graph, plan []Step, opts Options) error {
	for i, s := range plan {
		if s.Migration == nil || g.Registered(s.Migration.Key()) != s.Migration {
			return fmt.Errorf("migrations: plan step %d is not a migration of the graph", i+1)
		}
		if s.Backwards != plan[0].Backwards {
			return fmt.Errorf("migrations: a plan cannot both apply and unapply migrations (%s, %s); migrate one direction at a time", plan[0], s)
		}
		if s.Backwards && !opts.Fake {
			if err := irreversible(s.Migration); err != nil {
				return err
			}
		}
	}
	return nil
}

// irreversible returns an *IrreversibleError for the first operation of m
// that cannot be undone.
func irreversible(m *Migration) error {
	for i, op := range m.Operations {
		if !op.Reversible() {
			return &IrreversibleError{Migration: m.Key(), Operation: i + 1, Description: op.Describe(), Fix: operations.ReverseAdvice(op)}
		}
	}
	return nil
}

// StepOperation is one operation of a plan's step, as a plan lists it.
type StepOperation struct {
	// Description says what it does ("Undo …" when the step unapplies).
	Description string
	// Irreversible is true, when unapplying, for an operation that cannot
	// be undone.
	Irreversible bool
}

// DescribeStep lists what s does, in the order it runs: forwards each
// operation's description from the state before the migration (see
// Describe); backwards "Undo" and each description, newest first. before
// is only read forwards.
func DescribeStep(s Step, before *state.Project) []StepOperation {
	m := s.Migration
	var out []StepOperation
	if !s.Backwards {
		for _, line := range Describe(m, before) {
			out = append(out, StepOperation{Description: line})
		}
		return out
	}
	for i := len(m.Operations) - 1; i >= 0; i-- {
		op := m.Operations[i]
		out = append(out, StepOperation{Description: "Undo " + op.Describe(), Irreversible: !op.Reversible()})
	}
	return out
}
