package schema

import "testing"

func TestOnDeleteSQL(t *testing.T) {
	cases := map[string]string{"CASCADE": "CASCADE", "SET_NULL": "SET NULL", "SET_DEFAULT": "SET DEFAULT",
		"PROTECT": "RESTRICT", "RESTRICT": "RESTRICT", "DO_NOTHING": "NO ACTION"}
	for in, want := range cases {
		if got := OnDeleteSQL(in); got != want {
			t.Errorf("OnDeleteSQL(%s) = %s, want %s", in, got, want)
		}
	}
}
