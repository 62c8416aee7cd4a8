package galera

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pmanager/pmanager/cmd/pmanager/cli"
	"github.com/pmanager/pmanager/internal/blocking"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// childEnv, when set to a number N, makes the test binary the pmanager
// program of a project of N small chained migrations instead of running
// tests.
const childEnv = "PMANAGER_GALERA_MIGRATIONS"

// blockEnv, in a child, adds a last migration whose second operation (a
// RunGo) creates the file blockEnv names and then blocks until the run is
// stopped; without it that operation does nothing.
const blockEnv = "PMANAGER_GALERA_BLOCK"

// TestMain runs the binary as pmanager when it was started as a child.
func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "galera: %s=%q is not a number\n", childEnv, v)
			os.Exit(2)
		}
		r := migrations.NewRegistry()
		ms := chain(n)
		if os.Getenv(slowEnv) != "" {
			ms = append(ms, slow(n+1))
		}
		if dir := os.Getenv(pauseEnv); dir != "" {
			ms = append(ms, pause(n+1, dir))
		}
		for _, mg := range ms {
			r.Register(mg)
		}
		os.Exit(cli.Run(os.Args[1:], []models.App{{Label: "main"}}, r))
	}
	os.Exit(m.Run())
}

// chain returns n small migrations, each depending on the one before:
// migration i creates table t<i> and inserts one row into it, so a
// migration applied twice shows as a failed CREATE or a second row.
func chain(n int) []*migrations.Migration {
	var out []*migrations.Migration
	for i := 1; i <= n; i++ {
		table := fmt.Sprintf("t%d", i)
		m := &migrations.Migration{
			App:     "main",
			Name:    fmt.Sprintf("%04d_t%d", i, i),
			Initial: i == 1,
			Operations: []operations.Operation{
				operations.CreateModel{Name: fmt.Sprintf("T%d", i), Table: table, Fields: []*state.Field{
					{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
					{Name: "name", Kind: state.Char, MaxLength: 30},
				}},
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

// slowEnv, in a child, adds the migration slow makes after the chain.
const slowEnv = "PMANAGER_GALERA_SLOW"

// slow is migration i: it creates table t<i>, then blocks while blockEnv
// names a file.
func slow(i int) *migrations.Migration { return blocking.Migration(i, blockEnv) }

// project is a fresh database on the cluster and a project folder whose
// child programs carry a chain of n migrations.
type project struct {
	t   testing.TB
	c   *dbtest.Cluster
	dir string
	n   int
	// env is added to the children's environment.
	env []string
}

// newProject creates the database and the project.
func newProject(t testing.TB, n int) *project {
	t.Helper()
	c := dbtest.OpenGalera(t)
	dir := t.TempDir()
	toml := "[apps.main]\nmodels = \"models\"\nmigrations = \"migrations\"\n"
	if err := os.WriteFile(filepath.Join(dir, "pmanager.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return &project{t: t, c: c, dir: dir, n: n}
}

// command returns a child pmanager run of args against node (from 0).
func (p *project) command(node int, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-C", p.dir}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(p.n), "PMANAGER_DATABASE_URL="+p.c.Nodes[node].URL)
	cmd.Env = append(cmd.Env, p.env...)
	return cmd
}

// run runs a child to its end and returns its output, failing the test
// when it does not exit 0.
func (p *project) run(node int, args ...string) string {
	p.t.Helper()
	cmd := p.command(node, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		p.t.Fatalf("pmanager %v on node %d: %v\nstdout:\n%s\nstderr:\n%s", args, node+1, err, &out, &errOut)
	}
	return out.String()
}

// child is a run started in the background and what it has printed, for
// the lease tests, which act on a run while it holds the lease.
type child struct {
	*exec.Cmd
	t        testing.TB
	out, err bytes.Buffer
}

// start starts a child run of args against node (from 0) with env added;
// a child that outlives the test is resumed, should it be stopped, and
// killed.
func (p *project) start(node int, env []string, args ...string) *child {
	p.t.Helper()
	c := &child{Cmd: p.command(node, args...), t: p.t}
	c.Env = append(c.Env, env...)
	c.Stdout, c.Stderr = &c.out, &c.err
	if err := c.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() {
		_ = c.Process.Signal(syscall.SIGCONT)
		_ = c.Process.Kill()
	})
	return c
}

// reaches waits, up to a minute, for the file the child's blocking step
// writes when the run gets there (what names that step in the failure).
func (c *child) reaches(file, what string) {
	c.t.Helper()
	for deadline := time.Now().Add(time.Minute); ; {
		if _, err := os.Stat(file); err == nil {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the holder did not reach %s in a minute\nstdout:\n%s\nstderr:\n%s", what, &c.out, &c.err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// losesLease waits, up to 30 s, for a child whose lease was taken to end
// with an error that says it lost the lease.
func (c *child) losesLease(who string) {
	c.t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			c.t.Fatalf("%s ended well after losing its lease\nstdout:\n%s\nstderr:\n%s", who, &c.out, &c.err)
		}
	case <-time.After(30 * time.Second):
		c.t.Fatalf("%s went on for 30 s after losing its lease\nstdout:\n%s\nstderr:\n%s", who, &c.out, &c.err)
	}
	if !strings.Contains(c.err.String(), "lost the migration lease") {
		c.t.Errorf("%s does not say it lost the lease:\n%s", who, &c.err)
	}
}

// historyOn reads the history table through node (from 0).
func (p *project) historyOn(node int) (map[migrations.Key]migrations.Applied, []migrations.Partial) {
	p.t.Helper()
	h := migrations.NewHistory(p.c.Nodes[node], connect.EditorFor(schema.MySQL))
	applied, err := h.Applied(context.Background())
	if err != nil {
		p.t.Fatalf("node %d: read the history: %v", node+1, err)
	}
	partials, err := h.Partials(context.Background())
	if err != nil {
		p.t.Fatalf("node %d: read the history: %v", node+1, err)
	}
	return applied, partials
}

// checkComplete checks, through every node, that every migration is
// recorded once and applied, nothing is part-way, each table holds its
// one row, and the history rows are identical on all nodes.
func (p *project) checkComplete(when string) {
	p.t.Helper()
	first, _ := p.historyOn(0)
	for node := range p.c.Nodes {
		applied, partials := p.historyOn(node)
		if len(partials) != 0 {
			p.t.Errorf("%s: node %d shows %d migrations part-way: %+v", when, node+1, len(partials), partials)
		}
		if len(applied) != p.n {
			p.t.Errorf("%s: node %d records %d applied migrations; want %d", when, node+1, len(applied), p.n)
		}
		if !reflect.DeepEqual(applied, first) {
			p.t.Errorf("%s: the history read through node %d differs from node 1's", when, node+1)
		}
		for i := 1; i <= p.n; i++ {
			var rows int
			if err := p.c.Nodes[node].QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM t%d", i)).Scan(&rows); err != nil {
				p.t.Errorf("%s: node %d: count t%d: %v", when, node+1, i, err)
				continue
			}
			if rows != 1 {
				p.t.Errorf("%s: node %d: t%d holds %d rows; want 1 (its migration ran %d times)", when, node+1, i, rows, rows)
			}
		}
	}
}

// checkSlowComplete is checkComplete for a project whose last migration
// is slow's (which inserts no row).
func (p *project) checkSlowComplete() {
	p.t.Helper()
	first, _ := p.historyOn(0)
	for node := range p.c.Nodes {
		applied, partials := p.historyOn(node)
		if len(partials) != 0 || len(applied) != p.n || !reflect.DeepEqual(applied, first) {
			p.t.Errorf("node %d: %d applied (want %d), %d part-way, same as node 1's: %v", node+1, len(applied), p.n, len(partials), reflect.DeepEqual(applied, first))
		}
	}
}
