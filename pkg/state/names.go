package state

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxNameLength is the longest identifier every dialect accepts (PostgreSQL: 63);
// models and editors both name objects within it.
const MaxNameLength = 63

// ObjectName builds a deterministic name for an index or constraint that the
// user did not name: table_col1_col2_suffix, shortened with a hash when it
// would be longer than MaxNameLength, so later migrations can drop it by name.
func ObjectName(table string, columns []string, suffix string) string {
	parts := append([]string{table}, columns...)
	name := strings.Join(parts, "_") + "_" + suffix
	name = strings.ReplaceAll(name, "-", "")
	if len(name) <= MaxNameLength {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	hash := hex.EncodeToString(sum[:4])
	keep := MaxNameLength - len(hash) - len(suffix) - 2
	return name[:keep] + "_" + hash + "_" + suffix
}

// Name suffixes of the objects editors create for fields and unique_together.
const (
	SuffixIndex  = "idx"
	SuffixUnique = "uniq"
	SuffixFK     = "fk"
	SuffixCheck  = "check"
)
