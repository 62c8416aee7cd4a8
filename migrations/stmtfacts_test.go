package migrations

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/schema"
)

func TestMustRunAlone(t *testing.T) {
	for stmt, want := range map[string]bool{
		`CREATE INDEX CONCURRENTLY item_name_cidx ON item (name)`: true,
		`create unique index concurrently "x" on "t" ("a")`:       true,
		`DROP INDEX CONCURRENTLY IF EXISTS x`:                     true,
		`REINDEX INDEX CONCURRENTLY x`:                            true,
		`VACUUM ANALYZE item`:                                     true,
		`CREATE DATABASE other`:                                   true,
		`-- a comment first
		 CREATE INDEX CONCURRENTLY i ON t (a)`: true,
		`INSERT INTO item (name) SELECT 'x' FROM generate_series(1, 10)`: false,
		`CREATE INDEX item_name ON item (name)`:                          false,
		`ALTER TABLE item ADD COLUMN extra integer`:                      false,
		`ALTER TYPE mood ADD VALUE 'meh'`:                                false,
		`UPDATE item SET name = 'CREATE INDEX CONCURRENTLY'`:             false,
		`CLUSTER item USING item_pkey`:                                   false,
	} {
		if got := mustRunAlone(schema.Postgres, stmt); got != want {
			t.Errorf("mustRunAlone(%q) = %v, want %v", stmt, got, want)
		}
	}
}

func TestCommitsOnItsOwn(t *testing.T) {
	for stmt, want := range map[string]bool{
		"CREATE INDEX `i` ON `t` (`a`)":             true,
		"ALTER TABLE `t` ADD COLUMN `c` integer":    true,
		"RENAME TABLE `a` TO `b`":                   true,
		"ANALYZE TABLE `t`":                         true,
		"LOCK TABLES `t` WRITE":                     true,
		"SET autocommit = 1":                        true,
		"INSERT INTO `t` (`a`) VALUES (1)":          false,
		"UPDATE `t` SET `a` = 2":                    false,
		"DELETE FROM `t`":                           false,
		"SET @x = 1":                                false,
		"/*!40000 ALTER TABLE `t` DISABLE KEYS */":  true,
		"-- note\nINSERT INTO `t` (`a`) VALUES (1)": false,
	} {
		if got := commitsOnItsOwn(stmt); got != want {
			t.Errorf("commitsOnItsOwn(%q) = %v, want %v", stmt, got, want)
		}
	}
}

