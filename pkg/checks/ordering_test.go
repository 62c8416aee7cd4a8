package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/statedsl"
	"github.com/pmanager/pmanager/pkg/models"
)

// OrderedByMakerTypo orders across its foreign key by a field Maker does
// not have.
type OrderedByMakerTypo struct {
	models.Model
	Maker *Maker `pm:"on_delete=CASCADE"`
}

func (OrderedByMakerTypo) Meta() models.Meta {
	return models.Meta{Ordering: []string{"-maker__nme"}}
}

// OrderedThroughName follows __ past Maker.name, which is no relation.
type OrderedThroughName struct {
	models.Model
	Maker *Maker `pm:"on_delete=CASCADE"`
}

func (OrderedThroughName) Meta() models.Meta {
	return models.Meta{Ordering: []string{"maker__name__lower"}}
}

// Shelf and OrderedShelved order across two relations and by every other
// form Django accepts.
type Shelf struct {
	models.Model
	Maker  *Maker `pm:"on_delete=CASCADE"`
	Label  string `pm:"max_length=20"`
	Built  time.Time
	Makers []*Maker `pm:"m2m,related_name=+"`
}

type OrderedShelved struct {
	models.Model
	Shelf *Shelf `pm:"one_to_one,on_delete=CASCADE"`
}

func (OrderedShelved) Meta() models.Meta {
	return models.Meta{Ordering: []string{"shelf__maker__name", "-shelf__maker__pk", "shelf__maker_id", "shelf__pk", "-pk", "?",
		"shelf__built__year", "-shelf__built__date__year", "shelf__maker__isnull", "shelf__label__isnull", "shelf__makers__name"}}
}

func TestOrderingPathsPass(t *testing.T) {
	report := check(t, allKinds, nil, OrderedShelved{}, Shelf{}, Maker{})
	if len(report.Issues) != 0 {
		t.Fatalf("issues on valid orderings:\n%s", report.Text())
	}
}

// OrderedByM2M orders by a many-to-many alone, which has no column.
type OrderedByM2M struct {
	models.Model
	Shelf *Shelf `pm:"on_delete=CASCADE"`
}

func (OrderedByM2M) Meta() models.Meta { return models.Meta{Ordering: []string{"-shelf__makers"}} }

// OrderedByDatePartOfText asks a text field for a date part.
type OrderedByDatePartOfText struct {
	models.Model
	Shelf *Shelf `pm:"on_delete=CASCADE"`
}

func (OrderedByDatePartOfText) Meta() models.Meta {
	return models.Meta{Ordering: []string{"shelf__label__year"}}
}

func TestOrderingProblems(t *testing.T) {
	for _, tc := range []struct {
		model any
		want  string
	}{
		{OrderedByM2M{}, "Ordering names -shelf__makers, but checks.Shelf.Makers is a many-to-many field, which has no column to order by"},
		{OrderedByDatePartOfText{}, "Ordering names shelf__label__year, but checks.Shelf.Label is not a relation to follow, and year is not a lookup or transform of a char field"},
	} {
		report := check(t, nil, nil, tc.model, Shelf{}, Maker{})
		if len(report.Issues) != 1 || report.Issues[0].ID != "pm.E031" || report.Issues[0].Message != tc.want {
			t.Errorf("%T: want pm.E031 %q, got:\n%s", tc.model, tc.want, report.Text())
		}
	}
}

// A state read from migrations has not been through the model reader: its
// single-field terms are checked too.
func TestOrderingOfAStateReadElsewhere(t *testing.T) {
	p, err := statedsl.Parse("model main.Tag ordering=-word,pk\n  name char max=20\n")
	if err != nil {
		t.Fatal(err)
	}
	report := Project(p, Options{})
	if len(report.Issues) != 1 || report.Issues[0].ID != "pm.E031" || !strings.Contains(report.Issues[0].Message, "Ordering names -word, but main.Tag has no field word") {
		t.Fatalf("issues:\n%s", report.Text())
	}
}
