package migrations

import (
	"context"
	"fmt"
	"sort"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// DriftReport is what Drift found: how the tables that a database's
// applied migrations own differ from what those migrations build.
type DriftReport struct {
	// Applied lists the migrations whose state the database was held to:
	// every migration its history records as applied, in graph order.
	Applied []Key
	// Tables are the tables compared, sorted: those the applied state
	// owns for the apps asked about (managed models and their join tables).
	Tables []string
	// Differences are every difference found, table by table in name
	// order (see schema.Compare); none means no drift.
	Differences []schema.Difference
	// Edited lists applied migrations of the apps whose file changed
	// after they were applied: the state is built from the files as they
	// are now, which may not be what ran.
	Edited []Key
	// Unknown lists migrations of the apps the history records as
	// applied but that no registered file declares: their changes are in
	// no state, so the tables they made are compared with nothing.
	Unknown []Key
}

// Drift compares the live schema of the database db (in ed's dialect)
// with the state its applied migrations build: the history says which
// of g's migrations are applied (squashed migrations resolved as migrate
// resolves them), their operations are replayed in order, and each table
// that state owns for apps (nil: every app) is inspected and held to the
// table the state implies with schema.Compare. Tables of no model of
// those apps (the history's own, other apps', anything made by hand) are
// left out; a table the state owns that is missing is a difference.
//
// A history that records a migration of apps as left part-way has no
// known state: Drift returns a *PartialError rather than guessing. It
// changes nothing in the database.
func Drift(ctx context.Context, db schema.ExecQuerier, ed schema.Editor, g *Graph, apps []string) (*DriftReport, error) {
	inScope := func(app string) bool { return len(apps) == 0 || containsString(apps, app) }
	h := NewHistory(db, ed)
	applied, err := h.Applied(ctx)
	if err != nil {
		return nil, err
	}
	partials, err := h.Partials(ctx)
	if err != nil {
		return nil, err
	}
	rg, err := ResolveHistory(g, applied)
	if err != nil {
		return nil, err
	}
	pe := &PartialError{}
	for _, p := range partials {
		if inScope(p.Key.App) {
			pe.Partials = append(pe.Partials, p)
			pe.Reports = append(pe.Reports, describePartial(rg, p))
		}
	}
	if len(pe.Partials) > 0 {
		return nil, pe
	}
	r := &DriftReport{}
	p, err := r.appliedState(rg, applied, inScope)
	if err != nil {
		return nil, err
	}
	want, err := ownedTables(p, ed, inScope)
	if err != nil {
		return nil, err
	}
	live, err := ed.Inspect(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("migrations: read the schema of the database: %w", err)
	}
	for _, t := range want {
		r.Tables = append(r.Tables, t.Name)
	}
	r.Differences = schema.Compare(want, live, schema.CompareOptions{OnlyWanted: true})
	return r, nil
}

// appliedState replays the migrations of rg that applied records, in
// order, and notes in r which ran, which of apps were edited since and
// which recorded ones no file declares.
func (r *DriftReport) appliedState(rg *Graph, applied map[Key]Applied, inScope func(string) bool) (*state.Project, error) {
	var ms []*Migration
	covered := map[Key]bool{}
	for _, m := range rg.Order() {
		if !IsApplied(applied, m) {
			continue
		}
		ms = append(ms, m)
		r.Applied = append(r.Applied, m.Key())
		covered[m.Key()] = true
		for _, k := range m.Replaces {
			covered[k] = true
		}
		if a, ok := applied[m.Key()]; ok && inScope(m.App) && a.Checksum != "" && a.Checksum != Checksum(m) {
			r.Edited = append(r.Edited, m.Key())
		}
	}
	for k := range applied {
		if !covered[k] && inScope(k.App) && rg.Registered(k) == nil {
			r.Unknown = append(r.Unknown, k)
		}
	}
	sortKeys(r.Unknown)
	return replay(state.NewProject(), ms)
}

// ownedTables is what ed expects of p's tables that belong to a model of
// an app in scope (join tables go with the model of their field), sorted.
func ownedTables(p *state.Project, ed schema.Expecter, inScope func(string) bool) ([]schema.Table, error) {
	models, err := schema.Tables(p)
	if err != nil {
		return nil, fmt.Errorf("migrations: the tables of the applied state: %w", err)
	}
	owned := map[string]bool{}
	for _, m := range models {
		if inScope(m.App) {
			owned[m.Table] = true
		}
	}
	all, err := ed.Expected(p)
	if err != nil {
		return nil, fmt.Errorf("migrations: the schema the applied migrations build: %w", err)
	}
	var out []schema.Table
	for _, t := range all {
		if owned[t.Name] {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// containsString reports whether list holds s.
func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
