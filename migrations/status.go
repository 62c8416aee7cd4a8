package migrations

import "time"

// MigrationStatus is one migration as a database's history records it:
// a line of showmigrations.
type MigrationStatus struct {
	Migration *Migration
	// Applied is true when the migration counts as applied (see IsApplied).
	Applied bool
	// AppliedAt is when the history recorded it; zero when it is not
	// recorded itself (or the history has no time).
	AppliedAt time.Time
	// Edited is true when its file changed since it was applied.
	Edited bool
	// Partial, when not nil, is where an earlier run left it part-way.
	Partial *Partial
}

// Status is a database's history set against a graph: each migration's
// state in it, for the commands that list migrations.
type Status struct {
	// Graph is the graph the migrations are listed from.
	Graph    *Graph
	applied  map[Key]Applied
	partials []Partial
}

// NewStatus sets a history (what is applied, and what earlier runs left
// part-way) against g, usually the graph ResolveHistory gave for it.
func NewStatus(g *Graph, applied map[Key]Applied, partials []Partial) *Status {
	return &Status{Graph: g, applied: applied, partials: partials}
}

// ResolveHistory resolves g for a database's history (squashed
// migrations or the ones they replace, by Django's rule) and refuses a
// history that applied a migration before one of its dependencies.
func ResolveHistory(g *Graph, applied map[Key]Applied) (*Graph, error) {
	rg, err := g.ForHistory(applied)
	if err != nil {
		return nil, err
	}
	if err := CheckConsistent(rg, applied); err != nil {
		return nil, err
	}
	return rg, nil
}

// ByApp lists the migrations of apps, app by app in the order given, each
// app's in its own order.
func (st *Status) ByApp(apps []string) []MigrationStatus {
	var out []MigrationStatus
	for _, app := range apps {
		for _, m := range st.Graph.Migrations(app) {
			out = append(out, st.Of(m))
		}
	}
	return out
}

// InPlanOrder lists the migrations in the order migrate applies them;
// with apps named, only theirs and those they depend on.
func (st *Status) InPlanOrder(apps []string) []MigrationStatus {
	g := st.Graph
	keep := map[Key]bool{}
	for _, app := range apps {
		for _, leaf := range g.Leaves(app) {
			for _, m := range g.Ancestors(leaf) {
				keep[m.Key()] = true
			}
		}
	}
	var out []MigrationStatus
	for _, m := range g.Order() {
		if len(apps) == 0 || keep[m.Key()] {
			out = append(out, st.Of(m))
		}
	}
	return out
}

// Of returns the state of m in the history.
func (st *Status) Of(m *Migration) MigrationStatus {
	s := MigrationStatus{Migration: m, Applied: IsApplied(st.applied, m)}
	if a, ok := st.applied[m.Key()]; ok {
		s.AppliedAt = a.AppliedAt
		s.Edited = a.Checksum != "" && a.Checksum != Checksum(m)
	}
	for i := range st.partials {
		if st.partials[i].Key == m.Key() {
			p := st.partials[i]
			s.Partial = &p
			break
		}
	}
	return s
}
