package lint

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// Version is a database server's release: what decides, on MySQL and
// MariaDB, which changes are INSTANT, and on PostgreSQL whether adding a
// column with a default rewrites the table.
type Version struct {
	// MariaDB is set for a MariaDB server (the mysql dialect).
	MariaDB             bool
	Major, Minor, Patch int
}

// AtLeast reports whether v is major.minor.patch or later.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

// String is the version as servers spell it, with "MariaDB" or "MySQL"
// before a mysql-dialect one.
func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Assumed is the version lint assumes for a dialect whose server it cannot
// ask: the oldest release still met in production whose behaviour is the
// heavier one, so an offline lint never reports less than a live one
// would. PostgreSQL 11 (the first where ADD COLUMN with a constant
// default does not rewrite the table), MySQL 5.7 (no INSTANT ADD or DROP
// COLUMN; it stands for MariaDB before 10.3.2 too), SQLite 3.35 (the first
// with DROP COLUMN, older than the SQLite linked into pmanager).
func Assumed(d schema.Dialect) Version {
	switch d {
	case schema.Postgres:
		return Version{Major: 11}
	case schema.MySQL:
		return Version{Major: 5, Minor: 7}
	case schema.SQLite:
		return Version{Major: 3, Minor: 35}
	}
	return Version{}
}

// ParseVersion reads a server's version string: PostgreSQL's
// server_version ("15.5 (Debian 15.5-0+deb12u1)"), MySQL's or MariaDB's
// VERSION() ("8.0.36", "10.11.6-MariaDB-0+deb12u1"), sqlite_version().
func ParseVersion(s string) (Version, error) {
	v := Version{MariaDB: strings.Contains(strings.ToLower(s), "mariadb")}
	head := strings.FieldsFunc(strings.TrimSpace(s), func(r rune) bool {
		return r == ' ' || r == '-' || r == '+' || r == '(' || r == '~'
	})
	if len(head) == 0 {
		return Version{}, fmt.Errorf("lint: server version %q has no number", s)
	}
	parts := strings.Split(head[0], ".")
	nums := []*int{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		if i == len(nums) {
			break
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, fmt.Errorf("lint: server version %q does not start with a number", s)
		}
		*nums[i] = n
	}
	return v, nil
}

// versionQuery is the statement that asks each dialect's server its version.
var versionQuery = map[schema.Dialect]string{
	schema.Postgres: "SHOW server_version",
	schema.MySQL:    "SELECT VERSION()",
	schema.SQLite:   "SELECT sqlite_version()",
}

// ServerVersion asks the server behind db, of dialect d, its version: the
// target a live lint judges for.
func ServerVersion(ctx context.Context, db schema.ExecQuerier, d schema.Dialect) (Version, error) {
	q, ok := versionQuery[d]
	if !ok {
		return Version{}, fmt.Errorf("lint: unknown dialect %q", d)
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return Version{}, fmt.Errorf("lint: ask the server its version: %w", err)
	}
	defer rows.Close()
	var s string
	if rows.Next() {
		if err := rows.Scan(&s); err != nil {
			return Version{}, fmt.Errorf("lint: read the server's version: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return Version{}, fmt.Errorf("lint: read the server's version: %w", err)
	}
	return ParseVersion(s)
}

// serverDialects maps the flavour a configured server starts with to its
// dialect; mariadb is the mysql dialect on a MariaDB server.
var serverDialects = map[string]schema.Dialect{
	"postgres": schema.Postgres,
	"mysql":    schema.MySQL,
	"mariadb":  schema.MySQL,
	"sqlite":   schema.SQLite,
}

// Configured is the target of a connection of dialect d whose
// pmanager.toml states the server it runs (server = "mariadb 10.11"):
// judged for that version instead of the assumed one wherever the server
// is not asked. The error says why the setting does not fit d.
func Configured(d schema.Dialect, server string) (Target, error) {
	flavour, number, ok := strings.Cut(strings.TrimSpace(server), " ")
	sd, known := serverDialects[strings.ToLower(flavour)]
	if !ok || !known {
		return Target{}, fmt.Errorf("lint: server %q is not a flavour (postgres, mysql, mariadb, sqlite) and a version", server)
	}
	if sd != d {
		return Target{}, fmt.Errorf("lint: server %q is %s, but the connection's url is %s", server, sd, d)
	}
	v, err := ParseVersion(number)
	if err != nil {
		return Target{}, err
	}
	v.MariaDB = strings.EqualFold(flavour, "mariadb")
	return Target{Dialect: d, Version: v, Configured: true, parts: 1 + strings.Count(strings.TrimSpace(number), ".")}, nil
}

// Agrees reports whether live, the version a server said, is the server
// t's configured version states: the same flavour and the same numbers as
// far as the setting wrote them ("mariadb 10.11" agrees with 10.11.6). A
// target that is not configured agrees with every version.
func (t Target) Agrees(live Version) bool {
	if !t.Configured {
		return true
	}
	if t.Version.MariaDB != live.MariaDB {
		return false
	}
	got := []int{live.Major, live.Minor, live.Patch}
	want := []int{t.Version.Major, t.Version.Minor, t.Version.Patch}
	for i := 0; i < t.parts && i < len(want); i++ {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}
