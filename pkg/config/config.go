package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// FileName is the name of the configuration file at the project root.
const FileName = "pmanager.toml"

// DefaultURL is the database used when nothing is configured: an SQLite file
// next to pmanager.toml.
const DefaultURL = "sqlite://pmanager.db"

// DefaultConnectionName names the connection used when default_connection is
// not set.
const DefaultConnectionName = "default"

// DefaultApp is the label of the single app of a project without [apps].
const DefaultApp = "main"

// The environment variables that replace the default connection's URL,
// the first one set (and not empty) winning.
const (
	EnvURL         = "PMANAGER_DATABASE_URL"
	EnvURLFallback = "DATABASE_URL"
)

// LookupFunc reads an environment variable; os.LookupEnv is the real one,
// tests pass their own so they need not touch the process environment.
type LookupFunc func(name string) (string, bool)

// Config is a project's pmanager.toml, expanded and validated.
type Config struct {
	// File is the path of the file read; "" when the defaults are used.
	File string
	// Dir is the folder relative paths (app folders, SQLite files) start from.
	Dir string
	// DefaultConnection names the connection used when a command gets no --database.
	DefaultConnection string
	// Connections are keyed by name.
	Connections map[string]Connection
	// Apps are sorted by label.
	Apps []App
	// Silence lists the system check ids whose issues are not reported
	// ([checks] silence = ["pm.W004"]).
	Silence []string
	// LintAllow lists the lint rule ids whose findings never fail
	// pmanager lint ([lint] allow = ["pm.L201"]); summaries still show them.
	LintAllow []string
	// Fleets are the [fleets.<name>] tables, keyed by name, as written
	// (Config.Fleet expands them).
	Fleets map[string]Fleet

	lookup LookupFunc
}

// Connection is one [connections.<name>] table.
type Connection struct {
	// Name is the table's name ("default").
	Name string
	// URL is the connection URL as written (before ${VAR} expansion); use
	// Config.URL to get it expanded and overridden.
	URL string
	// Server is the server the connection runs, as pmanager.toml states it
	// (server = "mariadb 10.11"): the flavour, a space, the version. What
	// never connects (makemigrations' summary, the file header) judges
	// the risks of a migration for it instead of the assumed oldest
	// release; "" when not stated.
	Server string
	// line is where url is written, for errors; 0 when unknown.
	line int
	// override is set when an environment variable replaced URL.
	override bool
	// overrideVar names that variable.
	overrideVar string
	// builtin marks the connection made up when nothing is configured.
	builtin bool
}

// App is one [apps.<label>] table: where its models and migrations live.
type App struct {
	// Label names the app in migration keys ("main.0001_initial").
	Label string
	// Models and Migrations are folders, slash-separated and relative to
	// Config.Dir unless absolute.
	Models     string
	Migrations string
	// Seeders is the folder of the app's seeders package: as configured,
	// or "seeders" beside the models folder, used when it exists.
	Seeders string
	// SeedersSet reports whether pmanager.toml names Seeders, which must
	// then exist.
	SeedersSet bool
	// Connection names the connection the migration:* commands run this
	// app's migrations on; "" when the app is bound to none.
	Connection string
}

// Error is a configuration problem: the file, the line when known, and a
// message that ends with the fix.
type Error struct {
	// File is the path of pmanager.toml ("" when the defaults were used).
	File string
	// Line is where the problem is, from 1; 0 when it is not known.
	Line int
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error renders "file:line: message" (without the line when it is unknown).
func (e *Error) Error() string {
	name := e.File
	if name == "" {
		name = FileName
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", name, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", name, e.Msg)
}

// file mirrors the TOML document.
type file struct {
	DefaultConnection string                    `toml:"default_connection"`
	Connections       map[string]connectionFile `toml:"connections"`
	Apps              map[string]appFile        `toml:"apps"`
	Checks            checksFile                `toml:"checks"`
	Lint              lintFile                  `toml:"lint"`
	Fleets            map[string]fleetFile      `toml:"fleets"`
}

// checksFile is the [checks] table.
type checksFile struct {
	Silence []string `toml:"silence"`
}

// lintFile is the [lint] table.
type lintFile struct {
	Allow []string `toml:"allow"`
}

type connectionFile struct {
	URL    string `toml:"url"`
	Server string `toml:"server"`
}

type appFile struct {
	Models     *string `toml:"models"`
	Migrations *string `toml:"migrations"`
	Seeders    *string `toml:"seeders"`
	Connection *string `toml:"connection"`
}

// Read loads dir/pmanager.toml, or the defaults when the file does not exist.
// A nil lookup reads the process environment.
func Read(dir string, lookup LookupFunc) (*Config, error) {
	p := filepath.Join(dir, FileName)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(dir, lookup), nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", p, err)
	}
	return Parse(p, data, lookup)
}

