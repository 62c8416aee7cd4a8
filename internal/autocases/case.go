package autocases

import (
	"fmt"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/pmanager/pmanager/pkg/schema"
)

// A case file holds a comment saying what it shows, then sections:
//
//	before, after       the two states, in the statedsl language
//	answers             "Model.field = value" one-off fills for the questioner
//	rows                SQL inserted once before is migrated, one statement a line
//	untouched           tables the migration leaves alone on purpose though the
//	                    states disagree about them (a managed flag flip is state
//	                    only, as in Django), left out of the schema comparison
//	forward, backward   Detect(before, after) and Detect(after, before), "app: Describe" a line
//	<dialect>-up        the SQL of migrating the forward operations (golden)
//	<dialect>-down      the SQL of unapplying them (golden)
var sectionNames = []string{"before", "after", "answers", "rows", "untouched", "forward", "backward",
	"postgres-up", "postgres-down", "mysql-up", "mysql-down", "sqlite-up", "sqlite-down"}

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
			return nil, fmt.Errorf("autocases: unknown section %q (want one of %s)", f.Name, strings.Join(sectionNames, ", "))
		}
		if _, dup := c.sections[f.Name]; dup {
			return nil, fmt.Errorf("autocases: section %q appears twice", f.Name)
		}
		c.sections[f.Name] = string(f.Data)
	}
	if strings.TrimSpace(string(ar.Comment)) == "" {
		return nil, fmt.Errorf("autocases: the case has no comment saying what it shows")
	}
	return c, nil
}

// Section returns a section's text, "" when absent.
func (c *Case) Section(name string) string { return c.sections[name] }

// Lines returns a section's non-blank lines, trimmed.
func (c *Case) Lines(name string) []string { return Lines(c.sections[name]) }

// Answers reads the answers section.
func (c *Case) Answers() (Answers, error) {
	a := Answers{}
	for _, line := range c.Lines("answers") {
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			return nil, fmt.Errorf("autocases: answers: want \"Model.field = value\", got %q", line)
		}
		a[k] = v
	}
	return a, nil
}

// Set replaces (or appends) a generated section.
func (c *Case) Set(name, text string) {
	c.sections[name] = text
	for i := range c.archive.Files {
		if c.archive.Files[i].Name == name {
			c.archive.Files[i].Data = []byte(text)
			return
		}
	}
	c.archive.Files = append(c.archive.Files, txtar.File{Name: name, Data: []byte(text)})
}

// Format returns the case file's text.
func (c *Case) Format() []byte { return txtar.Format(c.archive) }

// UpSection names the golden SQL of migrating a case forwards on d.
func UpSection(d schema.Dialect) string { return string(d) + "-up" }

// DownSection names the golden SQL of unapplying a case on d.
func DownSection(d schema.Dialect) string { return string(d) + "-down" }

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
