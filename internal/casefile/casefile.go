package casefile

import (
	"fmt"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// A case file holds a comment saying what it shows, then sections:
//
//	before, after          the two states, in the statedsl language
//	answers                the questioner's answers: "Model.field = value" for a
//	                       one-off fill (<nil>: no value, !quit: the user quits,
//	                       !fail: the terminal fails), "Model.old -> new = y|n" for
//	                       a field rename, "app.Old -> New = y|n" for a model rename
//	forward, backward      Detect(before, after) and Detect(after, before), one
//	                       "app: operation" a line (see Operation)
//	deps, backward-deps    the new migrations' dependencies on other apps,
//	                       "app: other", "(new)" when on the other app's new one
//	error, backward-error  a text Detect's error must contain instead
//	rows                   SQL inserted before the change is migrated, one
//	                       statement a line (live cases only)
//	untouched              tables the migration leaves alone on purpose though
//	                       the states disagree about them (a managed flag flip
//	                       is state only, as in Django), left out of the live
//	                       schema comparison
//	<dialect>-up/-down     the SQL of migrating the forward operations and of
//	                       unapplying them; a case with these sections is
//	                       migrated on live databases
var sectionNames = []string{
	"before", "after", "answers", "rows", "untouched",
	"forward", "deps", "error", "backward", "backward-deps", "backward-error",
	"postgres-up", "postgres-down", "mysql-up", "mysql-down", "sqlite-up", "sqlite-down",
}

// Sections lists every section a case may hold, in the order they are
// written, so a runner can rewrite the ones it computes.
func Sections() []string { return append([]string(nil), sectionNames...) }

// Case is one parsed case file.
type Case struct {
	archive  *txtar.Archive
	sections map[string]string
}

// Parse reads a case file's text, refusing unknown or repeated sections so
// a typo is not silently ignored.
func Parse(data []byte) (*Case, error) {
	ar := txtar.Parse(data)
	c := &Case{archive: ar, sections: map[string]string{}}
	for _, f := range ar.Files {
		if !contains(sectionNames, f.Name) {
			return nil, fmt.Errorf("casefile: unknown section %q (want one of %s)", f.Name, strings.Join(sectionNames, ", "))
		}
		if _, dup := c.sections[f.Name]; dup {
			return nil, fmt.Errorf("casefile: section %q appears twice", f.Name)
		}
		c.sections[f.Name] = string(f.Data)
	}
	if strings.TrimSpace(string(ar.Comment)) == "" {
		return nil, fmt.Errorf("casefile: the case has no comment saying what it shows")
	}
	return c, nil
}

// Section returns a section's text, "" when absent.
func (c *Case) Section(name string) string { return c.sections[name] }

// Has says whether the case holds a section, even an empty one.
func (c *Case) Has(name string) bool {
	_, ok := c.sections[name]
	return ok
}

// Live says whether the case is also migrated on live databases: it holds
// the golden SQL of at least one dialect.
func (c *Case) Live() bool {
	for _, d := range []string{"postgres", "mysql", "sqlite"} {
		if c.Has(UpSection(d)) {
			return true
		}
	}
	return false
}

// Lines returns a section's non-blank lines, trimmed.
func (c *Case) Lines(name string) []string { return Lines(c.sections[name]) }

// Answers reads the answers section into "key = value" pairs.
func (c *Case) Answers() (map[string]string, error) {
	a := map[string]string{}
	for _, line := range c.Lines("answers") {
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			return nil, fmt.Errorf("casefile: answers: want \"Model.field = value\", got %q", line)
		}
		a[k] = v
	}
	return a, nil
}

// Set replaces a section's text, adding the section in its place in the
// canonical order when the case does not have it yet.
func (c *Case) Set(name, text string) {
	c.sections[name] = text
	for i := range c.archive.Files {
		if c.archive.Files[i].Name == name {
			c.archive.Files[i].Data = []byte(text)
			return
		}
	}
	at := len(c.archive.Files)
	for i, f := range c.archive.Files {
		if index(sectionNames, f.Name) > index(sectionNames, name) {
			at = i
			break
		}
	}
	files := append([]txtar.File(nil), c.archive.Files[:at]...)
	files = append(files, txtar.File{Name: name, Data: []byte(text)})
	c.archive.Files = append(files, c.archive.Files[at:]...)
}

// Format returns the case file's text.
func (c *Case) Format() []byte { return txtar.Format(c.archive) }

// UpSection names the golden SQL of migrating a case forwards on a dialect.
func UpSection(dialect string) string { return dialect + "-up" }

// DownSection names the golden SQL of unapplying a case on a dialect.
func DownSection(dialect string) string { return dialect + "-down" }

// Lines splits text into its non-blank lines, trimmed.
func Lines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Join writes lines back as a section's text, one a line.
func Join(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
