package cli

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletion: each shell's script offers every command and the flags
// of the command being typed; the bash script is run by bash itself.
func TestCompletion(t *testing.T) {
	t.Parallel()
	p := newProject(t)
	scripts := map[string]string{}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := p.run(nil, nil, "", "completion", shell)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("completion %s: status %d, stderr %s", shell, r.code, r.stderr)
		}
		scripts[shell] = r.stdout
		for _, want := range []string{"makemigrations", "migration:up", "showmigrations", "--lock-timeout", "--json"} {
			if !strings.Contains(r.stdout, strings.TrimPrefix(want, "--")) {
				t.Errorf("completion %s: no %s in\n%s", shell, want, r.stdout)
			}
		}
	}
	if r := p.run(nil, nil, "", "completion", "ksh"); r.code != 1 || r.stderr != "pmanager: completion: unknown shell \"ksh\"; use bash, zsh or fish\n" {
		t.Errorf("completion ksh: status %d, stderr %q", r.code, r.stderr)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed; the bash script was only checked for its words")
	}
	file := filepath.Join(t.TempDir(), "pmanager.bash")
	write(t, file, scripts["bash"])
	for line, want := range map[string]string{
		"pmanager makemig":                  "makemigrations",
		"pmanager migration:u":              "up",
		"pmanager migrate --pl":             "--plan",
		"pmanager -C x showmigrations --js": "--json",
		"pmanager m:down --st":              "--steps",
	} {
		out, err := exec.Command(bash, "-c", `source "$1"; COMP_LINE="$2"; COMP_POINT=${#2}; _pmanager; echo "${COMPREPLY[*]}"`, "_", file, line).CombinedOutput()
		if err != nil {
			t.Fatalf("bash completing %q: %v\n%s", line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("bash completing %q: got %q, want %q", line, got, want)
		}
	}
}
