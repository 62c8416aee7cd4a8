package autodetect

import (
	"strings"
	"testing"
	"time"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

func TestSuggestName(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 10, 10, 59, 0, time.UTC)
	field := &state.Field{Name: "manufacturer", Kind: state.ForeignKey}
	long := strings.Repeat("Very", 10) + "LongModelName"
	tests := []struct {
		name    string
		ops     []operations.Operation
		initial bool
		want    string
	}{
		{"initial wins", []operations.Operation{operations.CreateModel{Name: "Car"}}, true, "initial"},
		{"initial with nothing", nil, true, "initial"},
		{"no operations", nil, false, "auto_20261121_1010"},
		{"add field", []operations.Operation{operations.AddField{Model: "Car", Field: field}}, false, "car_manufacturer"},
		{"add field as pointer", []operations.Operation{&operations.AddField{Model: "Car", Field: field}}, false, "car_manufacturer"},
		{"add field without field", []operations.Operation{operations.AddField{Model: "Car"}}, false, "auto_20261121_1010"},
		{"remove field", []operations.Operation{operations.RemoveField{Model: "Car", Name: "price"}}, false, "remove_car_price"},
		{"alter field", []operations.Operation{operations.AlterField{Model: "Car", Name: "price"}}, false, "alter_car_price"},
		{"rename model", []operations.Operation{operations.RenameModel{OldName: "Vehicle", NewName: "Car"}}, false, "rename_vehicle_car"},
		{"rename field", []operations.Operation{operations.RenameField{Model: "Car", OldName: "a", NewName: "b"}}, false, "rename_a_car_b"},
		{"create model", []operations.Operation{operations.CreateModel{Name: "BlogPost"}}, false, "blogpost"},
		{"delete model", []operations.Operation{operations.DeleteModel{Name: "Car"}}, false, "delete_car"},
		{"alter table", []operations.Operation{operations.AlterModelTable{Name: "Car", Table: "x"}}, false, "alter_car_table"},
		{"alter options", []operations.Operation{operations.AlterModelOptions{Name: "Car"}}, false, "alter_car_options"},
		{"alter unique_together", []operations.Operation{operations.AlterUniqueTogether{Name: "Car"}}, false, "alter_car_unique_together"},
		{"add index", []operations.Operation{operations.AddIndex{Model: "Car", Index: state.Index{Name: "car_name_idx"}}}, false, "car_car_name_idx"},
		{"remove index", []operations.Operation{operations.RemoveIndex{Model: "Car", Name: "car_name_idx"}}, false, "remove_car_car_name_idx"},
		{"rename index", []operations.Operation{operations.RenameIndex{Model: "Car", OldName: "a", NewName: "b"}}, false, "rename_car_a_b"},
		{"add constraint", []operations.Operation{operations.AddConstraint{Model: "Car", Constraint: state.Constraint{Name: "price_gte_0"}}}, false, "car_price_gte_0"},
		{"remove constraint", []operations.Operation{operations.RemoveConstraint{Model: "Car", Name: "price_gte_0"}}, false, "remove_car_price_gte_0"},
		{"odd characters", []operations.Operation{operations.RemoveIndex{Model: "Car", Name: "Idx-Name.V2"}}, false, "remove_car_idx_name_v2"},
		{"raw sql", []operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}}}, false, "auto_20261121_1010"},
		{"created models sorted", []operations.Operation{
			operations.CreateModel{Name: "Manufacturer"}, operations.CreateModel{Name: "Car"},
		}, false, "car_manufacturer"},
		{"created models plus their fields", []operations.Operation{
			operations.CreateModel{Name: "Car"}, operations.CreateModel{Name: "Manufacturer"},
			operations.AddField{Model: "Car", Field: field},
		}, false, "car_manufacturer"},
		{"created models plus their indexes and groups", []operations.Operation{
			operations.CreateModel{Name: "Author"}, operations.CreateModel{Name: "Book"},
			operations.AddField{Model: "author", Field: field},
			operations.AddIndex{Model: "Author", Index: state.Index{Name: "x"}},
			operations.AddConstraint{Model: "Author", Constraint: state.Constraint{Name: "y"}},
			operations.AlterUniqueTogether{Name: "Author"},
		}, false, "author_book"},
		{"field added to an existing model", []operations.Operation{
			operations.CreateModel{Name: "Car"}, operations.AddField{Model: "Manufacturer", Field: field},
		}, false, "car_manufacturer_manufacturer"},
		{"created and deleted", []operations.Operation{
			operations.CreateModel{Name: "Car"}, operations.DeleteModel{Name: "Old"},
		}, false, "car_delete_old"},
		{"several alterations joined while they fit", []operations.Operation{
			operations.AlterField{Model: "Customer", Name: "first_name"}, operations.AlterField{Model: "Customer", Name: "last_name"},
		}, false, "alter_customer_first_name_alter_customer_last_name"},
		{"several alterations that do not fit end in and_more", []operations.Operation{
			operations.AlterField{Model: "Customer", Name: "first_name"}, operations.AddField{Model: "Customer", Field: &state.Field{Name: "country"}},
			operations.RemoveField{Model: "Customer", Name: "fax"},
		}, false, "alter_customer_first_name_customer_country_and_more"},
		{"a repeated fragment counts once", []operations.Operation{
			operations.AlterModelOptions{Name: "Car"}, operations.AlterModelOptions{Name: "Car"},
		}, false, "alter_car_options"},
		{"raw sql among others", []operations.Operation{
			operations.AlterField{Model: "Car", Name: "price"}, operations.RunSQL{SQL: []string{"SELECT 1"}},
		}, false, "auto_20261121_1010"},
		{"long single fragment clipped", []operations.Operation{operations.CreateModel{Name: long}}, false,
			strings.ToLower(long)[:52]},
		{"many created models", []operations.Operation{
			operations.CreateModel{Name: "Alpha"}, operations.CreateModel{Name: "Bravo"}, operations.CreateModel{Name: "Charlie"},
			operations.CreateModel{Name: "Delta"}, operations.CreateModel{Name: "Echo"}, operations.CreateModel{Name: "Foxtrot"},
			operations.CreateModel{Name: "Golf"}, operations.CreateModel{Name: "Hotel"}, operations.CreateModel{Name: "India"},
		}, false, "alpha_bravo_charlie_delta_echo_foxtrot_golf_and_more"},
		{"one long created model among many", []operations.Operation{
			operations.CreateModel{Name: long}, operations.CreateModel{Name: "Zulu"},
		}, false, strings.ToLower(long)[:43] + "_and_more"},
	}
	for _, tt := range tests {
		got := SuggestName(tt.ops, tt.initial, now)
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if len(got) > 52 {
			t.Errorf("%s: %q is %d characters, want at most 52", tt.name, got, len(got))
		}
	}
}

// TestSuggestNameOfDetected names what Detect returns for the README's
// walk-through: two new models with a foreign key between them.
func TestSuggestNameOfDetected(t *testing.T) {
	t.Parallel()
	to, err := parseProject(`
model main.Manufacturer
  name char max=100
model main.Car
  manufacturer fk to=Manufacturer`)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := Detect(state.NewProject(), to, NonInteractive())
	if err != nil {
		t.Fatal(err)
	}
	if got := SuggestName(ch.Ops["main"], false, time.Now()); got != "car_manufacturer" {
		t.Errorf("got %q, want car_manufacturer", got)
	}
}