// Default is the configuration of a project without pmanager.toml: one app
// "main" with models/ and migrations/, and an SQLite database unless the
// environment names another.
func Default(dir string, lookup LookupFunc) *Config {
	c := &Config{
		Dir:               dir,
		DefaultConnection: DefaultConnectionName,
		Connections:       map[string]Connection{DefaultConnectionName: {Name: DefaultConnectionName, URL: DefaultURL, builtin: true}},
		Apps:              []App{defaultApp()},
		lookup:            lookupOrEnv(lookup),
	}
	c.applyOverride()
	return c
}

// defaultApp is the single app of a project whose pmanager.toml has no [apps].
func defaultApp() App {
	return App{Label: DefaultApp, Models: "models", Migrations: "migrations", Seeders: defaultSeeders("models")}
}

// defaultSeeders is the seeders folder of an app that names none: beside
// its models folder.
func defaultSeeders(models string) string { return path.Join(path.Dir(models), "seeders") }

func lookupOrEnv(lookup LookupFunc) LookupFunc {
	if lookup == nil {
		return os.LookupEnv
	}
	return lookup
}

// Parse reads the TOML text of the file at path (path is used for errors
// and as the base of relative folders).
func Parse(path string, data []byte, lookup LookupFunc) (*Config, error) {
	var f file
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, decodeError(path, data, err)
	}
	lines := newLineIndex(data)
	// The decoder leaves a table field alone when the document gives it a
	// plain value (connections = "x"); that is an error too.
	for _, name := range [...]string{"connections", "apps", "checks", "fleets"} {
		// A table defined only by its [name.x] headers has no type of its own.
		if t := md.Type(name); t != "" && t != "Hash" {
			return nil, &Error{File: path, Line: lines.find(toml.Key{name}), Msg: wrongTypeMsg(name, tomlKind(t))}
		}
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		k := undecoded[0]
		return nil, &Error{File: path, Line: lines.find(k), Msg: unknownKeyMsg(k)}
	}
	c := &Config{
		File:        path,
		Dir:         filepath.Dir(path),
		Connections: map[string]Connection{},
		lookup:      lookupOrEnv(lookup),
	}
	if err := c.readConnections(f, lines); err != nil {
		return nil, err
	}
	if err := c.readApps(f, lines); err != nil {
		return nil, err
	}
	if err := c.readFleets(f, lines); err != nil {
		return nil, err
	}
	for _, id := range f.Checks.Silence {
		if id = strings.TrimSpace(id); id != "" {
			c.Silence = append(c.Silence, id)
		}
	}
	for _, id := range f.Lint.Allow {
		if id = strings.TrimSpace(id); id != "" {
			c.LintAllow = append(c.LintAllow, id)
		}
	}
	c.applyOverride()
	return c, nil
}

// decodeError turns a TOML error into a one-line Error.
func decodeError(path string, data []byte, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line := pe.Position.Line
		if start := pe.Position.Start; start > 0 && start <= len(data) {
			// The lexer counts a line ended by the offending newline as the next one.
			line = 1 + bytes.Count(data[:start], []byte("\n"))
		}
		return &Error{File: path, Line: line, Msg: strings.TrimSuffix(pe.Message, ".") + "; fix the TOML syntax (https://toml.io)"}
	}
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	line := 0
	if _, err := fmt.Sscanf(msg, "line %d", &line); err == nil {
		if i := strings.Index(msg, "): "); i >= 0 {
			msg = msg[i+3:]
		}
	}
	if m := lastKey.FindStringSubmatch(err.Error()); m != nil {
		if found := foundType.FindStringSubmatch(msg); found != nil {
			return &Error{File: path, Line: line, Msg: wrongTypeMsg(m[1], tomlType(found[1]))}
		}
	}
	return &Error{File: path, Line: line, Msg: msg + "; connection urls and app folders are strings"}
}

