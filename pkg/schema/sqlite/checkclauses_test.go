package sqlite

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// TestInspectCheckClauses reads named check expressions back from the
// CREATE TABLE text, spelled again from its tokens; unnamed checks have no
// name to give and are left out.
func TestInspectCheckClauses(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	stmt := `CREATE TABLE "t" ("a" integer CHECK ("a" > -1), "b" text,
		CONSTRAINT "a_positive" CHECK ("a" >= 0.5 AND ("b" <> 'it''s)' OR t.b IS NULL)),
		CONSTRAINT b_short CHECK (length(b)<=10))`
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	got, err := Inspector{}.InspectCheckClauses(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.CheckClause{
		{Table: "t", Name: "a_positive", SQL: `"a" >= 0.5 AND ( "b" <> 'it''s)' OR t.b IS NULL )`},
		{Table: "t", Name: "b_short", SQL: `length ( b ) <= 10`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("check clauses (-want +got):\n%s", diff)
	}
}

// TestInspectIndexConditions reads partial indexes' predicates back from
// their CREATE INDEX text.
func TestInspectIndexConditions(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	for _, stmt := range []string{
		`CREATE TABLE t (a integer, b text UNIQUE, live bool)`,
		`CREATE INDEX t_live ON t (a) WHERE live`,
		`CREATE UNIQUE INDEX "t_one_b" ON "t" (lower(b)) WHERE a>=0 AND "b" <> 'where'`,
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
		{Table: "t", Index: "t_one_b", SQL: `a >= 0 AND "b" <> 'where'`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("index conditions (-want +got):\n%s", diff)
	}
}
