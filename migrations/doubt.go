package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// verdict is what the database (or the user) says of a statement in doubt.
type verdict int

const (
	unknown verdict = iota
	tookEffect
	noEffect
)

// judgement is a verdict with what it rests on, and, for a statement that
// did not take effect but left something behind (an invalid index of a
// killed CREATE INDEX CONCURRENTLY), the statements that clear it.
type judgement struct {
	v       verdict
	why     string
	cleanup []string
}

// settleDoubt decides whether the statement after p's recorded position,
// whose start is noted, took effect, and records the answer: the position
// after it (it did) or its start cleared (it did not, and whatever it left
// is dropped). It returns the position to go on from. When neither the
// database nor the user's word (opts.AssumeDone / AssumeNotDone) settles
// it, it returns a *DoubtError and changes nothing.
func (rn *runner) settleDoubt(ctx context.Context, conn *sql.Conn, m *Migration, before *state.Project, p Partial, ops []OpStatements, rollback bool) (int, int, error) {
	i, j := p.OpsDone, p.StatementsDone
	o := ops[i]
	if j >= len(o.Statements) {
		// No statement left in the operation: nothing is in doubt.
		return i, j, rn.history.Settle(ctx, conn, p.Key)
	}
	jd, err := rn.judge(ctx, conn, m, before, p.Backwards, o, j)
	if err != nil {
		return 0, 0, fmt.Errorf("migrations: look up what statement %d of operation %d of %s did: %w", j+1, o.Number, p.Key, err)
	}
	if jd.v == unknown {
		switch o.Number {
		case rn.opts.AssumeDone:
			jd.v = tookEffect
		case rn.opts.AssumeNotDone:
			jd.v = noEffect
		}
	}
	switch jd.v {
	case tookEffect:
		ni, nj := i, j+1
		if nj == len(o.Statements) {
			ni, nj = i+1, 0
		}
		return ni, nj, rn.history.Progress(ctx, conn, p.Key, ni, nj)
	case noEffect:
		for _, c := range jd.cleanup {
			if err := schema.Exec(ctx, rn.ed, conn, c); err != nil {
				return 0, 0, fmt.Errorf("migrations: clear what statement %d of operation %d of %s left (%s): %w", j+1, o.Number, p.Key, c, err)
			}
		}
		return i, j, rn.history.Settle(ctx, conn, p.Key)
	}
	st := o.Statements[j]
	stmt := st.SQL
	if st.Go != nil {
		stmt = "Go function " + st.Name
	}
	return 0, 0, &DoubtError{Migration: p.Key, Backwards: p.Backwards, Operation: o.Number, Description: o.Operation.Describe(),
		Statement: stmt, Index: j + 1, Count: len(o.Statements), Why: jd.why, Rollback: rollback}
}

// judge asks the database whether statement j of o took effect, looking
// only at the objects the statement touches.
func (rn *runner) judge(ctx context.Context, q schema.ExecQuerier, m *Migration, before *state.Project, backwards bool, o OpStatements, j int) (judgement, error) {
	st := o.Statements[j]
	d := rn.ed.Dialect()
	if st.Go != nil {
		return judgement{why: "it is a Go function, and something it ran committed on its own (DDL, or a COMMIT), so how far it got is not recorded anywhere"}, nil
	}
	eff := statementEffect(d, st.SQL)
	if eff.known && eff.repeatable {
		return judgement{v: noEffect, why: "running it again leaves the database as running it once does"}, nil
	}
	live, err := rn.liveTables(ctx, q)
	if err != nil {
		return judgement{}, err
	}
	if !eff.known {
		if changesData(o.Operation) {
			return judgement{why: "it may change rows, and it ran outside a transaction (its database commits it on its own), so the database keeps no sign of whether it ran"}, nil
		}
		return rn.judgeByTables(m, before, backwards, o, j, live)
	}
	return rn.judgeFacts(ctx, q, eff, live)
}

// liveTables reads the user tables of the database, the history's (and
// the Galera lease's) left out.
func (rn *runner) liveTables(ctx context.Context, q schema.ExecQuerier) (map[string]*schema.Table, error) {
	tables, err := rn.ed.Inspect(ctx, q)
	if err != nil {
		return nil, err
	}
	live := map[string]*schema.Table{}
	for k := range tables {
		if tables[k].Name != schema.HistoryTable && tables[k].Name != LockTable {
			live[tables[k].Name] = &tables[k]
		}
	}
	return live, nil
}

// judgeFacts compares what a statement the reader follows creates or
// removes with the live tables.
func (rn *runner) judgeFacts(ctx context.Context, q schema.ExecQuerier, eff effect, live map[string]*schema.Table) (judgement, error) {
	d := rn.ed.Dialect()
	var err error
	invalid := map[string]bool{}
	if d == schema.Postgres {
		if invalid, err = invalidIndexes(ctx, q); err != nil {
			return judgement{}, err
		}
	}
	held := 0
	var leftovers []string
	for _, f := range eff.facts {
		if f.holds(live, invalid) {
			held++
		} else if f.present && f.kind == factIndex && invalid[strings.ToLower(f.name)] {
			leftovers = append(leftovers, "DROP INDEX CONCURRENTLY IF EXISTS "+rn.ed.Quote(f.name))
		}
	}
	switch held {
	case len(eff.facts):
		return judgement{v: tookEffect, why: "the database shows what it creates or removes"}, nil
	case 0:
		return judgement{v: noEffect, why: "the database shows none of what it creates or removes", cleanup: leftovers}, nil
	}
	return judgement{why: fmt.Sprintf("the database shows %d of the %d changes it makes", held, len(eff.facts))}, nil
}

