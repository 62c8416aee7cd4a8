package migrations

import "fmt"

// Pending returns the plan that applies the first n pending migrations of
// apps (every app when apps is empty; n <= 0: all of them) in graph order,
// preceded by the pending migrations of other apps they depend on. It is
// how step-wise commands (migration:up --steps N) count, where migrate
// counts by target.
func Pending(g *Graph, applied map[Key]Applied, apps []string, n int) []Step {
	done := countedApplied(g, applied)
	var chosen []*Migration
	for _, m := range g.order {
		if !done[m.Key()] && inApps(apps, m.App) {
			if n > 0 && len(chosen) == n {
				break
			}
			chosen = append(chosen, m)
		}
	}
	need := map[Key]bool{}
	for _, m := range chosen {
		for _, a := range g.Ancestors(m.Key()) {
			if !done[a.Key()] {
				need[a.Key()] = true
			}
		}
	}
	var plan []Step
	for _, m := range g.inOrder(need) {
		plan = append(plan, Step{Migration: m})
	}
	return plan
}

// Latest returns the plan that unapplies the last n applied migrations of
// apps (every app when apps is empty; n <= 0: all of them), newest first by
// graph order, not by file name. An applied migration of another app that
// depends on one of them is an error naming both, since unapplying would
// leave it without its dependency.
func Latest(g *Graph, applied map[Key]Applied, apps []string, n int) ([]Step, error) {
	done := countedApplied(g, applied)
	var plan []Step
	chosen := map[Key]bool{}
	for i := len(g.order) - 1; i >= 0; i-- {
		m := g.order[i]
		if !done[m.Key()] || !inApps(apps, m.App) {
			continue
		}
		if n > 0 && len(plan) == n {
			break
		}
		plan = append(plan, Step{Migration: m, Backwards: true})
		chosen[m.Key()] = true
	}
	for _, s := range plan {
		for _, d := range g.descendants(s.Migration.Key()) {
			if done[d.Key()] && !chosen[d.Key()] {
				return nil, fmt.Errorf("migrations: cannot unapply %s: %s depends on it and is still applied; unapply %s first", s.Migration.Key(), d.Key(), d.App)
			}
		}
	}
	return plan, nil
}

// Reverse returns plan in the opposite direction: unapplying what it
// applies, or applying what it unapplies, in the matching order. Redo is
// Latest then its Reverse.
func Reverse(plan []Step) []Step {
	out := make([]Step, len(plan))
	for i, s := range plan {
		out[len(plan)-1-i] = Step{Migration: s.Migration, Backwards: !s.Backwards}
	}
	return out
}

// Irreversible returns the first migration of plan that has an operation
// that cannot be undone, as an *IrreversibleError; nil when every one can
// be. Commands that unapply and re-apply check it before touching anything.
func Irreversible(plan []Step) error {
	for _, s := range plan {
		if err := irreversible(s.Migration); err != nil {
			return err
		}
	}
	return nil
}

// countedApplied marks the migrations of g that count as applied (squashed
// ones included when all they replace is recorded).
func countedApplied(g *Graph, applied map[Key]Applied) map[Key]bool {
	done := map[Key]bool{}
	for _, m := range g.order {
		if IsApplied(applied, m) {
			done[m.Key()] = true
		}
	}
	return done
}

func inApps(apps []string, app string) bool {
	if len(apps) == 0 {
		return true
	}
	for _, a := range apps {
		if a == app {
			return true
		}
	}
	return false
}
