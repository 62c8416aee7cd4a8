package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pmanager/pmanager/cmd/pmanager/cli"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// update rewrites the golden files inside the scripts when a cmp fails,
// for reviewing a deliberate change of output. Run it for one test at a
// time (go test -run 'TestWalkthroughSQLite$' -update): the three
// walk-throughs share their script files.
var update = flag.Bool("update", false, "rewrite failing cmp golden files inside the txtar scripts")

// keepGoing runs a script past its first failure, to see every failing
// step of a session at once.
var keepGoing = flag.Bool("continue", false, "continue a script after a failed step")

// TestMain makes the test binary double as the pmanager command inside
// scripts: it is built once, by go test, and every script runs it.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"pmanager": func() { os.Exit(launch(os.Args[1:])) },
	})
}

// TestScript runs the dialect-independent sessions of testdata/script: a
// user's module, the real launcher, the Go toolchain building the generated
// main, and the default SQLite database.
func TestScript(t *testing.T) {
	t.Parallel()
	runScripts(t, filepath.Join("testdata", "script"), schema.SQLite, nil)
}

// TestGoModules runs the sessions of testdata/gomod: pmanager as a tool of
// the module through go mod tidy, a vendored module and a go.work
// workspace. The vendored one compiles every dependency from vendor/ once
// per build cache (its builds use -trimpath, so later runs are cached).
func TestGoModules(t *testing.T) {
	t.Parallel()
	runScripts(t, filepath.Join("testdata", "gomod"), schema.SQLite, nil)
}

// TestWalkthroughSQLite runs the walk-through sessions against SQLite.
func TestWalkthroughSQLite(t *testing.T) {
	t.Parallel()
	runWalkthrough(t, schema.SQLite)
}

// TestWalkthroughPostgres runs the walk-through sessions against a fresh
// PostgreSQL database per script.
func TestWalkthroughPostgres(t *testing.T) {
	t.Parallel()
	runWalkthrough(t, schema.Postgres)
}

// TestWalkthroughMySQL runs the walk-through sessions against a fresh
// MySQL/MariaDB database per script.
func TestWalkthroughMySQL(t *testing.T) {
	t.Parallel()
	runWalkthrough(t, schema.MySQL)
}

// runWalkthrough runs testdata/script/walkthrough once for dialect d, each
// script in module example.com/app with PMANAGER_DATABASE_URL naming a
// database of its own, dropped when the script ends.
func runWalkthrough(t *testing.T, d schema.Dialect) {
	if env := serverEnv(d); env != "" && os.Getenv(env) == "" {
		if os.Getenv(dbtest.RequireEnv) != "" {
			t.Fatalf("%s is not set but %s says every database test must run", env, dbtest.RequireEnv)
		}
		t.Skipf("%s is not set; set it to a %s URL to run the %s walk-through", env, d, d)
	}
	runScripts(t, filepath.Join("testdata", "script", "walkthrough"), d, func(env *testscript.Env) error {
		if err := writeGoMod(env.WorkDir, env.Getenv("PMROOT"), "example.com/app"); err != nil {
			return err
		}
		url, drop, err := dbtest.Create(d, env.WorkDir)
		if err != nil {
			return fmt.Errorf("create the %s database: %w", d, err)
		}
		env.Defer(func() {
			if err := drop(); err != nil {
				env.T().Log("drop the script's database: ", err)
			}
		})
		env.Setenv("PMANAGER_DATABASE_URL", url)
		// The "Database: ..." line of the commands shows the URL without
		// its password; goldens compared with cmpenv name it $DATABASE_SHOWN.
		t, err := connect.Parse(url, env.WorkDir)
		if err != nil {
			return fmt.Errorf("parse the script's database URL: %w", err)
		}
		env.Setenv("DATABASE_SHOWN", t.Redacted)
		return nil
	})
}

// serverEnv names the variable that points the tests at a server of d; ""
// for SQLite, which needs none.
func serverEnv(d schema.Dialect) string {
	switch d {
	case schema.Postgres:
		return dbtest.PostgresEnv
	case schema.MySQL:
		return dbtest.MySQLEnv
	}
	return ""
}

