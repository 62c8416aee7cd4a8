package faults

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/pmanager/pmanager/cmd/pmanager/cli"
	"github.com/pmanager/pmanager/internal/blocking"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// childEnv, when set to a number N, makes the test binary the pmanager
// program of a project with N chained migrations instead of running tests.
const childEnv = "PMANAGER_FAULTS_MIGRATIONS"

// slowEnv adds a last migration whose second operation, a RunGo, blocks
// until its context is cancelled while blockEnv names a file, which it
// creates when it starts blocking.
const (
	slowEnv  = "PMANAGER_FAULTS_SLOW"
	blockEnv = "PMANAGER_FAULTS_BLOCK"
)

// slow is migration i: it creates table t<i>, then blocks while blockEnv
// names a file.
func slow(i int) *migrations.Migration { return blocking.Migration(i, blockEnv) }

// TestMain runs the binary as pmanager when it was started as a child.
func TestMain(m *testing.M) {
	if name := os.Getenv(projectEnv); name != "" {
		os.Exit(cli.Run(os.Args[1:], []models.App{{Label: "main"}}, registry(bulkProject(name))))
	}
	if v := os.Getenv(childEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "faults: %s=%q is not a number\n", childEnv, v)
			os.Exit(2)
		}
		ms := chain(n)
		if os.Getenv(slowEnv) != "" {
			ms = append(ms, slow(n+1))
		}
		if os.Getenv(lockEnv) != "" {
			ms = append(ms, alterT1(n+1))
		}
		if marker := os.Getenv(sleepEnv); marker != "" {
			ms = append(ms, sleeper(n+1, marker))
		}
		os.Exit(cli.Run(os.Args[1:], []models.App{{Label: "main"}}, registry(ms)))
	}
	os.Exit(m.Run())
}

// registry registers ms in a fresh registry.
func registry(ms []*migrations.Migration) *migrations.Registry {
	r := migrations.NewRegistry()
	for _, m := range ms {
		r.Register(m)
	}
	return r
}

// chain returns n migrations, each depending on the one before. Migration
// i creates table t<i>, adds a column and an index to it and inserts one
// row: four operations, so a kill often lands inside a migration, and a
// row that proves its data step ran exactly once.
func chain(n int) []*migrations.Migration {
	var out []*migrations.Migration
	for i := 1; i <= n; i++ {
		model, table := fmt.Sprintf("T%d", i), fmt.Sprintf("t%d", i)
		m := &migrations.Migration{
			App:     "main",
			Name:    fmt.Sprintf("%04d_t%d", i, i),
			Initial: i == 1,
			Operations: []operations.Operation{
				operations.CreateModel{Name: model, Table: table, Fields: []*state.Field{
					{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
					{Name: "name", Kind: state.Char, MaxLength: 30},
				}},
				operations.AddField{Model: model, Field: &state.Field{Name: "extra", Kind: state.Integer, Null: true}},
				operations.AddIndex{Model: model, Index: state.Index{Name: table + "_name_idx", Fields: []string{"name"}}},
				operations.RunSQL{
					SQL:     []string{fmt.Sprintf("INSERT INTO %s (name) VALUES ('row %d')", table, i)},
					Reverse: []string{fmt.Sprintf("DELETE FROM %s", table)},
				},
			},
		}
		if i > 1 {
			m.Dependencies = []migrations.Key{{App: "main", Name: fmt.Sprintf("%04d_t%d", i-1, i-1)}}
		}
		out = append(out, m)
	}
	return out
}
