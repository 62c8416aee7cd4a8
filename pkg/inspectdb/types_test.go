package inspectdb

import (
	"testing"

	"github.com/pmanager/pmanager/pkg/schema"
)

// TestMapType covers the spellings a model cannot make and the ones
// mapped by pattern; TestEveryKind covers every kind an editor makes.
func TestMapType(t *testing.T) {
	t.Parallel()
	cases := []struct {
		d       schema.Dialect
		typ     string
		goType  string
		options []string
		note    bool
	}{
		{schema.Postgres, "varchar(150)", "string", []string{"max_length=150"}, false},
		{schema.Postgres, "numeric(12,4)", "models.Decimal", []string{"max_digits=12", "decimal_places=4"}, false},
		{schema.Postgres, "timestamp", "", nil, false},
		{schema.Postgres, "json", "", nil, false},
		{schema.Postgres, "char(3)", "", nil, false},
		{schema.Postgres, "real", "", nil, false},
		{schema.Postgres, "numeric", "", nil, false},
		{schema.MySQL, "decimal(5,0)", "models.Decimal", []string{"max_digits=5", "decimal_places=0"}, false},
		{schema.MySQL, "int", "int32", nil, false},
		{schema.MySQL, "smallint unsigned", "", nil, false},
		{schema.MySQL, "tinyint", "", nil, false},
		{schema.MySQL, "datetime", "", nil, false},
		{schema.MySQL, "varchar(0)", "", nil, false},
		{schema.SQLite, "integer", "int64", nil, false},
		{schema.SQLite, "bigint", "time.Duration", nil, true},
		{schema.SQLite, "decimal", "models.Decimal", []string{"max_digits=20", "decimal_places=10"}, true},
		{schema.SQLite, "numeric(10,2)", "", nil, false},
		{schema.SQLite, "smallint unsigned", "", nil, false},
	}
	for _, c := range cases {
		ft, why, ok := mapType(c.d, c.typ)
		if ok != (c.goType != "") {
			t.Errorf("%s %s: ok = %v (%s), want %v", c.d, c.typ, ok, why, c.goType != "")
			continue
		}
		if !ok {
			if want := "type " + c.typ + " has no model field on " + string(c.d); why != want {
				t.Errorf("%s %s: why = %q, want %q", c.d, c.typ, why, want)
			}
			continue
		}
		if ft.Go != c.goType || len(ft.Options) != len(c.options) || (ft.Note != "") != c.note {
			t.Errorf("%s %s = %s %v (note %q), want %s %v (note %v)", c.d, c.typ, ft.Go, ft.Options, ft.Note, c.goType, c.options, c.note)
			continue
		}
		for i := range c.options {
			if ft.Options[i] != c.options[i] {
				t.Errorf("%s %s options = %v, want %v", c.d, c.typ, ft.Options, c.options)
			}
		}
	}
}
