package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// Target is one database the apps can be migrated to, as far as the checks
// need to know it: a name to cite and its kind.
type Target struct {
	// Name is the connection's name in pmanager.toml.
	Name string
	// Dialect is the kind of database; "" when it cannot be known without
	// the environment (pm.W009), and then no dialect check uses it.
	Dialect schema.Dialect
	// Galera says the connection is a node of a MariaDB Galera cluster (the
	// server says wsrep_on), where replicated DML needs a primary key on
	// every table (pm.W011).
	Galera bool
}

// Options say which databases the checks consider and which ids to hide.
type Options struct {
	// Targets are the databases the checks that depend on the kind of
	// database run against: every one the apps can be migrated to.
	Targets []Target
	// Silence lists check ids whose issues are counted but not reported
	// (pmanager.toml's [checks] silence).
	Silence []string
}

// Run checks apps: first the struct tags (the reader cannot see a tag Go
// cannot parse), then, unless a tag error makes the models unreadable as
// written, it reads them with models.Load and runs the model and dialect
// checks. It returns the report and the models' state; the state is nil
// when tag errors stopped it before reading. A model the reader refuses is
// the reader's error, returned as err.
func Run(apps []models.App, opts Options) (*Report, *state.Project, error) {
	src := readSources(apps)
	issues := checkStructTags(apps)
	issues = append(issues, optionIssues(opts)...)
	report := finish(issues, opts.Silence)
	if report.Errors() > 0 && hasID(report.Issues, "pm.E001", "pm.E002") {
		return report, nil, nil
	}
	p, err := models.Load(apps...)
	if err != nil {
		return nil, nil, err
	}
	issues = append(issues, projectIssues(p, src, opts.Targets)...)
	return finish(issues, opts.Silence), p, nil
}

// Project runs the model and dialect checks on a state read elsewhere; it
// names objects by their state labels.
func Project(p *state.Project, opts Options) *Report {
	issues := optionIssues(opts)
	issues = append(issues, projectIssues(p, readSources(nil), opts.Targets)...)
	return finish(issues, opts.Silence)
}

// finish drops and counts the silenced issues and sorts the rest.
func finish(issues []Issue, silence []string) *Report {
	hidden := map[string]bool{}
	for _, id := range silence {
		hidden[strings.TrimSpace(id)] = true
	}
	r := &Report{}
	for _, i := range sortIssues(append([]Issue(nil), issues...)) {
		if hidden[i.ID] {
			r.Silenced++
			continue
		}
		r.Issues = append(r.Issues, i)
	}
	return r
}

func hasID(issues []Issue, ids ...string) bool {
	for _, i := range issues {
		for _, id := range ids {
			if i.ID == id {
				return true
			}
		}
	}
	return false
}

// optionIssues checks the options themselves: unknown silenced ids
// (pm.W010) and targets of unknown kind (pm.W009).
func optionIssues(opts Options) []Issue {
	var issues []Issue
	for _, id := range opts.Silence {
		if !known(strings.TrimSpace(id)) {
			issues = append(issues, issue("pm.W010", "[checks] silence",
				fmt.Sprintf("%q is not a check id", id),
				"remove it, or fix its spelling (ids look like pm.W004; docs/checks.md lists them)"))
		}
	}
	for _, t := range opts.Targets {
		if t.Dialect == "" {
			issues = append(issues, issue("pm.W009", "connection "+t.Name,
				"its URL cannot be read without the environment it names, so its kind of database is unknown and the checks that depend on it skip this connection",
				"set the variables its url uses, or check with Options.Targets naming only connections whose URL is known"))
		}
	}
	return issues
}

// run is one pass of the model and dialect checks over a project.
type run struct {
	p      *state.Project
	src    *sources
	models []*state.Model // managed models, sorted
	// dialects are the distinct kinds of database among the targets, each
	// with the connections of that kind.
	dialects []dialectTargets
	// galera names the targets that are Galera cluster nodes.
	galera []string
	issues []Issue
}

// dialectTargets is one kind of database and the connections of that kind.
type dialectTargets struct {
	dialect schema.Dialect
	names   []string
}

// on names the dialect and its connections for a message:
// "on PostgreSQL (connection default)".
func (d dialectTargets) on() string {
	word := "connection"
	if len(d.names) > 1 {
		word = "connections"
	}
	return fmt.Sprintf("on %s (%s %s)", dialectName(d.dialect), word, strings.Join(d.names, ", "))
}

// conns names the connections alone, for messages that already name the
// dialect: "(connection shop)".
func (d dialectTargets) conns() string {
	return strings.TrimPrefix(d.on(), "on "+dialectName(d.dialect)+" ")
}

// dialectName is how a dialect is called in messages.
func dialectName(d schema.Dialect) string {
	switch d {
	case schema.Postgres:
		return "PostgreSQL"
	case schema.MySQL:
		return "MySQL/MariaDB"
	case schema.SQLite:
		return "SQLite"
	}
	return string(d)
}

// groupTargets folds targets into one entry per dialect, in a fixed order.
func groupTargets(targets []Target) []dialectTargets {
	by := map[schema.Dialect][]string{}
	for _, t := range targets {
		if t.Dialect != "" {
			by[t.Dialect] = append(by[t.Dialect], t.Name)
		}
	}
	var out []dialectTargets
	for _, d := range []schema.Dialect{schema.Postgres, schema.MySQL, schema.SQLite} {
		if conns := by[d]; len(conns) > 0 {
			sort.Strings(conns)
			out = append(out, dialectTargets{dialect: d, names: conns})
		}
	}
	return out
}

// dialect returns the targets of kind d, ok false when none is of that kind.
func (r *run) dialect(d schema.Dialect) (dialectTargets, bool) {
	for _, dt := range r.dialects {
		if dt.dialect == d {
			return dt, true
		}
	}
	return dialectTargets{}, false
}

func (r *run) add(id, object, message, hint string) {
	r.issues = append(r.issues, issue(id, object, message, hint))
}

// projectIssues runs every model and dialect check over p.
func projectIssues(p *state.Project, src *sources, targets []Target) []Issue {
	r := &run{p: p, src: src, dialects: groupTargets(targets)}
	for _, t := range targets {
		if t.Galera {
			r.galera = append(r.galera, t.Name)
		}
	}
	for _, m := range p.Sorted() {
		if !m.Unmanaged {
			r.models = append(r.models, m)
		}
	}
	for _, check := range []func(){
		r.checkDefaults, r.checkNUL, r.checkLengths, r.checkNamespaces, r.checkMySQL,
		r.checkSizes, r.checkSQLTypes, r.checkReservedWords, r.checkIndexFields, r.checkRelations,
		r.checkBlank, r.checkRedundantIndexes, r.checkTableCase, r.checkRender,
		r.checkGaleraKeys, r.checkOrdering,
	} {
		check()
	}
	return r.issues
}
