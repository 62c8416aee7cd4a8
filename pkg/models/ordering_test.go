package models

import (
	"slices"
	"testing"
	"time"
)

// OrderedCar orders by every form Django accepts.
type OrderedCar struct {
	Model
	Title string  `pm:"max_length=50"`
	Maker *Maker  `pm:"on_delete=CASCADE"`
	Parts []*Part `pm:"m2m"`
	Made  time.Time
}

func (OrderedCar) Meta() Meta {
	return Meta{Ordering: []string{"Title", "-pk", "pk", "?", "Maker__name", "-maker__slug", "maker_id", "-Maker", "Parts__name", "-Made__year", "made__date__year", "title__isnull"}}
}

func TestOrderingForms(t *testing.T) {
	t.Parallel()
	p, err := Load(app("main", Maker{}, Part{}, OrderedCar{}))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Model("main", "OrderedCar").Options.Ordering
	want := []string{"title", "-pk", "pk", "?", "maker__name", "-maker__slug", "maker_id", "-maker", "parts__name", "-made__year", "made__date__year", "title__isnull"}
	if !slices.Equal(got, want) {
		t.Errorf("Ordering = %q, want %q", got, want)
	}
}

type ERandomDesc struct {
	Model
	Name string
}

func (ERandomDesc) Meta() Meta { return Meta{Ordering: []string{"-?"}} }

type EOrderingEmptyStep struct {
	Model
	Maker *Maker `pm:"on_delete=CASCADE"`
}

func (EOrderingEmptyStep) Meta() Meta { return Meta{Ordering: []string{"maker__"}} }

type EOrderingNotRelation struct {
	Model
	Name string
}

func (EOrderingNotRelation) Meta() Meta { return Meta{Ordering: []string{"name__lower"}} }

type EOrderingM2M struct {
	Model
	Parts []*Part `pm:"m2m"`
}

func (EOrderingM2M) Meta() Meta { return Meta{Ordering: []string{"parts"}} }

func TestOrderingErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		apps []App
		want string
	}{
		{"random with a direction", []App{app("main", ERandomDesc{})},
			`models.ERandomDesc.Meta: Ordering names "-?"; a random order has no direction, write "?"`},
		{"empty step", []App{app("main", Maker{}, EOrderingEmptyStep{})},
			`models.EOrderingEmptyStep.Meta: Ordering names "maker__", which has an empty step; write field names joined by __, e.g. author__name`},
		{"path through a column", []App{app("main", EOrderingNotRelation{})},
			`models.EOrderingNotRelation.Meta: Ordering names "name__lower", but name is not a relation to follow and lower is not a lookup or transform of a text field; order by name alone`},
		{"a many-to-many alone", []App{app("main", Part{}, EOrderingM2M{})},
			`models.EOrderingM2M.Meta: Ordering names parts, a many-to-many field with no column; order by a field of this model or a path across the relation, e.g. parts__id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tt.apps...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Load error\n got: %v\nwant: %s", err, tt.want)
			}
		})
	}
}
