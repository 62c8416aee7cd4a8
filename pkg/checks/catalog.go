package checks

import "strings"

// Check describes one check of the catalog: its id and what it looks for,
// in the words docs/checks.md uses.
type Check struct {
	ID    string
	Title string
}

// Level is the level of the check's issues, read from its id.
func (c Check) Level() Level { return levelOf(c.ID) }

func levelOf(id string) Level {
	if strings.HasPrefix(id, "pm.E") {
		return Error
	}
	return Warning
}

// Catalog lists every check pmanager runs, in id order. The silence list is
// validated against it and the documentation lists exactly these ids.
var Catalog = []Check{
	{"pm.E001", "a struct tag that Go cannot parse hides the field's pm or db options"},
	{"pm.E002", "a struct tag gives the pm or db key twice; Go reads only the first"},
	{"pm.E003", "a default= on a UUID field is a database expression; use db_default=uuid"},
	{"pm.E004", "a default= on a datetime field has a time zone offset, which MySQL/MariaDB's datetime cannot store"},
	{"pm.E005", "a default= on a UUID field is not a UUID"},
	{"pm.E006", "a default= on a JSON field is not JSON"},
	{"pm.E007", "a default= on a duration field is not a whole number"},
	{"pm.E008", "a default= is not one of the field's choices"},
	{"pm.E009", "a default= is longer than max_length"},
	{"pm.E010", "a choice does not fit the field (its type or max_length)"},
	{"pm.E011", "a default= or choice holds a NUL byte"},
	{"pm.E012", "a table, column, index or constraint name holds a NUL byte"},
	{"pm.E013", "a comment, verbose name, check or condition holds a NUL byte"},
	{"pm.E014", "a column name is longer than a target database allows"},
	{"pm.E015", "a join table column name is longer than a target database allows"},
	{"pm.E016", "two objects get the same name where a target database keeps one namespace"},
	{"pm.E017", "a partial index (Index.Condition) on MySQL/MariaDB"},
	{"pm.E018", "a conditional unique constraint (Unique.Condition) on MySQL/MariaDB"},
	{"pm.E019", "on_delete=SET_DEFAULT on MySQL/MariaDB"},
	{"pm.E020", "a key or index over a text, binary or JSON column on MySQL/MariaDB"},
	{"pm.E021", "an index longer than MySQL/MariaDB's 3072-byte key limit (utf8mb4)"},
	{"pm.E022", "max_digits or decimal_places beyond what a target database allows"},
	{"pm.E023", "max_length beyond what a target database allows for varchar"},
	{"pm.E024", "a row wider than MySQL/MariaDB's 65535-byte limit (utf8mb4)"},
	{"pm.E025", "a target database's schema editor cannot create the model"},
	{"pm.E026", "a check or condition uses a column whose name is a reserved word without quoting it"},
	{"pm.E027", "an index or unique constraint lists a field twice"},
	{"pm.E028", "a check or condition writes a column in double quotes, a string on MySQL/MariaDB"},
	{"pm.E029", "a new migration creates an object under a name another object still holds at that point"},
	{"pm.E030", "a new migration removes a field that a relation still names with to_field at that point"},
	{"pm.E031", "a Meta.Ordering path across relations names a field that does not exist or is not a relation"},
	{"pm.E032", "a field with spelled SQL types (type=<dialect>:<type>) spells none for a target database"},
	{"pm.E033", "a comment longer than MySQL/MariaDB keeps (1024 characters for a column, 2048 for a table)"},
	{"pm.W001", "a pm or db tag on an unexported field, which is never a column"},
	{"pm.W002", "a default= on a text field that looks like CURRENT_TIMESTAMP or uuid()"},
	{"pm.W003", "a foreign key constraint to an unmanaged model"},
	{"pm.W004", "unique on a foreign key; one_to_one says the same"},
	{"pm.W005", "two relations to the same model share a related_name"},
	{"pm.W006", "blank on a NOT NULL field that has no empty value and no default"},
	{"pm.W007", "an index over the same columns as another index or unique constraint"},
	{"pm.W008", "two table names differ only in case (one table on MySQL with case-insensitive names)"},
	{"pm.W009", "a connection whose database kind is unknown, so dialect checks skip it"},
	{"pm.W010", "the silence list names a check that does not exist"},
	{"pm.W011", "a model without a primary key, for a connection that is a Galera cluster"},
}

// known reports whether id is in the catalog.
func known(id string) bool {
	for _, c := range Catalog {
		if c.ID == id {
			return true
		}
	}
	return false
}
