package cli

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/checks"
	"github.com/pmanager/pmanager/pkg/schema"
)

// TestPhrase: the library's typed errors come out in the command line's
// words, flags and commands with the run's context, as the messages read
// before the library stopped naming flags.
func TestPhrase(t *testing.T) {
	t.Parallel()
	k := migrations.Key{App: "main", Name: "0002_x"}
	step := migrations.Step{Migration: &migrations.Migration{App: "main", Name: "0002_x"}}
	partial := &migrations.MigrateError{Failed: step, Operation: 2, Description: "Add Field f To M", Partial: true, NonAtomic: true, Err: errors.New("boom")}
	lockWait := &migrations.MigrateError{Failed: step, Operation: 1, Description: "Alter Field f On M", NonAtomic: true,
		Err: &migrations.LockTimeoutError{Timeout: 3 * time.Second, Note: "n", Err: errors.New("timeout")}}
	tests := []struct {
		name    string
		err     error
		migrate string
		want    string
	}{
		{"left part-way, on a named connection", partial, "pmanager migrate --database reporting",
			"migrations: applying main.0002_x failed at operation 2 (Add Field f To M): boom; this database cannot roll back DDL, so what ran before the failure stays in place, " +
				"and the history records how far main.0002_x got: run `pmanager migrate --database reporting --resume` to run the rest once the cause is fixed, " +
				"or `pmanager migrate --database reporting --rollback-partial` to undo what ran"},
		{"wrapped", fmt.Errorf("cli: on reporting: %w", &migrations.PartialError{Reports: []string{"main.0002_x was left part-way"}}), "pmanager migrate main",
			"cli: on reporting: migrations: main.0002_x was left part-way\nrun `pmanager migrate main --resume` to run the rest once the cause is fixed, or `pmanager migrate main --rollback-partial` to undo what ran"},
		{"a lock wait inside a failure", lockWait, "pmanager migrate",
			"migrations: applying main.0002_x failed at operation 1 (Alter Field f On M): gave up waiting for a lock after 3s (timeout); n; " +
				"end that session or run migrate again once it is done, or wait longer with --lock-timeout or retry with --lock-retries; no statement of main.0002_x ran in this attempt, and it is not recorded"},
		{"conflict", &migrations.ConflictError{Leaves: map[string][]migrations.Key{"main": {{App: "main", Name: "0002_a"}, {App: "main", Name: "0002_b"}}}}, "pmanager migrate",
			"migrations: Conflicting migrations detected; multiple leaf nodes in the migration graph: (0002_a, 0002_b in main). To fix them run 'pmanager makemigrations --merge'"},
		{"edited", &migrations.EditedError{Migrations: []migrations.Key{{App: "main", Name: "0001_initial"}, k}}, "pmanager migrate",
			"migrations: main.0001_initial, main.0002_x was edited after it was applied, and the migrations to run depend on it; the database has what it said then: " +
				"undo the edit and write a new migration for the change, or, if the database already matches the edited file, accept it with --accept-edited main.0001_initial --accept-edited main.0002_x"},
		{"in doubt, rolling back", &migrations.DoubtError{Migration: k, Operation: 3, Description: "Raw SQL", Statement: "UPDATE t", Index: 1, Count: 1, Why: "w", Rollback: true}, "pmanager migrate --database r",
			"migrations: cannot tell whether statement 1 of 1 of operation 3 (Raw SQL) of main.0002_x took effect: w; the statement: UPDATE t. Nothing was changed. Look at the database, " +
				"then run `pmanager migrate --database r --rollback-partial --assume-done 3` if it took effect, or `pmanager migrate --database r --rollback-partial --assume-not-done 3` if it did not"},
		{"locked", &migrations.LockError{Holder: schema.LockHolder{Who: "process 7"}, Waited: time.Second}, "pmanager migrate",
			"migrations: another migrate run holds the migration lock of this database (held by process 7); gave up after waiting 1s; try again when it has finished, or wait longer with --lock-timeout"},
		{"history table", &migrations.HistoryTableError{Table: "pmanager_migrations", Missing: []string{"checksum"}}, "pmanager migrate --database r",
			"migrations: table pmanager_migrations is not pmanager's history (it lacks the columns checksum): rename it or drop it, then record the migrations already in the database with `pmanager migrate --database r --fake`"},
		{"options", errors.New("migrations: Options.Resume and Options.RollbackPartial are two different ways on; choose one"), "pmanager migrate",
			"migrations: --resume and --rollback-partial are two different ways on; choose one"},
		{"noinput", &autodetect.FillError{Model: "Book", Field: "pages"}, "pmanager migrate",
			"cannot add the NOT NULL field pages to Book without a default: add default=... (or null) to its tag, or run makemigrations without --noinput to give a one-off value"},
		{"quit", &autodetect.FillError{Model: "Book", Field: "pages", Alteration: true, Cause: autodetect.FillQuit}, "pmanager migrate",
			"cannot make the field pages of Book NOT NULL without a default: existing rows may hold NULL; add default=... to its tag, then run makemigrations again"},
	}
	for _, tt := range tests {
		got := phrase(tt.err, tt.migrate)
		if got.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
		if !errors.Is(got, tt.err) {
			t.Errorf("%s: the phrased error does not wrap the library's", tt.name)
		}
		if again := phrase(got, "pmanager migrate"); again.Error() != tt.want {
			t.Errorf("%s: phrased twice:\n got %s\nwant %s", tt.name, again, tt.want)
		}
	}
	if phrase(nil, "pmanager migrate") != nil {
		t.Error("phrase(nil) is not nil")
	}
}

// TestPhraseIssues: a check's hint that names an Options field comes out
// naming the flag and command instead; other hints are left as they are.
func TestPhraseIssues(t *testing.T) {
	t.Parallel()
	report := &checks.Report{Issues: []checks.Issue{
		{ID: "pm.W009", Object: "connection prod", Hint: "set the variables its url uses, or check with Options.Targets naming only connections whose URL is known"},
		{ID: "pm.W010", Object: "[checks] silence", Hint: "remove it"},
	}}
	phraseIssues(report)
	want := []string{
		"set the variables its url uses, or run pmanager check --database with a connection whose URL is known",
		"remove it",
	}
	for i, w := range want {
		if got := report.Issues[i].Hint; got != w {
			t.Errorf("%s hint = %q, want %q", report.Issues[i].ID, got, w)
		}
	}
}
