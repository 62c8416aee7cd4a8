package models

import (
	"testing"
)

// Renamed is a model carrying both rename hints.
type Renamed struct {
	Model
	Title string `pm:"max_length=30,was=Name"`
	Notes string `pm:"was=remark"`
	Plain string
}

func (Renamed) Meta() Meta { return Meta{Was: "Vehicle"} }

type EBadWas struct {
	Model
	Title string `pm:"was=1name"`
}

type ESelfWas struct{ Model }

func (ESelfWas) Meta() Meta { return Meta{Was: "ESelfWas"} }

// TestRenameHints checks that was= and Meta.Was reach the state as hints,
// was= as the old field's state name whichever spelling it used.
func TestRenameHints(t *testing.T) {
	t.Parallel()
	p, err := Load(App{Label: "main", Types: []any{Renamed{}}})
	if err != nil {
		t.Fatal(err)
	}
	m := p.Model("main", "Renamed")
	if m.Was != "Vehicle" {
		t.Errorf("model hint = %q, want Vehicle", m.Was)
	}
	want := map[string]string{"id": "", "title": "name", "notes": "remark", "plain": ""}
	for name, was := range want {
		if f := m.Field(name); f == nil || f.Was != was {
			t.Errorf("field %s: %+v, want hint %q", name, f, was)
		}
	}
}

func TestRenameHintErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model any
		want  string
	}{
		{EBadWas{}, "models.EBadWas.Title: was=1name is not a field name; write the field's old Go name, e.g. was=Name"},
		{ESelfWas{}, `models.ESelfWas.Meta: Was "ESelfWas" is not another type name; write the model's old Go type name, e.g. Was: "Vehicle"`},
	}
	for _, tt := range tests {
		_, err := Load(App{Label: "main", Types: []any{tt.model}})
		if err == nil || err.Error() != tt.want {
			t.Errorf("Load error = %v\nwant %s", err, tt.want)
		}
	}
}
