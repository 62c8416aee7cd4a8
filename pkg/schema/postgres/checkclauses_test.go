package postgres

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// TestInspectCheckClauses reads check expressions back as PostgreSQL
// prints them, without the CHECK keyword, its parentheses or NOT VALID.
func TestInspectCheckClauses(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.Postgres)
	for _, stmt := range []string{
		`CREATE TABLE t (a integer CONSTRAINT a_positive CHECK (a >= 0), b text)`,
		`ALTER TABLE t ADD CONSTRAINT t_pair CHECK ((a > 1) OR (b <> 'x)'))`,
		`ALTER TABLE t ADD CONSTRAINT t_later CHECK (a < 100) NOT VALID`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	got, err := Inspector{}.InspectCheckClauses(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.CheckClause{
		{Table: "t", Name: "a_positive", SQL: "a >= 0"},
		{Table: "t", Name: "t_later", SQL: "a < 100"},
		{Table: "t", Name: "t_pair", SQL: "a > 1 OR b <> 'x)'::text"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("check clauses (-want +got):\n%s", diff)
	}
}

// TestInspectIndexConditions reads partial indexes' predicates back.
func TestInspectIndexConditions(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.Postgres)
	for _, stmt := range []string{
		`CREATE TABLE t (a integer, b text, live boolean)`,
		`CREATE INDEX t_live ON t (a) WHERE live`,
		`CREATE UNIQUE INDEX t_one_b ON t (b) WHERE a > 0 AND b <> 'x'`,
		`CREATE INDEX t_plain ON t (b)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	got, err := Inspector{}.InspectIndexConditions(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.IndexCondition{
		{Table: "t", Index: "t_live", SQL: "live"},
		{Table: "t", Index: "t_one_b", SQL: "a > 0 AND b <> 'x'::text"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("index conditions (-want +got):\n%s", diff)
	}
}
