package lint

import (
	"slices"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Rule is one thing lint looks for.
type Rule struct {
	// ID is the rule's id, "pm.L" and three digits.
	ID string
	// Risk is what its findings warn of.
	Risk Risk
	// Dialects are those it applies to; nil for every dialect.
	Dialects []schema.Dialect
	// Means says in one sentence what a finding of it means.
	Means string
	// Instead is the safe alternative.
	Instead string
	// check returns the detail of each finding on one input.
	check func(*Input) []string
}

// AppliesTo reports whether the rule judges operations on dialect d.
func (r Rule) AppliesTo(d schema.Dialect) bool {
	return r.Dialects == nil || slices.Contains(r.Dialects, d)
}

// Rules returns every rule, in id order: the one list the docs and the
// tests are checked against.
func Rules() []Rule { return slices.Clone(rules) }

// Lookup returns the rule of an id.
func Lookup(id string) (Rule, bool) {
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return rules[i], true
}

var (
	pgOnly     = []schema.Dialect{schema.Postgres}
	mysqlOnly  = []schema.Dialect{schema.MySQL}
	sqliteOnly = []schema.Dialect{schema.SQLite}
)

// rules is the table of rules, in id order (read-only).
var rules = []Rule{
	// pm.L0xx: loses data.
	{ID: "pm.L001", Risk: LosesData, check: dropsTable,
		Means:   "the operation drops a table and every row in it",
		Instead: "keep the table until nothing reads it; back it up (or copy what you still need with a RunSQL) before the migration that drops it"},
	{ID: "pm.L002", Risk: LosesData, check: dropsColumn,
		Means:   "the operation drops a column (or a many-to-many join table) and its values",
		Instead: "stop using the field in one release, drop it in a later one, after a backup"},
	{ID: "pm.L003", Risk: LosesData, check: narrows,
		Means:   "the column's new type holds less than the old one (a shorter length, fewer digits, a smaller integer, another kind)",
		Instead: "widen instead, or add a new column, copy and convert the values in a RunSQL/RunGo you can check, then drop the old one"},

	// pm.L1xx: may refuse on existing rows (the operation's pre-flights).
	{ID: "pm.L101", Risk: MayRefuse, check: preflight(schema.PreflightConvert),
		Means:   "every stored value must fit the column's new type, or migrate refuses before its first statement",
		Instead: "find and fix the values that do not fit (the pre-flight query is in sqlmigrate's output) in a data migration before this one"},
	{ID: "pm.L102", Risk: MayRefuse, check: preflight(schema.PreflightNotNull),
		Means:   "the column becomes NOT NULL: a NULL already stored makes migrate refuse",
		Instead: "fill the NULLs first (a one-off value when makemigrations asks, or an UPDATE in a RunSQL before)"},
	{ID: "pm.L103", Risk: MayRefuse, check: preflight(schema.PreflightNoRows),
		Means:   "a NOT NULL column without a default can only be added to an empty table",
		Instead: "give the field a default (default= or db_default=), or add it nullable, fill it, then make it NOT NULL"},
	{ID: "pm.L104", Risk: MayRefuse, check: preflight(schema.PreflightUnique),
		Means:   "a new unique constraint or index: two rows that share the values make migrate refuse",
		Instead: "remove the duplicates in a data migration before this one"},
	{ID: "pm.L105", Risk: MayRefuse, check: preflight(schema.PreflightCheck),
		Means:   "a new check constraint: a row that breaks it makes migrate refuse",
		Instead: "fix the rows that break it in a data migration before this one"},
	{ID: "pm.L106", Risk: MayRefuse, check: preflight(schema.PreflightReference),
		Means:   "a new foreign key: a value with no row to point at makes migrate refuse",
		Instead: "delete or null the orphan values in a data migration before this one"},

	// pm.L20x: PostgreSQL locks and rewrites.
	{ID: "pm.L201", Risk: BlocksWrites, Dialects: pgOnly, check: pgCreateIndex,
		Means:   "CREATE INDEX without CONCURRENTLY holds a SHARE lock: writes to the table wait until the index is built",
		Instead: "run CREATE INDEX CONCURRENTLY by hand in a RunSQL of a NonAtomic migration, with a SeparateDatabaseAndState so the state still knows the index (pmanager does not write that for you yet)"},
	{ID: "pm.L202", Risk: RewritesTable, Dialects: pgOnly, check: pgAlterType,
		Means:   "ALTER COLUMN TYPE that converts the values rewrites the table and its indexes under ACCESS EXCLUSIVE: no reads, no writes (a longer varchar, varchar to text and a numeric with more digits at the same scale do not)",
		Instead: "add a new column, backfill it in batches, switch the code to it, then drop the old one"},
	{ID: "pm.L203", Risk: BlocksWrites, Dialects: pgOnly, check: pgAddForeignKey,
		Means:   "ADD FOREIGN KEY checks every row while holding SHARE ROW EXCLUSIVE on both tables: writes to either wait",
		Instead: "add it NOT VALID, then VALIDATE CONSTRAINT in a later migration (SHARE UPDATE EXCLUSIVE only); by hand in RunSQL today"},
	{ID: "pm.L204", Risk: BlocksWrites, Dialects: pgOnly, check: pgAddCheck,
		Means:   "ADD CHECK scans the table under ACCESS EXCLUSIVE: no reads, no writes until every row is checked",
		Instead: "add it NOT VALID, then VALIDATE CONSTRAINT in a later migration; by hand in RunSQL today"},
	{ID: "pm.L205", Risk: BlocksWrites, Dialects: pgOnly, check: pgSetNotNull,
		Means:   "SET NOT NULL scans the table under ACCESS EXCLUSIVE to prove there is no NULL",
		Instead: "add a CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ skips the scan); by hand in RunSQL today"},
	{ID: "pm.L206", Risk: RewritesTable, Dialects: pgOnly, check: pgAddColumnRewrite,
		Means:   "ADD COLUMN with a volatile default (gen_random_uuid()), an identity, or (before PostgreSQL 11) any default rewrites the table under ACCESS EXCLUSIVE",
		Instead: "add the column nullable without a default, backfill in batches, then add the default and NOT NULL"},
	{ID: "pm.L207", Risk: BlocksWrites, Dialects: pgOnly, check: pgAddUnique,
		Means:   "ADD UNIQUE or PRIMARY KEY builds its index under ACCESS EXCLUSIVE: no reads, no writes while it builds",
		Instead: "CREATE UNIQUE INDEX CONCURRENTLY in a NonAtomic migration, then ADD CONSTRAINT … USING INDEX; by hand in RunSQL today"},
	{ID: "pm.L208", Risk: BlocksWrites, Dialects: pgOnly, check: pgDropIndex,
		Means:   "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on its table: quick, but it queues behind every running query and everything queues behind it",
		Instead: "DROP INDEX CONCURRENTLY by hand in a RunSQL of a NonAtomic migration (with SeparateDatabaseAndState), or run it with --lock-timeout"},

	// pm.L21x: MySQL and MariaDB online DDL.
	{ID: "pm.L211", Risk: RewritesTable, Dialects: mysqlOnly, check: myAddColumn,
		Means:   "ADD COLUMN rebuilds the table (ALGORITHM=INPLACE, LOCK=NONE) on servers before MySQL 8.0.12 / MariaDB 10.3.2; INSTANT from then on",
		Instead: "upgrade the server, or run the change with an online schema tool (gh-ost, pt-online-schema-change) and --fake the migration"},
	{ID: "pm.L212", Risk: BlocksWrites, Dialects: mysqlOnly, check: myModifyType,
		Means:   "MODIFY COLUMN to another type copies the table (ALGORITHM=COPY, LOCK=SHARED): writes wait until the copy is done",
		Instead: "add a new column, backfill it in batches, switch the code to it, then drop the old one; or an online schema tool"},
	{ID: "pm.L213", Risk: RewritesTable, Dialects: mysqlOnly, check: myModifyNull,
		Means:   "changing a column's NULL / NOT NULL rebuilds the table (ALGORITHM=INPLACE, LOCK=NONE)",
		Instead: "schedule it for a quiet hour on a large table, or use an online schema tool"},
	{ID: "pm.L214", Risk: BlocksWrites, Dialects: mysqlOnly, check: myAddForeignKey,
		Means:   "ADD FOREIGN KEY with foreign_key_checks on copies the table (ALGORITHM=COPY, LOCK=SHARED)",
		Instead: "add the foreign key in a RunSQL that sets foreign_key_checks = 0 around it (ALGORITHM=INPLACE), after checking for orphans yourself"},
	{ID: "pm.L215", Risk: RewritesTable, Dialects: mysqlOnly, check: myDropColumn,
		Means:   "DROP COLUMN rebuilds the table (ALGORITHM=INPLACE, LOCK=NONE) on servers before MySQL 8.0.29 / MariaDB 10.4; INSTANT from then on",
		Instead: "schedule it for a quiet hour on a large table, or use an online schema tool"},
	{ID: "pm.L216", Risk: BlocksWrites, Dialects: mysqlOnly, check: myAddCheck,
		Means:   "ADD CHECK copies the table to check every row (ALGORITHM=COPY, LOCK=SHARED)",
		Instead: "on a large table, use an online schema tool, or enforce the rule in code until a quiet hour"},

	// pm.L22x: SQLite.
	{ID: "pm.L221", Risk: RewritesTable, Dialects: sqliteOnly, check: sqliteRebuild,
		Means:   "SQLite cannot alter this in place: the table is rebuilt (new table, every row copied, old one dropped) under the database's write lock",
		Instead: "fine for small tables; on a large one, run it when nothing writes"},

	// pm.L3xx: breaks code still running.
	{ID: "pm.L301", Risk: BreaksCode, check: renamesColumn,
		Means:   "the column is renamed: the release still running reads and writes the old name",
		Instead: "add the new column, write both, backfill, switch reads, then drop the old one over several releases; or keep the column name (pm:\"column=old\")"},
	{ID: "pm.L302", Risk: BreaksCode, check: renamesTable,
		Means:   "the table is renamed: the release still running uses the old name",
		Instead: "keep the table name (Meta Table: \"old\") or deploy the code and the migration together with downtime"},
	{ID: "pm.L303", Risk: BreaksCode, check: dropsColumnInUse,
		Means:   "the column is dropped: the release still running may select or insert it",
		Instead: "remove the field from the code in one release (pm:\"-\" keeps it out of the models), drop the column in the next"},
	{ID: "pm.L304", Risk: BreaksCode, check: dropsTableInUse,
		Means:   "the table is dropped: the release still running may query it",
		Instead: "stop using the model in one release, drop it in the next"},
	{ID: "pm.L305", Risk: BreaksCode, check: addsRequiredColumn,
		Means:   "a NOT NULL column without a database default: inserts by the release still running, which does not know the column, fail",
		Instead: "give the column a default (default= or db_default=), or add it nullable and make it NOT NULL once every release writes it"},
	{ID: "pm.L306", Risk: BreaksCode, check: becomesRequired,
		Means:   "the column becomes NOT NULL without a default: the release still running may insert NULL, or nothing, into it",
		Instead: "give it a default first, or make it NOT NULL only once every running release writes a value"},
	{ID: "pm.L307", Risk: BreaksCode, check: dropsDefault,
		Means:   "a NOT NULL column loses its default: inserts by the release still running that leave it out fail",
		Instead: "drop the default only once every running release writes the column"},
}
