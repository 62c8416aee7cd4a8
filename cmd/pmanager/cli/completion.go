package cli

import (
	"fmt"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// completionCommand prints a shell completion script. The script is
// static, made from the command definitions: completing never runs
// pmanager, so it never builds a project.
func (s *session) completionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "bash:  source <(pmanager completion bash)   (or save it in /etc/bash_completion.d/pmanager)\n" +
			"zsh:   pmanager completion zsh > \"${fpath[1]}/_pmanager\"\n" +
			"fish:  pmanager completion fish > ~/.config/fish/completions/pmanager.fish",
		Action: func(c *ucli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("cli: completion needs a shell: pmanager completion bash|zsh|fish")
			}
			cmds := completable(c.App)
			var script string
			switch c.Args().First() {
			case "bash":
				script = bashCompletion(cmds)
			case "zsh":
				script = zshCompletion(cmds)
			case "fish":
				script = fishCompletion(cmds)
			default:
				return fmt.Errorf("cli: completion: unknown shell %q; use bash, zsh or fish", c.Args().First())
			}
			_, err := fmt.Fprint(s.stdout, script)
			return err
		},
	}
}

// complCommand is one command as a completion script offers it.
type complCommand struct {
	names []string // the name, then its aliases
	usage string
	flags []string // every spelling, with its dashes: --database, -n
}

// completable lists the visible commands and their flags, sorted by name.
func completable(app *ucli.App) []complCommand {
	var out []complCommand
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		cc := complCommand{names: c.Names(), usage: c.Usage}
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				if len(n) == 1 {
					cc.flags = append(cc.flags, "-"+n)
				} else {
					cc.flags = append(cc.flags, "--"+n)
				}
			}
		}
		cc.flags = uniqueStrings(append(cc.flags, "--help"))
		out = append(out, cc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].names[0] < out[j].names[0] })
	return out
}

func bashCompletion(cmds []complCommand) string {
	var names []string
	var b strings.Builder
	// COMP_WORDS splits migration:up at the colon, so the words are read
	// from the line itself, and the part of the word before its last
	// colon is taken off each reply, as bash-completion does.
	b.WriteString("# bash completion for pmanager\n_pmanager() {\n")
	b.WriteString("  local line=\"${COMP_LINE:0:COMP_POINT}\" cur=\"\" cmd=\"\" i\n")
	b.WriteString("  local -a w\n  read -ra w <<< \"$line\"\n")
	b.WriteString("  [[ \"$line\" == *\" \" ]] || { cur=\"${w[${#w[@]}-1]}\"; unset 'w[${#w[@]}-1]'; }\n")
	b.WriteString("  for ((i = 1; i < ${#w[@]}; i++)); do\n")
	b.WriteString("    case \"${w[i]}\" in -C|--chdir) ((i++)) ;; -*) ;; *) cmd=\"${w[i]}\"; break ;; esac\n")
	b.WriteString("  done\n  local words\n  case \"$cmd\" in\n")
	for _, c := range cmds {
		names = append(names, c.names...)
		fmt.Fprintf(&b, "    %s) words=%q ;;\n", strings.Join(c.names, "|"), strings.Join(c.flags, " "))
	}
	fmt.Fprintf(&b, "    \"\") words=%q ;;\n", strings.Join(names, " ")+" --chdir -C --verbosity -v --version --help")
	b.WriteString("    *) words=\"\" ;;\n  esac\n")
	b.WriteString("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n")
	b.WriteString("  if [[ -n \"$cmd\" && \"$cur\" != -* ]]; then COMPREPLY+=($(compgen -f -- \"$cur\")); fi\n")
	b.WriteString("  if [[ \"$cur\" == *:* ]]; then\n")
	b.WriteString("    local prefix=\"${cur%\"${cur##*:}\"}\"\n")
	b.WriteString("    for i in \"${!COMPREPLY[@]}\"; do COMPREPLY[i]=\"${COMPREPLY[i]#\"$prefix\"}\"; done\n")
	b.WriteString("  fi\n}\n")
	b.WriteString("complete -F _pmanager pmanager\n")
	return b.String()
}

func zshCompletion(cmds []complCommand) string {
	var b strings.Builder
	b.WriteString("#compdef pmanager\n# zsh completion for pmanager\n_pmanager() {\n")
	b.WriteString("  local -a commands\n  commands=(\n")
	for _, c := range cmds {
		for _, n := range c.names {
			fmt.Fprintf(&b, "    %s\n", zshQuote(strings.ReplaceAll(n, ":", "\\:")+":"+c.usage))
		}
	}
	b.WriteString("  )\n  local cmd i\n")
	b.WriteString("  for ((i = 2; i < CURRENT; i++)); do\n")
	b.WriteString("    case \"${words[i]}\" in -C|--chdir) ((i++)) ;; -*) ;; *) cmd=\"${words[i]}\"; break ;; esac\n")
	b.WriteString("  done\n")
	b.WriteString("  if [[ -z \"$cmd\" ]]; then\n    _describe 'command' commands\n    return\n  fi\n")
	b.WriteString("  case \"$cmd\" in\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "    %s) compadd -- %s ;;\n", strings.Join(c.names, "|"), strings.Join(c.flags, " "))
	}
	b.WriteString("  esac\n  _files\n}\n")
	b.WriteString("if [[ \"$funcstack[1]\" == \"_pmanager\" ]]; then _pmanager \"$@\"; else compdef _pmanager pmanager; fi\n")
	return b.String()
}

// zshQuote single-quotes s for zsh.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func fishCompletion(cmds []complCommand) string {
	var b strings.Builder
	var all []string
	for _, c := range cmds {
		all = append(all, c.names...)
	}
	b.WriteString("# fish completion for pmanager\ncomplete -c pmanager -f\n")
	fmt.Fprintf(&b, "complete -c pmanager -n 'not __fish_seen_subcommand_from %s' -l version -d 'print the pmanager version'\n", strings.Join(all, " "))
	for _, c := range cmds {
		for _, n := range c.names {
			fmt.Fprintf(&b, "complete -c pmanager -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n",
				strings.Join(all, " "), fishQuote(n), fishQuote(c.usage))
		}
		for _, f := range c.flags {
			opt := "-l " + strings.TrimPrefix(f, "--")
			if !strings.HasPrefix(f, "--") {
				opt = "-s " + strings.TrimPrefix(f, "-")
			}
			fmt.Fprintf(&b, "complete -c pmanager -n '__fish_seen_subcommand_from %s' %s\n", strings.Join(c.names, " "), opt)
		}
	}
	return b.String()
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// uniqueStrings keeps the first of each string, in order.
func uniqueStrings(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
