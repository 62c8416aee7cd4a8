package schema

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// carTable is a table with one of everything Compare looks at.
func carTable() Table {
	return Table{
		Name: "car",
		Columns: []Column{
			{Name: "id", Type: "bigint", AutoIncrement: true},
			{Name: "name", Type: "varchar(30)"},
			{Name: "country", Type: "varchar(2)", Default: strPtr("KE")},
			{Name: "made", Type: "timestamp with time zone", DBDefault: "now"},
			{Name: "maker_id", Type: "bigint", Nullable: true},
		},
		PrimaryKey:  []string{"id"},
		Uniques:     []Unique{{Name: "car_name_uniq", Columns: []string{"name"}}},
		Indexes:     []Index{{Name: "car_maker_id_idx", Columns: []string{"maker_id"}}, {Name: "car_made_idx", Columns: []string{"-made"}, Partial: true}},
		ForeignKeys: []ForeignKey{{Name: "car_maker_id_fk", Column: "maker_id", RefTable: "maker", RefColumn: "id", OnDelete: "CASCADE"}},
		Checks:      []string{"car_name_check"},
	}
}

func strPtr(s string) *string { return &s }

// TestCompareFindsEachChangeOnce changes one thing of a table at a time
// and checks that Compare reports it once, with its kind and object.
func TestCompareFindsEachChangeOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Table)
		want   Difference
	}{
		{"drop column", func(t *Table) { t.Columns = append(t.Columns[:1], t.Columns[2:]...) },
			Difference{Table: "car", Kind: ColumnMissing, Object: "name", Want: "varchar(30) NOT NULL"}},
		{"drop column with a default", func(t *Table) { t.Columns = append(t.Columns[:2], t.Columns[3:]...) },
			Difference{Table: "car", Kind: ColumnMissing, Object: "country", Want: "varchar(2) NOT NULL DEFAULT 'KE'"}},
		{"add column", func(t *Table) { t.Columns = append(t.Columns, Column{Name: "color", Type: "text", Nullable: true}) },
			Difference{Table: "car", Kind: ColumnExtra, Object: "color", Got: "text"}},
		{"type", func(t *Table) { t.Columns[1].Type = "text" },
			Difference{Table: "car", Kind: ColumnType, Object: "name", Want: "varchar(30)", Got: "text"}},
		{"nullability", func(t *Table) { t.Columns[1].Nullable = true },
			Difference{Table: "car", Kind: ColumnNull, Object: "name", Want: "NOT NULL", Got: "NULL"}},
		{"default changed", func(t *Table) { t.Columns[2].Default = strPtr("US") },
			Difference{Table: "car", Kind: ColumnDefault, Object: "country", Want: "'KE'", Got: "'US'"}},
		{"default dropped", func(t *Table) { t.Columns[2].Default = nil },
			Difference{Table: "car", Kind: ColumnDefault, Object: "country", Want: "'KE'", Got: "none"}},
		{"database default dropped", func(t *Table) { t.Columns[3].DBDefault = "" },
			Difference{Table: "car", Kind: ColumnDefault, Object: "made", Want: "now (computed by the database)", Got: "none"}},
		{"auto-increment", func(t *Table) { t.Columns[0].AutoIncrement = false },
			Difference{Table: "car", Kind: ColumnAutoIncrement, Object: "id", Want: "on", Got: "off"}},
		{"column comment", func(t *Table) { t.Columns[1].Comment = "it's" },
			Difference{Table: "car", Kind: ColumnComment, Object: "name", Want: "none", Got: "'it''s'"}},
		{"table comment", func(t *Table) { t.Comment = "cars" },
			Difference{Table: "car", Kind: TableComment, Want: "none", Got: "'cars'"}},
		{"primary key", func(t *Table) { t.PrimaryKey = []string{"id", "name"} },
			Difference{Table: "car", Kind: PrimaryKeyChanged, Want: "(id)", Got: "(id, name)"}},
		{"drop index", func(t *Table) { t.Indexes = t.Indexes[1:] },
			Difference{Table: "car", Kind: IndexMissing, Object: "car_maker_id_idx", Want: "INDEX (maker_id)"}},
		{"add index", func(t *Table) { t.Indexes = append(t.Indexes, Index{Name: "car_name_idx", Columns: []string{"name"}}) },
			Difference{Table: "car", Kind: IndexExtra, Object: "car_name_idx", Got: "INDEX (name)"}},
		{"index columns", func(t *Table) { t.Indexes[0].Columns = []string{"maker_id", "name"} },
			Difference{Table: "car", Kind: IndexChanged, Object: "car_maker_id_idx", Want: "INDEX (maker_id)", Got: "INDEX (maker_id, name)"}},
		{"index no longer partial", func(t *Table) { t.Indexes[1].Partial = false },
			Difference{Table: "car", Kind: IndexChanged, Object: "car_made_idx", Want: "INDEX (-made) WHERE ...", Got: "INDEX (-made)"}},
		{"index renamed", func(t *Table) { t.Indexes[0].Name = "maker_idx" },
			Difference{Table: "car", Kind: IndexChanged, Object: "car_maker_id_idx", Want: "INDEX (maker_id) named car_maker_id_idx", Got: "INDEX (maker_id) named maker_idx"}},
		{"drop unique", func(t *Table) { t.Uniques = nil },
			Difference{Table: "car", Kind: ConstraintMissing, Object: "car_name_uniq", Want: "UNIQUE (name)"}},
		{"add check", func(t *Table) { t.Checks = append(t.Checks, "car_extra_check") },
			Difference{Table: "car", Kind: ConstraintExtra, Object: "car_extra_check", Got: "CHECK"}},
		{"drop check", func(t *Table) { t.Checks = nil },
			Difference{Table: "car", Kind: ConstraintMissing, Object: "car_name_check", Want: "CHECK"}},
		{"drop foreign key", func(t *Table) { t.ForeignKeys = nil },
			Difference{Table: "car", Kind: ForeignKeyMissing, Object: "maker_id", Want: "REFERENCES maker (id) ON DELETE CASCADE, named car_maker_id_fk"}},
		{"foreign key action", func(t *Table) { t.ForeignKeys[0].OnDelete = "NO ACTION" },
			Difference{Table: "car", Kind: ForeignKeyChanged, Object: "maker_id",
				Want: "REFERENCES maker (id) ON DELETE CASCADE, named car_maker_id_fk", Got: "REFERENCES maker (id) ON DELETE NO ACTION, named car_maker_id_fk"}},
		{"foreign key target", func(t *Table) { t.ForeignKeys[0].RefTable = "owner" },
			Difference{Table: "car", Kind: ForeignKeyChanged, Object: "maker_id",
				Want: "REFERENCES maker (id) ON DELETE CASCADE, named car_maker_id_fk", Got: "REFERENCES owner (id) ON DELETE CASCADE, named car_maker_id_fk"}},
		{"foreign key name", func(t *Table) { t.ForeignKeys[0].Name = "fk1" },
			Difference{Table: "car", Kind: ForeignKeyChanged, Object: "maker_id",
				Want: "REFERENCES maker (id) ON DELETE CASCADE, named car_maker_id_fk", Got: "REFERENCES maker (id) ON DELETE CASCADE, named fk1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := carTable()
			tc.change(&got)
			diffs := Compare([]Table{carTable()}, []Table{got}, CompareOptions{})
			if d := cmp.Diff([]Difference{tc.want}, diffs); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if back := Compare([]Table{got}, []Table{carTable()}, CompareOptions{}); len(back) != 1 {
				t.Errorf("the other way round, %d differences, want 1: %v", len(back), back)
			}
		})
	}
}

