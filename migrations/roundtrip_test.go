package migrations_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pmanager/pmanager/migrations"
)

// TestRoundTrip checks that the migration file WriteSource wrote for
// EveryOperation (roundtrip_gen_test.go, kept equal to WriteSource's output by
// TestRenderGolden) compiles and registers the very same migration. If a
// writer change makes that file stop compiling, delete it and run
// go test -run TestRenderGolden -update to write it again.
func TestRoundTrip(t *testing.T) {
	want := migrations.EveryOperation()
	var got *migrations.Migration
	for _, m := range migrations.Default().Migrations() {
		if m.Key() == want.Key() {
			got = m
		}
	}
	if got == nil {
		t.Fatalf("roundtrip_gen_test.go did not register %s", want.Key())
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(migrations.Migration{})); diff != "" {
		t.Errorf("the migration read back differs (-written +read):\n%s", diff)
	}
	if migrations.Checksum(got) != migrations.Checksum(want) {
		t.Error("the checksum of the migration read back differs")
	}
}
