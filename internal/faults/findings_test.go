package faults

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// killDuring starts migrate on b and kills it (SIGKILL) while the server
// runs a statement of it starting with prefix, then waits until the server
// has finished that statement and ended the session.
func killDuring(t *testing.T, b *bulk, prefix string) {
	t.Helper()
	cmd := b.command("migrate")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	q := "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE $1"
	if b.ed.Dialect() == schema.MySQL {
		q = "SELECT count(*) FROM information_schema.processlist WHERE db = DATABASE() AND info LIKE ?"
	}
	deadline := time.Now().Add(time.Minute)
	for {
		var n int
		if err := b.db.QueryRow(q, prefix+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("migrate ended (%v) before the server ran %q", err, prefix)
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not run %q within a minute", prefix)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	b.settle()
}

// recoverBy runs plain migrate, which must complete or ask for a word,
// then, when it asked, the recovery named: "--resume", or
// "--rollback-partial" followed by plain migrate.
func recoverBy(t *testing.T, b *bulk, way string) {
	t.Helper()
	o := b.run("migrate")
	if o.code == 0 {
		return
	}
	if !strings.Contains(o.stderr, way) {
		t.Fatalf("migrate after the kill: exit %d without suggesting %s\n%s%s", o.code, way, o.stdout, o.stderr)
	}
	if o = b.run("migrate", way); o.code != 0 {
		t.Fatalf("migrate %s after the kill: exit %d\n%s%s", way, o.code, o.stdout, o.stderr)
	}
	if way == "--rollback-partial" {
		if o = b.run("migrate"); o.code != 0 {
			t.Fatalf("migrate after rolling back: exit %d\n%s%s", o.code, o.stdout, o.stderr)
		}
	}
}

// TestKilledNonAtomicInsertRunsOnce: a NonAtomic PostgreSQL migration's
// RunSQL insert, killed while it runs, is never applied twice: it commits
// with its progress record, so the server rolls it back when the client
// dies and the next run applies it once.
func TestKilledNonAtomicInsertRunsOnce(t *testing.T) {
	b := newBulk(t, schema.Postgres, "insert", false)
	b.prepare()
	killDuring(t, b, "INSERT INTO big")
	recoverBy(t, b, "--resume")
	b.checkDone("after the kill during the insert")
}

// TestIndexFinishedAfterKill: MySQL, a foreign key added in three
// statements; killed during its CREATE INDEX, which the server completes
// after the client died. Both --resume and --rollback-partial look the
// index up and go on from the right point.
func TestIndexFinishedAfterKill(t *testing.T) {
	for _, way := range []string{"--resume", "--rollback-partial"} {
		t.Run(way, func(t *testing.T) {
			b := newBulk(t, schema.MySQL, "alter", false)
			b.prepare()
			killDuring(t, b, "CREATE INDEX `child_parent_id")
			recoverBy(t, b, way)
			b.checkDone("after recovering with " + way)
		})
	}
}

// TestUnrelatedTablesDoNotMatter: the same, killed during the foreign
// key's last statement, with tables in the database that no migration
// knows: the in-doubt check looks at the constraint only.
func TestUnrelatedTablesDoNotMatter(t *testing.T) {
	for _, way := range []string{"--resume", "--rollback-partial"} {
		t.Run(way, func(t *testing.T) {
			b := newBulk(t, schema.MySQL, "alter", true)
			b.prepare()
			killDuring(t, b, "ALTER TABLE `child` ADD CONSTRAINT")
			recoverBy(t, b, way)
			b.checkDone("after recovering with " + way)
		})
	}
}
