package migrations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// historyColumns is the layout pmanager writes, in order.
var historyColumns = []string{"id", "app", "name", "applied_at", "checksum", "state", "ops_done", "statements_done", "error", "statement_started"}

func TestParseRowRefusesWhatNoRunWrites(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	row := func(state any, ops, stmts any) []any {
		return []any{int64(1), "main", "0002_x", at, "sum", state, ops, stmts, "", int64(1)}
	}
	good, err := parseRow(historyColumns, row("applying", int64(2), []byte("1")))
	if err != nil || good.opsDone != 2 || good.statementsDone != 1 || !good.started || good.state != stateApplying {
		t.Fatalf("parseRow of a row pmanager writes = %+v, %v", good, err)
	}
	for _, c := range []struct {
		name string
		vals []any
		want []string
	}{
		{"ops_done -1", row("applying", int64(-1), int64(0)), []string{"row main.0002_x of history table pmanager_migrations", "ops_done = -1", "put back the counts"}},
		{"statements_done -5", row("applying", int64(0), int64(-5)), []string{"statements_done = -5"}},
		{"garbage count", row("unapplying", "lots", int64(0)), []string{`ops_done = "lots"`}},
		{"huge count", row("applying", int64(1)<<40, int64(0)), []string{"ops_done = 1099511627776"}},
		{"unknown state", row("bogus", int64(0), int64(0)), []string{`has state "bogus"`, "set it to 'applied'"}},
		{"NULL state", row(nil, int64(0), int64(0)), []string{"has state NULL"}},
		{"NULL applied_at", []any{int64(1), "main", "0002_x", nil, "sum", "applied", int64(0), int64(0), "", int64(0)}, []string{"applied_at NULL", "set it to the time"}},
		{"empty name", []any{int64(1), "main", "", at, "sum", "applied", int64(0), int64(0), "", int64(0)}, []string{"names no migration"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseRow(historyColumns, c.vals)
			if err == nil {
				t.Fatal("parseRow accepted it")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	// An applied row's progress columns do not matter: no run reads them.
	r, err := parseRow(historyColumns, row("applied", int64(-1), int64(-5)))
	if err != nil || r.opsDone != 0 || r.statementsDone != 0 {
		t.Errorf("applied row with stray counts = %+v, %v; want it read as applied", r, err)
	}
}

func TestCheckLayoutNamesDjango(t *testing.T) {
	err := checkLayout([]string{"id", "app", "name", "applied"})
	if err == nil || !strings.Contains(err.Error(), "Django's django_migrations") || !strings.Contains(err.Error(), "Options.Fake") {
		t.Errorf("checkLayout(Django's columns) = %v; want it named, with the way on", err)
	}
	if err := checkLayout([]string{"x"}); err == nil || !strings.Contains(err.Error(), "is not pmanager's history") {
		t.Errorf("checkLayout(foreign) = %v", err)
	}
	if err := checkLayout(historyColumns); err != nil {
		t.Errorf("checkLayout(pmanager's) = %v", err)
	}
}

// FuzzParseRow feeds the history-row reader any values of the types drivers
// scan: it must return a row or an error, never panic, and never accept a
// partial row with a negative count or an unknown state.
func FuzzParseRow(f *testing.F) {
	f.Add("main", "0001", "applying", "2", "-1", "2026-12-01 10:00:00", int64(1), true)
	f.Add("", "", "", "", "", "", int64(-7), false)
	f.Add("a", "b", "unapplying", "99999999999999999999", "0", "garbage", int64(0), true)
	f.Fuzz(func(t *testing.T, app, name, state, ops, stmts, at string, started int64, asBytes bool) {
		val := func(s string) any {
			if asBytes {
				return []byte(s)
			}
			return s
		}
		vals := []any{int64(1), val(app), val(name), val(at), "sum", val(state), val(ops), val(stmts), "", started}
		r, err := parseRow(historyColumns, vals)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if r.state != stateApplied && r.state != stateApplying && r.state != stateUnapplying {
			t.Errorf("accepted state %q", r.state)
		}
		if r.opsDone < 0 || r.statementsDone < 0 {
			t.Errorf("accepted counts %d, %d", r.opsDone, r.statementsDone)
		}
		// Fewer columns than values, and the reverse, read without panic.
		_, _ = parseRow(historyColumns[:3], vals)
		_, _ = parseRow(historyColumns, vals[:2])
	})
}

// TestHandEditedHistory edits the row of a part-way migration by hand the
// ways a user might: every command that reads it answers with one line
// naming the row and the fix, on every dialect, and changes nothing.
func TestHandEditedHistory(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ms := itemMigrations(ed.AtomicDDL())
		e := failHalfWay(t, db, ed, ms)
		ctx := context.Background()
		q := ed.Quote
		set := func(assign string) {
			t.Helper()
			stmt := fmt.Sprintf("UPDATE %s SET %s WHERE %s = 'main' AND %s = '0002_unique'", q(schema.HistoryTable), assign, q("app"), q("name"))
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		for _, c := range []struct {
			assign string
			want   string
			// recoveryOnly: plain migrate refuses the partial row as such;
			// the counts are checked against the statements to run.
			recoveryOnly bool
		}{
			{q("ops_done") + " = -1", "ops_done = -1", false},
			{q("statements_done") + " = -5", "statements_done = -5", false},
			{q("state") + " = 'bogus'", `has state "bogus"`, false},
			{q("ops_done") + " = 7", "ops_done = 7 and statements_done = 0, but main.0002_unique has 3 operations", false},
			{q("statements_done") + " = 9", "statements_done = 9, but main.0002_unique has 3 operations and operation 2 has", true},
		} {
			set(c.assign)
			for _, opts := range []Options{{}, {Resume: true}, {RollbackPartial: true}} {
				if c.recoveryOnly && !opts.Resume && !opts.RollbackPartial {
					continue
				}
				_, err := e.MigrateTo(ctx, nil, opts)
				if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "main.0002_unique") {
					t.Errorf("%s, %+v: %v; want one line saying %q", c.assign, opts, err, c.want)
				} else if strings.Contains(err.Error(), "\n") && !errors.Is(err, ErrPartial) {
					t.Errorf("%s, %+v: error spans lines: %q", c.assign, opts, err)
				}
			}
			set(q("ops_done") + " = 1, " + q("statements_done") + " = 0, " + q("state") + " = 'applying'")
		}
		checkSchema(t, db, ed, stateWith(t, ms, 1), "after the refusals")
	})
}

// TestDjangoHistoryTable puts a table of Django's layout under the
// history's name: migrate and showmigrations' reader name it and change
// nothing.
func TestDjangoHistoryTable(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		stmt := fmt.Sprintf("CREATE TABLE %s (id integer PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamp NULL)", ed.Quote(schema.HistoryTable))
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO " + ed.Quote(schema.HistoryTable) + " (id, app, name) VALUES (1, 'main', '0001_initial')"); err != nil {
			t.Fatal(err)
		}
		e, _ := newExecutor(t, db, ed, itemMigrations(false))
		for _, run := range []func() error{
			func() error { _, err := e.MigrateTo(ctx, nil, Options{}); return err },
			func() error { _, err := e.History().Applied(ctx); return err },
		} {
			if err := run(); err == nil || !strings.Contains(err.Error(), "layout of Django's django_migrations") {
				t.Errorf("over a Django-layout table: %v", err)
			}
		}
		if names := tableNames(t, db, ed); len(names) != 1 {
			t.Errorf("tables after the refusal: %v; want the Django table alone", names)
		}
		cols, err := NewHistory(db, ed).columns(ctx)
		if err != nil || cols["state"] {
			t.Errorf("the refusal altered the table: columns %v, %v", cols, err)
		}
	})
}