// runScripts runs every script of dir with DIALECT=d, the Go environment
// the builds need, and the harness's commands and conditions; extra, when
// not nil, completes the set-up of each script.
//
// Commands: pmanager (this test binary as the launcher), gomod <module>,
// createdb postgres|mysql VAR, urlpassword VAR PASSWORD, dbschema
// [-tables] [-anyorder] [table...], dbquery SQL, dbexec SQL (both may be
// negated: the statement must fail), cmpmigration generated.go want.go,
// and the bad-input commands of badinput_test.go: reject [-prefix] LINE
// command..., capture command..., createuser DIALECT VAR PASSWORD, urlset
// VAR part=value....
// Conditions: [sqlite], [postgres], [mysql] (the dialect of the run),
// [server:postgres], [server:mysql] (a server is configured) and [django]
// (Django imports in /usr/bin/python3). inspectdb_test.go adds
// djangomigrate, freshdb, schemasave, schemacmp, sqlfile and statecmp.
func runScripts(t *testing.T, dir string, d schema.Dialect, extra func(*testscript.Env) error) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not in PATH; these tests build user projects with it")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	goEnv := goEnvVars(t)
	proxy := hostGoProxy()
	warmModuleCache(t, root, proxy)
	testscript.Run(t, testscript.Params{
		Dir:                dir,
		RequireUniqueNames: true,
		UpdateScripts:      *update,
		ContinueOnError:    *keepGoing,
		Setup: func(env *testscript.Env) error {
			for k, v := range goEnv {
				env.Setenv(k, v)
			}
			// Every script rebuilds the generated main after each change;
			// without a symbol table the link takes about 40% less time,
			// and nothing a script checks depends on it.
			if !strings.Contains(goEnv["GOFLAGS"], "-ldflags") {
				env.Setenv("GOFLAGS", strings.TrimSpace(goEnv["GOFLAGS"]+" -ldflags=-s"))
			}
			// One warm build and module cache for every script, no network,
			// and the toolchain that runs the tests.
			env.Setenv("GOPROXY", "off")
			env.Setenv("GOTOOLCHAIN", "local")
			home := filepath.Join(env.WorkDir, "home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return fmt.Errorf("make the script's HOME: %w", err)
			}
			env.Setenv("HOME", home)
			env.Setenv("PMROOT", root)
			// Scripts check that a failing command prints one line; the
			// build notices are checked by the scripts that unset this.
			env.Setenv(cli.QuietEnv, "1")
			// The Go module proxy of the machine, for the scripts that
			// run go mod tidy (which may need go.mod files of test
			// dependencies the build cache never saw).
			env.Setenv("HOSTGOPROXY", proxy)
			env.Setenv("DIALECT", string(d))
			// Reproducible output: fixed times in generated files and no
			// elapsed times after OK (a script sets it empty to see them).
			env.Setenv("SOURCE_DATE_EPOCH", "1795338600")
			if extra != nil {
				return extra(env)
			}
			return nil
		},
		Condition: func(cond string) (bool, error) { return condition(d, cond) },
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"gomod":        cmdGoMod,
			"createdb":     cmdCreateDB,
			"dbschema":     cmdDBSchema,
			"dbquery":      cmdDBQuery,
			"dbexec":       cmdDBExec,
			"cmpmigration": cmdCmpMigration,
			"urlpassword":  cmdURLPassword,
			"urlparts":     cmdURLParts,
			"reject":       cmdReject,
			"capture":      cmdCapture,
			"createuser":   cmdCreateUser,
			"urlset":       cmdURLSet,
			"redact":       cmdRedact,
			// inspectdb_test.go
			"djangomigrate": cmdDjangoMigrate,
			"freshdb":       cmdFreshDB,
			"schemasave":    cmdSchemaSave,
			"schemacmp":     cmdSchemaCmp,
			"sqlfile":       cmdSQLFile,
			"statecmp":      cmdStateCmp,
		},
	})
}