// The decoder's type errors name the key and the Go type of what it found.
var (
	lastKey   = regexp.MustCompile(`\(last key "([^"]*)"\)`)
	foundType = regexp.MustCompile(`(?:TOML value has type|but found) ([^;\s]+)`)
)

// wrongTypeMsg says what a key holds and what it must hold: connections and
// apps (and their entries) are tables, everything else is a string.
func wrongTypeMsg(key, found string) string {
	parts := strings.Split(key, ".")
	switch key {
	case "checks":
		return fmt.Sprintf("checks is %s, but must be a table; write it as a [checks] header with silence = [\"pm.W004\"] below it", found)
	case "lint":
		return fmt.Sprintf("lint is %s, but must be a table; write it as a [lint] header with allow = [\"pm.L201\"] below it", found)
	case "lint.allow":
		return fmt.Sprintf("allow is %s, but must be an array of lint rule ids; write allow = [\"pm.L201\"]", found)
	case "checks.silence":
		return fmt.Sprintf("silence is %s, but must be an array of check ids; write silence = [\"pm.W004\"]", found)
	}
	if parts[0] == "fleets" && len(parts) == 3 && parts[2] == "urls" {
		return fmt.Sprintf("%s is %s, but must be an array of connection URLs; write urls = [\"postgres://...\", ...]", key, found)
	}
	if (parts[0] == "connections" || parts[0] == "apps" || parts[0] == "fleets") && len(parts) == 1 {
		return fmt.Sprintf("%s is %s, but must be a table of tables; write a [%s.<name>] header for each entry, with its keys on the lines below", key, found, key)
	}
	if (parts[0] == "connections" || parts[0] == "apps" || parts[0] == "fleets") && len(parts) == 2 {
		return fmt.Sprintf("%s is %s, but must be a table; write it as a [%s] header with its keys on the lines below", key, found, key)
	}
	return fmt.Sprintf("%s is %s, but must be a string; write %s = \"...\" with the value in double quotes", key, found, parts[len(parts)-1])
}

// tomlKind names, in TOML's words, a type as MetaData.Type reports it.
func tomlKind(t string) string {
	switch t {
	case "Integer":
		return "an integer"
	case "Array", "ArrayHash":
		return "an array"
	case "Bool":
		return "a boolean"
	}
	return "a " + strings.ToLower(t)
}

// tomlType names, in TOML's words, the Go type the decoder found.
func tomlType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a float"
	case goType == "bool":
		return "a boolean"
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map"):
		return "a table"
	case strings.Contains(goType, "Time") || strings.Contains(goType, "Local"):
		return "a date or time"
	}
	return "a " + goType
}

func unknownKeyMsg(k toml.Key) string {
	name := k.String()
	switch {
	case len(k) == 3 && k[0] == "connections":
		return fmt.Sprintf("unknown key %q in [connections.%s]; a connection takes url and server", k[2], k[1])
	case len(k) == 3 && k[0] == "apps":
		return fmt.Sprintf("unknown key %q in [apps.%s]; an app takes models, migrations, seeders and connection", k[2], k[1])
	case len(k) == 3 && k[0] == "fleets":
		return fmt.Sprintf("unknown key %q in [fleets.%s]; a fleet takes urls, file, or server with databases or schemas", k[2], k[1])
	case len(k) == 2 && k[0] == "checks":
		return fmt.Sprintf("unknown key %q in [checks]; it takes silence = [\"pm.W004\", ...]", k[1])
	case len(k) == 2 && k[0] == "lint":
		return fmt.Sprintf("unknown key %q in [lint]; it takes allow = [\"pm.L201\", ...]", k[1])
	default:
		if k[0] != "connections" && k[0] != "apps" && k[0] != "fleets" && k[0] != "lint" {
			name = k[0]
		}
		return fmt.Sprintf("unknown key %q; pmanager.toml takes default_connection, [connections.<name>], [apps.<label>], [fleets.<name>], [checks] and [lint]", name)
	}
}

