package lint

import "github.com/pmanager/pmanager/pkg/schema/sqlite"

func sqliteRebuild(in *Input) []string {
	var out []string
	for _, s := range in.Statements {
		if table, ok := sqlite.RebuiltTable(s); ok {
			out = append(out, "rebuilds "+table+", copying every row under the database's write lock")
		}
	}
	return out
}
