package operations

import (
	"slices"
	"testing"

	"github.com/pmanager/pmanager/pkg/state"
)

// A renamed field is renamed in the ordering terms that name it: alone,
// descending, or as the first step of a path across it; pk, ? and paths
// through other fields stay as they are.
func TestRenameFieldFollowsOrderingPaths(t *testing.T) {
	p := carProject(t)
	ordering := []string{"maker__name", "-maker", "-maker__id", "name", "pk", "?", "makers__x"}
	if err := Apply("main", []Operation{AlterModelOptions{Name: "Car", Options: state.Options{Ordering: ordering}}}, p); err != nil {
		t.Fatal(err)
	}
	if err := Apply("main", []Operation{RenameField{Model: "Car", OldName: "maker", NewName: "brand"}}, p); err != nil {
		t.Fatal(err)
	}
	want := []string{"brand__name", "-brand", "-brand__id", "name", "pk", "?", "makers__x"}
	if got := p.Model("main", "car").Options.Ordering; !slices.Equal(got, want) {
		t.Errorf("Ordering = %q, want %q", got, want)
	}
	c := CreateModel{Name: "Car", Fields: []*state.Field{{Name: "maker", Kind: state.ForeignKey}}, Options: state.Options{Ordering: []string{"-maker__name"}}}
	if !c.mentions("maker") {
		t.Error("a path across maker does not count as naming maker")
	}
	op, ok := c.renameField(RenameField{Model: "Car", OldName: "maker", NewName: "brand"})
	if !ok || !slices.Equal(op.(CreateModel).Options.Ordering, []string{"-brand__name"}) {
		t.Errorf("CreateModel.renameField ordering = %v, %v", op, ok)
	}
}
