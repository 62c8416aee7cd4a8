package fleet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/config"
	"github.com/pmanager/pmanager/pkg/schema"
)

// TestMigrateSQLite: a broken target fails alone, the others are
// migrated; after the fix a second run finishes it and changes nothing
// else.
func TestMigrateSQLite(t *testing.T) {
	t.Parallel()
	g := shop()
	ts := sqliteFleet(t, 6)
	broken := ts[3]
	db, _, err := broken.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE tag (x integer)`); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	done := map[string]int{}
	results := Migrate(context.Background(), ts, g, Options{Parallel: 3, Events: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == MigrationDone {
			done[e.Target.Name]++
		}
	}})
	for i, r := range results {
		if r.Target.Name != ts[i].Name {
			t.Fatalf("result %d is %s, want %s", i, r.Target.Name, ts[i].Name)
		}
		want := "migrated"
		if i == 3 {
			want = "failed"
		}
		if r.Status() != want {
			t.Errorf("%s: %s (%v), want %s", r.Target.Name, r.Status(), r.Err, want)
		}
	}
	if got := len(results[3].Applied); got != 1 || done["tenant_03"] != 1 {
		t.Errorf("broken target applied %d (%d events), want 0001 alone", got, done["tenant_03"])
	}
	err = Failed(results)
	var fe *Error
	if !errors.As(err, &fe) || len(fe.Results) != 1 || !strings.HasPrefix(err.Error(), "fleet: 1 target failed\ntenant_03: ") || !strings.Contains(err.Error(), "tag") {
		t.Fatalf("Failed = %v", err)
	}
	if _, err := db.Exec(`DROP TABLE tag`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	results = Migrate(context.Background(), ts, g, Options{Parallel: 3})
	if err := Failed(results); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	for i, r := range results {
		want := "up to date"
		if i == 3 {
			want = "migrated"
		}
		if r.Status() != want {
			t.Errorf("rerun %s: %s, want %s", r.Target.Name, r.Status(), want)
		}
		checkExact(t, r.Target, g)
	}
}

// TestStopOnError: once a target failed, no new one starts.
func TestStopOnError(t *testing.T) {
	t.Parallel()
	g := shop()
	ts := sqliteFleet(t, 4)
	ts = append([]Target{{Name: "bad", Redacted: "x://"}}, ts...) // fails at once: no connection
	results := Migrate(context.Background(), ts, g, Options{Parallel: 1, StopOnError: true})
	var got []string
	for _, r := range results {
		got = append(got, r.Status())
	}
	if want := "failed skipped skipped skipped skipped"; strings.Join(got, " ") != want {
		t.Errorf("statuses %v, want %s", got, want)
	}
	if err := Failed(results); err == nil || !strings.HasPrefix(err.Error(), "fleet: 1 target failed, 4 not started\nbad: ") {
		t.Errorf("Failed = %v", err)
	}
}

// TestStatusAndPlan reads a half-migrated fleet.
func TestStatusAndPlan(t *testing.T) {
	t.Parallel()
	g := shop()
	ts := sqliteFleet(t, 3)
	to1 := []migrations.Target{{App: "main", Name: "0001_initial"}}
	if err := Failed(Migrate(context.Background(), ts[:1], g, Options{Targets: to1})); err != nil {
		t.Fatal(err)
	}
	st := Statuses(context.Background(), ts, g, 2)
	if st[0].Applied != 1 || len(st[0].Pending) != 2 || st[1].Applied != 0 || len(st[1].Pending) != 3 || st[2].Err != nil {
		t.Errorf("statuses %+v", st)
	}
	plans := Plan(context.Background(), ts, g, nil, 2)
	if len(plans[0].Steps) != 2 || len(plans[1].Steps) != 3 || plans[0].Steps[0].Migration.Name != "0002_tag" {
		t.Errorf("plans %+v", plans)
	}
}

// TestStatusRefusesInconsistentHistory: a target whose history records a
// migration without the one it depends on is reported with that error, as
// showmigrations reports one such database, instead of with counts that
// hide it.
func TestStatusRefusesInconsistentHistory(t *testing.T) {
	t.Parallel()
	g := shop()
	ts := sqliteFleet(t, 2)
	if err := Failed(Migrate(context.Background(), ts, g, Options{})); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, ed, err := ts[1].open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrations.NewHistory(db, ed).Unrecord(ctx, db, migrations.Key{App: "main", Name: "0001_initial"}); err != nil {
		t.Fatal(err)
	}
	st := Statuses(ctx, ts, g, 2)
	if st[0].Err != nil || st[0].Applied != 3 {
		t.Errorf("the consistent target: %+v", st[0])
	}
	if st[1].Err == nil || !strings.Contains(st[1].Err.Error(), "0001_initial") {
		t.Errorf("the target missing main.0001_initial from its history: err %v, status %+v", st[1].Err, st[1])
	}
}

// TestNames: a name two targets share is replaced by their URLs.
func TestNames(t *testing.T) {
	t.Parallel()
	ts, err := FromURLs([]string{"postgres://u:s3cret@a/app", "postgres://u@b/app", "mysql://u@c/other"}, "")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{ts[0].Name, ts[1].Name, ts[2].Name}
	want := []string{"postgres://u:xxxxx@a/app", "postgres://u@b/app", "other"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("names %v, want %v", got, want)
	}
	if _, err := FromURLs([]string{"oracle://u:s3cret@h/x"}, ""); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad URL: %v", err)
	}
}

// serverFleet is the test body of the issue, on one server: n databases
// found by pattern, one pre-broken with a conflicting table, migrated
// parallel at a time; one fails with its error and the others are
// migrated, holding at most parallel connections; the rerun after the fix
// completes it.
func serverFleet(t *testing.T, d schema.Dialect, n, parallel int) {
	s := newServer(t, d)
	phase := time.Now()
	s.create(t, n)
	t.Logf("created %d databases in %s", n, time.Since(phase).Round(time.Millisecond))
	broken := fmt.Sprintf("%s%02d", s.prefix, n/2)
	s.exec(t, broken, "CREATE TABLE tag (x integer)")
	ctx := context.Background()
	ts, err := Resolve(ctx, config.Fleet{Name: "t", Server: s.url(""), Databases: s.prefix + "%"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != n || ts[0].Name != s.prefix+"00" {
		t.Fatalf("Resolve found %d targets, first %q", len(ts), ts[0].Name)
	}
	g := shop()
	peak := s.sampleConnections(t)
	start := time.Now()
	results := Migrate(ctx, ts, g, Options{Parallel: parallel})
	took := time.Since(start)
	held := peak()
	t.Logf("%d databases at --parallel %d: %s, at most %d connections held", n, parallel, took.Round(time.Millisecond), held)
	// MariaDB may still list, for a moment, the connection of a target
	// that just finished (its session ends after the client has closed
	// it) beside the one that replaced it: one more than parallel.
	limit := parallel
	if d == schema.MySQL {
		limit++
	}
	if held > limit {
		t.Errorf("%d connections held on the server, want at most %d", held, limit)
	}
	var failed []string
	migrated := 0
	for _, r := range results {
		switch r.Status() {
		case "failed":
			failed = append(failed, r.Target.Name)
		case "migrated":
			migrated++
		}
	}
	if migrated != n-1 || len(failed) != 1 || failed[0] != broken {
		t.Fatalf("%d migrated, failed %v; want %d migrated and %s failed", migrated, failed, n-1, broken)
	}
	if err := Failed(results); err == nil || !strings.Contains(err.Error(), "\n"+broken+": ") {
		t.Errorf("Failed = %v, want it to name %s", err, broken)
	}
	s.exec(t, broken, "DROP TABLE tag")
	phase = time.Now()
	results = Migrate(ctx, ts, g, Options{Parallel: parallel})
	t.Logf("rerun in %s", time.Since(phase).Round(time.Millisecond))

	if err := Failed(results); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	for _, r := range results {
		if want := map[bool]string{true: "migrated", false: "up to date"}[r.Target.Name == broken]; r.Status() != want {
			t.Errorf("rerun %s: %s, want %s", r.Target.Name, r.Status(), want)
		}
	}
	checkAll(t, ts, g)
}

// checkAll runs checkExact on every target, several at once.
func checkAll(t *testing.T, ts []Target, g *migrations.Graph) {
	t.Helper()
	each(len(ts), 8, func(i int) { checkExact(t, ts[i], g) })
}

func TestPostgresFleet(t *testing.T) {
	t.Parallel()
	serverFleet(t, schema.Postgres, 50, 8)
}

func TestMySQLFleet(t *testing.T) {
	t.Parallel()
	serverFleet(t, schema.MySQL, 50, 8)
}

// sampleConnections counts, every few milliseconds until the returned
// function is called, the connections open to the test's databases; that
// function returns the most seen at once.
func (s *server) sampleConnections(t *testing.T) func() int {
	t.Helper()
	query := `SELECT count(*) FROM pg_stat_activity WHERE datname LIKE $1`
	if s.dialect == schema.MySQL {
		query = `SELECT count(*) FROM information_schema.processlist WHERE db LIKE ?`
	}
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		most := 0
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var n int
			if err := s.admin.QueryRow(query, s.prefix+"%").Scan(&n); err == nil && n > most {
				most = n
			}
			select {
			case <-stop:
				done <- most
				return
			case <-tick.C:
			}
		}
	}()
	return func() int {
		close(stop)
		return <-done
	}
}
