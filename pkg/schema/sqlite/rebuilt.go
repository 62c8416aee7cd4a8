package sqlite

import "strings"

// RebuiltTable reports whether stmt, one of this editor's statements,
// starts a table rebuild, and which table it rebuilds: the rebuild's
// first statement creates the new table under a temporary name. Lint
// asks it rather than knowing the editor's naming.
func RebuiltTable(stmt string) (string, bool) {
	rest, ok := strings.CutPrefix(stmt, `CREATE TABLE "`+rebuildPrefix)
	if !ok {
		return "", false
	}
	end := strings.Index(rest, `" (`)
	if end < 0 {
		return "", false
	}
	return strings.ReplaceAll(rest[:end], `""`, `"`), true
}
