package seeders

import (
	"context"
	"strings"
	"testing"

	_ "github.com/pmanager/pmanager/examples/blog/migrations"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// TestSeeders migrates the blog's real migrations on every dialect, runs
// the registered seeders and checks what they wrote.
func TestSeeders(t *testing.T) {
	t.Parallel()
	seeders, err := migrations.Default().Seeders()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range seeders {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, " "); got != "users profiles tags posts" {
		t.Fatalf("seeders = %s, want users profiles tags posts", got)
	}
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			ed := connect.EditorFor(d)
			ctx := context.Background()
			q := ed.Quote
			g, err := migrations.Default().Graph()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := migrations.NewExecutor(db.DB, ed, g).MigrateTo(ctx, nil, migrations.Options{}); err != nil {
				t.Fatalf("migrate the blog: %v", err)
			}
			if err := migrations.Seed(ctx, db.DB, ed, seeders, nil); err != nil {
				t.Fatalf("Seed: %v", err)
			}
			want := map[string]int{"user": 2, "profile": 2, "tag": 3, "post": 3, "post_tags": 4}
			for table, n := range want {
				var got int
				if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q(table)).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != n {
					t.Errorf("%s has %d rows, want %d", table, got, n)
				}
			}
			var title string
			err = db.QueryRowContext(ctx, "SELECT p.title FROM "+q("post")+" p JOIN "+q("user")+" u ON u.id = p.author_id WHERE u.email = 'ada@example.com'").Scan(&title)
			if err != nil || title != "Notes on the engine" {
				t.Errorf("Ada's post = %q, %v", title, err)
			}
		})
	}
}
