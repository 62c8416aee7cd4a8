package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// recoverPartials refuses to go on while a migration is part-way, or, as
// opts ask, finishes (Resume) or undoes (RollbackPartial) each one. A
// migration recorded as started of which nothing committed (killed inside
// its first statement's transaction) is simply forgotten: the history
// shows that nothing of it is in the database.
func (rn *runner) recoverPartials(ctx context.Context) error {
	partials, err := rn.history.Partials(ctx)
	if err != nil {
		return err
	}
	var left []Partial
	for _, p := range partials {
		if p.OpsDone == 0 && p.StatementsDone == 0 && !p.Started && p.Error == "" && rn.g.Migration(p.Key) != nil {
			if err := rn.history.Abandon(ctx, rn.conn, p); err != nil {
				return err
			}
			continue
		}
		left = append(left, p)
	}
	partials = left
	for _, p := range partials {
		if m := rn.g.Migration(p.Key); m != nil && p.OpsDone > len(m.Operations) {
			return checkPosition(p, m, nil)
		}
	}
	if err := rn.checkAssumptions(partials); err != nil {
		return err
	}
	if len(partials) == 0 {
		return nil
	}
	switch {
	case rn.opts.Resume && rn.opts.RollbackPartial:
		return errors.New("migrations: Options.Resume and Options.RollbackPartial are two different ways on; choose one")
	case !rn.opts.Resume && !rn.opts.RollbackPartial:
		pe := &PartialError{Partials: partials}
		for _, p := range partials {
			r := describePartial(rn.g, p)
			if rn.takenOver != nil {
				r += fmt.Sprintf("; the run that left it (%s) had stopped renewing its migration lease, which this run took over, so it is not running any more", rn.takenOver.Who)
			}
			pe.Reports = append(pe.Reports, r)
		}
		return pe
	}
	if rn.opts.RollbackPartial {
		for i, j := 0, len(partials)-1; i < j; i, j = i+1, j-1 {
			partials[i], partials[j] = partials[j], partials[i]
		}
	}
	for _, p := range partials {
		rn.observer.Recovering(p, rn.opts.RollbackPartial)
		if rn.opts.RollbackPartial {
			err = rn.rollbackPartial(ctx, p)
		} else {
			err = rn.resume(ctx, p)
		}
		if err != nil {
			return err
		}
		rn.observer.Recovered(p, rn.opts.RollbackPartial)
	}
	return nil
}

// checkAssumptions refuses --assume-done / --assume-not-done that do not
// name the operation of a statement in doubt: a word given for another
// state of the database must not settle this one.
func (rn *runner) checkAssumptions(partials []Partial) error {
	if rn.opts.AssumeDone == 0 && rn.opts.AssumeNotDone == 0 {
		return nil
	}
	if rn.opts.AssumeDone != 0 && rn.opts.AssumeNotDone != 0 {
		return errors.New("migrations: Options.AssumeDone and Options.AssumeNotDone say opposite things; give one")
	}
	n, flag := rn.opts.AssumeDone, "Options.AssumeDone"
	if n == 0 {
		n, flag = rn.opts.AssumeNotDone, "Options.AssumeNotDone"
	}
	if !rn.opts.Resume && !rn.opts.RollbackPartial {
		return fmt.Errorf("migrations: %s %d settles a statement in doubt for Options.Resume or Options.RollbackPartial; add one of them", flag, n)
	}
	var doubts []string
	for _, p := range partials {
		m := rn.g.Migration(p.Key)
		if m == nil || !p.Started || p.OpsDone >= len(m.Operations) {
			continue
		}
		op := runOrder(m, p.Backwards)[p.OpsDone] + 1
		if op == n {
			return nil
		}
		doubts = append(doubts, fmt.Sprintf("operation %d of %s", op, p.Key))
	}
	if len(doubts) == 0 {
		return fmt.Errorf("migrations: %s %d: no statement is in doubt, so there is nothing to settle; run again without it", flag, n)
	}
	return fmt.Errorf("migrations: %s %d: the statement in doubt is in %s, not in operation %d; check that one and name its operation", flag, n, strings.Join(doubts, ", "), n)
}