// TestCompareTables: a missing table is reported, an extra one only
// when asked, and equal tables (nil and empty lists alike) show nothing.
func TestCompareTables(t *testing.T) {
	t.Parallel()
	car := carTable()
	empty := Table{Name: "tag", Columns: []Column{{Name: "id", Type: "integer"}}, Uniques: []Unique{}, Checks: []string{}}
	bare := Table{Name: "tag", Columns: []Column{{Name: "id", Type: "integer"}}}
	if d := Compare([]Table{car, empty}, []Table{carTable(), bare}, CompareOptions{}); len(d) != 0 {
		t.Errorf("equal tables: %v", d)
	}
	want := []Difference{{Table: "car", Kind: TableMissing}, {Table: "tag", Kind: TableExtra}}
	if d := cmp.Diff(want, Compare([]Table{car}, []Table{bare}, CompareOptions{})); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if d := cmp.Diff(want[:1], Compare([]Table{car}, []Table{bare}, CompareOptions{OnlyWanted: true})); d != "" {
		t.Errorf("OnlyWanted (-want +got):\n%s", d)
	}
}

// TestCompareColumnOrder: columns in another order are a difference only
// when asked.
func TestCompareColumnOrder(t *testing.T) {
	t.Parallel()
	got := carTable()
	got.Columns[1], got.Columns[2] = got.Columns[2], got.Columns[1]
	if d := Compare([]Table{carTable()}, []Table{got}, CompareOptions{}); len(d) != 0 {
		t.Errorf("by name: %v", d)
	}
	want := []Difference{{Table: "car", Kind: ColumnOrder, Want: "(id, name, country, made, maker_id)", Got: "(id, country, name, made, maker_id)"}}
	if d := cmp.Diff(want, Compare([]Table{carTable()}, []Table{got}, CompareOptions{ColumnOrder: true})); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestCompareCoversEveryField fails when a field is added to what
// Inspect and Expected fill: Compare must then learn to compare it (and
// TestCompareFindsEachChangeOnce to change it), or the drift command and
// the live tests would silently stop seeing a difference.
func TestCompareCoversEveryField(t *testing.T) {
	t.Parallel()
	compared := map[reflect.Type][]string{
		reflect.TypeOf(Table{}):      {"Name", "Columns", "PrimaryKey", "Uniques", "Indexes", "ForeignKeys", "Checks", "Comment"},
		reflect.TypeOf(Column{}):     {"Name", "Type", "Nullable", "Default", "DBDefault", "AutoIncrement", "Comment"},
		reflect.TypeOf(Unique{}):     {"Name", "Columns", "Partial"},
		reflect.TypeOf(Index{}):      {"Name", "Columns", "Partial"},
		reflect.TypeOf(ForeignKey{}): {"Name", "Column", "RefTable", "RefColumn", "OnDelete"},
	}
	for typ, fields := range compared {
		var have []string
		for i := 0; i < typ.NumField(); i++ {
			have = append(have, typ.Field(i).Name)
		}
		if d := cmp.Diff(fields, have); d != "" {
			t.Errorf("schema.%s has other fields than Compare compares (-compared +declared):\n%s", typ.Name(), d)
		}
	}
}

// TestDifferenceString: each kind reads as one line.
func TestDifferenceString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    Difference
		want string
	}{
		{Difference{Kind: TableMissing}, "missing table"},
		{Difference{Kind: ColumnMissing, Object: "name", Want: "varchar(30) NOT NULL"}, `missing column "name": varchar(30) NOT NULL`},
		{Difference{Kind: ColumnExtra, Object: "color", Got: "text"}, `extra column "color": text`},
		{Difference{Kind: ColumnType, Object: "name", Want: "varchar(30)", Got: "text"}, `column "name": type is text, expected varchar(30)`},
		{Difference{Kind: ColumnNull, Object: "name", Want: "NOT NULL", Got: "NULL"}, `column "name": nullability is NULL, expected NOT NULL`},
		{Difference{Kind: IndexExtra, Object: "car_name_idx", Got: "INDEX (name)"}, `extra index "car_name_idx": INDEX (name)`},
		{Difference{Kind: ForeignKeyMissing, Object: "maker_id", Want: "REFERENCES maker (id) ON DELETE CASCADE"}, `missing foreign key of "maker_id": REFERENCES maker (id) ON DELETE CASCADE`},
		{Difference{Kind: ForeignKeyChanged, Object: "maker_id", Want: "REFERENCES maker (id) ON DELETE CASCADE", Got: "REFERENCES maker (id) ON DELETE NO ACTION"},
			`foreign key of "maker_id": definition is REFERENCES maker (id) ON DELETE NO ACTION, expected REFERENCES maker (id) ON DELETE CASCADE`},
		{Difference{Kind: ColumnDefault, Object: "country", Want: "'KE'", Got: "none"}, `column "country": default is none, expected 'KE'`},
		{Difference{Kind: PrimaryKeyChanged, Want: "(id)", Got: "(id, name)"}, `primary key is (id, name), expected (id)`},
		{Difference{Kind: TableComment, Want: "'cars'", Got: "none"}, `table comment is none, expected 'cars'`},
		{Difference{Kind: ColumnComment, Object: "name", Want: "'x'", Got: "none"}, `column "name": comment is none, expected 'x'`},
	} {
		if got := tc.d.String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.d.Kind, got, tc.want)
		}
	}
}