func (c *Config) readConnections(f file, lines lineIndex) error {
	for name, cf := range f.Connections {
		line := lines.find(toml.Key{"connections", name, "url"})
		if cf.URL == "" {
			return &Error{File: c.File, Line: lines.find(toml.Key{"connections", name}),
				Msg: fmt.Sprintf("[connections.%s] has no url; add url = \"postgres://user:password@host:5432/name\" (or mysql://, sqlite://)", name)}
		}
		server, err := serverSetting(cf.Server)
		if err != nil {
			return &Error{File: c.File, Line: lines.find(toml.Key{"connections", name, "server"}),
				Msg: fmt.Sprintf("[connections.%s] server = %q %v; write the flavour and its version, e.g. server = \"mysql 8.0.36\" (postgres, mysql, mariadb or sqlite)", name, cf.Server, err)}
		}
		c.Connections[name] = Connection{Name: name, URL: cf.URL, Server: server, line: line}
	}
	name, err := c.expand(f.DefaultConnection, lines.find(toml.Key{"default_connection"}))
	if err != nil {
		return err
	}
	switch {
	case name != "":
		if _, ok := c.Connections[name]; !ok {
			return &Error{File: c.File, Line: lines.find(toml.Key{"default_connection"}),
				Msg: fmt.Sprintf("default_connection = %q names no connection; add [connections.%s] with a url, or use one of: %s", name, name, c.connectionList())}
		}
	case len(c.Connections) == 0:
		name = DefaultConnectionName
		c.Connections[name] = Connection{Name: name, URL: DefaultURL, builtin: true}
	case len(c.Connections) == 1:
		for only := range c.Connections {
			name = only
		}
	default:
		if _, ok := c.Connections[DefaultConnectionName]; !ok {
			return &Error{File: c.File, Msg: fmt.Sprintf("no default connection; add default_connection = \"<name>\" naming one of: %s", c.connectionList())}
		}
		name = DefaultConnectionName
	}
	c.DefaultConnection = name
	return nil
}

func (c *Config) readApps(f file, lines lineIndex) error {
	if len(f.Apps) == 0 {
		c.Apps = []App{defaultApp()}
		return nil
	}
	owners := map[string]string{}
	for _, label := range sortedKeys(f.Apps) {
		af := f.Apps[label]
		line := lines.find(toml.Key{"apps", label})
		if !validLabel(label) {
			return &Error{File: c.File, Line: line, Msg: fmt.Sprintf("app label %q is not an identifier; use letters, digits and underscores, starting with a letter", label)}
		}
		if af.Models == nil || strings.TrimSpace(*af.Models) == "" {
			return &Error{File: c.File, Line: line, Msg: fmt.Sprintf("[apps.%s] has no models folder; add models = \"<folder of its models package>\"", label)}
		}
		models, err := c.folder(*af.Models, lines.find(toml.Key{"apps", label, "models"}))
		if err != nil {
			return err
		}
		migrations := path.Join(path.Dir(models), "migrations")
		if af.Migrations != nil {
			if migrations, err = c.folder(*af.Migrations, lines.find(toml.Key{"apps", label, "migrations"})); err != nil {
				return err
			}
		}
		if other, ok := owners[migrations]; ok {
			return &Error{File: c.File, Line: lines.find(toml.Key{"apps", label, "migrations"}),
				Msg: fmt.Sprintf("apps %s and %s share the migrations folder %q; give each app a folder of its own", other, label, migrations)}
		}
		owners[migrations] = label
		app := App{Label: label, Models: models, Migrations: migrations, Seeders: defaultSeeders(models)}
		if af.Seeders != nil {
			if app.Seeders, err = c.folder(*af.Seeders, lines.find(toml.Key{"apps", label, "seeders"})); err != nil {
				return err
			}
			app.SeedersSet = true
		}
		if af.Connection != nil {
			conn, err := c.expand(*af.Connection, lines.find(toml.Key{"apps", label, "connection"}))
			if err != nil {
				return err
			}
			app.Connection = strings.TrimSpace(conn)
		}
		c.Apps = append(c.Apps, app)
	}
	return nil
}

// folder expands and cleans an app folder.
func (c *Config) folder(raw string, line int) (string, error) {
	v, err := c.expand(raw, line)
	if err != nil {
		return "", err
	}
	v = strings.TrimSpace(filepath.ToSlash(v))
	if v == "" {
		return "", &Error{File: c.File, Line: line, Msg: "app folder is empty; write a folder relative to pmanager.toml, such as \"models\""}
	}
	return path.Clean(v), nil
}

