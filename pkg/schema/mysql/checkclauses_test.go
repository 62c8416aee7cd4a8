package mysql

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// TestInspectCheckClauses reads check expressions back, leaving out
// MariaDB's automatic json_valid check of a json column.
func TestInspectCheckClauses(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.MySQL)
	stmt := "CREATE TABLE t (a int, doc json, CONSTRAINT a_positive CHECK (a >= 0))"
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	got, err := Inspector{}.InspectCheckClauses(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.CheckClause{{Table: "t", Name: "a_positive", SQL: "`a` >= 0"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("check clauses (-want +got):\n%s", diff)
	}
}
