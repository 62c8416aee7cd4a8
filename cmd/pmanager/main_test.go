package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// TestMain makes the test binary double as the pmanager command inside
// scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"pmanager": func() { os.Exit(launch(os.Args[1:])) },
	})
}

// TestScript runs the end-to-end sessions of testdata/script: a user's
// module, the real launcher, the Go toolchain building the generated main,
// and real databases.
func TestScript(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not in PATH; these tests build user projects with it")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	goEnv := goEnvVars(t)
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			for k, v := range goEnv {
				env.Setenv(k, v)
			}
			env.Setenv("GOPROXY", "off")
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("PMROOT", root)
			return nil
		},
		// [postgres] and [mysql] hold when the server's variable is set.
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "postgres":
				return os.Getenv(dbtest.PostgresEnv) != "", nil
			case "mysql":
				return os.Getenv(dbtest.MySQLEnv) != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gomod":    cmdGoMod,
			"createdb": cmdCreateDB,
		},
	})
}

// goEnvVars reads the build cache and module cache locations, which the
// scripts' empty HOME would otherwise hide.
func goEnvVars(t *testing.T) map[string]string {
	t.Helper()
	out, err := exec.Command("go", "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	vars := map[string]string{}
	if err := json.Unmarshal(out, &vars); err != nil {
		t.Fatalf("go env: %v", err)
	}
	return vars
}

// cmdGoMod writes a go.mod for module path args[0] that requires pmanager
// from this checkout (a replace directive), with pmanager's own
// requirements marked indirect and its go.sum, so builds need no network.
func cmdGoMod(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gomod <module path>")
	}
	root := ts.Getenv("PMROOT")
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	ts.Check(err)
	src := string(data)
	goLine := regexp.MustCompile(`(?m)^go .*$`).FindString(src)
	blocks := regexp.MustCompile(`(?ms)^require \(.*?^\)`).FindAllString(src, -1)
	block := strings.Join(blocks, "\n\n")
	block = regexp.MustCompile(`(?m)^(\t[^\s]+ [^\s]+)( // indirect)?$`).ReplaceAllString(block, "$1 // indirect")
	var b strings.Builder
	b.WriteString("module " + args[0] + "\n\n" + goLine + "\n\n")
	b.WriteString("require github.com/pmanager/pmanager v0.0.0\n\n")
	b.WriteString(block + "\n\n")
	b.WriteString("replace github.com/pmanager/pmanager => " + root + "\n")
	ts.Check(os.WriteFile(ts.MkAbs("go.mod"), []byte(b.String()), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs("go.sum"), sum, 0o644))
}

// cmdCreateDB creates a fresh database on the server of dialect args[0]
// and puts its URL in the variable args[1]; scripts guard it with
// [!postgres] skip or [!mysql] skip.
func cmdCreateDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: createdb postgres|mysql VAR")
	}
	d := schema.Dialect(args[0])
	env := map[schema.Dialect]string{schema.Postgres: dbtest.PostgresEnv, schema.MySQL: dbtest.MySQLEnv}[d]
	if env == "" {
		ts.Fatalf("createdb: unknown dialect %q", args[0])
	}
	url, drop, err := dbtest.Create(d, ts.Getenv("WORK"))
	ts.Check(err)
	ts.Defer(func() {
		if err := drop(); err != nil {
			ts.Logf("drop database: %v", err)
		}
	})
	ts.Setenv(args[1], url)
}
