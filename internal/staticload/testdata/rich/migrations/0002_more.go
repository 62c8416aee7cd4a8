package migrations

import (
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
)

var migration_0002_more = &migrations.Migration{
	App:          "main",
	Name:         "0002_more",
	Dependencies: []migrations.Key{{"main", "0001_initial"}},
	Operations: []operations.Operation{
		operations.SeparateDatabaseAndState{
			State: []operations.Operation{
				operations.AlterModelTable{Name: "Tag", Table: "tags"},
			},
			Database: []operations.Operation{
				operations.RunSQL{SQL: []string{"ALTER TABLE tag RENAME TO tags"}},
			},
		},
		operations.RenameField{Model: "Tag", OldName: "n", NewName: "count"},
	},
}
