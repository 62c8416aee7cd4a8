package cli

import (
	"context"
	"strings"
	"time"

	"github.com/pmanager/pmanager/cmd/pmanager/loader"
	"github.com/pmanager/pmanager/pkg/checks"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// galeraProbe bounds the question markGalera asks each server.
const galeraProbe = 2 * time.Second

// markGalera asks each MySQL/MariaDB target whose URL is known whether it
// is a node of a Galera cluster (wsrep_on), for the checks that only
// matter there (pm.W011). It is a best-effort question: a server that
// cannot be reached within galeraProbe is not taken for a Galera node, and
// the command goes on, since check must work without its databases and
// migrate reports a connection that fails on its own.
func (s *session) markGalera(p *loader.Project, targets []checks.Target) {
	for i := range targets {
		if targets[i].Dialect != schema.MySQL {
			continue
		}
		t, _, err := s.target(p, targets[i].Name)
		if err != nil {
			continue
		}
		db, _, err := t.Open()
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), galeraProbe)
		var name, value string
		err = db.QueryRowContext(ctx, "SHOW VARIABLES LIKE 'wsrep_on'").Scan(&name, &value)
		cancel()
		_ = db.Close() // a read-only question's pool; nothing of it to keep
		targets[i].Galera = err == nil && strings.EqualFold(value, "ON")
	}
}

// liveChecks is systemChecks for a command about to change the database
// (migrate): it also asks the servers whether they are Galera nodes.
func (s *session) liveChecks(p *loader.Project, database string) (*state.Project, error) {
	targets, err := s.checkTargets(p, database)
	if err != nil {
		return nil, err
	}
	s.markGalera(p, targets)
	return s.runChecks(p, targets)
}