func validLabel(s string) bool {
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !(letter || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != "" && s[0] != '_'
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// applyOverride replaces the default connection's URL with EnvURL, or else
// EnvURLFallback, when one is set.
func (c *Config) applyOverride() {
	for _, name := range [...]string{EnvURL, EnvURLFallback} {
		if v, ok := c.lookup(name); ok && strings.TrimSpace(v) != "" {
			conn := c.Connections[c.DefaultConnection]
			conn.Name = c.DefaultConnection
			conn.URL, conn.line, conn.override, conn.overrideVar = strings.TrimSpace(v), 0, true, name
			conn.builtin = false
			c.Connections[c.DefaultConnection] = conn
			return
		}
	}
}

func (c *Config) connectionList() string {
	if len(c.Connections) == 0 {
		return "(none configured)"
	}
	return strings.Join(c.ConnectionNames(), ", ")
}

// ConnectionNames lists the configured connections, sorted.
func (c *Config) ConnectionNames() []string { return sortedKeys(c.Connections) }

// URL returns the expanded URL of the named connection ("" = the default
// connection). Variables are expanded here, not at load, so an unset
// variable only matters for the connection that uses it.
func (c *Config) URL(name string) (string, error) {
	if name == "" {
		name = c.DefaultConnection
	}
	conn, ok := c.Connections[name]
	if !ok {
		return "", &Error{File: c.File, Msg: fmt.Sprintf("unknown connection %q; add [connections.%s] with a url to %s, or use one of: %s", name, name, FileName, c.connectionList())}
	}
	if conn.override {
		return conn.URL, nil
	}
	return c.expand(conn.URL, conn.line)
}

// App returns the app with the given label.
func (c *Config) App(label string) (App, bool) {
	for _, a := range c.Apps {
		if a.Label == label {
			return a, true
		}
	}
	return App{}, false
}

// Labels lists the app labels, sorted.
func (c *Config) Labels() []string {
	out := make([]string, len(c.Apps))
	for i, a := range c.Apps {
		out[i] = a.Label
	}
	return out
}

// Path turns a folder of the config (slash-separated, relative to Dir) into
// a path of this system.
func (c *Config) Path(folder string) string {
	p := filepath.FromSlash(folder)
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// expand replaces ${VAR} and ${VAR:-default}; line locates errors.
func (c *Config) expand(s string, line int) (string, error) {
	out, err := Expand(s, c.lookup)
	if err != nil {
		return "", &Error{File: c.File, Line: line, Msg: err.Error()}
	}
	return out, nil
}

// Expand replaces ${VAR} by the variable's value and ${VAR:-default} by the
// value, or default when the variable is unset or empty. An unset ${VAR}
// without a default is an error that says how to fix it. A "$" not followed
// by "{" is kept as is, so passwords may contain it.
func Expand(s string, lookup LookupFunc) (string, error) {
	lookup = lookupOrEnv(lookup)
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated %q; close it with }", s[i:])
		}
		ref := s[i+2 : i+end]
		s = s[i+end+1:]
		name, def, hasDefault := strings.Cut(ref, ":-")
		if !validVar(name) {
			return "", fmt.Errorf("bad variable reference ${%s}; write ${NAME} or ${NAME:-default}", ref)
		}
		v, ok := lookup(name)
		switch {
		case hasDefault && v == "":
			v = def
		case !ok:
			return "", fmt.Errorf("environment variable %s is not set (used as ${%s}); export %s, or write ${%s:-default}", name, name, name, name)
		}
		b.WriteString(v)
	}
}

func validVar(s string) bool {
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
		if !(letter || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// serverFlavours are the words a connection's server setting starts with.
var serverFlavours = []string{"postgres", "mysql", "mariadb", "sqlite"}

// serverVersion is the version part of a server setting: one to three
// numbers separated by dots.
var serverVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}$`)

// serverSetting checks a connection's server setting and returns it with
// its words lower-cased and single-spaced; "" stays "". The error says
// what is wrong with it.
func serverSetting(raw string) (string, error) {
	words := strings.Fields(strings.ToLower(raw))
	switch {
	case len(words) == 0 && raw == "":
		return "", nil
	case len(words) != 2:
		return "", errors.New("is not a flavour and a version")
	case !slices.Contains(serverFlavours, words[0]):
		return "", fmt.Errorf("names no known flavour %q", words[0])
	case !serverVersion.MatchString(words[1]):
		return "", fmt.Errorf("has no version number like 8.0.36 after %s", words[0])
	}
	return words[0] + " " + words[1], nil
}
