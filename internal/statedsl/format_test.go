package statedsl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestFormatRoundTrip checks that Format writes what Parse reads back
// into the same state, for every construct of the language.
func TestFormatRoundTrip(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"",
		"model main.Car table=local_car ordering=name,-id verbose=Car comment=cars\n" +
			"  name char max=30 null blank unique index default=x column=c choices=a|b comment=shown\n" +
			"  price decimal digits=10 places=2 default=0\n" +
			"  maker fk to=Maker on_delete=SET_NULL null no_constraint related=cars\n" +
			"  tags m2m to=Tag jt=car_tag_table\n" +
			"  index car_name_idx name,-price where=price>0\n" +
			"  unique car_uq name,maker where=price>0\n" +
			"  check price_gte_0 price >= 0\n" +
			"  together maker,name name,price\n" +
			"model main.Maker unmanaged\n  code char max=2 pk\n" +
			"model shop.Tag\n  label char max=20 default=\n  owner o2o to=main.Car\n",
	} {
		want, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		text, err := Format(want)
		if err != nil {
			t.Fatalf("Format: %v", err)
		}
		got, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(Format): %v\n%s", err, text)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip differs (-want +got):\n%s\nformatted:\n%s", diff, text)
		}
	}
}

// TestFormatRefusesSpaces checks a value the language cannot hold is an
// error, not a state that parses into something else.
func TestFormatRefusesSpaces(t *testing.T) {
	t.Parallel()
	p, err := Parse("model main.A\n  name char max=5\n")
	if err != nil {
		t.Fatal(err)
	}
	p.Model("main", "A").Fields[1].Comment = "two words"
	if _, err := Format(p); err == nil {
		t.Fatal("Format accepted a comment with a space")
	}
}
