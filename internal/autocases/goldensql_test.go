package autocases

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenSQL holds every live case's SQL sections to what each
// dialect's editor renders, up and down, with no database: the same
// rendering and comparison TestCases makes before migrating, so a change
// to pkg/schema is checked in about a second. With -update it rewrites the
// SQL sections, so the goldens can be regenerated without a database.
//
// It does not call t.Parallel: under -update it rewrites the case files,
// and the paused parallel tests (TestCases reads the same files) resume
// only once it is done.
func TestGoldenSQL(t *testing.T) {
	cases := liveCases(t)
	if len(cases) < minCases {
		t.Fatalf("found %d live cases in %s, want at least %d", len(cases), casesDir, minCases)
	}
	for _, file := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			c := readCase(t, file)
			checkGoldens(t, file, c, renderedSQL(prepare(t, c)))
		})
	}
}
