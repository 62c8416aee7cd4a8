package staticload

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"go/build"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pmanager/pmanager/internal/atomicfile"
)

// readerVersion names this reader and the form of its cache entries, and
// is part of every entry's key. Change it whenever a file would be read
// differently: what migrationFile accepts or how it decodes, goFiles'
// build-constraint matching, or the form in codec.go. (A change to the
// decoded types themselves changes typesFingerprint, which is part of the
// key too.)
const readerVersion = "staticload-2"

// Bounds of the cache: a hit marks its entry used (its modification time)
// when the mark is older than touchAfter; at most once per trimEvery, a
// run removes the entries not used for trimAge.
const (
	touchAfter = 24 * time.Hour
	trimEvery  = 24 * time.Hour
	trimAge    = 14 * 24 * time.Hour
)

// maxEntry bounds the size of a pack read back; a larger file is not one
// this reader wrote.
const maxEntry = 1 << 28

// entryMagic starts every pack.
const entryMagic = "pmanager staticload cache pack\n"

// Cache keeps the decoded migration files by content, so that a command
// after an edit of one file reads that file only. An entry's key is the
// hash of the file's content and name, the build settings that decide
// whether the build compiles it, and the reader's version (never a
// modification time), so entries are valid for any project and a stale
// one is never found. A cache that cannot be read or written costs only
// time: the file is then read from source.
type Cache struct {
	dir     string
	version string // readerVersion; tests make caches of other versions

	mu    sync.Mutex
	stats CacheStats
}

// CacheStats says how one command used the cache, for PMANAGER_STATIC=verbose.
type CacheStats struct {
	// Hits and Misses count the migration files found in the cache and
	// read from source.
	Hits, Misses int
	// WriteErr is the first failure to write an entry, which made the
	// command read that file from source again next time.
	WriteErr error
}

// NewCache returns the cache kept under the folder root (the command line
// uses os.UserCacheDir()/pmanager); the folder is made when first written.
func NewCache(root string) *Cache {
	return &Cache{dir: filepath.Join(root, "staticload"), version: readerVersion}
}

// Stats returns how the cache was used so far.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// cacheEntry is what the cache keeps of one Go file of a migrations
// package.
type cacheEntry struct {
	// Included says whether the build compiles the file; the rest is
	// empty when it does not.
	Included bool
	// Package is the file's package clause.
	Package string
	// Registered are the variables init registers, in order.
	Registered []string
	// Vars are the migration variables the file declares.
	Vars []namedMigration
}

// buildSettings describes what decides whether the build compiles a file,
// as goFiles matches build constraints: the target, cgo, the compiler and
// the tags.
func buildSettings(ctxt *build.Context) string {
	return fmt.Sprintf("goos=%s goarch=%s cgo=%v compiler=%s tags=%q tool=%q release=%q",
		ctxt.GOOS, ctxt.GOARCH, ctxt.CgoEnabled, ctxt.Compiler, ctxt.BuildTags, ctxt.ToolTags, ctxt.ReleaseTags)
}

// key is the key of a file's entry: its name and content, the build
// settings, the reader's version, the shape of the decoded types and the
// Go release the reader was built with (its parser).
func (c *Cache) key(settings, name string, src []byte) string {
	h := sha256.New()
	for _, part := range []string{c.version, typesFingerprint, runtime.Version(), settings, name} {
		h.Write(binary.AppendUvarint(nil, uint64(len(part))))
		_, _ = io.WriteString(h, part) // a hash takes every write
	}
	h.Write(src)
	return string(h.Sum(nil))
}

// packPath is the file that holds the entries of the migrations package in
// dir: one file per folder, so that a command opens one cache file rather
// than one per migration. The name is that of the folder and the reader's
// version, so two versions of pmanager keep their packs apart.
func (c *Cache) packPath(dir string) string {
	h := sha256.New()
	for _, part := range []string{c.version, typesFingerprint, runtime.Version(), dir} {
		h.Write(binary.AppendUvarint(nil, uint64(len(part))))
		_, _ = io.WriteString(h, part) // a hash takes every write
	}
	name := hex.EncodeToString(h.Sum(nil))
	return filepath.Join(c.dir, name[:2], name)
}

// pack is the entries the cache holds for one migrations package, each
// still encoded, by key.
type pack struct {
	path    string
	entries map[string][]byte
	mtime   time.Time
}

// readPack returns the entries kept for dir; none when there is no sound
// pack (missing, truncated, corrupt, another version's or another
// folder's).
func (c *Cache) readPack(dir string) *pack {
	p := &pack{path: c.packPath(dir), entries: map[string][]byte{}}
	data, mtime, err := readEntryFile(p.path)
	if err != nil {
		return p
	}
	entries, err := c.parsePack(dir, data)
	if err != nil {
		return p
	}
	p.entries, p.mtime = entries, mtime
	return p
}

// get decodes the entry of key, if the pack holds a sound one.
func (p *pack) get(key string) (cacheEntry, bool) {
	data, ok := p.entries[key]
	if !ok {
		return cacheEntry{}, false
	}
	e, err := decodeEntry(data)
	return e, err == nil
}

