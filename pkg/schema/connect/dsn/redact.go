package dsn

import (
	"net/url"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// Mask is what pmanager prints in place of a secret.
const Mask = "xxxxx"

// SecretKey reports whether a connection parameter named key holds a
// secret: password, passwd, pwd, sslpassword, and any name containing
// pass, secret, token or key, in any case. Keys are matched broadly on
// purpose: hiding a harmless value costs nothing, printing a password
// cannot be undone.
func SecretKey(key string) bool {
	k := strings.ToLower(strings.TrimSpace(key))
	if k == "pwd" {
		return true
	}
	for _, part := range [...]string{"pass", "secret", "token", "key"} {
		if strings.Contains(k, part) {
			return true
		}
	}
	return false
}

// RedactURL renders u with the password of its user info and the values of
// its secret query parameters replaced by Mask; everything else, the order
// of the parameters included, stays as written.
func RedactURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		if _, ok := c.User.Password(); ok {
			c.User = url.UserPassword(c.User.Username(), Mask)
		}
	}
	c.RawQuery = redactQuery(c.RawQuery)
	return c.String()
}

// redactQuery masks the values of the secret parameters of a raw query.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if SecretKey(k) {
			parts[i] = p[:strings.IndexByte(p, '=')+1] + Mask
		}
	}
	return strings.Join(parts, "&")
}

// Redact renders a connection string of any form for printing: a URL
// with its secrets masked (RedactURL), and anything else (a driver DSN
// such as user:pass@tcp(host)/db, a key=value conninfo, a URL that does
// not parse) with every secret Secrets finds in it masked.
func Redact(raw string) string {
	if strings.Contains(raw, "://") {
		if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
			return Scrub(RedactURL(u), raw)
		}
	}
	return Scrub(raw, raw)
}

// Scrub masks in text every secret that the connection string raw holds,
// in every spelling found (as written and percent-decoded).
func Scrub(text, raw string) string {
	for _, s := range Secrets(raw) {
		text = strings.ReplaceAll(text, s, Mask)
	}
	return text
}

// ScrubError is Scrub for an error: err itself when it holds no secret of
// raw (so errors.Is and errors.As still see through it), otherwise an
// error with the same message, secrets masked, that unwraps to err.
func ScrubError(err error, raw string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := Scrub(msg, raw)
	if clean == msg {
		return err
	}
	return &scrubbed{msg: clean, err: err}
}

// scrubbed is an error whose message had secrets masked.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }

// Unwrap lets callers test for the causes; their own messages still hold
// the secret, so nothing may print them.
func (e *scrubbed) Unwrap() error { return e.err }

// Secrets returns every secret value in a connection string, whatever its
// form: the password of a URL's user info, the value of every secret
// query parameter (SecretKey), the password of a go-sql-driver DSN
// (user:pass@tcp(host)/db) and of a PostgreSQL key=value conninfo
// (password='…'), each as written and decoded. Longer ones come first, so
// replacing them in order never leaves part of one behind.
func Secrets(raw string) []string {
	var out []string
	add := func(vals ...string) {
		for _, v := range vals {
			if v == "" {
				continue
			}
			out = append(out, v)
			if d, err := url.PathUnescape(v); err == nil && d != v {
				out = append(out, d)
			}
			if d, err := url.QueryUnescape(v); err == nil && d != v {
				out = append(out, d)
			}
			if e := url.QueryEscape(v); e != v {
				out = append(out, e)
			}
			if e := url.PathEscape(v); e != v {
				out = append(out, e)
			}
		}
	}
	raw = strings.TrimSpace(raw)
	add(userinfoPassword(raw))
	if _, q, ok := strings.Cut(raw, "?"); ok {
		if i := strings.IndexByte(q, '#'); i >= 0 {
			q = q[:i]
		}
		for _, p := range strings.Split(q, "&") {
			k, v, ok := strings.Cut(p, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if ok && SecretKey(k) {
				add(v)
			}
		}
	}
	if !strings.Contains(raw, "://") {
		if cfg, err := mysql.ParseDSN(raw); err == nil {
			add(cfg.Passwd)
		} else if pass := dsnPassword(raw); pass != "" {
			add(pass)
		}
		for k, v := range conninfo(raw) {
			if SecretKey(k) {
				add(v...)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return slices.Compact(out)
}

// userinfoPassword is the password between "://user:" and the last "@"
// before the host, read from the text itself, so a URL that net/url
// refuses still has its password found.
func userinfoPassword(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	rest := raw[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		// A password may hold / ? or #; the user info ends at the last @
		// before the path, so look for @ past them when there is one.
		if at := strings.LastIndexByte(rest, '@'); at > j {
			j = strings.IndexAny(rest[at:], "/?#")
			if j < 0 {
				j = len(rest)
			} else {
				j += at
			}
		}
		rest = rest[:j]
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return ""
	}
	_, pass, ok := strings.Cut(rest[:at], ":")
	if !ok {
		return ""
	}
	return pass
}

// dsnPassword is the password of a go-sql-driver style DSN that the driver
// itself does not accept: the text between the first ":" and the last "@"
// before the address.
func dsnPassword(raw string) string {
	end := strings.IndexAny(raw, "(/")
	if end < 0 {
		end = len(raw)
	}
	at := strings.LastIndexByte(raw[:end], '@')
	if at < 0 {
		return ""
	}
	_, pass, ok := strings.Cut(raw[:at], ":")
	if !ok {
		return ""
	}
	return pass
}

// conninfo reads a PostgreSQL key=value connection string (host=h
// password='a b' …): values may be single-quoted, with backslash
// escapes. Each value comes decoded and as written between the quotes. It
// reads what it can and stops at the first thing that is not key=value.
func conninfo(raw string) map[string][]string {
	out := map[string][]string{}
	s := raw
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return out
		}
		key := strings.TrimSpace(s[:eq])
		if strings.ContainsAny(key, " \t") {
			return out
		}
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val strings.Builder
		written := ""
		if strings.HasPrefix(s, "'") {
			s = s[1:]
			start := s
			closed := false
			for len(s) > 0 && !closed {
				switch {
				case s[0] == '\\' && len(s) > 1:
					val.WriteByte(s[1])
					s = s[2:]
				case s[0] == '\'':
					closed = true
					written = start[:len(start)-len(s)]
					s = s[1:]
				default:
					val.WriteByte(s[0])
					s = s[1:]
				}
			}
		} else {
			end := strings.IndexAny(s, " \t\r\n")
			if end < 0 {
				end = len(s)
			}
			val.WriteString(s[:end])
			s = s[end:]
		}
		out[key] = []string{val.String(), written}
	}
}
