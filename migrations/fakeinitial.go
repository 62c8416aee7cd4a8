package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// stateAfter replays m's operations on a snapshot of before.
func stateAfter(m *Migration, before *state.Project) (*state.Project, error) {
	after := before.CloneShallow()
	if err := operations.Apply(m.App, m.Operations, after); err != nil {
		return nil, fmt.Errorf("replay %s: %w", m.Key(), err)
	}
	return after, nil
}

// tablesExist reports whether m creates at least one table and every table
// it creates (join tables included) exists already: the test of
// --fake-initial.
func (rn *runner) tablesExist(ctx context.Context, m *Migration, after *state.Project) (bool, error) {
	var want []string
	for _, op := range m.Operations {
		c, ok := op.(operations.CreateModel)
		if !ok || c.Unmanaged {
			continue
		}
		model := after.Model(m.App, c.Name)
		if model == nil {
			model = c.Model(m.App)
		}
		want = append(want, model.Table)
		joins, err := schema.JoinTables(after, model)
		if err != nil {
			return false, err
		}
		for _, j := range joins {
			want = append(want, j.Table)
		}
	}
	if len(want) == 0 {
		return false, nil
	}
	tables, err := rn.ed.Inspect(ctx, rn.conn)
	if err != nil {
		return false, err
	}
	have := map[string]bool{}
	for _, t := range tables {
		have[strings.ToLower(t.Name)] = true
	}
	for _, w := range want {
		if !have[strings.ToLower(w)] {
			return false, nil
		}
	}
	return true, nil
}
