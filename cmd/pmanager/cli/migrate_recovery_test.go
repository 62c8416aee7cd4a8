package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
)

// TestMigrateWaitsForTheLock holds the migration lock as another run
// would: migrate says once whom it waits for, then gives up with the lock
// error after --lock-timeout, having changed nothing.
func TestMigrateWaitsForTheLock(t *testing.T) {
	t.Parallel()
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Open(t, d)
			p := newProject(t, "default", db.URL)
			ctx := context.Background()
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			release, _, err := connect.EditorFor(d).(schema.Locker).TryLock(ctx, conn, schema.HistoryTable)
			if err != nil || release == nil {
				t.Fatalf("take the lock: %v", err)
			}
			defer release()
			m1, m2 := migrationSet(t)
			r := p.run(appsOf(Manufacturer{}, Car{}), registry(m1, m2), "", "migrate", "--lock-timeout", "100ms")
			target, err := connect.Parse(db.URL, "")
			if err != nil {
				t.Fatal(err)
			}
			want := regexp.MustCompile(`^pmanager: waiting for another migrate on ` + regexp.QuoteMeta(target.Redacted) +
				` \(held since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by [a-z ]+\d+\)\n` +
				`pmanager: another migrate run holds the migration lock of this database \(held since [^)]*\); gave up after waiting \d+ms; ` +
				`try again when it has finished, or wait longer with --lock-timeout\n$`)
			if r.code != 1 || !want.MatchString(r.stderr) {
				t.Errorf("migrate while locked: exit %d, stderr:\n%s\nwant it to match %s", r.code, r.stderr, want)
			}
			if tables, err := connect.EditorFor(d).Inspect(ctx, conn); err != nil || len(tables) != 0 {
				t.Errorf("tables after a refused migrate = %v, %v; want none", tables, err)
			}
		})
	}
}

// TestMigrateResumeSession: a NonAtomic migration fails half-way; migrate
// then refuses and says what ran, and --resume finishes it once the cause
// is gone.
func TestMigrateResumeSession(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.SQLite)
	p := newProject(t, "default", db.URL)
	m1, m2 := migrationSet(t)
	m2.NonAtomic = true
	m2.Operations = append(m2.Operations, operations.RunSQL{SQL: []string{"INSERT INTO needed (x) VALUES (1)"}, Reverse: []string{}})
	apps := func() ([]modelsApps, *migrations.Registry) { return appsOf(Manufacturer{}, Car{}), registry(m1, m2) }
	checks := []string{""}
	running := []string{"Running migrations:"}
	runSteps(t, p, apps, []step{
		{args: []string{"migrate"}, code: 1, stdout: append(append([]string(nil), running...), "  Applying main.0001_initial... OK", "  Applying main.0002_car... FAILED"),
			stderrHas: "applying main.0002_car failed at operation 2 (Raw SQL Operation): SQL logic error: no such table: needed (1); " +
				"main.0002_car runs outside a transaction (NonAtomic), so what ran before the failure stays in place"},
		{args: []string{"migrate"}, code: 1, stdout: checks,
			stderrHas: "operation 1 (Create Model Car) ran; operation 2 (Raw SQL Operation) failed: SQL logic error: no such table: needed (1)\n" +
				"pmanager: run `pmanager migrate --resume` to run the rest once the cause is fixed, or `pmanager migrate --rollback-partial` to undo what ran\n"},
		{args: []string{"showmigrations"}, stdout: []string{"main", " [X] 0001_initial",
			" [ ] 0002_car (applying stopped after 1 operation; run pmanager migrate --resume or --rollback-partial)"}},
		{args: []string{"showmigrations", "--plan"}, stdout: []string{"[X]  main.0001_initial",
			"[ ]  main.0002_car (applying stopped after 1 operation; run pmanager migrate --resume or --rollback-partial)"}},
	})
	if _, err := db.Exec("CREATE TABLE needed (x integer)"); err != nil {
		t.Fatal(err)
	}
	runSteps(t, p, apps, []step{
		{args: []string{"migrate", "--resume"}, stdout: append(append([]string(nil), running...), "  Resuming main.0002_car... OK")},
		{args: []string{"showmigrations"}, stdout: []string{"main", " [X] 0001_initial", " [X] 0002_car"}},
		{args: []string{"migrate", "--resume"}, stdout: append(append([]string(nil), running...), "  No migrations to apply.")},
	})
	var n int
	if err := db.QueryRow("SELECT count(*) FROM needed").Scan(&n); err != nil || n != 1 {
		t.Errorf("the resumed insert ran %d times (%v); want once", n, err)
	}
	if !strings.Contains(m2.Operations[0].Describe(), "Car") {
		t.Fatalf("0002's first operation is %q; the expected messages assume Create Model Car", m2.Operations[0].Describe())
	}
}