// interruptedWithoutEffect reports whether a statement that stopped
// because the run was interrupted (or the server was told to stop it)
// left no trace: the server may finish a statement after it was asked to
// stop, so only the database can say. Anything it cannot establish counts
// as a trace, and the statement stays in doubt for the next run.
func (rn *runner) interruptedWithoutEffect(ctx context.Context, q schema.ExecQuerier, stmt string) bool {
	eff := statementEffect(rn.ed.Dialect(), stmt)
	if !eff.known || eff.repeatable {
		return eff.known
	}
	live, err := rn.liveTables(ctx, q)
	if err != nil {
		return false
	}
	jd, err := rn.judgeFacts(ctx, q, eff, live)
	return err == nil && jd.v == noEffect
}

// judgeByTables settles a schema statement the reader does not follow by
// comparing the tables its operation changes, and only those, with what
// the states before and after the operation imply: it took effect when
// it is the operation's last statement and those tables are as after; it
// did not when it is the first and they are as before.
func (rn *runner) judgeByTables(m *Migration, before *state.Project, backwards bool, o OpStatements, j int, live map[string]*schema.Table) (judgement, error) {
	idx := o.Number - 1
	from := before.CloneShallow()
	if err := operations.Apply(m.App, m.Operations[:idx], from); err != nil {
		return judgement{}, err
	}
	to := from.CloneShallow()
	if err := operations.Apply(m.App, m.Operations[idx:idx+1], to); err != nil {
		return judgement{}, err
	}
	if backwards {
		from, to = to, from
	}
	want := func(p *state.Project) (map[string]schema.Table, error) {
		ts, err := rn.ed.Expected(p)
		if err != nil {
			return nil, err
		}
		out := map[string]schema.Table{}
		for _, t := range ts {
			out[t.Name] = t
		}
		return out, nil
	}
	wb, err := want(from)
	if err != nil {
		return judgement{}, err
	}
	wa, err := want(to)
	if err != nil {
		return judgement{}, err
	}
	var touched []string
	for name := range union(wb, wa) {
		if !sameValue(reflect.ValueOf(wb[name]), reflect.ValueOf(wa[name])) {
			touched = append(touched, name)
		}
	}
	matches := func(w map[string]schema.Table) bool {
		for _, name := range touched {
			t, want := lookupTable(live, name), w[name]
			_, expected := w[name]
			if (t != nil) != expected {
				return false
			}
			if t != nil && !sameValue(reflect.ValueOf(want), reflect.ValueOf(*t)) {
				return false
			}
		}
		return len(touched) > 0
	}
	switch {
	case j == len(o.Statements)-1 && matches(wa):
		return judgement{v: tookEffect, why: "the tables its operation changes are as the operation leaves them"}, nil
	case j == 0 && matches(wb):
		return judgement{v: noEffect, why: "the tables its operation changes are as they were before it"}, nil
	}
	return judgement{why: "it is not a statement whose objects pmanager can look up, and the tables its operation changes are neither as before nor as after it"}, nil
}

// union returns the keys of a and b.
func union(a, b map[string]schema.Table) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// invalidIndexes lists (lower-cased) the indexes of the current schema
// that PostgreSQL marks invalid: what a killed or failed CREATE INDEX
// CONCURRENTLY leaves behind.
func invalidIndexes(ctx context.Context, q schema.ExecQuerier) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = current_schema() AND NOT x.indisvalid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out[strings.ToLower(name)] = true
	}
	return out, rows.Err()
}

// undoPart undoes what ran of the operation with index idx (in m) when it
// stopped part-way: it renders the operation's undo and runs, in order,
// each undo statement whose change the database does not already show. It
// reports false, running nothing, when some undo statement cannot be
// looked up that way (a Go function, a statement the reader does not
// follow): the operation can then only be undone whole.
func (rn *runner) undoPart(ctx context.Context, conn *sql.Conn, m *Migration, before *state.Project, backwards bool, idx int) (bool, error) {
	op := m.Operations[idx]
	from := before.CloneShallow()
	if err := operations.Apply(m.App, m.Operations[:idx], from); err != nil {
		return false, err
	}
	to := from.CloneShallow()
	if err := operations.Apply(m.App, m.Operations[idx:idx+1], to); err != nil {
		return false, err
	}
	var steps []operations.Statement
	var err error
	if backwards {
		steps, err = op.Forwards(m.App, rn.ed, from, to)
	} else {
		if !op.Reversible() {
			return false, nil
		}
		steps, err = op.Backwards(m.App, rn.ed, from, to)
	}
	if err != nil {
		return false, err
	}
	effects := make([]effect, len(steps))
	for i, st := range steps {
		if st.Go != nil {
			return false, nil
		}
		if effects[i] = statementEffect(rn.ed.Dialect(), st.SQL); !effects[i].known {
			return false, nil
		}
	}
	tables, err := rn.ed.Inspect(ctx, conn)
	if err != nil {
		return false, err
	}
	live := map[string]*schema.Table{}
	for k := range tables {
		live[tables[k].Name] = &tables[k]
	}
	invalid := map[string]bool{}
	if rn.ed.Dialect() == schema.Postgres {
		if invalid, err = invalidIndexes(ctx, conn); err != nil {
			return false, err
		}
	}
	for i, st := range steps {
		needed := effects[i].repeatable
		for _, f := range effects[i].facts {
			if !f.holds(live, invalid) {
				needed = true
			}
		}
		if !needed {
			continue
		}
		if err := schema.Exec(ctx, rn.ed, conn, st.SQL); err != nil {
			return false, &execError{op: idx + 1, desc: op.Describe(), stmt: st.SQL, err: err}
		}
	}
	return true, nil
}