// condition evaluates the harness's conditions: [sqlite], [postgres] and
// [mysql] hold for the dialect the script runs against (DIALECT);
// [server:postgres] and [server:mysql] hold when that server's variable is
// set (a missing one is an error when dbtest.RequireEnv is set).
func condition(d schema.Dialect, cond string) (bool, error) {
	switch cond {
	case string(schema.SQLite), string(schema.Postgres), string(schema.MySQL):
		return cond == string(d), nil
	case "django":
		return hasDjango(), nil
	}
	if name, ok := strings.CutPrefix(cond, "server:"); ok {
		env := serverEnv(schema.Dialect(name))
		if env == "" {
			return false, fmt.Errorf("unknown server %q in [%s]; use server:postgres or server:mysql", name, cond)
		}
		if os.Getenv(env) != "" {
			return true, nil
		}
		if os.Getenv(dbtest.RequireEnv) != "" {
			return false, fmt.Errorf("%s is not set but %s says every database test must run", env, dbtest.RequireEnv)
		}
		return false, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// hostGoProxy is GOPROXY as the machine's go command sees it.
func hostGoProxy() string {
	out, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		return "off"
	}
	return strings.TrimSpace(string(out))
}

// warmModuleCache puts in the machine's module cache the go.mod file of
// every module in pmanager's module graph. The scripts run with GOPROXY=off,
// and go get -tool (which pmanager init runs) loads that whole graph, test
// dependencies of dependencies included, which no build ever fetches: with
// a cache that only builds had filled, init could not make pmanager a tool
// (a warning), a later go mod tidy then dropped the drivers, and the first
// command that compiled failed many steps away from the cause.
func warmModuleCache(t *testing.T, root, proxy string) {
	t.Helper()
	cmd := exec.Command("go", "mod", "graph")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOPROXY="+proxy)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fill the module cache with pmanager's module graph (go mod graph in %s): %v\n%s", root, err, out)
	}
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
	ts.Check(writeGoMod(ts.MkAbs("."), ts.Getenv("PMROOT"), args[0]))
}

// writeGoMod writes dir/go.mod and dir/go.sum for module path mod, using
// the pmanager checkout at root.
func writeGoMod(dir, root, mod string) error {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return fmt.Errorf("gomod: read pmanager's go.mod: %w", err)
	}
	src := string(data)
	goLine := regexp.MustCompile(`(?m)^go .*$`).FindString(src)
	blocks := regexp.MustCompile(`(?ms)^require \(.*?^\)`).FindAllString(src, -1)
	block := strings.Join(blocks, "\n\n")
	block = regexp.MustCompile(`(?m)^(\t[^\s]+ [^\s]+)( // indirect)?$`).ReplaceAllString(block, "$1 // indirect")
	var b strings.Builder
	b.WriteString("module " + mod + "\n\n" + goLine + "\n\n")
	b.WriteString("require github.com/pmanager/pmanager v0.0.0\n\n")
	b.WriteString(block + "\n\n")
	b.WriteString("replace github.com/pmanager/pmanager => " + root + "\n")
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("gomod: %w", err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return fmt.Errorf("gomod: read pmanager's go.sum: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		return fmt.Errorf("gomod: %w", err)
	}
	return nil
}

// cmdRedact sets the variable args[1] to the URL in args[0] as pmanager
// prints it (the password replaced, relative SQLite paths made absolute),
// for goldens that hold a "Database: ..." line; compare them with cmpenv.
func cmdRedact(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: redact URLVAR OUTVAR")
	}
	t, err := connect.Parse(ts.Getenv(args[0]), ts.MkAbs("."))
	ts.Check(err)
	ts.Setenv(args[1], t.Redacted)
}

// cmdCreateDB creates a fresh database on the server of dialect args[0]
// and puts its URL in the variable args[1]; scripts guard it with
// [!server:postgres] skip or [!server:mysql] skip.
func cmdCreateDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: createdb postgres|mysql VAR")
	}
	d := schema.Dialect(args[0])
	if serverEnv(d) == "" {
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
