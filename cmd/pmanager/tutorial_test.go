package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
)

// The tutorial in docs/tutorial.md is executed, so it cannot drift from
// what pmanager does: its sh blocks become a testscript run by the same
// harness as testdata/script, its go blocks the files they name, and its
// text blocks the output the command before them must print.

func TestTutorialSQLite(t *testing.T)   { t.Parallel(); runTutorial(t, schema.SQLite) }
func TestTutorialPostgres(t *testing.T) { t.Parallel(); runTutorial(t, schema.Postgres) }
func TestTutorialMySQL(t *testing.T)    { t.Parallel(); runTutorial(t, schema.MySQL) }

// runTutorial runs docs/tutorial.md against dialect d: SQLite through the
// default pmanager.db, a server through a fresh database named by
// PMANAGER_DATABASE_URL.
func runTutorial(t *testing.T, d schema.Dialect) {
	if env := serverEnv(d); env != "" && os.Getenv(env) == "" {
		if os.Getenv(dbtest.RequireEnv) != "" {
			t.Fatalf("%s is not set but %s says every database test must run", env, dbtest.RequireEnv)
		}
		t.Skipf("%s is not set; set it to a %s URL to run the tutorial on %s", env, d, d)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "tutorial.md"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := tutorialScript(string(doc))
	if err != nil {
		t.Fatalf("docs/tutorial.md: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tutorial.txtar"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	runScripts(t, dir, d, func(env *testscript.Env) error {
		if d == schema.SQLite {
			return nil
		}
		url, drop, err := dbtest.Create(d, env.WorkDir)
		if err != nil {
			return fmt.Errorf("create the %s database: %w", d, err)
		}
		env.Defer(func() {
			if err := drop(); err != nil {
				env.T().Log("drop the tutorial's database: ", err)
			}
		})
		env.Setenv("PMANAGER_DATABASE_URL", url)
		return nil
	})
}

// fence is one fenced block of a Markdown page.
type fence struct {
	info  string
	lines []string
	line  int // where it starts, for messages
}

// fences returns the fenced blocks of doc in order.
func fences(doc string) ([]fence, error) {
	var out []fence
	var cur *fence
	sc := bufio.NewScanner(strings.NewReader(doc))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			if cur == nil {
				cur = &fence{info: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n}
				continue
			}
			out = append(out, *cur)
			cur = nil
			continue
		}
		if cur != nil {
			cur.lines = append(cur.lines, line)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: the block that starts here is never closed", cur.line)
	}
	return out, sc.Err()
}

// elapsedRE is an elapsed time as migrate prints it, which the harness's
// reproducible output leaves out.
var elapsedRE = regexp.MustCompile(` \\\(\d+(\\\.\d)? m?s\\\)`)

// tutorialScript turns the page into a testscript: sh lines become
// commands (go mod init becomes the harness's gomod, which points the
// module at this checkout), go blocks are copied to the path of their
// first line, and each line of a text block must be a line of the
// preceding command's stdout; a pmanager command must print no warning.
// go mod tidy runs as a user's would, with the machine's module proxy.
func tutorialScript(doc string) (string, error) {
	blocks, err := fences(doc)
	if err != nil {
		return "", err
	}
	var script, files strings.Builder
	commands := 0
	for i, b := range blocks {
		switch b.info {
		case "sh":
			for _, line := range b.lines {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				neg := ""
				if rest, ok := strings.CutPrefix(line, "! "); ok {
					neg, line = "! ", rest
				}
				switch {
				case strings.HasPrefix(line, "go mod init "):
					line = "gomod " + strings.TrimPrefix(line, "go mod init ")
				case line == "go mod tidy":
					// Tidy may want go.mod files of test dependencies no
					// build needed: it alone reaches the machine's module
					// proxy, and the checksum database stays out of reach.
					line = "exec env GOPROXY=$HOSTGOPROXY GOSUMDB=off go mod tidy"
				case strings.HasPrefix(line, "pmanager "):
				default:
					line = "exec " + line
				}
				fmt.Fprintf(&script, "%s%s\n", neg, line)
				if strings.HasPrefix(line, "pmanager ") {
					// The page shows no warning: a command that prints
					// one no longer does what the page says (pmanager init
					// that could not add the tool directive, say), and
					// the script stops there rather than steps later.
					script.WriteString("! stderr '^pmanager: warning:'\n")
				}
				commands++
			}
		case "go":
			if len(b.lines) == 0 || !strings.HasPrefix(b.lines[0], "// ") {
				return "", fmt.Errorf("line %d: a go block starts with a comment naming its file, such as // models/models.go", b.line)
			}
			path := strings.TrimPrefix(b.lines[0], "// ")
			name := fmt.Sprintf("tutorial-files/%d.txt", i)
			fmt.Fprintf(&script, "cp %s %s\n", name, path)
			fmt.Fprintf(&files, "-- %s --\n%s\n", name, strings.Join(b.lines, "\n"))
		case "text":
			if i == 0 || blocks[i-1].info != "sh" {
				return "", fmt.Errorf("line %d: a text block shows the output of the sh block just before it", b.line)
			}
			for _, line := range b.lines {
				if strings.TrimSpace(line) == "" {
					continue
				}
				re := elapsedRE.ReplaceAllString(regexp.QuoteMeta(line), `( \(\d+(\.\d)? m?s\))?`)
				fmt.Fprintf(&script, "stdout '^%s$'\n", strings.ReplaceAll(re, "'", "''"))
			}
		}
	}
	if commands == 0 {
		return "", fmt.Errorf("no sh blocks")
	}
	return script.String() + files.String(), nil
}

// TestTutorialScript: the page's blocks turn into the script's lines as
// the tutorial's introduction promises.
func TestTutorialScript(t *testing.T) {
	t.Parallel()
	doc := "intro\n```sh\ngo mod init example.com/x\npmanager init\ngo mod tidy\n! pmanager migrate --check\n```\n\n```text\n  Applying main.0001_initial... OK (9 ms)\n```\n" +
		"```go\n// models/models.go\npackage models\n```\n```shell\nnot run\n```\n"
	got, err := tutorialScript(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "gomod example.com/x\npmanager init\n! stderr '^pmanager: warning:'\nexec env GOPROXY=$HOSTGOPROXY GOSUMDB=off go mod tidy\n" +
		"! pmanager migrate --check\n! stderr '^pmanager: warning:'\n" +
		`stdout '^  Applying main\.0001_initial\.\.\. OK( \(\d+(\.\d)? m?s\))?$'` + "\n" +
		"cp tutorial-files/2.txt models/models.go\n-- tutorial-files/2.txt --\n// models/models.go\npackage models\n"
	if got != want {
		t.Errorf("script:\n%s\nwant:\n%s", got, want)
	}
	if _, err := tutorialScript("```text\nfloating\n```\n"); err == nil {
		t.Error("a text block without a command before it was accepted")
	}
}