func TestStatementEffect(t *testing.T) {
	idx := func(table, name string, present bool) fact {
		return fact{kind: factIndex, table: table, name: name, present: present}
	}
	col := func(table, name string, present bool) fact {
		return fact{kind: factColumn, table: table, name: name, present: present}
	}
	con := func(table, name string, present bool) fact {
		return fact{kind: factConstraint, table: table, name: name, present: present}
	}
	tab := func(name string, present bool) fact { return fact{kind: factTable, name: name, present: present} }
	for _, c := range []struct {
		d    schema.Dialect
		stmt string
		want effect
	}{
		{schema.MySQL, "CREATE INDEX `t_a_idx` ON `t` (`a`)", effect{known: true, facts: []fact{idx("t", "t_a_idx", true)}}},
		{schema.MySQL, "ALTER TABLE `t` ADD COLUMN `c_id` bigint NULL", effect{known: true, facts: []fact{col("t", "c_id", true)}}},
		{schema.MySQL, "ALTER TABLE `t` ADD CONSTRAINT `t_c_fk` FOREIGN KEY (`c_id`) REFERENCES `c` (`id`)", effect{known: true, facts: []fact{con("t", "t_c_fk", true)}}},
		{schema.MySQL, "ALTER TABLE `t` DROP FOREIGN KEY `t_c_fk`", effect{known: true, facts: []fact{con("t", "t_c_fk", false)}}},
		{schema.MySQL, "ALTER TABLE `t` DROP INDEX `u`", effect{known: true, facts: []fact{idx("t", "u", false)}}},
		{schema.MySQL, "DROP INDEX `i` ON `t`", effect{known: true, facts: []fact{idx("t", "i", false)}}},
		{schema.MySQL, "ALTER TABLE `t` DROP COLUMN `c`", effect{known: true, facts: []fact{col("t", "c", false)}}},
		{schema.MySQL, "ALTER TABLE `t` CHANGE COLUMN `a` `b` integer", effect{known: true, facts: []fact{col("t", "a", false), col("t", "b", true)}}},
		{schema.MySQL, "ALTER TABLE `t` MODIFY COLUMN `a` bigint NOT NULL", effect{known: true, repeatable: true}},
		{schema.MySQL, "ALTER TABLE `t` RENAME INDEX `a` TO `b`", effect{known: true, facts: []fact{idx("t", "a", false), idx("t", "b", true)}}},
		{schema.MySQL, "RENAME TABLE `a` TO `b`", effect{known: true, facts: []fact{tab("a", false), tab("b", true)}}},
		{schema.MySQL, "CREATE TABLE `t` (\n `id` bigint, `x` varchar(3) DEFAULT 'a,b'\n)", effect{known: true, facts: []fact{tab("t", true)}}},
		{schema.MySQL, "ALTER TABLE `t` ADD COLUMN `a` int, ADD CONSTRAINT `k` UNIQUE (`a`, `b`)", effect{known: true, facts: []fact{col("t", "a", true), con("t", "k", true)}}},
		{schema.Postgres, `CREATE INDEX CONCURRENTLY Item_Name ON public.item (name)`, effect{known: true, facts: []fact{{kind: factIndex, table: "item", name: "item_name", present: true, concurrent: true}}}},
		{schema.Postgres, `DROP INDEX CONCURRENTLY IF EXISTS "x"`, effect{known: true, facts: []fact{idx("", "x", false)}}},
		{schema.Postgres, `ALTER INDEX "a" RENAME TO "b"`, effect{known: true, facts: []fact{idx("", "a", false), idx("", "b", true)}}},
		{schema.Postgres, `DROP TABLE "a", "b" CASCADE`, effect{known: true, facts: []fact{tab("a", false), tab("b", false)}}},
		{schema.Postgres, `VACUUM ANALYZE item`, effect{known: true, repeatable: true}},
		// What the reader does not follow is unknown, never guessed.
		{schema.Postgres, `INSERT INTO item (name) VALUES ('x')`, effect{}},
		{schema.Postgres, `CREATE INDEX ON item (name)`, effect{}},
		{schema.MySQL, "ALTER TABLE `t` ADD PRIMARY KEY (`id`)", effect{}},
		{schema.MySQL, "ALTER TABLE `t` ADD COLUMN `a` int, ENGINE = InnoDB", effect{}},
		{schema.MySQL, "/*!40000 ALTER TABLE `t` DISABLE KEYS */", effect{}},
		{schema.MySQL, "CREATE INDEX `unterminated ON t (a)", effect{}},
	} {
		got := statementEffect(c.d, c.stmt)
		if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(effect{}, fact{})); diff != "" {
			t.Errorf("statementEffect(%s, %q) (-want +got):\n%s", c.d, c.stmt, diff)
		}
	}
}

// FuzzStatementEffect: any text reads without panic, and what it reads as
// known names objects.
func FuzzStatementEffect(f *testing.F) {
	f.Add("CREATE INDEX `i` ON `t` (`a`)")
	f.Add(`ALTER TABLE "t" ADD CONSTRAINT "c" CHECK (a > ',')`)
	f.Add("DROP TABLE a, b")
	f.Fuzz(func(t *testing.T, stmt string) {
		for _, d := range []schema.Dialect{schema.Postgres, schema.MySQL, schema.SQLite} {
			e := statementEffect(d, stmt)
			for _, x := range e.facts {
				if x.name == "" {
					t.Errorf("statementEffect(%s, %q) has a fact without a name: %+v", d, stmt, e)
				}
			}
			_ = mustRunAlone(d, stmt)
		}
		_ = commitsOnItsOwn(stmt)
	})
}
