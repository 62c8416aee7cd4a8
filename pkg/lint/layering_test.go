package lint

import (
	"os/exec"
	"strings"
	"testing"
)

// TestOnlyTheCommandLineImportsLint: lint sits beside the road, after
// operations and schema; no package on the road imports it, so the
// library's flows stay free of it (tests aside).
func TestOnlyTheCommandLineImportsLint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "github.com/pmanager/pmanager/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	const self = "github.com/pmanager/pmanager/pkg/lint"
	allowed := map[string]bool{"github.com/pmanager/pmanager/cmd/pmanager/cli": true}
	seen := false
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] == self {
			continue
		}
		for _, imp := range fields[1:] {
			if imp == self && !allowed[fields[0]] {
				t.Errorf("%s imports pkg/lint; only the command line may", fields[0])
			}
			seen = seen || imp == self

		}
	}
	if !seen {
		t.Error("go list shows no package importing pkg/lint, not even the command line")
	}
}
