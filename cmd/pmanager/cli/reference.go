package cli

import (
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// CommandReference is the command and flag reference of docs/commands.md,
// made from the command definitions themselves so the page cannot drift
// from them (a test compares the two).
func CommandReference() string {
	s := &session{}
	app := s.newApp()
	var b strings.Builder
	b.WriteString("### Global flags\n\nThese come before the command: `pmanager -C ../shop migrate`.\n\n")
	writeFlags(&b, app.Flags, false)
	b.WriteString("\n`-v`/`--verbosity` may also follow the command; every command takes it.\n")
	b.WriteString("\n`--version` (or `-V`) prints the version, like `pmanager version`, anywhere.\n")
	for _, c := range app.Commands {
		if c.Hidden || c.Name == "help" {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", c.Name)
		usage := "pmanager " + c.Name
		if len(c.Flags) > 1 {
			usage += " [flags]"
		}
		if a := strings.TrimSpace(c.ArgsUsage); a != "" {
			usage += " " + a
		}
		fmt.Fprintf(&b, "    %s\n\n", usage)
		fmt.Fprintf(&b, "%s.", upperFirst(c.Usage))
		if len(c.Aliases) > 0 {
			fmt.Fprintf(&b, " Also `%s`.", strings.Join(c.Aliases, "`, `"))
		}
		b.WriteString("\n")
		if d := strings.TrimSpace(c.Description); d != "" {
			b.WriteString("\n")
			for _, line := range strings.Split(d, "\n") {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
		if len(c.Flags) > 1 {
			b.WriteString("\n")
			writeFlags(&b, c.Flags, true)
		}
	}
	return b.String()
}

// writeFlags writes a flag table: every spelling, the value it takes, its
// default and what it does. common leaves out -v, which every command has
// and the global flags already describe.
func writeFlags(b *strings.Builder, flags []ucli.Flag, common bool) {
	b.WriteString("| flag | value | default | what it does |\n|---|---|---|---|\n")
	for _, f := range flags {
		if common && f.Names()[0] == "verbosity" {
			continue
		}
		df, ok := f.(ucli.DocGenerationFlag)
		if !ok {
			continue
		}
		var names []string
		for _, n := range f.Names() {
			if len(n) == 1 {
				names = append(names, "`-"+n+"`")
			} else {
				names = append(names, "`--"+n+"`")
			}
		}
		placeholder, usage := placeholderOf(df.GetUsage())
		value := ""
		if df.TakesValue() {
			if placeholder == "" {
				placeholder = "value"
			}
			value = placeholder
		}
		def := ""
		if _, isBool := f.(*ucli.BoolFlag); !isBool {
			def = df.GetDefaultText()
		}
		if sf, isSlice := f.(ucli.DocGenerationSliceFlag); isSlice && sf.IsSliceFlag() && !strings.Contains(usage, "repeat") {
			usage += " (repeatable)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", strings.Join(names, ", "), value, def, strings.ReplaceAll(usage, "|", `\|`))
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// placeholderOf splits a flag's usage the way urfave/cli's help does: the
// first `quoted` word names the flag's value, and loses its quotes.
func placeholderOf(usage string) (string, string) {
	i := strings.IndexByte(usage, '`')
	if i < 0 {
		return "", usage
	}
	j := strings.IndexByte(usage[i+1:], '`')
	if j < 0 {
		return "", usage
	}
	name := usage[i+1 : i+1+j]
	return name, usage[:i] + name + usage[i+2+j:]
}
