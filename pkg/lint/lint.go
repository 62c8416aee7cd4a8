package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/mysql"
	"github.com/pmanager/pmanager/pkg/schema/postgres"
	"github.com/pmanager/pmanager/pkg/schema/sqlite"
	"github.com/pmanager/pmanager/pkg/state"
)

// Risk is what a finding warns of, in the fixed words every summary uses.
type Risk string

// The risks, from the worst.
const (
	// LosesData: running the operation forwards deletes stored values.
	LosesData Risk = "loses data"
	// MayRefuse: the operation's pre-flight refuses it when rows already
	// there do not fit; nothing is changed then, but the deploy stops.
	MayRefuse Risk = "may refuse on existing rows"
	// RewritesTable: the server copies every row of the table.
	RewritesTable Risk = "rewrites the table"
	// BlocksWrites: the server holds a lock that stops writes (or reads
	// and writes) to the table while it works.
	BlocksWrites Risk = "blocks writes"
	// BreaksCode: the release still running against the database, built
	// for the schema before the migration, fails on the schema after it.
	BreaksCode Risk = "breaks code still running"
)

// Target is one database an app is migrated to: its dialect and its
// server's version.
type Target struct {
	Dialect schema.Dialect
	// Version is the server's version; when no server could be asked it is
	// Assumed(Dialect) and Guessed is true.
	Version Version
	// Guessed is true when Version is the conservative assumption, not
	// what a server said.
	Guessed bool
	// Configured is true when Version is what pmanager.toml states the
	// server runs (a connection's server setting), not what a server said.
	Configured bool
	// parts counts the numbers the configured version was written with
	// ("10.11": 2), so a live server agrees with it on those alone.
	parts int
}

// Offline is the target of a dialect whose server cannot be asked: its
// version is the conservative assumption (see Assumed).
func Offline(d schema.Dialect) Target {
	return Target{Dialect: d, Version: Assumed(d), Guessed: true}
}

// Finding is one risk of one operation.
type Finding struct {
	// Rule is the rule's id ("pm.L002").
	Rule string `json:"rule"`
	// Risk is the rule's risk, in its fixed words.
	Risk Risk `json:"risk"`
	// Detail names the object and, for locks, the lock or algorithm.
	Detail string `json:"detail"`
	// Dialects lists the dialects the finding holds on; empty for a rule
	// that holds on every dialect.
	Dialects []schema.Dialect `json:"dialects,omitempty"`
}

// String is the finding on one line: "pm.L002 loses data: drops column
// car.price", with the dialects after the risk where it depends on them.
func (f Finding) String() string {
	risk := string(f.Risk)
	if len(f.Dialects) > 0 {
		names := make([]string, len(f.Dialects))
		for i, d := range f.Dialects {
			names[i] = string(d)
		}
		risk += " (" + strings.Join(names, ", ") + ")"
	}
	return f.Rule + " " + risk + ": " + f.Detail
}

// Input is what a rule judges: one operation on one target.
type Input struct {
	App string
	Op  operations.Operation
	// From and To are the project before and after the operation.
	From, To *state.Project
	Target   Target
	// Statements are the operation's forward SQL statements on Target's
	// dialect, as its editor renders them (Go steps left out).
	Statements []string
	// Preflights are the operation's forward pre-flight checks.
	Preflights []schema.Preflight
	// created are the tables the operation's own statements create: new
	// and empty, so building on them blocks nothing.
	created map[string]bool
}

// Analyze returns the findings of each operation of ops, in app, run in
// order from the state before (nil: empty), on each of targets. A
// finding that several targets share is reported once, naming them. The
// findings of an operation are in rule order. It stops with the
// operations judged so far and an error at the first operation whose
// state change or statements cannot be worked out; migrate would fail
// there too.
func Analyze(app string, ops []operations.Operation, before *state.Project, targets []Target) ([][]Finding, error) {
	cur := state.NewProject()
	if before != nil {
		cur = before.CloneShallow()
	}
	out := make([][]Finding, len(ops))
	for i, op := range ops {
		next := cur.CloneShallow()
		if err := op.StateForwards(app, next); err != nil {
			return out, fmt.Errorf("lint: operation %d (%s): %w", i+1, op.Describe(), err)
		}
		fs, err := judge(app, op, cur, next, targets)
		if err != nil {
			return out, fmt.Errorf("lint: operation %d (%s): %w", i+1, op.Describe(), err)
		}
		out[i] = fs
		cur = next
	}
	return out, nil
}

// judge runs every rule over op on each target and merges the findings
// that targets share.
func judge(app string, op operations.Operation, from, to *state.Project, targets []Target) ([]Finding, error) {
	pre, err := operations.Preflights(app, op, from, to, false)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, t := range dedupe(targets) {
		// A dialect that refuses the operation (a partial index on
		// MySQL) is the system checks' to report; lint judges it there
		// by the rules that need no statements.
		stmts, err := forwards(app, op, from, to, t.Dialect)
		if err != nil {
			stmts = nil
		}
		in := &Input{App: app, Op: op, From: from, To: to, Target: t, Statements: stmts, Preflights: pre, created: createdTables(stmts)}
		for _, r := range rules {
			if !r.AppliesTo(t.Dialect) {
				continue
			}
			for _, d := range r.check(in) {
				out = mergeFinding(out, Finding{Rule: r.ID, Risk: r.Risk, Detail: d}, r.Dialects != nil, t.Dialect)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return strings.Compare(a.Rule, b.Rule) })
	return out, nil
}

// mergeFinding adds f to fs, or names dialect on the same finding already
// there; perDialect findings carry the dialects they hold on.
func mergeFinding(fs []Finding, f Finding, perDialect bool, d schema.Dialect) []Finding {
	for i := range fs {
		if fs[i].Rule == f.Rule && fs[i].Detail == f.Detail {
			if perDialect && !slices.Contains(fs[i].Dialects, d) {
				fs[i].Dialects = append(fs[i].Dialects, d)
			}
			return fs
		}
	}
	if perDialect {
		f.Dialects = []schema.Dialect{d}
	}
	return append(fs, f)
}

// dedupe keeps one target per dialect: the first, or the one a server
// answered for.
func dedupe(ts []Target) []Target {
	var out []Target
	for _, t := range ts {
		i := slices.IndexFunc(out, func(o Target) bool { return o.Dialect == t.Dialect })
		switch {
		case i < 0:
			out = append(out, t)
		case out[i].Guessed && !t.Guessed:
			out[i] = t
		}
	}
	return out
}

// editorFor is the schema editor that renders a dialect's statements.
func editorFor(d schema.Dialect) (schema.Editor, error) {
	switch d {
	case schema.Postgres:
		return postgres.New(), nil
	case schema.MySQL:
		return mysql.New(), nil
	case schema.SQLite:
		return sqlite.New(), nil
	}
	return nil, fmt.Errorf("unknown dialect %q", d)
}

// forwards renders op's forward SQL statements on dialect d.
func forwards(app string, op operations.Operation, from, to *state.Project, d schema.Dialect) ([]string, error) {
	ed, err := editorFor(d)
	if err != nil {
		return nil, err
	}
	steps, err := op.Forwards(app, ed, from, to)
	if err != nil {
		return nil, fmt.Errorf("render on %s: %w", d, err)
	}
	var out []string
	for _, s := range steps {
		if s.SQL != "" {
			out = append(out, s.SQL)
		}
	}
	return out, nil
}

// Allowed reports whether the rule id is in allow.
func Allowed(id string, allow ...[]string) bool {
	for _, list := range allow {
		if slices.Contains(list, id) {
			return true
		}
	}
	return false
}
