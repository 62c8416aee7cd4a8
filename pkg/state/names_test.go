package state

import (
	"strings"
	"testing"
)

func TestObjectName(t *testing.T) {
	if got := ObjectName("car", []string{"maker_id"}, SuffixFK); got != "car_maker_id_fk" {
		t.Fatalf("short name = %q", got)
	}
	if got := ObjectName("car", []string{"-released"}, SuffixIndex); got != "car_released_idx" {
		t.Fatalf("descending prefix kept: %q", got)
	}
	long := strings.Repeat("a", 40)
	a := ObjectName(long, []string{long + "x"}, SuffixUnique)
	b := ObjectName(long, []string{long + "y"}, SuffixUnique)
	if len(a) > MaxNameLength || len(b) > MaxNameLength {
		t.Fatalf("names longer than %d: %q %q", MaxNameLength, a, b)
	}
	if a == b {
		t.Fatalf("two long names collide: %q", a)
	}
	if !strings.HasSuffix(a, "_"+SuffixUnique) || a != ObjectName(long, []string{long + "x"}, SuffixUnique) {
		t.Fatalf("long name not stable or lost its suffix: %q", a)
	}
}
