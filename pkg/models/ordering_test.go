package models

import (
	"slices"
	"testing"
)

// OrderedCar orders by every form Django accepts.
type OrderedCar struct {
	Model
	Title string  `pm:"max_length=50"`
	Maker *Maker  `pm:"on_delete=CASCADE"`
	Parts []*Part `pm:"m2m"`
}

func (OrderedCar) Meta() Meta {
	return Meta{Ordering: []string{"Title", "-pk", "pk", "?", "Maker__name", "-maker__slug", "maker_id", "-Maker"}}
}

func TestOrderingForms(t *testing.T) {
	t.Parallel()
	p, err := Load(app("main", Maker{}, Part{}, OrderedCar{}))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Model("main", "OrderedCar").Options.Ordering
	want := []string{"title", "-pk", "pk", "?", "maker__name", "-maker__slug", "maker_id", "-maker"}
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

func (EOrderingM2M) Meta() Meta { return Meta{Ordering: []string{"parts__name"}} }

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
			`models.EOrderingNotRelation.Meta: Ordering names "name__lower", but name is not a foreign key or one-to-one, so __ cannot follow it; order by name alone`},
		{"path through a many-to-many", []App{app("main", Part{}, EOrderingM2M{})},
			`models.EOrderingM2M.Meta: Ordering names parts, a many-to-many field with no column; order by a field of this model or a path across a foreign key`},
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
