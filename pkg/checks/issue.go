package checks

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Level says whether an issue stops a command (Error) or only informs (Warning).
type Level int

// The levels of an issue, as Django names them.
const (
	Warning Level = iota + 1
	Error
)

// String is the level's name as JSON and documentation spell it.
func (l Level) String() string {
	if l == Error {
		return "error"
	}
	return "warning"
}

// MarshalText makes a Level print as "error" or "warning" in JSON.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Issue is one problem a check found: a stable value, so a command can print
// it as text or as JSON.
type Issue struct {
	// ID is the check's id, pm.E… for errors and pm.W… for warnings.
	ID string `json:"id"`
	// Level is derived from the id.
	Level Level `json:"level"`
	// Object names what the issue is about: models.Car.Price (Go type and
	// field), models.Car.Meta, or a connection.
	Object string `json:"object"`
	// Message says what is wrong.
	Message string `json:"message"`
	// Hint says how to fix it.
	Hint string `json:"hint,omitempty"`
}

// String is the issue on one line: object, id, message and fix.
func (i Issue) String() string {
	s := fmt.Sprintf("%s: (%s) %s", i.Object, i.ID, i.Message)
	if i.Hint != "" {
		s += "; " + i.Hint
	}
	return s
}

// Report is what a run of the checks found, silenced issues apart.
type Report struct {
	// Issues are the issues that were not silenced, sorted by level (errors
	// first), then object and id.
	Issues []Issue `json:"issues"`
	// Silenced counts the issues that pmanager.toml's silence list hid.
	Silenced int `json:"silenced"`
}

// Errors counts the unsilenced errors: when it is not zero the command stops.
func (r *Report) Errors() int {
	n := 0
	for _, i := range r.Issues {
		if i.Level == Error {
			n++
		}
	}
	return n
}

// JSON is the report as indented JSON, for tools.
func (r *Report) JSON() ([]byte, error) {
	out := *r
	if out.Issues == nil {
		out.Issues = []Issue{}
	}
	return json.MarshalIndent(out, "", "  ")
}

// Summary is Django's closing line: "System check identified 2 issues (1 silenced)."
func (r *Report) Summary() string {
	var count string
	switch len(r.Issues) {
	case 0:
		count = "no issues"
	case 1:
		count = "1 issue"
	default:
		count = fmt.Sprintf("%d issues", len(r.Issues))
	}
	return fmt.Sprintf("System check identified %s (%d silenced).", count, r.Silenced)
}

// Text renders the issues in Django's layout, errors then warnings, each
// under its heading, followed by the summary line. With no issue it is the
// summary alone.
func (r *Report) Text() string {
	if len(r.Issues) == 0 {
		return r.Summary() + "\n"
	}
	var b strings.Builder
	b.WriteString("System check identified some issues:\n")
	for _, level := range []Level{Error, Warning} {
		heading := "ERRORS:"
		if level == Warning {
			heading = "WARNINGS:"
		}
		first := true
		for _, i := range r.Issues {
			if i.Level != level {
				continue
			}
			if first {
				b.WriteString("\n" + heading + "\n")
				first = false
			}
			b.WriteString(i.String() + "\n")
		}
	}
	b.WriteString("\n" + r.Summary() + "\n")
	return b.String()
}

// sortIssues orders issues errors first, then by object and id, and drops
// exact duplicates (one struct tag seen through two models, say).
func sortIssues(issues []Issue) []Issue {
	sort.SliceStable(issues, func(a, b int) bool {
		x, y := issues[a], issues[b]
		if x.Level != y.Level {
			return x.Level > y.Level
		}
		if x.Object != y.Object {
			return x.Object < y.Object
		}
		if x.ID != y.ID {
			return x.ID < y.ID
		}
		return x.Message < y.Message
	})
	var out []Issue
	for i, is := range issues {
		if i > 0 && is == issues[i-1] {
			continue
		}
		out = append(out, is)
	}
	return out
}