// TestLostConnection ends the migration's own session from another one
// while its RunGo step runs: the error says, in pmanager's words, that the
// connection was lost while applying the migration, with the driver's
// message, and the next migrate completes the migration once.
func TestLostConnection(t *testing.T) {
	for _, d := range []schema.Dialect{schema.Postgres, schema.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			ed := connect.EditorFor(d)
			ms := itemMigrations(false)[:1]
			killed := false
			ms = append(ms, &Migration{App: "main", Name: "0002_lost", Dependencies: []Key{key("main.0001_initial")}, Operations: []operations.Operation{
				operations.RunGo{Forward: func(ctx context.Context, q schema.ExecQuerier) error {
					if _, err := q.ExecContext(ctx, "INSERT INTO item (name) VALUES ('once')"); err != nil {
						return err
					}
					if killed {
						return nil
					}
					killed = true
					self, kill := "SELECT pg_backend_pid()", "SELECT pg_terminate_backend(%d)"
					if d == schema.MySQL {
						self, kill = "SELECT CONNECTION_ID()", "KILL CONNECTION %d"
					}
					rows, err := q.QueryContext(ctx, self)
					if err != nil {
						return err
					}
					var id int64
					for rows.Next() {
						if err := rows.Scan(&id); err != nil {
							return err
						}
					}
					rows.Close()
					if _, err := db.ExecContext(ctx, fmt.Sprintf(kill, id)); err != nil {
						return err
					}
					_, err = q.ExecContext(ctx, "SELECT 1")
					return err
				}, Reverse: operations.Noop},
			}})
			e, _ := newExecutor(t, db, ed, ms)
			ctx := context.Background()
			_, err := e.MigrateTo(ctx, nil, Options{})
			want := "migrations: lost the connection to the database while applying main.0002_lost at operation 1 (Raw Go Operation) ("
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("migrate whose session was killed = %v; want it to start %q", err, want)
			}
			if _, err := e.MigrateTo(ctx, nil, Options{}); err != nil {
				t.Fatalf("migrate after the lost connection: %v", err)
			}
			var n int
			if err := db.QueryRow("SELECT count(*) FROM item").Scan(&n); err != nil || n != 1 {
				t.Errorf("item holds %d rows (%v); want the one insert, once", n, err)
			}
		})
	}
}

