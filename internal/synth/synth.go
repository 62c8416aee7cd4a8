// Package synth generates synthetic migration histories of any size,
// deterministically for a seed, so benchmarks measure replay, autodetection
// and rendering on projects as large as real ones get.
package synth

import (
	"fmt"
	"math/rand"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// Size describes a synthetic project.
type Size struct {
	Models     int // number of models
	Fields     int // fields per model in the initial migration, besides the key
	Migrations int // migrations in the history, the initial one included
	Seed       int64
}

// App is the app label of every generated migration.
const App = "main"

// History returns the migrations of a project of the given size: an initial
// migration creating every model (about one field in ten a foreign key to an
// earlier model), then small add-field, alter-field and add-index migrations
// spread over the models, each depending on the one before.
func History(s Size) []*migrations.Migration {
	r := rand.New(rand.NewSource(s.Seed))
	initial := &migrations.Migration{App: App, Name: "0001_initial", Initial: true}
	names := make([]string, s.Models)
	added := make([]int, s.Models)
	for i := range s.Models {
		names[i] = fmt.Sprintf("Model%04d", i)
		fields := []*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}
		for j := range s.Fields {
			fields = append(fields, field(r, fmt.Sprintf("f%02d", j), i, names))
		}
		initial.Operations = append(initial.Operations, operations.CreateModel{
			Name: names[i], Table: state.SnakeCase(names[i]), Fields: fields,
		})
	}
	out := []*migrations.Migration{initial}
	for n := 2; n <= s.Migrations; n++ {
		i := r.Intn(s.Models)
		var op operations.Operation
		switch r.Intn(3) {
		case 0:
			added[i]++
			op = operations.AddField{Model: names[i], Field: &state.Field{
				Name: fmt.Sprintf("extra%03d", added[i]), Kind: state.Integer, Null: true}}
		case 1:
			op = operations.AlterField{Model: names[i], Name: "f00", Field: &state.Field{
				Kind: state.Char, MaxLength: 100 + n, Null: true}}
		default:
			op = operations.AddIndex{Model: names[i], Index: state.Index{
				Name: fmt.Sprintf("idx_%04d", n), Fields: []string{"f01"}}}
		}
		prev := out[len(out)-1]
		out = append(out, &migrations.Migration{
			App:          App,
			Name:         fmt.Sprintf("%04d_step", n),
			Dependencies: []migrations.Key{{App: App, Name: prev.Name}},
			Operations:   []operations.Operation{op},
		})
	}
	return out
}

// field returns a field of a mixed type for model i; f00 is always a
// nullable char and f01 an integer, so later migrations can alter and
// index them.
func field(r *rand.Rand, name string, i int, names []string) *state.Field {
	switch {
	case name == "f00":
		return &state.Field{Name: name, Kind: state.Char, MaxLength: 100, Null: true}
	case name == "f01":
		return &state.Field{Name: name, Kind: state.Integer, Default: state.Str("0")}
	case i > 0 && r.Intn(10) == 0:
		return &state.Field{Name: name, Kind: state.ForeignKey, Null: true,
			Relation: &state.Relation{To: App + "." + names[r.Intn(i)], OnDelete: "SET_NULL"}}
	}
	switch r.Intn(6) {
	case 0:
		return &state.Field{Name: name, Kind: state.Text, Blank: true}
	case 1:
		return &state.Field{Name: name, Kind: state.BigInteger, Null: true}
	case 2:
		return &state.Field{Name: name, Kind: state.Boolean, Default: state.Str("false")}
	case 3:
		return &state.Field{Name: name, Kind: state.DateTime, Null: true}
	case 4:
		return &state.Field{Name: name, Kind: state.Decimal, MaxDigits: 12, DecimalPlaces: 2, Default: state.Str("0")}
	default:
		return &state.Field{Name: name, Kind: state.Char, MaxLength: 50, Unique: r.Intn(4) == 0, Null: true}
	}
}
