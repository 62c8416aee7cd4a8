package migrations

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

func TestHistory(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		h := NewHistory(db, ed)
		applied, err := h.Applied(ctx)
		if err != nil || applied == nil || len(applied) != 0 {
			t.Fatalf("Applied before Ensure = %v, %v; want an empty map", applied, err)
		}
		if diff := cmp.Diff([]string{}, tableNames(t, db, ed)); diff != "" {
			t.Errorf("Applied created tables (-want +got):\n%s", diff)
		}
		for range 2 {
			if err := h.Ensure(ctx); err != nil {
				t.Fatalf("Ensure: %v", err)
			}
		}

		tables, err := ed.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(tables) != 1 || tables[0].Name != schema.HistoryTable {
			t.Fatalf("tables after Ensure = %+v, want only %s", tables, schema.HistoryTable)
		}
		var cols []string
		for _, c := range tables[0].Columns {
			cols = append(cols, c.Name)
			if c.Nullable {
				t.Errorf("history column %s is nullable", c.Name)
			}
		}
		if diff := cmp.Diff([]string{"id", "app", "name", "applied_at", "checksum"}, cols); diff != "" {
			t.Errorf("history columns (-want +got):\n%s", diff)
		}
		wantUnique := []schema.Unique{{Name: "pmanager_migrations_app_name_uniq", Columns: []string{"app", "name"}}}
		if diff := cmp.Diff([]string{"id"}, tables[0].PrimaryKey); diff != "" {
			t.Errorf("history primary key (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantUnique, tables[0].Uniques, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("history unique constraints (-want +got):\n%s", diff)
		}

		a, b := Key{App: "main", Name: "0001_initial"}, Key{App: "blog", Name: "0001_initial"}
		start := time.Now().UTC().Truncate(time.Microsecond)
		if err := h.Record(ctx, db, a, "sum-a"); err != nil {
			t.Fatal(err)
		}
		if err := h.Record(ctx, db, b, "sum-b"); err != nil {
			t.Fatal(err)
		}
		end := time.Now().UTC()
		if err := h.Record(ctx, db, a, "again"); err == nil {
			t.Error("recording main.0001_initial twice succeeded")
		}
		applied, err = h.Applied(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[Key]string{a: "sum-a", b: "sum-b"}, checksums(applied)); diff != "" {
			t.Errorf("Applied (-want +got):\n%s", diff)
		}
		for k, ap := range applied {
			if ap.Key != k || ap.AppliedAt.Before(start) || ap.AppliedAt.After(end) || ap.AppliedAt.Location() != time.UTC {
				t.Errorf("Applied[%s] = %+v; want its key and a UTC time between %s and %s", k, ap, start, end)
			}
		}

		// A record inside a transaction that rolls back leaves no trace.
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Record(ctx, tx, Key{App: "main", Name: "0002_x"}, "x"); err != nil {
			t.Fatal(err)
		}
		if err := h.Unrecord(ctx, tx, a); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"blog.0001_initial", "main.0001_initial"}, appliedKeys(t, h)); diff != "" {
			t.Errorf("history after a rolled back transaction (-want +got):\n%s", diff)
		}

		if err := h.Unrecord(ctx, db, a); err != nil {
			t.Fatal(err)
		}
		if err := h.Unrecord(ctx, db, Key{App: "main", Name: "never"}); err != nil {
			t.Errorf("Unrecord of a migration never recorded: %v", err)
		}
		if diff := cmp.Diff([]string{"blog.0001_initial"}, appliedKeys(t, h)); diff != "" {
			t.Errorf("history after Unrecord (-want +got):\n%s", diff)
		}
	})
}

// checksums maps each applied migration to its recorded checksum.
func checksums(applied map[Key]Applied) map[Key]string {
	out := map[Key]string{}
	for k, a := range applied {
		out[k] = a.Checksum
	}
	return out
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 11, 22, 10, 10, 5, 123456000, time.UTC)
	tests := []any{
		want,
		want.In(time.FixedZone("EAT", 3*3600)),
		"2026-11-22 10:10:05.123456+00:00",
		"2026-11-22 13:10:05.123456+03:00",
		[]byte("2026-11-22T10:10:05.123456Z"),
		"2026-11-22 10:10:05.123456",
	}
	for _, v := range tests {
		got, err := parseTime(v)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%v) = %v, %v; want %v", v, got, err, want)
		}
	}
	for _, v := range []any{"yesterday", 42, nil} {
		if _, err := parseTime(v); err == nil {
			t.Errorf("parseTime(%v) succeeded", v)
		}
	}
}
