package migrations

import (
	"fmt"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Renderer renders migrations one after another in the order they apply,
// as migrate does, without copying the whole project for every operation.
// It holds two projects in the same state and moves the second one
// operation ahead of the first, so each operation renders between the state
// before it and the state after it; then the first catches up. Operations
// replace the models they change instead of editing them, so the two
// projects share every model that neither has touched, and the cost of an
// operation no longer grows with the number of models in the project.
type Renderer struct {
	ed            schema.Editor
	before, after *state.Project
}

// NewRenderer starts a Renderer at state p, which it takes over: the caller
// reads the state through State from then on and does not change p.
func NewRenderer(ed schema.Editor, p *state.Project) *Renderer {
	if p == nil {
		p = state.NewProject()
	}
	return &Renderer{ed: ed, before: p, after: p.CloneShallow()}
}

// State returns the state after the migrations rendered or skipped so far.
// It belongs to the Renderer: read it, do not change it.
func (r *Renderer) State() *state.Project { return r.before }

// Forwards renders m's operations forwards, in order, and moves the state
// past m. After an error the Renderer is left between two states and must
// not be used again.
func (r *Renderer) Forwards(m *Migration) ([]OpStatements, error) {
	out := make([]OpStatements, 0, len(m.Operations))
	for i, op := range m.Operations {
		if err := op.StateForwards(m.App, r.after); err != nil {
			return nil, &renderError{op: i + 1, desc: op.Describe(), err: err}
		}
		steps, err := op.Forwards(m.App, r.ed, r.before, r.after)
		if err != nil {
			return nil, &renderError{op: i + 1, desc: op.Describe(), err: err}
		}
		if err := op.StateForwards(m.App, r.before); err != nil {
			return nil, &renderError{op: i + 1, desc: op.Describe(), err: err}
		}
		out = append(out, OpStatements{Number: i + 1, Operation: op, Statements: steps})
	}
	return out, nil
}

// Skip moves the state past m without rendering it, for a migration that
// is recorded without running (--fake).
func (r *Renderer) Skip(m *Migration) error {
	for _, p := range []*state.Project{r.after, r.before} {
		if err := operations.Apply(m.App, m.Operations, p); err != nil {
			return fmt.Errorf("replay %s: %w", m.Key(), err)
		}
	}
	return nil
}
