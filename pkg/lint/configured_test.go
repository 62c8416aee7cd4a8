package lint

import (
	"slices"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/schema"
)

// TestConfiguredVersionFlipsARule: dropping a column on MySQL rebuilds the
// table (pm.L215) on the assumed 5.7 and on a configured 5.7, not on a
// configured 8.0.36 or MariaDB 10.11, which drop it instantly.
func TestConfiguredVersionFlipsARule(t *testing.T) {
	t.Parallel()
	var drop ruleCase
	for _, c := range ruleCases {
		if c.name == "drop column" {
			drop = c
		}
	}
	if drop.name == "" {
		t.Fatal("no drop column case")
	}
	before, ops := caseOps(t, drop)
	for server, wantL215 := range map[string]bool{
		"":              true,
		"mysql 5.7":     true,
		"mysql 8.0.28":  true,
		"mysql 8.0.36":  false,
		"mysql 8.0":     true, // 8.0.0: before INSTANT DROP COLUMN
		"mariadb 10.11": false,
		"MariaDB 10.3":  true,
	} {
		tg := Offline(schema.MySQL)
		if server != "" {
			var err error
			if tg, err = Configured(schema.MySQL, server); err != nil {
				t.Fatalf("Configured(%q): %v", server, err)
			}
			if !tg.Configured || tg.Guessed {
				t.Errorf("Configured(%q) = %+v, want a configured, not guessed, target", server, tg)
			}
		}
		fss, err := Analyze("main", ops, before, []Target{tg})
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(ids(fss), "pm.L211") || slices.Contains(ids(fss), "pm.L215"); got != wantL215 {
			t.Errorf("server %q: findings %v, want pm.L215 %v", server, ids(fss), wantL215)
		}
	}
}

func TestConfiguredErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d      schema.Dialect
		server string
		want   string
	}{
		{schema.MySQL, "postgres 15", `server "postgres 15" is postgres, but the connection's url is mysql`},
		{schema.Postgres, "mariadb 10.11", `server "mariadb 10.11" is mysql, but the connection's url is postgres`},
		{schema.MySQL, "mysql", `is not a flavour`},
		{schema.MySQL, "oracle 19", `is not a flavour`},
		{schema.MySQL, "mysql eight", `does not start with a number`},
	} {
		if _, err := Configured(tt.d, tt.server); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Configured(%s, %q) = %v, want an error with %q", tt.d, tt.server, err, tt.want)
		}
	}
}

// TestAgrees: a live server agrees with the configured one on the numbers
// the setting wrote and on the flavour.
func TestAgrees(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		server, live string
		want         bool
	}{
		{"mariadb 10.11", "10.11.6-MariaDB-0+deb12u1", true},
		{"mariadb 10.11", "10.6.16-MariaDB", false},
		{"mysql 8.0", "8.0.36", true},
		{"mysql 8.0.36", "8.0.35", false},
		{"mysql 8.0", "10.11.6-MariaDB", false},
		{"mysql 8", "8.4.0", true},
	} {
		tg, err := Configured(schema.MySQL, tt.server)
		if err != nil {
			t.Fatal(err)
		}
		live, err := ParseVersion(tt.live)
		if err != nil {
			t.Fatal(err)
		}
		if got := tg.Agrees(live); got != tt.want {
			t.Errorf("%q agrees with %q = %v, want %v", tt.server, tt.live, got, tt.want)
		}
	}
	if !Offline(schema.MySQL).Agrees(Version{Major: 9}) {
		t.Error("an assumed target disagrees with a live version")
	}
}
