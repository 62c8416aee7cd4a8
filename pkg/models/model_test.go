package models

import (
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

func TestDecimalValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      Decimal
		want    string
		wantErr bool
	}{
		{"", "0", false},
		{"12.50", "12.50", false},
		{"-1", "-1", false},
		{"+.5", "+.5", false},
		{"3.", "3.", false},
		{"1e3", "1e3", false},
		{"2.5E-2", "2.5E-2", false},
		{"abc", "", true},
		{"1.2.3", "", true},
		{".", "", true},
		{"-", "", true},
		{"1e", "", true},
		{"NaN", "", true},
		{" 1", "", true},
	}
	for _, tt := range tests {
		got, err := tt.in.Value()
		if tt.wantErr {
			if err == nil {
				t.Errorf("Decimal(%q).Value() = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Decimal(%q).Value() = %v, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestDecimalScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src     any
		want    Decimal
		wantErr string
	}{
		{"12.50", "12.50", ""},
		{[]byte("-0.01"), "-0.01", ""},
		{int64(42), "42", ""},
		{float64(12.5), "12.5", ""},
		{float64(1e21), "1000000000000000000000", ""},
		{nil, "", "models: cannot scan NULL into Decimal; use *models.Decimal for a nullable column"},
		{true, "", "models: cannot scan bool into Decimal"},
	}
	for _, tt := range tests {
		var d Decimal
		err := d.Scan(tt.src)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Scan(%v) error = %v, want %q", tt.src, err, tt.wantErr)
			}
			continue
		}
		if err != nil || d != tt.want {
			t.Errorf("Scan(%v) = %q, %v; want %q", tt.src, d, err, tt.want)
		}
	}
}

// A Decimal goes into a real decimal column and comes back exact (SQLite
// stores decimals with numeric affinity, so it drops the trailing zero).
func TestDecimalRoundTrip(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			insert := "INSERT INTO amounts (v, n) VALUES (?, ?)"
			if d == schema.Postgres {
				insert = "INSERT INTO amounts (v, n) VALUES ($1, $2)"
			}
			if _, err := db.Exec("CREATE TABLE amounts (v decimal(12,2) NOT NULL, n decimal(12,2))"); err != nil {
				t.Fatal(err)
			}
			var nothing *Decimal
			if _, err := db.Exec(insert, Decimal("12345678.50"), nothing); err != nil {
				t.Fatal(err)
			}
			var v Decimal
			n := new(Decimal)
			if err := db.QueryRow("SELECT v, n FROM amounts").Scan(&v, &n); err != nil {
				t.Fatal(err)
			}
			want := Decimal("12345678.50")
			if d == schema.SQLite {
				want = "12345678.5"
			}
			if v != want || n != nil {
				t.Errorf("read back %q, %v; want %q, nil", v, n, want)
			}
			if _, err := db.Exec(insert, Decimal("not a number"), nothing); err == nil {
				t.Errorf("inserting a malformed Decimal succeeded; want an error from Value")
			}
		})
	}
}
