package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// TestJSONReports: showmigrations --json and migrate --plan --json print
// one JSON document each, of the one Report shape, and nothing else.
func TestJSONReports(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	p := newProject(t, "default", db.URL)
	m1, m2 := migrationSet(t)
	apps, reg := appsOf(Manufacturer{}, Car{}), registry(m1, m2)
	decode := func(args ...string) Report {
		t.Helper()
		r := p.run(apps, reg, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: status %d, stderr %s", args, r.code, r.stderr)
		}
		var rep Report
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("%v: stdout is not one Report: %v\n%s", args, err, r.stdout)
		}
		if dec.More() {
			t.Fatalf("%v: more than one JSON document:\n%s", args, r.stdout)
		}
		return rep
	}
	rep := decode("migrate", "--plan", "--json")
	if rep.Command != "migrate --plan" || len(rep.Migrations) != 2 || rep.Checks == nil {
		t.Fatalf("migrate --plan --json: %+v", rep)
	}
	first := rep.Migrations[0]
	if first.App != "main" || first.Name != "0001_initial" || first.Action != "apply" || first.Applied ||
		len(first.Operations) == 0 || first.Operations[0].Description != "Create Model Manufacturer" {
		t.Errorf("first planned migration: %+v", first)
	}
	if r := p.run(apps, reg, "", "migrate", "main", "0001"); r.code != 0 {
		t.Fatalf("migrate main 0001: %s", r.stderr)
	}
	rep = decode("showmigrations", "--json")
	if rep.Command != "showmigrations" || len(rep.Migrations) != 2 {
		t.Fatalf("showmigrations --json: %+v", rep)
	}
	if m := rep.Migrations[0]; !m.Applied || m.AppliedAt == nil || m.Edited || m.Action != "" {
		t.Errorf("applied migration: %+v", m)
	}
	if m := rep.Migrations[1]; m.Applied || m.AppliedAt != nil || m.Name != "0002_car" {
		t.Errorf("pending migration: %+v", m)
	}
	rep = decode("migrate", "main", "zero", "--plan", "--json")
	if len(rep.Migrations) != 1 || rep.Migrations[0].Action != "unapply" || !strings.HasPrefix(rep.Migrations[0].Operations[0].Description, "Undo ") {
		t.Errorf("migrate main zero --plan --json: %+v", rep)
	}
	if r := p.run(apps, reg, "", "migrate", "--json"); r.code != 1 || r.stderr != "pmanager: migrate --json goes with --plan: pmanager migrate --plan --json\n" {
		t.Errorf("migrate --json alone: status %d, stderr %q", r.code, r.stderr)
	}
}

// TestCheckJSON: check --json prints the same Report shape, with each
// finding in checks, and keeps check's exit status.
func TestCheckJSON(t *testing.T) {
	t.Parallel()
	p := newProject(t, "default", "sqlite://pm.db", "shop", "mysql://app@127.0.0.1:1/shop")
	apps := appsOf(Visit{})
	r := p.run(apps, registry(), "", "check", "--json")
	if r.code != 1 || r.stderr != "" {
		t.Fatalf("check --json: status %d, stderr %q", r.code, r.stderr)
	}
	var rep Report
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("stdout is not one Report: %v\n%s", err, r.stdout)
	}
	if rep.Command != "check" || rep.Migrations == nil || len(rep.Checks) != 1 {
		t.Fatalf("check --json: %+v", rep)
	}
	if c := rep.Checks[0]; c.ID != "pm.E017" || c.Level != "error" || c.Object != "cli.Visit.Meta" || !strings.Contains(c.Message, "MySQL/MariaDB") {
		t.Errorf("finding: %+v", c)
	}
	r = p.run(apps, registry(), "", "check", "--json", "--database", "default")
	if r.code != 0 || !strings.Contains(r.stdout, `"checks": []`) {
		t.Errorf("check --json --database default: status %d, stdout %s", r.code, r.stdout)
	}
}
