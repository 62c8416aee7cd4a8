// Package blocking gives the kill and interrupt tests a migration that
// stays running until the run is stopped, so a test can signal, kill or
// take over a pmanager run at a known point. It is test support, imported
// only by tests.
package blocking

import (
	"context"
	"fmt"
	"os"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Migration is migration i of a chain whose migration i-1 is
// NNNN_t<i-1>: it creates table t<i>, then, while the environment variable
// env names a file, writes that file (the signal that the run got there)
// and waits until the run's context ends.
func Migration(i int, env string) *migrations.Migration {
	return &migrations.Migration{
		App:          "main",
		Name:         fmt.Sprintf("%04d_slow", i),
		Dependencies: []migrations.Key{{App: "main", Name: fmt.Sprintf("%04d_t%d", i-1, i-1)}},
		Operations: []operations.Operation{
			operations.CreateModel{Name: fmt.Sprintf("T%d", i), Table: fmt.Sprintf("t%d", i), Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "name", Kind: state.Char, MaxLength: 30},
			}},
			operations.RunGo{Forward: wait(env), Reverse: operations.Noop},
		},
	}
}

// wait is the Go step that blocks while env is set.
func wait(env string) operations.GoFunc {
	return func(ctx context.Context, _ schema.ExecQuerier) error {
		path := os.Getenv(env)
		if path == "" {
			return nil
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			return fmt.Errorf("blocking: signal %s: %w", path, err)
		}
		<-ctx.Done()
		return ctx.Err()
	}
}
