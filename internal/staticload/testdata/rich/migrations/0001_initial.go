// Hand-written, to read every form a migration literal may take.

package migrations

import (
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

func init() {
	migrations.Register(migration_0001_initial)
	migrations.Register(migration_0002_more)
}

var migration_0001_initial = &migrations.Migration{
	App:  "main",
	Name: "0001_initial",
	Operations: []operations.Operation{
		operations.CreateModel{
			Name: "Tag",
			Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "word", Kind: state.Char, MaxLength: 20, Unique: true, Default: state.Str("a, " + "b")},
				{Name: "n", Kind: state.Kind("integer"), Null: true},
				{Name: "when", Kind: state.DateTime, DBDefault: state.DBNow},
				{Name: "addr", Kind: state.SQL, SQLTypes: []state.SQLType{{Dialect: "postgres", Type: "inet"}, {"mysql", "varchar(45)"}}},
			},
			Options: state.Options{Ordering: []string{"-word", "pk"}},
		},
		&operations.RunSQL{SQL: []string{`UPDATE "tag" SET "n" = -1`}, Reverse: []string{}},
		operations.AddIndex{Model: "Tag", Index: state.Index{Name: "tag_n_idx", Fields: []string{"n"}}},
		operations.AddConstraint{Model: "Tag", Constraint: state.Constraint{Kind: state.CheckConstraint, Name: "tag_n_check", Check: "n > -2"}},
	},
	Initial: true,
}
