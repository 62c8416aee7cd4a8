package checks

import (
	"strings"
	"testing"

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
	Maker *Maker `pm:"on_delete=CASCADE"`
	Label string `pm:"max_length=20"`
}

type OrderedShelved struct {
	models.Model
	Shelf *Shelf `pm:"one_to_one,on_delete=CASCADE"`
}

func (OrderedShelved) Meta() models.Meta {
	return models.Meta{Ordering: []string{"shelf__maker__name", "-shelf__maker__pk", "shelf__maker_id", "shelf__pk", "-pk", "?"}}
}

func TestOrderingPathsPass(t *testing.T) {
	report := check(t, allKinds, nil, OrderedShelved{}, Shelf{}, Maker{})
	if len(report.Issues) != 0 {
		t.Fatalf("issues on valid orderings:\n%s", report.Text())
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
