package migrations

import (
	"context"
	"testing"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

func forwardA(context.Context, schema.ExecQuerier) error { return nil }
func forwardB(context.Context, schema.ExecQuerier) error { return nil }

func TestChecksum(t *testing.T) {
	t.Parallel()
	base := func() *Migration { return carMigrations()[1] }
	withOps := func(ops ...operations.Operation) *Migration {
		return &Migration{App: "main", Name: "0002", Operations: ops}
	}
	tests := []struct {
		name string
		a, b *Migration
		same bool
	}{
		{"equal values", base(), base(), true},
		{"dependencies and name do not count", base(), &Migration{App: "other", Name: "0009_x", Dependencies: []Key{{App: "x", Name: "y"}},
			Operations: base().Operations, Initial: true}, true},
		{"a changed field option", base(), func() *Migration {
			m := base()
			f := m.Operations[0].(operations.AddField).Field.Clone()
			f.Null = false
			m.Operations[0] = operations.AddField{Model: "Car", Field: f}
			return m
		}(), false},
		{"operation order", withOps(operations.RemoveField{Model: "A", Name: "x"}, operations.RemoveField{Model: "A", Name: "y"}),
			withOps(operations.RemoveField{Model: "A", Name: "y"}, operations.RemoveField{Model: "A", Name: "x"}), false},
		{"operation type", withOps(operations.RemoveIndex{Model: "A", Name: "x"}), withOps(operations.RemoveConstraint{Model: "A", Name: "x"}), false},
		{"field boundary", withOps(operations.RenameField{Model: "A", OldName: "b", NewName: "c"}),
			withOps(operations.RenameField{Model: "A", OldName: "b\";NewName:\"c", NewName: ""}), false},
		{"nil and empty reverse differ", withOps(operations.RunSQL{SQL: []string{"SELECT 1"}}),
			withOps(operations.RunSQL{SQL: []string{"SELECT 1"}, Reverse: []string{}}), false},
		{"nil and empty default differ", withOps(operations.AddField{Model: "A", Field: &state.Field{Name: "x", Kind: state.Text}}),
			withOps(operations.AddField{Model: "A", Field: &state.Field{Name: "x", Kind: state.Text, Default: state.Str("")}}), false},
		{"same Go function", withOps(operations.RunGo{Forward: forwardA}), withOps(operations.RunGo{Forward: forwardA}), true},
		{"another Go function", withOps(operations.RunGo{Forward: forwardA}), withOps(operations.RunGo{Forward: forwardB}), false},
		{"a reverse added", withOps(operations.RunGo{Forward: forwardA}), withOps(operations.RunGo{Forward: forwardA, Reverse: operations.Noop}), false},
		{"nested operations", withOps(operations.SeparateDatabaseAndState{State: []operations.Operation{operations.DeleteModel{Name: "A"}}}),
			withOps(operations.SeparateDatabaseAndState{Database: []operations.Operation{operations.DeleteModel{Name: "A"}}}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := Checksum(tt.a), Checksum(tt.b)
			if len(a) != 64 {
				t.Errorf("Checksum = %q, want 64 hex digits", a)
			}
			if (a == b) != tt.same {
				t.Errorf("Checksum equal = %v, want %v (%s vs %s)", a == b, tt.same, a, b)
			}
		})
	}
}

// TestChecksumStable pins one checksum: the canonical rendering must not
// change between releases, or every applied migration would look edited.
func TestChecksumStable(t *testing.T) {
	t.Parallel()
	const want = "fff15bb679056746254ebc1e371b51820057b1ac8c5b67870621e0d0c56425c3"
	if got := Checksum(carMigrations()[1]); got != want {
		t.Errorf("Checksum changed: got %s, want %s", got, want)
	}
}

// TestRegisterNormalizesPointers: operations a file writes as pointers are
// values after registration, nested ones included, and the migration keeps
// the checksum of what the file wrote.
func TestRegisterNormalizesPointers(t *testing.T) {
	t.Parallel()
	written := func() *Migration {
		return &Migration{App: "main", Name: "0001_initial", Operations: []operations.Operation{
			&operations.RunSQL{SQL: []string{"SELECT 1"}},
			operations.SeparateDatabaseAndState{State: []operations.Operation{&operations.DeleteModel{Name: "A"}}},
			operations.RunGo{Forward: forwardA},
		}}
	}
	want := Checksum(written())
	m := written()
	r := NewRegistry()
	r.Register(m)
	if _, ok := m.Operations[0].(operations.RunSQL); !ok {
		t.Errorf("operation 1 is %T after Register, want operations.RunSQL", m.Operations[0])
	}
	sep := m.Operations[1].(operations.SeparateDatabaseAndState)
	if _, ok := sep.State[0].(operations.DeleteModel); !ok {
		t.Errorf("nested operation is %T after Register, want operations.DeleteModel", sep.State[0])
	}
	if got := Checksum(m); got != want {
		t.Errorf("Checksum after Register = %s, want the written %s", got, want)
	}
	values := &Migration{App: "main", Name: "0001_initial", Operations: []operations.Operation{
		operations.RunSQL{SQL: []string{"SELECT 1"}},
		operations.SeparateDatabaseAndState{State: []operations.Operation{operations.DeleteModel{Name: "A"}}},
		operations.RunGo{Forward: forwardA},
	}}
	before := Checksum(values)
	r.Register(values)
	if got := Checksum(values); got != before {
		t.Errorf("Register changed the checksum of a migration of values: %s, want %s", got, before)
	}
}