// readEntryFile reads a file of the cache and its modification time.
func readEntryFile(path string) ([]byte, time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxEntry {
		return nil, time.Time{}, errForm
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, time.Time{}, err
	}
	return data, st.ModTime(), nil
}

// encodeEntry encodes one file's entry; a value that would not read back
// exactly as it is (one the form cannot carry) is an error, and the file
// is then not cached.
func encodeEntry(e cacheEntry) ([]byte, error) {
	var enc encoder
	if err := enc.value(reflect.ValueOf(e), 0); err != nil {
		return nil, fmt.Errorf("cache entry: %w", err)
	}
	back, err := decodeEntry(enc.buf)
	if err != nil || !reflect.DeepEqual(back, e) {
		return nil, fmt.Errorf("cache entry: the form does not keep this file's migrations exactly")
	}
	return enc.buf, nil
}

// decodeEntry reads back what encodeEntry wrote.
func decodeEntry(data []byte) (cacheEntry, error) {
	r := reader{buf: data}
	var e cacheEntry
	if err := r.value(reflect.ValueOf(&e).Elem(), 0); err != nil || len(r.buf) != 0 {
		return cacheEntry{}, errForm
	}
	return e, nil
}

// formatPack lays a pack out: the magic line, the reader's version, the
// folder, the entries by key in key order, and the SHA-256 of all that.
func (c *Cache) formatPack(dir string, entries map[string][]byte) []byte {
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	enc := encoder{buf: []byte(entryMagic)}
	enc.string(c.version)
	enc.string(dir)
	enc.uvarint(uint64(len(keys)))
	for _, k := range keys {
		enc.string(k)
		enc.string(string(entries[k]))
	}
	sum := sha256.Sum256(enc.buf)
	return append(enc.buf, sum[:]...)
}

// parsePack reads back what formatPack wrote for dir; anything else is
// an error.
func (c *Cache) parsePack(dir string, data []byte) (map[string][]byte, error) {
	if len(data) < len(entryMagic)+sha256.Size || !bytes.HasPrefix(data, []byte(entryMagic)) {
		return nil, errForm
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errForm
	}
	r := reader{buf: body[len(entryMagic):]}
	if v, err := r.string(); err != nil || v != c.version {
		return nil, errForm
	}
	if d, err := r.string(); err != nil || d != dir {
		return nil, errForm
	}
	n, err := r.length()
	if err != nil {
		return nil, err
	}
	entries := make(map[string][]byte, n)
	for range n {
		k, err := r.bytes()
		if err != nil {
			return nil, err
		}
		v, err := r.bytes()
		if err != nil {
			return nil, err
		}
		entries[string(k)] = v
	}
	if len(r.buf) != 0 {
		return nil, errForm
	}
	return entries, nil
}

// update keeps the entries of the files the package has now, when they
// differ from the pack read (a file read from source, edited, added or
// removed), else marks the pack used.
func (c *Cache) update(dir string, p *pack, entries map[string][]byte, now time.Time) error {
	same := len(entries) == len(p.entries)
	for k := range entries {
		if _, ok := p.entries[k]; !ok {
			same = false
			break
		}
	}
	found := !p.mtime.IsZero()
	if !found && len(entries) == 0 {
		return nil
	}
	if found && same {
		if now.Sub(p.mtime) > touchAfter {
			return os.Chtimes(p.path, now, now)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p.path), 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return atomicfile.Write(p.path, c.formatPack(dir, entries))
}

// count records how one package used the cache.
func (c *Cache) count(hits, misses int, writeErr error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Hits += hits
	c.stats.Misses += misses
	if writeErr != nil && c.stats.WriteErr == nil {
		c.stats.WriteErr = writeErr
	}
}

// trim removes the entries not used for trimAge, and temporary files a
// killed writer left, at most once per trimEvery (the time of the last
// trim is the modification time of the file "trimmed"). It only ever
// removes files of the cache; a failure leaves them for the next trim.
func (c *Cache) trim(now time.Time) error {
	mark := filepath.Join(c.dir, "trimmed")
	if st, err := os.Stat(mark); err == nil && now.Sub(st.ModTime()) < trimEvery {
		return nil
	}
	subdirs, err := os.ReadDir(c.dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("trim the cache: %w", err)
	}
	// Marked first, so that runs at the same moment do not all walk.
	if err := atomicfile.Write(mark, nil); err != nil {
		return fmt.Errorf("trim the cache: %w", err)
	}
	for _, sub := range subdirs {
		if !sub.IsDir() || len(sub.Name()) != 2 {
			continue
		}
		dir := filepath.Join(c.dir, sub.Name())
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("trim the cache: %w", err)
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil {
				continue // removed by another run meanwhile
			}
			age := now.Sub(info.ModTime())
			temp := strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), ".tmp")
			if age > trimAge || (temp && age > trimEvery) {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !os.IsNotExist(err) {
					return fmt.Errorf("trim the cache: %w", err)
				}
			}
		}
	}
	return nil
}
