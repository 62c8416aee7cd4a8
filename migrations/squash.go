package migrations

import (
	"fmt"
	"go/token"
	"slices"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/optimizer"
	"github.com/pmanager/pmanager/pkg/state"
)

// Squashed is what Squash made: the new migration and how much the
// optimizer shortened it.
type Squashed struct {
	Migration *Migration
	// Squashed are the migrations it replaces, in the order they ran.
	Squashed []*Migration
	// Before and After count the operations before and after optimizing.
	Before, After int
}

// Squash returns one migration that stands for the migrations of app from
// from to to (both included; a nil from means the app's first migration),
// as Django's squashmigrations does: their operations in order, optimized
// (nothing folds across RunSQL or RunGo), Replaces listing them, and as dependencies
// the migrations they need outside the range. name, when not empty,
// replaces the generated "squashed_<last name>" part of the name.
//
// g is a graph built without a history (NewGraph), where squashed
// migrations already stand in for what they replace.
func Squash(g *Graph, app string, from, to *Migration, name string) (*Squashed, error) {
	if to == nil || g.Migration(to.Key()) != to || to.App != app {
		return nil, fmt.Errorf("migrations: squash: the last migration must be a migration of app %s", app)
	}
	var chain []*Migration
	for _, m := range g.Ancestors(to.Key()) {
		if m.App == app {
			chain = append(chain, m)
		}
	}
	if from != nil {
		start := -1
		for i, m := range chain {
			if m == from {
				start = i
			}
		}
		if start < 0 {
			return nil, fmt.Errorf("migrations: squash: %s does not come before %s; give the first migration of the range, then the last", from.Key(), to.Key())
		}
		chain = chain[start:]
	}
	if len(chain) < 2 && name == "" {
		return nil, fmt.Errorf("migrations: squash: the range %s holds one migration only; there is nothing to squash", to.Key())
	}
	in := map[Key]bool{}
	for _, m := range chain {
		in[m.Key()] = true
	}
	sq := &Migration{App: app, Initial: chain[0].Initial}
	var ops []operations.Operation
	seen := map[Key]bool{}
	for _, m := range chain {
		if len(m.Replaces) > 0 {
			return nil, fmt.Errorf("migrations: squash: %s is itself a squashed migration; delete the migrations it replaces first (once every database has applied it), then squash again", m.Key())
		}
		ops = append(ops, m.Operations...)
		sq.Replaces = append(sq.Replaces, m.Key())
		for _, d := range g.dependencies(m.Key()) {
			if !in[d] && !seen[d] {
				seen[d] = true
				sq.Dependencies = append(sq.Dependencies, d)
			}
		}
	}
	sortKeys(sq.Dependencies)
	sq.Operations = optimizer.Optimize(app, ops)
	sq.Name = SquashName(chain[0].Name, chain[len(chain)-1].Name, name)
	if err := checkSquash(g, sq); err != nil {
		return nil, err
	}
	return &Squashed{Migration: sq, Squashed: chain, Before: len(ops), After: len(sq.Operations)}, nil
}

// SquashName is Django's name for a squash of first..last:
// "0001_squashed_0020_last", or "0001_<name>" when a name is given.
func SquashName(first, last, name string) string {
	prefix := first
	if n := len(numberPrefix(first)); n > 0 {
		prefix = first[:n]
	}
	if name != "" {
		return prefix + "_" + name
	}
	return prefix + "_squashed_" + last
}

// numberPrefix returns the leading digits of a migration name.
func numberPrefix(name string) string {
	end := 0
	for end < len(name) && name[end] >= '0' && name[end] <= '9' {
		end++
	}
	return name[:end]
}

// checkSquash checks that the squash fits g beside the migrations it
// replaces and replays it on the state it starts from (what its
// dependencies build up), so a squash that cannot run is refused before it
// is written.
func checkSquash(g *Graph, sq *Migration) error {
	if _, err := NewGraph(append(g.Order(), sq)); err != nil {
		return fmt.Errorf("migrations: squash: %s does not fit the migration graph: %w", sq.Key(), err)
	}
	need := map[Key]bool{}
	for _, d := range sq.Dependencies {
		for _, m := range g.Ancestors(d) {
			need[m.Key()] = true
		}
	}
	p, err := replay(state.NewProject(), g.inOrder(need))
	if err != nil {
		return fmt.Errorf("migrations: squash: %w", err)
	}
	if err := operations.Apply(sq.App, sq.Operations, p); err != nil {
		return fmt.Errorf("migrations: squash %s: the squashed operations do not replay: %w", sq.Key(), err)
	}
	return nil
}

// WriteSquash is WriteSource for a squashed migration that may hold RunGo
// operations: their functions are written by name, so each must be a
// top-level function of the package the file goes in, whose import path is
// pkgPath (a function of a replaced migration file of the same folder is).
// Delete such a function only with the last migration that uses it.
func WriteSquash(m *Migration, pkg, pkgPath, version string, now time.Time) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("migrations: write: nil migration")
	}
	c := *m
	c.Operations = slices.Clone(m.Operations)
	for i, op := range c.Operations {
		rg, ok := op.(operations.RunGo)
		if !ok {
			continue
		}
		// Every function must have a name here before anything is written,
		// so the error says which operation holds the one that has none.
		if _, err := funcIdent(rg.Forward, pkgPath); err != nil {
			return nil, fmt.Errorf("migrations: write %s: operation %d: %w", m.Key(), i+1, err)
		}
		if rg.Reverse != nil {
			if _, err := funcIdent(rg.Reverse, pkgPath); err != nil {
				return nil, fmt.Errorf("migrations: write %s: operation %d: %w", m.Key(), i+1, err)
			}
		}
		c.Operations[i] = rg // a file holds operations as values
	}
	return writeSource(&c, pkg, version, now, nil, func(fn operations.GoFunc) (string, error) {
		return funcIdent(fn, pkgPath)
	})
}

// funcIdent names fn in a file of the package pkgPath: only a top-level
// function of that package has such a name.
func funcIdent(fn operations.GoFunc, pkgPath string) (string, error) {
	name := operations.FuncName(fn)
	if name == "" {
		return "", fmt.Errorf("RunGo has no Forward function")
	}
	ident, ok := strings.CutPrefix(name, pkgPath+".")
	if !ok || !token.IsIdentifier(ident) {
		return "", fmt.Errorf("RunGo runs %s, which a file of package %s cannot name; make it a top-level function of that package", name, pkgPath)
	}
	return ident, nil
}
