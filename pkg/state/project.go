package state

import (
	"fmt"
	"maps"
	"sort"
	"strings"
)

// Project is the whole state: every model of every app, keyed by ModelKey.
type Project struct {
	Models map[string]*Model
}

// NewProject returns an empty project.
func NewProject() *Project { return &Project{Models: map[string]*Model{}} }

// Model returns the model with the given app and name (case-insensitive), or nil.
func (p *Project) Model(app, name string) *Model { return p.Models[ModelKey(app, name)] }

// Resolve finds the model a relation points at: "app.Model", or a bare
// "Model" looked up in fromApp.
func (p *Project) Resolve(fromApp, ref string) *Model {
	app, name := SplitLabel(fromApp, ref)
	return p.Model(app, name)
}

// SplitLabel splits "app.Model" into its parts; a bare name takes defaultApp.
func SplitLabel(defaultApp, ref string) (app, name string) {
	if i := strings.LastIndexByte(ref, '.'); i >= 0 {
		return ref[:i], ref[i+1:]
	}
	return defaultApp, ref
}

// Add puts m into the project; a model with the same key is an error.
func (p *Project) Add(m *Model) error {
	if _, ok := p.Models[m.Key()]; ok {
		return fmt.Errorf("state: model %s already exists", m.Label())
	}
	p.Models[m.Key()] = m
	return nil
}

// Remove deletes the model with the given app and name; a missing one is an error.
func (p *Project) Remove(app, name string) error {
	key := ModelKey(app, name)
	if _, ok := p.Models[key]; !ok {
		return fmt.Errorf("state: model %s.%s does not exist", app, name)
	}
	delete(p.Models, key)
	return nil
}

// RequireModel returns the model or an error naming it, for operations that
// need it (Model returns nil instead).
func (p *Project) RequireModel(app, name string) (*Model, error) {
	m := p.Model(app, name)
	if m == nil {
		return nil, fmt.Errorf("state: model %s.%s does not exist", app, name)
	}
	return m, nil
}

// Sorted returns the models ordered by key, for deterministic output. Each
// key is computed once: editors sort a large project for every operation.
func (p *Project) Sorted() []*Model {
	type keyed struct {
		key string
		m   *Model
	}
	all := make([]keyed, 0, len(p.Models))
	for _, m := range p.Models {
		all = append(all, keyed{m.Key(), m})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
	out := make([]*Model, len(all))
	for i, k := range all {
		out[i] = k.m
	}
	return out
}

// App returns the models of one app, ordered by key.
func (p *Project) App(app string) []*Model {
	var out []*Model
	for _, m := range p.Sorted() {
		if m.App == app {
			out = append(out, m)
		}
	}
	return out
}

// Clone returns a deep copy.
func (p *Project) Clone() *Project {
	c := &Project{Models: make(map[string]*Model, len(p.Models))}
	for k, m := range p.Models {
		c.Models[k] = m.Clone()
	}
	return c
}

// CloneShallow returns a project sharing model pointers with p. Operations
// replace (never mutate) the models they change, so a shallow copy is a cheap
// snapshot of p.
func (p *Project) CloneShallow() *Project {
	// maps.Clone copies the table as it is, without hashing every key again.
	c := &Project{Models: maps.Clone(p.Models)}
	if c.Models == nil {
		c.Models = map[string]*Model{}
	}
	return c
}

// Referrers returns every (model, field) pair whose relation points at target,
// ordered by model key then field position.
func (p *Project) Referrers(target *Model) []FieldRef {
	var out []FieldRef
	for _, m := range p.Sorted() {
		for _, f := range m.Fields {
			if f.Relation == nil {
				continue
			}
			if to := p.Resolve(m.App, f.Relation.To); to != nil && to.Key() == target.Key() {
				out = append(out, FieldRef{Model: m, Field: f})
			}
		}
	}
	return out
}

// FieldRef names one field of one model.
type FieldRef struct {
	Model *Model
	Field *Field
}
