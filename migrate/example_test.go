package migrate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pmanager/pmanager/migrate"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// An application migrates its database at start-up. Here the migration is
// registered by hand in a registry of its own; an application imports its
// generated migrations package instead and passes nil, the default registry.
func ExampleLatestURL() {
	reg := migrations.NewRegistry()
	reg.Register(&migrations.Migration{
		App: "main", Name: "0001_initial", Initial: true,
		Operations: []operations.Operation{operations.CreateModel{
			Name:  "Post",
			Table: "post",
			Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "title", Kind: state.Char, MaxLength: 200},
			},
		}},
	})
	dir, err := os.MkdirTemp("", "migrate-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	url := "sqlite://" + filepath.Join(dir, "app.db")

	ctx := context.Background()
	if err := migrate.LatestURL(ctx, url, reg, migrate.WithProgress(os.Stdout)); err != nil {
		fmt.Println(err)
		return
	}
	// A second start finds nothing to do.
	if err := migrate.LatestURL(ctx, url, reg, migrate.WithProgress(os.Stdout)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("up to date")
	// Output:
	// Applying main.0001_initial... OK
	// up to date
}
