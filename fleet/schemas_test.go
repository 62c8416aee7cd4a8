package fleet

import (
	"context"
	"errors"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// TestPostgresSchemas migrates a schema per tenant: each schema gets its
// tables and its own history table, and the migration lock of one schema
// does not hold up another.
func TestPostgresSchemas(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.Postgres)
	ctx := context.Background()
	for _, name := range []string{"tenant_a", "tenant_b", "Tenant C", "other"} {
		if _, err := db.Exec(`CREATE SCHEMA "` + name + `"`); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := Resolve(ctx, config.Fleet{Name: "t", Server: db.URL, Schemas: "%enant%"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 || ts[0].Name != "Tenant C" || ts[1].Name != "tenant_a" {
		t.Fatalf("Resolve: %+v", ts)
	}
	// Hold tenant_a's migration lock: tenant_b and Tenant C go on, tenant_a
	// is refused.
	a, _, err := ts[1].open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	conn, err := a.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	release, _, err := connect.EditorFor(schema.Postgres).(schema.Locker).TryLock(ctx, conn, schema.HistoryTable)
	if err != nil || release == nil {
		t.Fatalf("take tenant_a's lock: %v", err)
	}
	g := shop()
	results := Migrate(ctx, ts, g, Options{Parallel: 3, Migrate: migrations.Options{LockTimeout: -1}})
	if got := results[0].Status() + " " + results[1].Status() + " " + results[2].Status(); got != "migrated failed migrated" {
		t.Fatalf("statuses %s (%v)", got, Failed(results))
	}
	if !errors.Is(results[1].Err, migrations.ErrLocked) {
		t.Errorf("tenant_a: %v, want the lock refused", results[1].Err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if err := Failed(Migrate(ctx, ts, g, Options{Parallel: 3})); err != nil {
		t.Fatal(err)
	}
	checkAll(t, ts, g)
	var public int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&public); err != nil || public != 0 {
		t.Errorf("public holds %d tables (%v), want none", public, err)
	}
}
