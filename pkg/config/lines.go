package config

import (
	"strings"

	"github.com/BurntSushi/toml"
)

// lineIndex finds the line a key is written on. The TOML decoder keeps key
// positions to itself, so this reads the text again with a deliberately
// small grammar: table headers and "key = value" lines. It only serves error
// messages, so a key it cannot place yields 0 (no line).
type lineIndex []lineKey

type lineKey struct {
	key    string // dotted, unquoted: "apps.main.models"
	line   int
	header bool
}

func newLineIndex(data []byte) lineIndex {
	var idx lineIndex
	var table []string
	for n, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			inner := strings.Trim(stripComment(line), "[] \t")
			table = splitKey(inner)
			idx = append(idx, lineKey{key: strings.Join(table, "."), line: n + 1, header: true})
		default:
			lhs, _, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			full := append(append([]string(nil), table...), splitKey(lhs)...)
			idx = append(idx, lineKey{key: strings.Join(full, "."), line: n + 1})
		}
	}
	return idx
}

// find returns the line of k: the exact key first, else the first line whose
// key starts with it (a table named by one of its keys), else 0.
func (idx lineIndex) find(k toml.Key) int {
	want := strings.Join(k, ".")
	for _, lk := range idx {
		if lk.key == want {
			return lk.line
		}
	}
	for _, lk := range idx {
		if strings.HasPrefix(lk.key, want+".") {
			return lk.line
		}
	}
	return 0
}

// splitKey splits a dotted TOML key, dropping quotes and spaces around parts.
func splitKey(s string) []string {
	var parts []string
	var cur strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote = r
		case r == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(parts, strings.TrimSpace(cur.String()))
}

// stripComment drops a trailing "# ..." from a table header line.
func stripComment(line string) string {
	if i := strings.LastIndex(line, "]"); i >= 0 {
		return line[:i+1]
	}
	return line
}
