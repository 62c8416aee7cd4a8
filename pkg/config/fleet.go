package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// Fleet is one [fleets.<name>] table: many databases that one command
// migrates as one job. Exactly one way of listing them is set: URLs, File,
// or Server with Databases or Schemas. The values are as written; use
// Config.Fleet to get them expanded.
type Fleet struct {
	// Name is the table's name ("tenants").
	Name string
	// URLs are connection URLs, one target each.
	URLs []string
	// File is a file of connection URLs, one a line (blank lines and
	// lines starting with # are skipped), relative to Config.Dir.
	File string
	// Server is a connection URL of a server; Databases is a LIKE pattern
	// (tenant_%): every database of that server whose name matches is a
	// target. Schemas (PostgreSQL) is a LIKE pattern of the schemas of
	// Server's database instead: each matching schema is a target.
	Server    string
	Databases string
	Schemas   string

	line int
}

// fleetFile mirrors a [fleets.<name>] table.
type fleetFile struct {
	URLs      []string `toml:"urls"`
	File      *string  `toml:"file"`
	Server    *string  `toml:"server"`
	Databases *string  `toml:"databases"`
	Schemas   *string  `toml:"schemas"`
}

// readFleets validates the [fleets.<name>] tables: each lists its targets
// one way only, and a server comes with the pattern it is searched by.
func (c *Config) readFleets(f file, lines lineIndex) error {
	if len(f.Fleets) == 0 {
		return nil
	}
	c.Fleets = map[string]Fleet{}
	for _, name := range sortedKeys(f.Fleets) {
		ff := f.Fleets[name]
		line := lines.find(toml.Key{"fleets", name})
		fl := Fleet{Name: name, URLs: ff.URLs, line: line}
		ways := 0
		if ff.URLs != nil {
			ways++
		}
		if ff.File != nil {
			fl.File = *ff.File
			ways++
		}
		if ff.Server != nil {
			fl.Server = *ff.Server
			ways++
		}
		if ff.Databases != nil {
			fl.Databases = *ff.Databases
		}
		if ff.Schemas != nil {
			fl.Schemas = *ff.Schemas
		}
		const how = "write urls = [\"postgres://...\", ...], file = \"<file of URLs, one a line>\", or server = \"<URL>\" with databases = \"tenant_%\""
		switch {
		case ff.Server == nil && (ff.Databases != nil || ff.Schemas != nil):
			return &Error{File: c.File, Line: line, Msg: fmt.Sprintf("[fleets.%s] has a pattern but no server; add server = \"<URL of the server>\" to search with it", name)}
		case ways == 0:
			return &Error{File: c.File, Line: line, Msg: fmt.Sprintf("[fleets.%s] lists no databases; %s", name, how)}
		case ways > 1:
			return &Error{File: c.File, Line: line, Msg: fmt.Sprintf("[fleets.%s] lists its databases more than one way; keep one of urls, file and server", name)}
		case ff.URLs != nil && len(ff.URLs) == 0:
			return &Error{File: c.File, Line: lines.find(toml.Key{"fleets", name, "urls"}), Msg: fmt.Sprintf("[fleets.%s] has an empty urls list; add the connection URLs of its databases", name)}
		case ff.Server != nil && (ff.Databases != nil) == (ff.Schemas != nil):
			return &Error{File: c.File, Line: line, Msg: fmt.Sprintf("[fleets.%s] has a server; add exactly one of databases = \"tenant_%%\" (every database whose name matches) or schemas = \"tenant_%%\" (PostgreSQL: every schema of the server's database)", name)}
		}
		c.Fleets[name] = fl
	}
	return nil
}

// FleetNames lists the configured fleets, sorted.
func (c *Config) FleetNames() []string { return sortedKeys(c.Fleets) }

// Fleet returns the named fleet with ${VAR} expanded in every value and
// File read into URLs (File keeps the path, made absolute).
func (c *Config) Fleet(name string) (Fleet, error) {
	fl, ok := c.Fleets[name]
	if !ok {
		list := "(none configured)"
		if len(c.Fleets) > 0 {
			list = strings.Join(c.FleetNames(), ", ")
		}
		return Fleet{}, &Error{File: c.File, Msg: fmt.Sprintf("unknown fleet %q; add [fleets.%s] to %s, or use one of: %s", name, name, FileName, list)}
	}
	out := Fleet{Name: fl.Name, line: fl.line}
	var err error
	for _, u := range fl.URLs {
		v, err := c.expand(u, fl.line)
		if err != nil {
			return Fleet{}, err
		}
		if v = strings.TrimSpace(v); v != "" {
			out.URLs = append(out.URLs, v)
		}
	}
	for _, f := range []struct {
		dst *string
		src string
	}{{&out.File, fl.File}, {&out.Server, fl.Server}, {&out.Databases, fl.Databases}, {&out.Schemas, fl.Schemas}} {
		if *f.dst, err = c.expand(f.src, fl.line); err != nil {
			return Fleet{}, err
		}
		*f.dst = strings.TrimSpace(*f.dst)
	}
	if fl.File != "" {
		out.File = c.Path(out.File)
		if out.URLs, err = readURLFile(out.File, c.lookup); err != nil {
			return Fleet{}, &Error{File: c.File, Line: fl.line, Msg: fmt.Sprintf("[fleets.%s]: %v", name, err)}
		}
	}
	return out, nil
}

// readURLFile reads a file of connection URLs, one a line, expanding
// ${VAR} in each; blank lines and # comments are skipped.
func readURLFile(path string, lookup LookupFunc) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the file of URLs: %w", err)
	}
	var urls []string
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := Expand(line, lookup)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		urls = append(urls, v)
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("%s lists no URL; write one connection URL a line", path)
	}
	return urls, nil
}