// TestAssumeWord leaves a RunGo step in doubt (its start noted, its end
// not): recovery cannot look a Go function up, so it stops with the two
// commands to run, keeping the command the user gave; a word for another
// operation is refused; --assume-not-done runs the step again, once.
func TestAssumeWord(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *dbtest.DB, ed schema.Editor) {
		ctx := context.Background()
		ms := itemMigrations(false)[:1]
		ms = append(ms, &Migration{App: "main", Name: "0002_go", Dependencies: []Key{key("main.0001_initial")}, Operations: []operations.Operation{
			operations.RunGo{Forward: func(ctx context.Context, q schema.ExecQuerier) error {
				_, err := q.ExecContext(ctx, "INSERT INTO item (name) VALUES ('go')")
				return err
			}, Reverse: operations.Noop},
		}})
		e, _ := newExecutor(t, db, ed, ms)
		if _, err := e.MigrateTo(ctx, []Target{{App: "main", Name: "0001_initial"}}, Options{}); err != nil {
			t.Fatal(err)
		}
		h := e.History()
		if err := h.Begin(ctx, db, ms[1].Key(), Checksum(ms[1]), false); err != nil {
			t.Fatal(err)
		}
		if err := h.Start(ctx, db, ms[1].Key()); err != nil {
			t.Fatal(err)
		}
		_, err := e.MigrateTo(ctx, nil, Options{Resume: true})
		var de *DoubtError
		if !errors.As(err, &de) || de.Rollback || de.Operation != 1 {
			t.Fatalf("resume over a Go step in doubt = %v; want a *DoubtError of operation 1 while resuming", err)
		}
		for _, w := range []string{"cannot tell whether statement 1 of 1 of operation 1 (Raw Go Operation) of main.0002_go took effect",
			"Nothing was changed", "run again with Options.Resume and Options.AssumeDone 1 if it took effect, or Options.AssumeNotDone 1 if it did not"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("doubt %q does not say %q", err, w)
			}
		}
		if _, err := e.MigrateTo(ctx, nil, Options{Resume: true, AssumeDone: 2}); err == nil || !strings.Contains(err.Error(), "operation 1 of main.0002_go, not in operation 2") {
			t.Errorf("--assume-done 2 = %v; want it refused, naming operation 1", err)
		}
		if _, err := e.MigrateTo(ctx, nil, Options{AssumeDone: 1}); err == nil || !strings.Contains(err.Error(), "add one of them") {
			t.Errorf("--assume-done without --resume = %v; want it refused", err)
		}
		if _, err := e.MigrateTo(ctx, nil, Options{Resume: true, AssumeNotDone: 1}); err != nil {
			t.Fatalf("--resume --assume-not-done 1: %v", err)
		}
		var n int
		if err := db.QueryRow("SELECT count(*) FROM item").Scan(&n); err != nil || n != 1 {
			t.Errorf("item holds %d rows (%v); want the Go step's one", n, err)
		}
		if _, err := e.MigrateTo(ctx, nil, Options{Resume: true, AssumeDone: 1}); err == nil || !strings.Contains(err.Error(), "no statement is in doubt") {
			t.Errorf("a word when nothing is in doubt any more = %v; want it refused", err)
		}
	})
}
