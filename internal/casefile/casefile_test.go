package casefile

import (
	"strings"
	"testing"
)

// TestParseRefusesBadCases checks a case file with a typo in a section
// name, a repeated section or no comment is an error, not a case that
// silently checks less.
func TestParseRefusesBadCases(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, text, want string }{
		{"unknown", "c\n-- befor --\n", `unknown section "befor"`},
		{"twice", "c\n-- before --\n-- before --\n", `"before" appears twice`},
		{"no comment", "-- before --\n", "no comment"},
	} {
		_, err := Parse([]byte(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
