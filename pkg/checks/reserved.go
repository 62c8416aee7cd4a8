package checks

import (
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// reservedWords are the words each dialect does not read as a bare column
// name in an expression: the reserved keywords of PostgreSQL 15 and MySQL 8
// (MariaDB reserves fewer), and the SQLite keywords its parser never takes
// as an identifier. Each is either a syntax error there as `word > 0` in a
// CHECK over a column of that name, or (null, true, false) read as the
// literal instead of the column, which is worse.
var reservedWords = map[schema.Dialect]map[string]bool{
	schema.Postgres: wordSet(`all analyse analyze and any array as asc asymmetric authorization binary both case cast check
		collate collation column concurrently constraint create cross current_catalog current_date current_role
		current_schema current_time current_timestamp current_user default deferrable desc distinct do else end
		except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into
		is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on
		only or order outer overlaps placing primary references returning right select session_user similar some
		symmetric table tablesample then to trailing true union unique user using variadic verbose when where
		window with`),
	schema.MySQL: wordSet(`accessible add all alter analyze and as asc asensitive before between bigint binary blob both
		by call cascade case change char character check collate column condition constraint continue convert
		create cross current_date current_time current_timestamp current_user cursor database databases day_hour
		day_microsecond day_minute day_second dec decimal declare default delayed delete desc describe
		deterministic distinct distinctrow div double drop dual each else elseif enclosed escaped except exists
		exit explain false fetch float float4 float8 for force foreign from fulltext grant group having
		high_priority hour_microsecond hour_minute hour_second if ignore in index infile inner inout insensitive
		insert int int1 int2 int3 int4 int8 integer intersect interval into is iterate join key keys kill leading
		leave left like limit linear lines load localtime localtimestamp lock long longblob longtext loop
		low_priority match maxvalue mediumblob mediumint mediumtext middleint minute_microsecond minute_second
		mod modifies natural not no_write_to_binlog null numeric on optimize option optionally or order out outer
		outfile partition precision primary procedure purge range read reads read_write real recursive
		references regexp release rename repeat replace require resignal restrict return revoke right rlike
		schema schemas second_microsecond select sensitive separator set show signal smallint spatial specific
		sql sqlexception sqlstate sqlwarning sql_big_result sql_calc_found_rows sql_small_result ssl starting
		stored straight_join table terminated then tinyblob tinyint tinytext to trailing trigger true undo union
		unique unlock unsigned update usage use using utc_date utc_time utc_timestamp values varbinary varchar
		varcharacter varying virtual when where while with write xor year_month zerofill`),
	schema.SQLite: wordSet(`add all alter and as autoincrement between case check collate commit constraint create
		default deferrable delete distinct drop else escape except exists foreign from group having in index
		insert intersect into is isnull join limit not notnull null on or order primary references select set
		table then to transaction union unique update using values when where`),
}

func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// reserved reports whether word (lower case) is reserved in dialect d.
func reserved(d schema.Dialect, word string) bool { return reservedWords[d][word] }
