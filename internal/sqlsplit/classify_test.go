package sqlsplit

import (
	"testing"

	"github.com/pmanager/pmanager/pkg/schema"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	const pg, my, lite = schema.Postgres, schema.MySQL, schema.SQLite
	maria := Server{Version: 101106, MariaDB: true}
	old := Server{Version: 50700}
	tests := []struct {
		d    schema.Dialect
		srv  Server
		text string
		want Kind
	}{
		// MySQL and MariaDB: the implicit-commit lists.
		{my, maria, "INSERT INTO t VALUES (1)", Transactional},
		{my, maria, "DELETE FROM t", Transactional},
		{my, maria, "CREATE TABLE t (id int)", CommitsImplicitly},
		{my, maria, "create temporary table t (id int)", Transactional},
		{my, maria, "CREATE OR REPLACE TEMPORARY TABLE t (id int)", Transactional},
		{my, maria, "DROP TEMPORARY TABLE IF EXISTS t", Transactional},
		{my, maria, "DROP TABLE IF EXISTS `t`", CommitsImplicitly},
		{my, maria, "ALTER TABLE t ADD c int", CommitsImplicitly},
		{my, maria, "RENAME TABLE a TO b", CommitsImplicitly},
		{my, maria, "TRUNCATE t", CommitsImplicitly},
		{my, maria, "CREATE INDEX i ON t (a)", CommitsImplicitly},
		{my, maria, "ANALYZE TABLE t", CommitsImplicitly},
		{my, maria, "analyze no_write_to_binlog table t", CommitsImplicitly},
		{my, maria, "CHECK TABLE t", CommitsImplicitly},
		{my, maria, "OPTIMIZE TABLE t", CommitsImplicitly},
		{my, maria, "REPAIR TABLE t", CommitsImplicitly},
		{my, maria, "LOCK TABLES `t` WRITE", CommitsImplicitly},
		{my, maria, "UNLOCK TABLES", CommitsImplicitly},
		{my, maria, "SET autocommit=1", CommitsImplicitly},
		{my, maria, "SET @@session.autocommit = ON", CommitsImplicitly},
		{my, maria, "SET SESSION autocommit = DEFAULT", CommitsImplicitly},
		{my, maria, "SET autocommit = @OLD_AUTOCOMMIT", CommitsImplicitly},
		{my, maria, "SET autocommit=0", Transactional},
		{my, maria, "SET @autocommit = 1", Transactional},
		{my, maria, "SET @OLD_AUTOCOMMIT=@@AUTOCOMMIT, AUTOCOMMIT=0", Transactional},
		{my, maria, "SET NAMES utf8mb4", Transactional},
		{my, maria, "GRANT SELECT ON db.* TO 'u'@'%'", CommitsImplicitly},
		{my, maria, "REVOKE ALL ON db.* FROM u", CommitsImplicitly},
		{my, maria, "CREATE USER u IDENTIFIED BY 'x'", CommitsImplicitly},
		{my, maria, "SET PASSWORD FOR u = PASSWORD('x')", CommitsImplicitly},
		{my, maria, "FLUSH PRIVILEGES", CommitsImplicitly},
		{my, maria, "CACHE INDEX t IN hot", CommitsImplicitly},
		{my, maria, "LOAD INDEX INTO CACHE t", CommitsImplicitly},
		{my, maria, "LOAD DATA INFILE '/x' INTO TABLE t", CommitsImplicitly},
		{my, maria, "START SLAVE", CommitsImplicitly},
		{my, maria, "START TRANSACTION", TransactionControl},
		{my, maria, "BEGIN", TransactionControl},
		{my, maria, "BEGIN WORK", TransactionControl},
		{my, maria, "BEGIN NOT ATOMIC SELECT 1; END", Transactional},
		{my, maria, "COMMIT", TransactionControl},
		{my, maria, "ROLLBACK", TransactionControl},
		{my, maria, "ROLLBACK TO SAVEPOINT a", Transactional},
		{my, maria, "XA START 'x'", TransactionControl},
		{my, maria, "SELECT 'CREATE TABLE x' AS `DROP`", Transactional},
		// Executable comments: code when the server is new enough.
		{my, maria, "/*!40000 ALTER TABLE `t` DISABLE KEYS */", CommitsImplicitly},
		{my, old, "/*!40000 ALTER TABLE `t` DISABLE KEYS */", CommitsImplicitly},
		{my, old, "/*!80000 ALTER TABLE `t` DISABLE KEYS */", Transactional},
		{my, Server{}, "/*!80000 ALTER TABLE `t` DISABLE KEYS */", CommitsImplicitly},
		{my, maria, "/*M!100100 LOCK TABLES t WRITE */", CommitsImplicitly},
		{my, Server{Version: 80036}, "/*M!100100 LOCK TABLES t WRITE */", Transactional},
		{my, maria, "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */", Transactional},
		{my, maria, "/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */", Transactional},
		{my, maria, "/*!SET autocommit=1 */", CommitsImplicitly},
		{my, maria, "/* ALTER TABLE t */ INSERT INTO t VALUES (1)", Transactional},
		{my, maria, "-- x\nINSERT INTO t VALUES (1)", Transactional},
		// PostgreSQL: not in a transaction block.
		{pg, Server{}, "CREATE INDEX CONCURRENTLY i ON t (a)", NoTransaction},
		{pg, Server{}, "create unique index concurrently if not exists i on t (a)", NoTransaction},
		{pg, Server{}, "DROP INDEX CONCURRENTLY i", NoTransaction},
		{pg, Server{}, "CREATE INDEX i ON t (a)", Transactional},
		{pg, Server{}, "REINDEX TABLE CONCURRENTLY t", NoTransaction},
		{pg, Server{}, "REINDEX TABLE t", Transactional},
		{pg, Server{}, "VACUUM ANALYZE t", NoTransaction},
		{pg, Server{}, "ANALYZE t", Transactional},
		{pg, Server{}, "CREATE DATABASE x", NoTransaction},
		{pg, Server{}, "DROP DATABASE x", NoTransaction},
		{pg, Server{}, "CREATE TABLESPACE x LOCATION '/x'", NoTransaction},
		{pg, Server{}, "ALTER SYSTEM SET work_mem = '1MB'", NoTransaction},
		{pg, Server{}, "CLUSTER", NoTransaction},
		{pg, Server{}, "CLUSTER t USING i", Transactional},
		{pg, Server{}, "DISCARD ALL", NoTransaction},
		{pg, Server{}, "COMMIT", TransactionControl},
		{pg, Server{}, "END", TransactionControl},
		{pg, Server{}, "BEGIN ISOLATION LEVEL SERIALIZABLE", TransactionControl},
		{pg, Server{}, "COMMIT PREPARED 'x'", TransactionControl},
		{pg, Server{}, "ROLLBACK PREPARED 'x'", TransactionControl},
		{pg, Server{}, "PREPARE TRANSACTION 'x'", TransactionControl},
		{pg, Server{}, "ALTER TABLE t ADD c int", Transactional},
		{pg, Server{}, "SELECT pg_catalog.set_config('search_path', '', false)", Transactional},
		{pg, Server{}, "DO $$ BEGIN COMMIT; END $$", Transactional},
		{pg, Server{}, "/* VACUUM */ SELECT 1", Transactional},
		// SQLite.
		{lite, Server{}, "VACUUM", NoTransaction},
		{lite, Server{}, "ATTACH DATABASE 'x.db' AS x", NoTransaction},
		{lite, Server{}, "PRAGMA foreign_keys = OFF", NoTransaction},
		{lite, Server{}, "PRAGMA user_version = 3", Transactional},
		{lite, Server{}, "BEGIN IMMEDIATE", TransactionControl},
		{lite, Server{}, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END", Transactional},
	}
	for _, tt := range tests {
		got := Classify(tt.text, tt.d, tt.srv)
		if got.Kind != tt.want {
			t.Errorf("Classify(%q, %s, %+v) = %d (%s), want %d", tt.text, tt.d, tt.srv, got.Kind, got.Why, tt.want)
		}
		if got.Kind != Transactional && got.Why == "" {
			t.Errorf("Classify(%q) gives no reason", tt.text)
		}
	}
}

func TestSplitCopy(t *testing.T) {
	t.Parallel()
	src := "SET x = 1;\nCOPY public.t (id, name) FROM stdin;\n1\ta;b\n2\t'c\n\\.\n\nSELECT pg_catalog.setval('s', 2, true);\ncopy \"u\" from STDIN with (format csv);\n\\.\r\nSELECT 1"
	got, err := Split(src, schema.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("got %d statements: %+v", len(got), got)
	}
	c := got[1]
	if !c.CopyData || c.Data != "1\ta;b\n2\t'c\n" || c.DataLine != 3 || c.Text != "COPY public.t (id, name) FROM stdin" {
		t.Errorf("COPY = %+v", c)
	}
	if got[2].Line != 7 || got[2].Text != "SELECT pg_catalog.setval('s', 2, true)" {
		t.Errorf("after COPY: %+v", got[2])
	}
	if e := got[3]; !e.CopyData || e.Data != "" || e.DataLine != 9 {
		t.Errorf("empty COPY = %+v", e)
	}
	if got[4].Line != 10 {
		t.Errorf("last statement = %+v", got[4])
	}
	// psql meta-commands are lines of their own.
	meta, err := Split("\\restrict abc\nSET x = 1;\n\\unrestrict abc", schema.Postgres)
	if err != nil || len(meta) != 3 || !meta[0].Meta || meta[0].Text != "\\restrict abc" || meta[1].Meta || meta[1].Line != 2 || !meta[2].Meta {
		t.Errorf("meta-commands: %+v, %v", meta, err)
	}
	// MySQL has no COPY data.
	if my, err := Split("COPY t FROM stdin;\nSELECT 1;", schema.MySQL); err != nil || len(my) != 2 || my[0].CopyData {
		t.Errorf("MySQL COPY: %+v, %v", my, err)
	}
	for name, bad := range map[string]string{
		"no end":       "COPY t FROM stdin;\n1\n2\n",
		"data on line": "COPY t FROM stdin; 1\n\\.\n",
		"script ends":  "COPY t FROM stdin",
	} {
		if _, err := Split(bad, schema.Postgres); err == nil {
			t.Errorf("%s: Split accepted %q", name, bad)
		}
	}
}