// describePartial says in one sentence what ran of p (a migration of g)
// and where it stopped.
func describePartial(g *Graph, p Partial) string {
	verb := "applied"
	if p.Backwards {
		verb = "unapplied"
	}
	head := fmt.Sprintf("%s was left part-way while being %s", p.Key, verb)
	if !p.Backwards {
		head += fmt.Sprintf(" (started %s)", p.Since.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	m := g.Migration(p.Key)
	if m == nil {
		return head + fmt.Sprintf(": %d operations ran; its file is no longer registered: restore it to resume or roll back", p.OpsDone)
	}
	order := runOrder(m, p.Backwards)
	var ran []string
	for _, i := range order[:min(p.OpsDone, len(order))] {
		ran = append(ran, fmt.Sprintf("%d (%s)", i+1, m.Operations[i].Describe()))
	}
	var b strings.Builder
	b.WriteString(head + ": ")
	did := map[bool][2]string{false: {" ran", " ran"}, true: {" was undone", " were undone"}}[p.Backwards]
	switch len(ran) {
	case 0:
		b.WriteString("no operation completed")
	case 1:
		b.WriteString("operation " + ran[0] + did[0])
	default:
		b.WriteString("operations " + strings.Join(ran, ", ") + did[1])
	}
	if p.OpsDone >= len(order) {
		if p.Error != "" {
			fmt.Fprintf(&b, "; recording it failed: %s", p.Error)
		}
		return b.String()
	}
	i := order[p.OpsDone]
	stopped := fmt.Sprintf("operation %d (%s)", i+1, m.Operations[i].Describe())
	if p.StatementsDone > 0 {
		stopped += fmt.Sprintf(", after %d of its statements", p.StatementsDone)
	}
	switch {
	case p.Error != "":
		fmt.Fprintf(&b, "; %s failed: %s", stopped, p.Error)
	case p.Started:
		fmt.Fprintf(&b, "; the run stopped in %s without recording why (it was killed or lost its connection) while the server ran its next statement, "+
			"which may have taken effect: Options.Resume and Options.RollbackPartial first ask the database whether it did", stopped)
	default:
		fmt.Fprintf(&b, "; the run stopped in %s without recording why (it was killed or lost its connection), before its next statement took effect", stopped)
	}
	return b.String()
}

// runOrder lists the indexes of m's operations in the order a direction
// runs them.
func runOrder(m *Migration, backwards bool) []int {
	out := make([]int, len(m.Operations))
	for i := range out {
		out[i] = i
		if backwards {
			out[i] = len(out) - 1 - i
		}
	}
	return out
}

// partialMigration returns p's migration, refusing one whose file is gone
// or whose operations changed since the run that left it (unless the edit
// is accepted, which records the new checksum).
func (rn *runner) partialMigration(ctx context.Context, p Partial, accepted []Key) (*Migration, error) {
	m := rn.g.Migration(p.Key)
	if m == nil {
		return nil, fmt.Errorf("migrations: %s was left part-way but is no longer registered; restore its file to resume or roll it back", p.Key)
	}
	if sum := Checksum(m); sum != p.Checksum {
		if !containsKey(accepted, p.Key) {
			return nil, fmt.Errorf("migrations: %s was edited since a run left it part-way, so what ran may not be what the file says now; "+
				"restore the file, or accept the edit with Options.AcceptEdited %s", p.Key, p.Key)
		}
		if err := rn.history.Accept(ctx, rn.conn, p.Key, sum); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// stateBefore replays the applied migrations that come before k in graph
// order: the state k starts from.
func (rn *runner) stateBefore(ctx context.Context, k Key) (*state.Project, error) {
	applied, err := rn.history.Applied(ctx)
	if err != nil {
		return nil, err
	}
	cur := state.NewProject()
	for _, m := range rn.g.order {
		if m.Key() == k {
			break
		}
		if IsApplied(applied, m) {
			if err := operations.Apply(m.App, m.Operations, cur); err != nil {
				return nil, fmt.Errorf("migrations: replay %s: %w", m.Key(), err)
			}
		}
	}
	return cur, nil
}

// resume runs the rest of p, from the first statement the history does not
// record as done, and records the migration as applied (or unapplied). A
// statement in doubt is settled first, by asking the database about the
// objects it touches or by the user's word (see settleDoubt).
func (rn *runner) resume(ctx context.Context, p Partial) error {
	m, err := rn.partialMigration(ctx, p, rn.opts.AcceptEdited)
	if err != nil {
		return err
	}
	before, err := rn.stateBefore(ctx, p.Key)
	if err != nil {
		return err
	}
	s := Step{Migration: m, Backwards: p.Backwards}
	ops, err := RenderStatements(m, rn.ed, before, p.Backwards)
	if err != nil {
		return fmt.Errorf("migrations: resume %s: %w", p.Key, err)
	}
	if err := checkPosition(p, m, ops); err != nil {
		return err
	}
	err = rn.onConn(ctx, func(conn *sql.Conn) error {
		record := func(q schema.ExecQuerier, opsDone, statements int) error {
			return rn.history.Progress(ctx, q, p.Key, opsDone, statements)
		}
		from, stmts := p.OpsDone, p.StatementsDone
		if p.Started && from < len(ops) {
			var err error
			if from, stmts, err = rn.settleDoubt(ctx, conn, m, before, p, ops, false); err != nil {
				return err
			}
		}
		if _, err := rn.runTracked(ctx, conn, ops, from, stmts, true, record, &p.Key); err != nil {
			return err
		}
		return rn.finishTracked(ctx, conn, s)
	})
	if err != nil {
		var de *DoubtError
		if errors.As(err, &de) {
			return err
		}
		err = rn.trackedFailure(ctx, s, err, true)
		var xe *execError
		if errors.As(err, &xe) {
			return &MigrateError{Failed: s, Operation: xe.op, Description: xe.desc, Statement: xe.stmt,
				Partial: true, NonAtomic: !rn.ed.AtomicDDL(), Err: xe.err}
		}
		return err
	}
	return nil
}

// checkPosition refuses a history position that no run of m writes (ops_done
// past the last operation, statements_done past the operation's statements),
// before anything runs: a row edited by hand, or a file edited since.
func checkPosition(p Partial, m *Migration, ops []OpStatements) error {
	bad := p.OpsDone > len(m.Operations) || p.OpsDone == len(ops) && p.StatementsDone > 0 ||
		p.OpsDone < len(ops) && p.StatementsDone > len(ops[p.OpsDone].Statements)
	if !bad {
		return nil
	}
	have := fmt.Sprintf("%s has %d operations", p.Key, len(m.Operations))
	if p.OpsDone < len(ops) {
		have += fmt.Sprintf(" and operation %d has %d statements on this database", ops[p.OpsDone].Number, len(ops[p.OpsDone].Statements))
	}
	return fmt.Errorf("migrations: row %s of history table %s has ops_done = %d and statements_done = %d, but %s: "+
		"put back the counts pmanager wrote, or delete the row if nothing of the migration ran",
		p.Key, schema.HistoryTable, p.OpsDone, p.StatementsDone, have)
}

// changesData reports whether op may change rows, not only the schema: the
// live schema cannot tell whether such an operation ran.
func changesData(op operations.Operation) bool { return op.Touches().Opaque }

// sameValue compares two values deeply, taking a nil slice or map to equal
// an empty one (Expected and Inspect differ in that only).
func sameValue(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !sameValue(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// rollbackPartial undoes what ran of p, newest first, keeping the history
// exact after each whole operation, then forgets p (or, for an unapply,
// records the migration as applied again). A statement in doubt is
// settled first, as for resume. An operation that ran in part is undone
// statement by statement where each undo statement's object can be looked
// up (only the ones still needed run); otherwise it is finished first and
// then undone whole, so rolling back always moves on.
func (rn *runner) rollbackPartial(ctx context.Context, p Partial) error {
	m, err := rn.partialMigration(ctx, p, nil)
	if err != nil {
		return err
	}
	before, err := rn.stateBefore(ctx, p.Key)
	if err != nil {
		return err
	}
	ops, err := RenderStatements(m, rn.ed, before, p.Backwards)
	if err != nil {
		return fmt.Errorf("migrations: roll back %s: %w", p.Key, err)
	}
	if err := checkPosition(p, m, ops); err != nil {
		return err
	}
	order := runOrder(m, p.Backwards)
	if !p.Backwards {
		last := p.OpsDone
		if p.StatementsDone > 0 || p.Started {
			last++
		}
		sub := &Migration{App: m.App, Name: m.Name, Operations: m.Operations[:min(last, len(m.Operations))]}
		if err := irreversible(sub); err != nil {
			return &RollbackError{Migration: p.Key, Err: err}
		}
	}
	err = rn.onConn(ctx, func(conn *sql.Conn) error {
		record := func(q schema.ExecQuerier, opsDone, statements int) error {
			return rn.history.Progress(ctx, q, p.Key, opsDone, statements)
		}
		done, stmts := p.OpsDone, p.StatementsDone
		if p.Started && done < len(ops) {
			var err error
			if done, stmts, err = rn.settleDoubt(ctx, conn, m, before, p, ops, true); err != nil {
				return err
			}
		}
		if stmts > 0 {
			undone, err := rn.undoPart(ctx, conn, m, before, p.Backwards, order[done])
			if err != nil {
				return err
			}
			if !undone {
				// Finish the operation, so it can be undone whole.
				if _, err := rn.runTracked(ctx, conn, ops[:done+1], done, stmts, false, record, &p.Key); err != nil {
					return err
				}
				done++
			} else if err := record(conn, done, 0); err != nil {
				return err
			}
		}
		return rn.undoWhole(ctx, conn, m, before, p, done)
	})
	if err != nil {
		var de *DoubtError
		if errors.As(err, &de) {
			return err
		}
		var xe *execError
		if errors.As(err, &xe) {
			return fmt.Errorf("migrations: rolling back %s failed at operation %d (%s): %w; the history still records what stays applied",
				p.Key, xe.op, xe.desc, xe.err)
		}
		return fmt.Errorf("migrations: rolling back %s: %w", p.Key, err)
	}
	return nil
}

// undoWhole undoes the first done operations of p (in its run order),
// newest first, recording each, then forgets p's attempt.
func (rn *runner) undoWhole(ctx context.Context, conn *sql.Conn, m *Migration, before *state.Project, p Partial, done int) error {
	n := len(m.Operations)
	sub := &Migration{App: m.App, Name: m.Name}
	undoBackwards := !p.Backwards
	from := before
	if undoBackwards {
		sub.Operations = m.Operations[:done]
	} else {
		// Operations n-done+1..n were unapplied: apply them again, from
		// the state the ones before them build.
		from = before.CloneShallow()
		if err := operations.Apply(m.App, m.Operations[:n-done], from); err != nil {
			return fmt.Errorf("replay %s: %w", p.Key, err)
		}
		sub.Operations = m.Operations[n-done:]
	}
	ops, err := RenderStatements(sub, rn.ed, from, undoBackwards)
	if err != nil {
		return err
	}
	if !undoBackwards {
		for i := range ops {
			ops[i].Number += n - done
		}
	}
	record := func(q schema.ExecQuerier, opsDone, statements int) error {
		if statements > 0 {
			return nil // only whole operations count as undone
		}
		return rn.history.Progress(ctx, q, p.Key, done-opsDone, 0)
	}
	if _, err := rn.runTracked(ctx, conn, ops, 0, 0, false, record, nil); err != nil {
		return err
	}
	return rn.history.Abandon(ctx, conn, p)
}

// containsKey reports whether ks holds k.
func containsKey(ks []Key, k Key) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
