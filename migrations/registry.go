package migrations

import (
	"errors"
	"fmt"
	"sync"

	"github.com/pmanager/pmanager/pkg/operations"
)

// Registry collects the migrations that migration files declare, so a
// program that imports those packages can build their graph.
type Registry struct {
	mu   sync.Mutex
	ms   []*Migration
	errs []error
	// seeders and seedErrs are the seeding functions and the problems of
	// their registration (seed.go).
	seeders  []Seeder
	seedErrs []error
}

// NewRegistry returns an empty registry, for tests and programs that load
// migrations without the default one.
func NewRegistry() *Registry { return &Registry{} }

// Register adds m. Problems (a nil migration, a duplicate key) are kept and
// reported by Graph, because generated files call Register from init, where
// an error cannot be returned.
func (r *Registry) Register(m *Migration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m == nil {
		r.errs = append(r.errs, fmt.Errorf("migrations: Register called with a nil migration (after %d registered)", len(r.ms)))
		return
	}
	normalize(m)
	r.ms = append(r.ms, m)
}

// normalize turns the operations of m that a file wrote as pointers into
// values (operations.Normalize), once, so that nothing after registration
// meets a pointer. The checksum of what the file wrote stays m's checksum.
func normalize(m *Migration) {
	ops, changed := operations.NormalizeAll(m.Operations)
	if !changed {
		return
	}
	m.writtenSum = Checksum(m)
	m.Operations = ops
}

// Migrations returns what was registered, in registration order.
func (r *Registry) Migrations() []*Migration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Migration(nil), r.ms...)
}

// Graph builds the dependency graph of everything registered, reporting
// every registration problem as well as the graph's own errors.
func (r *Registry) Graph() (*Graph, error) {
	r.mu.Lock()
	ms := append([]*Migration(nil), r.ms...)
	errs := append([]error(nil), r.errs...)
	r.mu.Unlock()
	g, err := NewGraph(ms)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return g, nil
}

// defaultRegistry is the project's only global mutable state: generated
// migration files register into it from init.
var defaultRegistry = NewRegistry()

// Register adds m to the default registry; generated migration files call
// it from init.
func Register(m *Migration) { defaultRegistry.Register(m) }

// Default returns the registry that Register fills.
func Default() *Registry { return defaultRegistry }
