package autodetect

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pmanager/pmanager/internal/casefile"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/cases with what Detect returns")

// The case files (testdata/cases/*.txtar, the one home of the
// autodetector's data cases; internal/casefile describes their sections)
// each state a model edit and what Detect must find for it in both
// directions. Every direction that succeeds is also replayed: its
// operations, applied one by one to the before state, must keep it
// consistent (targets exist, indexes name existing fields...) and end equal
// to the after state, and detecting again from there must find nothing.
// Cases with golden SQL are also migrated on live databases by
// internal/autocases.
func TestCases(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("found %d case files, want at least 40", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runCase(t, file)
		})
	}
}

func runCase(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := casefile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	before, err := parseProject(c.Section("before"))
	if err != nil {
		t.Fatalf("before: %v", err)
	}
	after, err := parseProject(c.Section("after"))
	if err != nil {
		t.Fatalf("after: %v", err)
	}
	answers, err := c.Answers()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	got["forward"], got["deps"], got["error"] = runDirection(t, "forward", before, after, answers, c.Section("error") != "")
	got["backward"], got["backward-deps"], got["backward-error"] = runDirection(t, "backward", after, before, answers, c.Section("backward-error") != "")
	if *update {
		for _, name := range []string{"forward", "deps", "backward", "backward-deps"} {
			if c.Has(name) || got[name] != "" {
				c.Set(name, got[name])
			}
		}
		if err := os.WriteFile(file, c.Format(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, name := range []string{"forward", "deps", "backward", "backward-deps"} {
		if diff := cmp.Diff(c.Lines(name), casefile.Lines(got[name]), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got; go test -update rewrites it):\n%s", name, diff)
		}
	}
	for _, name := range []string{"error", "backward-error"} {
		want := strings.TrimSpace(c.Section(name))
		if want != "" && !strings.Contains(got[name], want) {
			t.Errorf("%s: got %q, want it to contain %q", name, got[name], want)
		}
	}
}

// runDirection detects from → to and returns the rendered operations and
// dependencies, or the error text.
func runDirection(t *testing.T, dir string, from, to *state.Project, answers map[string]string, wantErr bool) (ops, deps, errText string) {
	t.Helper()
	fromCopy, toCopy := from.Clone(), to.Clone()
	ch, err := Detect(from, to, &scripted{answers: answers})
	if diff := cmp.Diff(fromCopy, from, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: Detect changed its from state:\n%s", dir, diff)
	}
	if diff := cmp.Diff(toCopy, to, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: Detect changed its to state:\n%s", dir, diff)
	}
	if err != nil {
		if !wantErr {
			t.Errorf("%s: %v", dir, err)
		}
		return "", "", err.Error()
	}
	if wantErr {
		t.Errorf("%s: no error, want one", dir)
	}
	if rendered := renderChanges(ch); ch.Empty() != (len(rendered) == 0) {
		t.Errorf("%s: Empty() = %v with operations %v", dir, ch.Empty(), rendered)
	}
	checkReplay(t, dir, from, to, ch)
	return casefile.Join(renderChanges(ch)), casefile.Join(renderDeps(ch)), ""
}

// checkReplay applies the detected operations to a copy of from, apps in
// dependency order, checking the state stays consistent after each one and
// ends equal to to.
func checkReplay(t *testing.T, dir string, from, to *state.Project, ch *Changes) {
	t.Helper()
	p := from.Clone()
	appended := map[string]bool{}
	for _, app := range applyOrder(ch) {
		for _, op := range ch.Ops[app] {
			if err := op.StateForwards(app, p); err != nil {
				t.Errorf("%s: replaying %s: %v", dir, op.Describe(), err)
				return
			}
			if err := consistent(p); err != nil {
				t.Errorf("%s: after %s: %v", dir, op.Describe(), err)
			}
			switch o := op.(type) {
			case operations.AddField:
				appended[state.ModelKey(app, o.Model)] = true
			case operations.RenameField:
				// A renamed field keeps the old one's place.
				appended[state.ModelKey(app, o.Model)] = true
			}
		}
	}
	if diff := cmp.Diff(normalize(to, appended), normalize(p, appended), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: replayed state differs from the target (-want +got):\n%s", dir, diff)
	}
	again, err := Detect(p, to, NonInteractive())
	if err != nil {
		t.Errorf("%s: detecting again after replay: %v", dir, err)
	} else if !again.Empty() {
		t.Errorf("%s: detecting again after replay found %v", dir, renderChanges(again))
	}
}

// applyOrder lists the apps with operations so that an app comes after the
// apps whose new operations it needs.
func applyOrder(ch *Changes) []string {
	var order []string
	done := map[string]bool{}
	var visit func(app string)
	visit = func(app string) {
		if done[app] {
			return
		}
		done[app] = true
		for _, dep := range ch.OnNew[app] {
			visit(dep)
		}
		order = append(order, app)
	}
	for _, app := range sortedApps(ch.Ops) {
		visit(app)
	}
	return order
}

// consistent checks what every operation order must keep true: relations
// point at models, indexes and constraints name column fields, table names
// and column names do not clash.
func consistent(p *state.Project) error {
	tables := map[string]string{}
	for _, m := range p.Sorted() {
		if other, ok := tables[m.Table]; ok {
			return fmt.Errorf("%s and %s share table %s", other, m.Label(), m.Table)
		}
		tables[m.Table] = m.Label()
		columns := map[string]bool{}
		for _, f := range m.Fields {
			if col := f.ColumnName(); col != "" {
				if columns[col] {
					return fmt.Errorf("%s has two fields in column %s", m.Label(), col)
				}
				columns[col] = true
			}
			if f.Relation == nil {
				continue
			}
			if p.Resolve(m.App, f.Relation.To) == nil {
				return fmt.Errorf("%s.%s points at missing %s", m.Label(), f.Name, f.Relation.To)
			}
			if th := f.Relation.Through; th != "" && p.Resolve(m.App, th) == nil {
				return fmt.Errorf("%s.%s goes through missing %s", m.Label(), f.Name, th)
			}
			if tf := f.Relation.ToField; tf != "" && p.Resolve(m.App, f.Relation.To).Field(tf) == nil {
				return fmt.Errorf("%s.%s points at missing field %s", m.Label(), f.Name, tf)
			}
		}
		for _, idx := range m.Indexes {
			if _, err := m.Columns(idx.Fields); err != nil {
				return fmt.Errorf("index %s: %w", idx.Name, err)
			}
		}
		for _, c := range m.Constraints {
			if _, err := m.Columns(c.Fields); err != nil {
				return fmt.Errorf("constraint %s: %w", c.Name, err)
			}
		}
		for _, g := range m.UniqueTogether {
			if _, err := m.Columns(g); err != nil {
				return fmt.Errorf("unique_together: %w", err)
			}
		}
	}
	return nil
}

// normalize returns a copy of p in one representation: derived columns
// blank, relation labels as model keys, indexes, constraints and
// unique_together groups sorted (they are sets; AddIndex and AddConstraint
// append), and the fields sorted by name in
// the models that got an AddField or a RenameField (it appends, or keeps
// the old field's place, so their order is not the operations' to choose).
func normalize(p *state.Project, appended map[string]bool) *state.Project {
	c := p.Clone()
	for key, m := range c.Models {
		m.Was = "" // hints are read from models, never replayed
		for _, f := range m.Fields {
			f.Was = ""
			if f.Column != "" {
				col := f.Column
				f.Column = ""
				if f.ColumnName() != col {
					f.Column = col
				}
			}
			if f.Relation != nil {
				f.Relation.To = canonicalKey(m.App, f.Relation.To)
				f.Relation.Through = canonicalKey(m.App, f.Relation.Through)
			}
		}
		sort.Slice(m.Indexes, func(i, j int) bool { return m.Indexes[i].Name < m.Indexes[j].Name })
		sort.Slice(m.Constraints, func(i, j int) bool { return m.Constraints[i].Name < m.Constraints[j].Name })
		sort.Slice(m.UniqueTogether, func(i, j int) bool {
			return strings.Join(m.UniqueTogether[i], ",") < strings.Join(m.UniqueTogether[j], ",")
		})
		if appended[key] {
			sort.Slice(m.Fields, func(i, j int) bool { return m.Fields[i].Name < m.Fields[j].Name })
		}
	}
	return c
}

func canonicalKey(app, label string) string {
	if label == "" {
		return ""
	}
	a, n := state.SplitLabel(app, label)
	return strings.ToLower(a + "." + n)
}

// scripted answers AskFill from a case's answers section and fails on any
// question the case did not expect.
type scripted struct{ answers map[string]string }

func (s *scripted) AskFill(model, field string, alteration bool) (*string, error) {
	v, ok := s.answers[model+"."+field]
	switch {
	case !ok:
		return nil, fmt.Errorf("unexpected question about %s.%s (alteration %v)", model, field, alteration)
	case v == "<nil>":
		return nil, nil
	case v == "!quit":
		return nil, &FillError{Model: model, Field: field, Alteration: alteration}
	case v == "!fail":
		return nil, errors.New("the terminal went away")
	}
	return &v, nil
}

func (s *scripted) AskRename(model, oldName, newName string, kind state.Kind) (bool, error) {
	return s.yesNo(model + "." + oldName + " -> " + newName)
}

func (s *scripted) AskRenameModel(app, oldName, newName string) (bool, error) {
	return s.yesNo(app + "." + oldName + " -> " + newName)
}

func (s *scripted) yesNo(key string) (bool, error) {
	switch v, ok := s.answers[key]; {
	case !ok:
		return false, fmt.Errorf("unexpected rename question %s", key)
	case v == "!fail":
		return false, errors.New("the terminal went away")
	default:
		return v == "y", nil
	}
}
