package config

import (
	"fmt"
	"strings"
)

// SetConnectionURL returns the text of a pmanager.toml with the url of
// [connections.<name>] set to url, and everything else (comments, order,
// spacing) kept byte for byte: the TOML encoder cannot write comments back,
// so the text itself is edited. The url line of an existing table is
// replaced in place (its trailing comment kept); a missing table is
// appended. path and lookup are those of Parse, which checks the result.
func SetConnectionURL(path string, data []byte, name, url string, lookup LookupFunc) ([]byte, error) {
	out := setKey(data, []string{"connections", name}, "url", url)
	if before, err := Parse(path, data, lookup); err == nil {
		if _, err := Parse(path, out, lookup); err != nil && before.DefaultConnection != name {
			// A second connection in a file that relied on its only one
			// being the default: say so, so the default does not change.
			out = setTopKey(out, "default_connection", before.DefaultConnection)
		}
	}
	c, err := Parse(path, out, lookup)
	if err != nil {
		return nil, fmt.Errorf("config: cannot add [connections.%s] to %s without breaking it (%v); write it by hand", name, path, err)
	}
	if conn, ok := c.Connections[name]; !ok || conn.URL != url && !conn.override {
		return nil, fmt.Errorf("config: %s defines [connections.%s] in a form pmanager cannot edit (dotted keys or an inline table); write its url under a [connections.%s] table by hand", path, name, name)
	}
	return out, nil
}

// SetAppConnection returns the text of a pmanager.toml with connection =
// "<conn>" in [apps.<label>], edited like SetConnectionURL. A project
// without [apps] tables has the one default app; binding it writes its
// table out in full (models and migrations folders included), so the
// file says what the defaults were.
func SetAppConnection(path string, data []byte, app App, conn string, lookup LookupFunc) ([]byte, error) {
	table := []string{"apps", app.Label}
	var out []byte
	if _, ok := findTable(lines(data), table); ok {
		out = setKey(data, table, "connection", conn)
	} else {
		out = appendTable(data, table, [][2]string{{"models", app.Models}, {"migrations", app.Migrations}, {"connection", conn}})
	}
	c, err := Parse(path, out, lookup)
	if err != nil {
		return nil, fmt.Errorf("config: cannot bind app %s to connection %s in %s (%v); add connection = %s to [apps.%s] by hand", app.Label, conn, path, err, quoteString(conn), app.Label)
	}
	if a, ok := c.App(app.Label); !ok || a.Connection != conn {
		return nil, fmt.Errorf("config: %s defines [apps.%s] in a form pmanager cannot edit; add connection = %s to it by hand", path, app.Label, quoteString(conn))
	}
	return out, nil
}

// lines splits text into lines that keep their "\n", so joining them gives
// the text back exactly.
func lines(data []byte) []string {
	return strings.SplitAfter(string(data), "\n")
}

// setKey sets key = "value" in the table, or appends the table.
func setKey(data []byte, table []string, key, value string) []byte {
	ls := lines(data)
	start, ok := findTable(ls, table)
	if !ok {
		return appendTable(data, table, [][2]string{{key, value}})
	}
	end := tableEnd(ls, start)
	last := start
	for i := start + 1; i < end; i++ {
		trimmed := strings.TrimSpace(ls[i])
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		last = i
		lhs, rhs, isKey := strings.Cut(trimmed, "=")
		if !isKey || strings.Join(splitKey(lhs), ".") != key {
			continue
		}
		indent := ls[i][:len(ls[i])-len(strings.TrimLeft(ls[i], " \t"))]
		ls[i] = indent + key + " = " + quoteString(value) + trailer(rhs) + lineEnd(ls[i])
		return []byte(strings.Join(ls, ""))
	}
	// Insert after the table's last key, so comments that follow it (often
	// about the next table) stay where they are.
	line := key + " = " + quoteString(value) + lineEnd(ls[last])
	if !strings.HasSuffix(ls[last], "\n") {
		ls[last] += "\n"
	}
	ls = append(ls[:last+1], append([]string{line}, ls[last+1:]...)...)
	return []byte(strings.Join(ls, ""))
}

// setTopKey inserts key = "value" before the first table of the text
// (top-level keys must come first), followed by a blank line.
func setTopKey(data []byte, key, value string) []byte {
	ls := lines(data)
	at := len(ls)
	for i, l := range ls {
		if strings.HasPrefix(strings.TrimSpace(l), "[") {
			at = i
			break
		}
	}
	line := key + " = " + quoteString(value) + "\n\n"
	ls = append(ls[:at], append([]string{line}, ls[at:]...)...)
	return []byte(strings.Join(ls, ""))
}

// findTable returns the index of the line "[a.b]" that opens table.
func findTable(ls []string, table []string) (int, bool) {
	want := strings.Join(table, ".")
	for i, l := range ls {
		trimmed := strings.TrimSpace(l)
		if !strings.HasPrefix(trimmed, "[") || strings.HasPrefix(trimmed, "[[") {
			continue
		}
		inner := strings.Trim(stripComment(trimmed), "[] \t")
		if strings.Join(splitKey(inner), ".") == want {
			return i, true
		}
	}
	return 0, false
}

// tableEnd returns the index of the first line after the table opened at
// start: the next table header, or the end of the text.
func tableEnd(ls []string, start int) int {
	for i := start + 1; i < len(ls); i++ {
		if strings.HasPrefix(strings.TrimSpace(ls[i]), "[") {
			return i
		}
	}
	return len(ls)
}

// appendTable adds a new table with string keys at the end of the text,
// separated from what comes before by one blank line.
func appendTable(data []byte, table []string, keys [][2]string) []byte {
	nl := "\n"
	if strings.Contains(string(data), "\r\n") {
		nl = "\r\n"
	}
	var b strings.Builder
	b.Write(data)
	text := string(data)
	switch {
	case text == "":
	case !strings.HasSuffix(text, "\n"):
		b.WriteString(nl + nl)
	case !strings.HasSuffix(strings.TrimRight(text, "\r"), "\n\n") && !strings.HasSuffix(text, "\n\r\n"):
		b.WriteString(nl)
	}
	parts := make([]string, len(table))
	for i, p := range table {
		parts[i] = tableKey(p)
	}
	b.WriteString("[" + strings.Join(parts, ".") + "]" + nl)
	for _, kv := range keys {
		b.WriteString(kv[0] + " = " + quoteString(kv[1]) + nl)
	}
	return []byte(b.String())
}

// trailer returns what follows the value of "key = value # comment": the
// spacing and comment, kept when the value is replaced.
func trailer(rhs string) string {
	v := strings.TrimLeft(rhs, " \t")
	end := -1
	switch {
	case strings.HasPrefix(v, `"`):
		for i := 1; i < len(v); i++ {
			if v[i] == '\\' {
				i++
				continue
			}
			if v[i] == '"' {
				end = i + 1
				break
			}
		}
	case strings.HasPrefix(v, "'"):
		if i := strings.IndexByte(v[1:], '\''); i >= 0 {
			end = i + 2
		}
	}
	if end < 0 {
		if i := strings.Index(v, "#"); i >= 0 {
			return strings.TrimRight(" "+v[i:], "\r\n")
		}
		return ""
	}
	return strings.TrimRight(v[end:], "\r\n")
}

// lineEnd returns the line's ending ("\n", "\r\n" or "" on the last line).
func lineEnd(l string) string {
	switch {
	case strings.HasSuffix(l, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(l, "\n"):
		return "\n"
	}
	return ""
}

// quoteString writes s as a TOML basic string.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tableKey writes one part of a table name, quoted unless it is bare.
func tableKey(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return quoteString(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}
