package config

import (
	"fmt"
	"sort"
)

// Route is where one app's migrations run: the connection, its URL, and
// how it was chosen, so every command can say which database it acts on
// and why. Every command and the library route apps with the same rule:
//
//  1. a connection the user names (--database, or the <conn> of a
//     migration:* command) wins;
//  2. else the app's own connection = "..." in pmanager.toml;
//  3. else the default connection: default_connection, or the only or
//     "default" connection of pmanager.toml;
//  4. else the built-in SQLite file pmanager.db.
//
// PMANAGER_DATABASE_URL, or else DATABASE_URL, replaces the URL of the
// default connection wherever it is used.
type Route struct {
	// Connection names the connection in pmanager.toml ("default" for the
	// built-in one).
	Connection string
	// URL is the connection's URL, expanded (it may hold a password; print
	// a redacted form).
	URL string
	// Source says how the connection was chosen and where its URL comes
	// from, for the "Database: ..." line: "--database my: pmanager.toml
	// [connections.my]", "environment PMANAGER_DATABASE_URL", "default:
	// nothing configured".
	Source string
	// Builtin is set when nothing is configured and the route is the
	// built-in SQLite file.
	Builtin bool
}

// Named routes to the connection a user named (--database, <conn>).
func (c *Config) Named(conn, how string) (Route, error) {
	return c.route(conn, how)
}

// RouteApp routes an app by the rule above; named is the connection the
// user gave ("" when none) and how says in which words (such as
// "--database my").
func (c *Config) RouteApp(label, named, how string) (Route, error) {
	if named != "" {
		return c.route(named, how)
	}
	if a, ok := c.App(label); ok && a.Connection != "" {
		return c.route(a.Connection, "app "+label)
	}
	return c.route(c.DefaultConnection, "")
}

// ConnectionOf names the connection an app runs on when the user names
// none: its own, or the default one.
func (c *Config) ConnectionOf(label string) string {
	if a, ok := c.App(label); ok && a.Connection != "" {
		return a.Connection
	}
	return c.DefaultConnection
}

// Group splits apps by the connection each runs on when the user names
// none, in the order of the connections' names with the default first.
func (c *Config) Group(labels []string) [][]string {
	by := map[string][]string{}
	for _, l := range labels {
		conn := c.ConnectionOf(l)
		by[conn] = append(by[conn], l)
	}
	conns := make([]string, 0, len(by))
	for conn := range by {
		conns = append(conns, conn)
	}
	sort.Slice(conns, func(i, j int) bool {
		if (conns[i] == c.DefaultConnection) != (conns[j] == c.DefaultConnection) {
			return conns[i] == c.DefaultConnection
		}
		return conns[i] < conns[j]
	})
	out := make([][]string, len(conns))
	for i, conn := range conns {
		out[i] = by[conn]
	}
	return out
}

// route resolves the connection conn, chosen in the words how ("" for
// the default connection).
func (c *Config) route(conn, how string) (Route, error) {
	url, err := c.URL(conn)
	if err != nil {
		return Route{}, err
	}
	cn := c.Connections[conn]
	var from string
	switch {
	case cn.override:
		from = "environment " + cn.overrideVar
	case cn.builtin:
		from = "default: nothing configured"
	default:
		from = fmt.Sprintf("%s [connections.%s]", FileName, conn)
	}
	src := from
	if how != "" {
		src = how + ": " + from
	}
	return Route{Connection: conn, URL: url, Source: src, Builtin: cn.builtin}, nil
}
