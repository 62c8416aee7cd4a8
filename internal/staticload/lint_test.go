package staticload_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/staticload"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
)

// TestLintAcknowledgement: a migration's Lint: migrations.Allow(…), as
// the writer writes it and as a person writes it by hand, is read back.
func TestLintAcknowledgement(t *testing.T) {
	t.Parallel()
	m := &migrations.Migration{App: "main", Name: "0001_initial",
		Operations: []operations.Operation{operations.RunSQL{SQL: []string{"SELECT 1"}, Reverse: []string{}}},
		Lint:       migrations.Allow("pm.L002", "pm.L303")}
	src, err := migrations.WriteSource(m, "migrations", "test", time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	hand := "package migrations\n\nimport \"github.com/pmanager/pmanager/migrations\"\n\nfunc init() { migrations.Register(m1) }\n\n" +
		"var m1 = &migrations.Migration{App: \"main\", Name: \"0001_initial\", Lint: migrations.Lint{Allow: []string{\"pm.L201\"}}}\n"
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"written", string(src), []string{"pm.L002", "pm.L303"}},
		{"by hand as a literal", hand, []string{"pm.L201"}},
	} {
		mod, app := project(t, "", tc.src)
		// Without the cache, into it, and from it.
		cache := staticload.NewCache(t.TempDir())
		for _, c := range []*staticload.Cache{nil, cache, cache} {
			reg, err := staticload.Migrations(mod, []staticload.App{app}, c)
			if err != nil {
				t.Fatalf("%s: %v\n%s", tc.name, err, tc.src)
			}
			got := reg.Migrations()
			if len(got) != 1 || !slices.Equal(got[0].Lint.Allow, tc.want) {
				t.Errorf("%s: read %+v, want Lint.Allow %q", tc.name, got, tc.want)
			}
		}
		if st := cache.Stats(); st.Hits == 0 || st.Hits != st.Misses || st.WriteErr != nil {
			t.Errorf("%s: cache stats %+v, want each file read once from source, once from the cache", tc.name, st)
		}
	}
}
