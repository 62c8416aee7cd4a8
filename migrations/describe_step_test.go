package migrations

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/operations"
)

func TestDescribeStep(t *testing.T) {
	t.Parallel()
	one := operations.RunSQL{SQL: []string{"SELECT 1"}, Reverse: []string{}}
	two := operations.RunSQL{SQL: []string{"SELECT 2"}}
	m := &Migration{App: "main", Name: "0002_sql", Operations: []operations.Operation{one, two}}
	fwd := DescribeStep(Step{Migration: m}, nil)
	want := []StepOperation{{Description: one.Describe()}, {Description: two.Describe()}}
	if diff := cmp.Diff(want, fwd); diff != "" {
		t.Errorf("forwards (-want +got):\n%s", diff)
	}
	back := DescribeStep(Step{Migration: m, Backwards: true}, nil)
	want = []StepOperation{{Description: "Undo " + two.Describe(), Irreversible: true}, {Description: "Undo " + one.Describe()}}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("backwards (-want +got):\n%s", diff)
	}
}
