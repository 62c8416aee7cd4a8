package cli

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStartProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	lookup := func(k string) (string, bool) {
		if k == ProfileEnv {
			return path, true
		}
		return "", false
	}
	stop, err := startProfile(lookup)
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("profile %s: %v, %v; want a written profile", path, fi, err)
	}

	stop, err = startProfile(func(string) (string, bool) { return "", false })
	if err != nil || stop() != nil {
		t.Fatalf("without %s: %v", ProfileEnv, err)
	}
	if _, err := startProfile(func(string) (string, bool) { return filepath.Join(path, "no", "dir"), true }); err == nil {
		t.Fatal("a profile path that cannot be created was accepted")
	}
}
