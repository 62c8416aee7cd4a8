package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestLintAllow(t *testing.T) {
	c, err := Parse("/p/pmanager.toml", []byte("[lint]\nallow = [\"pm.L201\", \" pm.L003 \", \"\"]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"pm.L201", "pm.L003"}; !reflect.DeepEqual(c.LintAllow, want) {
		t.Fatalf("LintAllow = %q, want %q", c.LintAllow, want)
	}
}

func TestLintErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"[lint]\nalow = [\"pm.L201\"]\n", `:2: unknown key "alow" in [lint]; it takes allow = ["pm.L201", ...]`},
		{"[lint]\nallow = \"pm.L201\"\n", `allow is a string, but must be an array of lint rule ids; write allow = ["pm.L201"]`},
		{"lint = 1\n", `:1: lint is an integer, but must be a table; write it as a [lint] header`},
	} {
		_, err := Parse("/p/pmanager.toml", []byte(tc.doc), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.doc, err, tc.want)
		}
	}
}
