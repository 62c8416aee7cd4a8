package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// Known reports whether name is a command (or an alias of one) of the
// pmanager command line, so the launcher can answer a mistyped command
// without looking for a project first.
func Known(name string) bool {
	s := &session{}
	return s.newApp().Command(name) != nil
}

// IsVersionFlag reports whether arg asks for the version the way most
// programs accept it, as a flag rather than the version command.
func IsVersionFlag(arg string) bool {
	return arg == "--version" || arg == "-version" || arg == "-V"
}

// unknownCommand is the error for a command line whose first word is no
// command: it names the closest command when one is close enough to be a
// typo, and in a built program says which commands only pmanager itself runs.
func (s *session) unknownCommand(app *ucli.App, name string) error {
	if s.binary && sourceCommands[name] {
		return fmt.Errorf("cli: %s needs the project's Go source and toolchain, which this built program does not have; run 'pmanager %s' in the project", name, name)
	}
	if best := closestCommand(app, name); best != "" {
		return fmt.Errorf("cli: unknown command %q; did you mean %q? (run 'pmanager help' for the list)", name, best)
	}
	return fmt.Errorf("cli: unknown command %q; run 'pmanager help' for the list", name)
}

// closestCommand is the visible command name or alias nearest to name by
// edit distance, when it is near enough (a third of its length, at least
// two edits) to be what was meant; "" otherwise. Ties go to the name first
// in alphabetical order, so the suggestion is stable.
func closestCommand(app *ucli.App, name string) string {
	var names []string
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		names = append(names, c.Names()...)
	}
	sort.Strings(names)
	best, bestDist := "", -1
	lower := strings.ToLower(name)
	for _, n := range names {
		d := editDistance(lower, n)
		if strings.HasPrefix(n, lower) && len(lower) >= 3 {
			d = 1 // a unique-looking prefix is as good as one typo
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = n, d
		}
	}
	limit := len(best) / 3
	if limit < 2 {
		limit = 2
	}
	if best == "" || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, counting a
// swap of two neighbouring letters as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// tidyHelp makes the flags' help say each thing once and plainly: a
// boolean flag shows no "(default: false)", and a duration flag names its
// value DURATION with an example instead of urfave/cli's "value".
func tidyHelp(cmds []*ucli.Command) {
	for _, c := range cmds {
		for _, f := range c.Flags {
			switch f := f.(type) {
			case *ucli.BoolFlag:
				f.DisableDefaultText = true
			case *ucli.DurationFlag:
				if !strings.Contains(f.Usage, "`") {
					f.Usage += " (`DURATION`: 30s, 2m, 1h30m)"
				}
			}
		}
		tidyHelp(c.Subcommands)
	}
}

// verbosityFlag is -v/--verbosity, on the command line as a whole and on
// every command: 0 prints only results, warnings and errors; 1 (the
// default) progress as well; 2 each migration's operations as it runs; 3
// each SQL statement too.
func verbosityFlag() ucli.Flag {
	return &ucli.IntFlag{Name: "verbosity", Aliases: []string{"v"}, Value: 1,
		Usage: "`LEVEL` of detail: 0 results and errors only, 1 progress, 2 each operation, 3 each SQL statement"}
}

// withVerbosity adds -v to every command and has each command's action
// first read it (the command's own flag, else the global one) into the
// session.
func (s *session) withVerbosity(cmds []*ucli.Command) {
	for _, c := range cmds {
		c.Flags = append(c.Flags, verbosityFlag())
		action := c.Action
		if action == nil {
			continue
		}
		c.Action = func(ctx *ucli.Context) error {
			v := 1
			for _, lc := range ctx.Lineage() {
				if lc.IsSet("verbosity") {
					v = lc.Int("verbosity")
					break
				}
			}
			if v < 0 || v > 3 {
				return fmt.Errorf("cli: --verbosity %d: give 0, 1, 2 or 3", v)
			}
			s.verbosity = v
			return action(ctx)
		}
	}
}

// info is where progress goes: stdout, or nowhere at verbosity 0.
func (s *session) info() io.Writer {
	if s.verbosity == 0 {
		return io.Discard
	}
	return s.stdout
}
