package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestChecksSilence(t *testing.T) {
	c, err := Parse("/p/pmanager.toml", []byte("[checks]\nsilence = [\"pm.W004\", \" pm.E019 \", \"\"]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"pm.W004", "pm.E019"}; !reflect.DeepEqual(c.Silence, want) {
		t.Fatalf("Silence = %q, want %q", c.Silence, want)
	}
}

func TestChecksErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"[checks]\nsilense = [\"pm.W004\"]\n", `:2: unknown key "silense" in [checks]; it takes silence = ["pm.W004", ...]`},
		{"[checks]\nsilence = \"pm.W004\"\n", `silence is a string, but must be an array of check ids; write silence = ["pm.W004"]`},
		{"checks = 1\n", `:1: checks is an integer, but must be a table; write it as a [checks] header`},
	} {
		_, err := Parse("/p/pmanager.toml", []byte(tc.doc), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.doc, err, tc.want)
		}
	}
}
