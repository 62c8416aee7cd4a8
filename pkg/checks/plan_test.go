package checks

import (
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// planCases are operation sequences whose intermediate states a database
// could not hold, and sequences that must pass.
var planCases = []struct {
	name  string
	from  string
	ops   []operations.Operation
	id    string // "" when the plan is clean
	where string
	msg   string
}{
	{
		name: "a unique made before the index of its name is dropped",
		from: "model main.Author\n  name char max=50\n  index author_key name\n",
		ops: []operations.Operation{
			operations.AddConstraint{Model: "Author", Constraint: state.Constraint{Kind: state.UniqueConstraint, Name: "author_key", Fields: []string{"name"}}},
			operations.RemoveIndex{Model: "Author", Name: "author_key"},
		},
		id: "pm.E029", where: "main.0002_x, operation 1", msg: "creates unique constraint author_key while the index of main.Author.Meta still holds that name",
	},
	{
		name: "the same change with the index dropped first",
		from: "model main.Author\n  name char max=50\n  index author_key name\n",
		ops: []operations.Operation{
			operations.RemoveIndex{Model: "Author", Name: "author_key"},
			operations.AddConstraint{Model: "Author", Constraint: state.Constraint{Kind: state.UniqueConstraint, Name: "author_key", Fields: []string{"name"}}},
		},
	},
	{
		name: "a field turning unique while its one-column group goes",
		from: "model main.Author\n  email char max=50\n  together email\n",
		ops: []operations.Operation{
			operations.AlterField{Model: "Author", Name: "email", Field: &state.Field{Name: "email", Kind: state.Char, MaxLength: 50, Unique: true}},
			operations.AlterUniqueTogether{Name: "Author", UniqueTogether: nil},
		},
	},
	{
		name: "a to_field target removed while a relation names it",
		from: "model main.Maker\n  code char max=10 unique\nmodel main.Car\n  maker fk to=Maker to_field=code\n",
		ops:  []operations.Operation{operations.RemoveField{Model: "Maker", Name: "code"}},
		id:   "pm.E030", where: "main.0002_x, operation 1", msg: "removes main.Maker.code while main.Car.maker still references it with to_field",
	},
}

func TestPlan(t *testing.T) {
	for _, tc := range planCases {
		t.Run(tc.name, func(t *testing.T) {
			from, err := statedsl.Parse(tc.from)
			if err != nil {
				t.Fatal(err)
			}
			var steps []PendingOp
			for i, op := range tc.ops {
				steps = append(steps, PendingOp{Migration: "main.0002_x", App: "main", Number: i + 1, Op: op})
			}
			report, err := Operations(from, steps, Options{Targets: allKinds})
			if err != nil {
				t.Fatal(err)
			}
			if tc.id == "" {
				if len(report.Issues) > 0 {
					t.Fatalf("want a clean plan; got:\n%s", report.Text())
				}
				return
			}
			for _, i := range report.Issues {
				if i.ID == tc.id && strings.HasPrefix(i.Object, tc.where) && strings.Contains(i.Message, tc.msg) && i.Hint != "" {
					return
				}
			}
			t.Fatalf("want %s at %s with %q; got:\n%s", tc.id, tc.where, tc.msg, report.Text())
		})
	}
}

// UniqueTwice is unique as a field and as a one-column unique_together
// group: one constraint, not two of the same name.
type UniqueTwice struct {
	models.Model
	Email string `pm:"max_length=100,unique"`
}

func (UniqueTwice) Meta() models.Meta {
	return models.Meta{UniqueTogether: [][]string{{"email"}}}
}

func TestUniqueFieldAndItsGroupAreOneConstraint(t *testing.T) {
	report := check(t, allKinds, nil, UniqueTwice{})
	for _, i := range report.Issues {
		if i.ID == "pm.E016" {
			t.Fatalf("a unique field and its one-column group reported as a clash: %s", i)
		}
	}
}
