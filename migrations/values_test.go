package migrations

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

// valuesSeed seeds the value-preservation suite; 0 picks one from the clock
// and the failure message names it.
var valuesSeed = flag.Uint64("values.seed", 0, "seed of the value-preservation suite (0: from the clock)")

// alteration is one kind of change to column v of a table full of values.
type alteration struct {
	name string
	// from is the field before; op changes it (to, when op is nil, is an
	// AlterField to that field).
	from, to *state.Field
	op       operations.Operation
	// sets are the values the table is filled with, one set per case.
	sets []valueSet
}

// valueSet generates the values of one case.
type valueSet struct {
	name string
	gen  func(r *rand.Rand) []any
}

// multibyte mixes one-, two-, three- and four-byte UTF-8 characters.
var multibyte = []rune("aZ9 éßø漢字カ🙂👍\u00a0")

// str returns n random characters of multibyte.
func str(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(multibyte[r.IntN(len(multibyte))])
	}
	// MySQL compares and stores trailing spaces of varchar as they are,
	// but a value ending in one is a distinct adversarial case of its own.
	return b.String()
}

// stringSets fills a varchar column: limit is the narrower length of the
// alteration, wide the wider one.
func stringSets(limit, wide int) []valueSet {
	return []valueSet{
		{"at the limit", func(r *rand.Rand) []any { return []any{str(r, limit), str(r, limit), str(r, 1)} }},
		{"one past the limit", func(r *rand.Rand) []any { return []any{str(r, limit), str(r, limit+1)} }},
		{"at the wide limit", func(r *rand.Rand) []any { return []any{str(r, wide), "x"} }},
		{"empty", func(r *rand.Rand) []any { return []any{"", "", str(r, 3)} }},
		{"whitespace only", func(r *rand.Rand) []any { return []any{" ", "\t", "  \n ", strings.Repeat(" ", limit)} }},
		{"NULL", func(r *rand.Rand) []any { return []any{nil, str(r, limit/2), nil} }},
		{"random", func(r *rand.Rand) []any {
			out := make([]any, 6)
			for i := range out {
				out[i] = str(r, r.IntN(limit)+1)
			}
			return out
		}},
	}
}

// intSets fills an integer column around the edges of each width.
func intSets() []valueSet {
	edges := func(vals ...int64) func(r *rand.Rand) []any {
		return func(r *rand.Rand) []any {
			out := []any{}
			for _, v := range vals {
				out = append(out, v)
			}
			return append(out, int64(r.IntN(100)))
		}
	}
	return []valueSet{
		{"smallint edges", edges(-32768, 32767, 0)},
		{"smallint one past", edges(32768, -32769)},
		{"integer edges", edges(-2147483648, 2147483647)},
		{"integer one past", edges(2147483648, -2147483649)},
		{"zero and NULL", func(*rand.Rand) []any { return []any{int64(0), nil, int64(-1), int64(1)} }},
		{"random small", func(r *rand.Rand) []any {
			return []any{int64(r.IntN(65535) - 32768), int64(r.IntN(65535) - 32768), int64(r.IntN(200) - 100)}
		}},
		{"float exact edge", edges(9007199254740992, -9007199254740992)},
	}
}

// decimalSets fills a decimal(10,2) column.
func decimalSets() []valueSet {
	fixed := func(vals ...string) func(*rand.Rand) []any {
		return func(r *rand.Rand) []any {
			out := []any{}
			for _, v := range vals {
				out = append(out, v)
			}
			return append(out, fmt.Sprintf("%d.%d0", r.IntN(999), r.IntN(10)))
		}
	}
	return []valueSet{
		{"precision edge", fixed("99999999.99", "-99999999.99")},
		{"narrow precision edge", fixed("9999.90", "-9999.90")},
		{"scale edge", fixed("0.01", "1.25", "-0.05")},
		{"one decimal place", fixed("1.20", "-3.50", "0.00")},
		{"NULL", func(*rand.Rand) []any { return []any{nil, "1.00", nil} }},
		{"whole numbers", fixed("12.00", "-7.00", "32767.00")},
		{"random", func(r *rand.Rand) []any {
			return []any{fmt.Sprintf("%d.%02d", r.IntN(100000), r.IntN(100)), fmt.Sprintf("-%d.%02d", r.IntN(100), r.IntN(100))}
		}},
	}
}

// timeSets fills a datetime column with instants in several time zones.
func timeSets() []valueSet {
	zone := func(name string, offset int) *time.Location { return time.FixedZone(name, offset) }
	at := func(ts ...time.Time) func(*rand.Rand) []any {
		return func(r *rand.Rand) []any {
			out := []any{}
			for _, t := range ts {
				out = append(out, t)
			}
			return append(out, time.Date(2000+r.IntN(50), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000000)*1000, time.UTC))
		}
	}
	return []valueSet{
		{"midnight UTC", at(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC))},
		{"microseconds", at(time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC))},
		{"far edges", at(time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC))},
		{"2038", at(time.Date(2038, 1, 19, 3, 14, 8, 0, time.UTC))},
		{"zone +05:30", at(time.Date(2024, 6, 1, 0, 0, 0, 0, zone("IST", 5*3600+1800)))},
		{"zone -08:00", at(time.Date(2024, 11, 3, 1, 30, 0, 0, zone("PST", -8*3600)))},
		{"zone +14:00 and NULL", func(r *rand.Rand) []any {
			return []any{time.Date(2024, 12, 31, 23, 0, 0, 123000, zone("LINT", 14*3600)), nil}
		}},
	}
}

// jsonSets fills a JSON column (as text).
func jsonSets() []valueSet {
	fixed := func(vals ...any) func(*rand.Rand) []any {
		return func(r *rand.Rand) []any { return append(vals, fmt.Sprintf(`{"n": %d}`, r.IntN(1000))) }
	}
	return []valueSet{
		{"objects", fixed(`{"a": 1, "b": [true, null, "x"]}`, `{}`)},
		{"unicode", fixed(`{"k": "漢字🙂", "é": "\u00e9"}`)},
		{"numbers", fixed(`[1, -2.5, 1e3, 12345678901234567]`, `0`)},
		{"strings", fixed(`"plain"`, `""`, `" "`)},
		{"nested", fixed(`{"a": {"b": {"c": [[], {}]}}}`)},
		{"NULL", fixed(nil)},
		{"random", func(r *rand.Rand) []any {
			return []any{fmt.Sprintf(`{"k%d": %d, "s": "%s"}`, r.IntN(10), r.IntN(1000), strings.ReplaceAll(str(r, 5), "\u00a0", "x"))}
		}},
	}
}

// uuidSets fills a uuid column.
func uuidSets() []valueSet {
	gen := func(r *rand.Rand) string {
		return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1))
	}
	fixed := func(vals ...any) func(*rand.Rand) []any {
		return func(r *rand.Rand) []any { return append(vals, gen(r)) }
	}
	return []valueSet{
		{"nil uuid", fixed("00000000-0000-0000-0000-000000000000")},
		{"max uuid", fixed("ffffffff-ffff-ffff-ffff-ffffffffffff")},
		{"NULL", fixed(nil)},
		{"random", func(r *rand.Rand) []any { return []any{gen(r), gen(r), gen(r)} }},
	}
}

// textNumberSets fills a text column with texts that may read as numbers.
func textNumberSets() []valueSet {
	fixed := func(vals ...any) func(*rand.Rand) []any {
		return func(r *rand.Rand) []any { return append(vals, strconv.Itoa(r.IntN(1000))) }
	}
	return []valueSet{
		{"canonical integers", fixed("0", "-12", "2147483647")},
		{"leading zeros", fixed("007")},
		{"not a number", fixed("x", "")},
		{"spaces", fixed(" 12", "12 ")},
		{"out of range", fixed("2147483648")},
		{"decimal text", fixed("1.5")},
		{"NULL", fixed(nil)},
	}
}

// alterations is every kind the suite covers, each with its value sets.
func alterations() []alteration {
	f := func(k state.Kind, mods ...func(*state.Field)) *state.Field {
		x := &state.Field{Name: "v", Kind: k, Null: true}
		for _, m := range mods {
			m(x)
		}
		return x
	}
	size := func(n int) func(*state.Field) { return func(x *state.Field) { x.MaxLength = n } }
	dec := func(d, p int) func(*state.Field) { return func(x *state.Field) { x.MaxDigits, x.DecimalPlaces = d, p } }
	notNull := func(x *state.Field) { x.Null = false }
	unique := func(x *state.Field) { x.Unique = true }
	return []alteration{
		{name: "varchar narrowed", from: f(state.Char, size(50)), to: f(state.Char, size(30)), sets: stringSets(30, 50)},
		{name: "varchar widened", from: f(state.Char, size(30)), to: f(state.Char, size(50)), sets: stringSets(30, 30)},
		{name: "varchar to text", from: f(state.Char, size(30)), to: f(state.Text), sets: stringSets(30, 30)},
		{name: "text to varchar", from: f(state.Text), to: f(state.Char, size(30)), sets: stringSets(30, 50)},
		{name: "varchar becomes unique", from: f(state.Char, size(50)), to: f(state.Char, size(50), unique), sets: stringSets(30, 50)},
		{name: "varchar becomes NOT NULL", from: f(state.Char, size(50)), to: f(state.Char, size(50), notNull), sets: stringSets(30, 50)},
		{name: "integer to smallinteger", from: f(state.Integer), to: f(state.SmallInteger), sets: intSets()},
		{name: "biginteger to integer", from: f(state.BigInteger), to: f(state.Integer), sets: intSets()},
		{name: "smallinteger to biginteger", from: f(state.SmallInteger), to: f(state.BigInteger), sets: intSets()},
		{name: "biginteger to float", from: f(state.BigInteger), to: f(state.Float), sets: intSets()},
		{name: "biginteger to decimal(12,2)", from: f(state.BigInteger), to: f(state.Decimal, dec(12, 2)), sets: intSets()},
		{name: "integer to text", from: f(state.BigInteger), to: f(state.Text), sets: intSets()},
		{name: "integer check v >= 0", from: f(state.BigInteger),
			op:   operations.AddConstraint{Model: "T", Constraint: state.Constraint{Kind: state.CheckConstraint, Name: "vp_check", Check: "v >= 0"}},
			sets: intSets()},
		{name: "decimal scale narrowed", from: f(state.Decimal, dec(10, 2)), to: f(state.Decimal, dec(9, 1)), sets: decimalSets()},
		{name: "decimal precision narrowed", from: f(state.Decimal, dec(10, 2)), to: f(state.Decimal, dec(6, 2)), sets: decimalSets()},
		{name: "decimal widened", from: f(state.Decimal, dec(10, 2)), to: f(state.Decimal, dec(14, 4)), sets: decimalSets()},
		{name: "decimal to integer", from: f(state.Decimal, dec(10, 2)), to: f(state.Integer), sets: decimalSets()},
		{name: "decimal to float", from: f(state.Decimal, dec(10, 2)), to: f(state.Float), sets: decimalSets()},
		{name: "datetime to date", from: f(state.DateTime), to: f(state.Date), sets: timeSets()},
		{name: "datetime becomes NOT NULL", from: f(state.DateTime), to: f(state.DateTime, notNull), sets: timeSets()},
		{name: "json to text", from: f(state.JSON), to: f(state.Text), sets: jsonSets()},
		{name: "text to json", from: f(state.Text), to: f(state.JSON), sets: jsonSets()},
		{name: "uuid becomes unique", from: f(state.UUID), to: f(state.UUID, unique), sets: uuidSets()},
		{name: "text to integer", from: f(state.Text), to: f(state.Integer), sets: textNumberSets()},
		{name: "text to decimal(12,2)", from: f(state.Text), to: f(state.Decimal, dec(12, 2)), sets: textNumberSets()},
	}
}

// valuesCase is one (alteration × value set) on one dialect.
type valuesCase struct {
	n   int
	alt alteration
	set valueSet
}

// TestValuesPreserved is the value-preservation property: for every
// alteration kind and value set, on every dialect, migrate forward and
// back; each direction ends with every value read back identical (typed),
// or with a pre-flight refusal that changed nothing.
func TestValuesPreserved(t *testing.T) {
	seed := *valuesSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	var cases []valuesCase
	for _, a := range alterations() {
		for _, s := range a.sets {
			cases = append(cases, valuesCase{n: len(cases), alt: a, set: s})
		}
	}
	var mu sync.Mutex
	outcomes := map[string]int{}
	t.Cleanup(func() {
		t.Logf("value-preservation suite: %d cases (%d alteration kinds × their value sets = %d, × %d dialects), seed %d; outcomes %v",
			len(cases)*len(dbtest.Dialects), len(alterations()), len(cases), len(dbtest.Dialects), seed, outcomes)
	})
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ed := connect.EditorFor(d)
			// Each worker has a database of its own: a migrate run locks
			// its whole database, so runs on one database never overlap.
			var wg sync.WaitGroup
			for w := 0; w < valuesWorkers; w++ {
				db := dbtest.Open(t, d)
				if d == schema.SQLite {
					db.SetMaxOpenConns(1)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < len(cases); i += valuesWorkers {
						c := cases[i]
						t.Run(c.alt.name+"/"+c.set.name, func(t *testing.T) {
							got := runValuesCase(t, db, ed, c, seed)
							t.Logf("outcome: %s", got)
							mu.Lock()
							outcomes[string(d)+" "+got]++
							mu.Unlock()
							if t.Failed() {
								t.Logf("rerun: go test ./migrations -run 'TestValuesPreserved/%s/%s' -values.seed=%d", d,
									strings.ReplaceAll(c.alt.name+"/"+c.set.name, " ", "_"), seed)
							}
						})
					}
				}()
			}
			wg.Wait()
		})
	}
}

// valuesWorkers is how many cases of one dialect run at once, each worker
// on its own database.
const valuesWorkers = 3

// runValuesCase runs one case; it returns "applied", "refused" or "failed"
// for forwards, then the same for backwards.
func runValuesCase(t *testing.T, db *dbtest.DB, ed schema.Editor, c valuesCase, seed uint64) string {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, uint64(c.n)))
	app := fmt.Sprintf("vp%d", c.n)
	table := app + "_t"
	from := c.alt.from.Clone()
	m1 := &Migration{App: app, Name: "0001_initial", Initial: true, Operations: []operations.Operation{
		operations.CreateModel{Name: "T", Table: table, Fields: []*state.Field{{Name: "id", Kind: state.BigAuto, PrimaryKey: true}, from}},
	}}
	op := c.alt.op
	if op == nil {
		to := c.alt.to.Clone()
		to.Name = ""
		op = operations.AlterField{Model: "T", Name: "v", Field: to}
	}
	m2 := &Migration{App: app, Name: "0002_change", Dependencies: []Key{m1.Key()}, Operations: []operations.Operation{op}}
	g, err := NewGraph([]*Migration{m1, m2})
	if err != nil {
		t.Fatal(err)
	}
	e := NewExecutor(db.DB, ed, g)
	if _, err := e.MigrateTo(ctx, []Target{{App: app, Name: "0001"}}, Options{}); err != nil {
		t.Fatalf("create the table: %v", err)
	}
	defer func() {
		// Empty the table first: undoing a widening over values only the
		// wide column holds is refused, rightly, and must not stop the cleanup.
		if _, err := db.ExecContext(ctx, "DELETE FROM "+ed.Quote(table)); err != nil {
			t.Errorf("empty the table: %v", err)
		}
		if _, err := e.MigrateTo(ctx, []Target{{App: app, Name: Zero}}, Options{}); err != nil {
			t.Errorf("drop the table: %v", err)
		}
	}()
	for i, v := range c.set.gen(r) {
		if s, ok := v.(string); ok && from.Kind == state.UUID && db.Dialect != schema.Postgres {
			v = strings.ReplaceAll(s, "-", "") // stored as 32 hex digits there
		}
		stmt := fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES (%d, %s)", ed.Quote(table), ed.Quote("id"), ed.Quote("v"), i+1, placeholder(ed))
		if _, err := db.ExecContext(ctx, stmt, v); err != nil {
			// A value the starting column cannot hold is no part of the
			// case (a smallint column and an integer edge, say).
			t.Logf("left out %#v: the starting column refuses it: %v", v, err)
		}
	}
	k := compareKind(c.alt.from, c.alt.to)
	original := readValues(t, db, ed, table, k)
	before, after := expectedTable(t, ed, m1, m2, table)
	forward := step(t, e, db, ed, table, []Target{{App: app}}, original, k, "forwards", before)
	if forward != "applied" {
		return "forwards " + forward
	}
	return "forwards applied, backwards " + step(t, e, db, ed, table, []Target{{App: app, Name: "0001"}}, original, k, "backwards", after)
}

// compareKind is the kind in whose terms values before and after a change
// between from and to are compared: the more structured of the two, so a
// JSON document re-spaced as text, or a number read from text, compares by
// meaning and '007' read as 7 does not pass for the same value.
func compareKind(from, to *state.Field) state.Kind {
	if to == nil {
		return from.Kind
	}
	rank := func(k state.Kind) int {
		switch {
		case k == state.JSON:
			return 5
		case k == state.DateTime || k == state.Date:
			return 4
		case schema.IsInteger(k) || k == state.Decimal || k == state.Float:
			return 3
		case k == state.UUID:
			return 2
		}
		return 1
	}
	if rank(to.Kind) > rank(from.Kind) {
		if to.Kind == state.Date {
			return state.DateTime
		}
		return to.Kind
	}
	if from.Kind == state.Date {
		return state.DateTime
	}
	return from.Kind
}

// step migrates to targets and checks the outcome against want, the
// values read before any change: identical when applied, the table
// untouched when refused.
func step(t *testing.T, e *Executor, db *dbtest.DB, ed schema.Editor, table string, targets []Target, want []string, k state.Kind, dir string, shape schema.Table) string {
	t.Helper()
	ctx := context.Background()
	prior := readValues(t, db, ed, table, k)
	_, err := e.MigrateTo(ctx, targets, Options{})
	var pe *PreflightError
	switch {
	case err == nil:
		got := readValues(t, db, ed, table, k)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: applied but values changed (-before +after):\n%s", dir, diff)
		}
		return "applied"
	case errors.As(err, &pe):
		if diff := cmp.Diff(shape, inspectTable(t, db, ed, table)); diff != "" {
			t.Errorf("%s: refused but the table changed (-before +after):\n%s", dir, diff)
		}
		if diff := cmp.Diff(prior, readValues(t, db, ed, table, k)); diff != "" {
			t.Errorf("%s: refused but the rows changed (-before +after):\n%s", dir, diff)
		}
		return "refused"
	default:
		t.Errorf("%s: neither applied nor refused by a pre-flight: %v", dir, err)
		return "failed"
	}
}

// expectedTable is the table as the editor creates it after m1, and after m2.
func expectedTable(t *testing.T, ed schema.Editor, m1, m2 *Migration, table string) (schema.Table, schema.Table) {
	t.Helper()
	var out []schema.Table
	p := state.NewProject()
	for _, m := range []*Migration{m1, m2} {
		if err := operations.Apply(m.App, m.Operations, p); err != nil {
			t.Fatal(err)
		}
		tables, err := ed.Expected(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			if tb.Name == table {
				out = append(out, tb)
			}
		}
	}
	if len(out) != 2 {
		t.Fatalf("no table %s expected", table)
	}
	return out[0], out[1]
}

// placeholder is the dialect's first bind parameter.
func placeholder(ed schema.Editor) string {
	if ed.Dialect() == schema.Postgres {
		return "$1"
	}
	return "?"
}

// inspectTable introspects one table.
func inspectTable(t *testing.T, db *dbtest.DB, ed schema.Editor, table string) schema.Table {
	t.Helper()
	tables, err := ed.Inspect(context.Background(), db)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	for _, tb := range tables {
		if tb.Name == table {
			return tb
		}
	}
	t.Fatalf("no table %s", table)
	return schema.Table{}
}

// readValues reads v of every row in id order, each in a form that is
// equal for equal values of the kinds a column changes between.
func readValues(t *testing.T, db *dbtest.DB, ed schema.Editor, table string, k state.Kind) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT "+ed.Quote("v")+" FROM "+ed.Quote(table)+" ORDER BY "+ed.Quote("id"))
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, typed(k, v))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// typed renders a value read from a column of kind k canonically: numbers
// as exact rationals, instants in UTC, JSON re-encoded, uuids as bare hex.
func typed(k state.Kind, v any) string {
	if v == nil {
		return "NULL"
	}
	text := ""
	switch x := v.(type) {
	case []byte:
		text = string(x)
	case string:
		text = x
	case int64:
		text = strconv.FormatInt(x, 10)
	case float64:
		text = strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		text = strconv.FormatBool(x)
	case time.Time:
		if k == state.Date {
			return "date " + x.Format("2006-01-02")
		}
		return "time " + x.UTC().Format(time.RFC3339Nano)
	case [16]byte:
		return fmt.Sprintf("uuid %x", x[:])
	default:
		text = fmt.Sprint(x)
	}
	switch {
	case schema.IsInteger(k) || k == state.Decimal || k == state.Float:
		if q, ok := new(big.Rat).SetString(strings.TrimSpace(text)); ok && strings.TrimSpace(text) == text {
			return "number " + q.RatString()
		}
		return "text " + text
	case k == state.JSON:
		var j any
		d := json.NewDecoder(strings.NewReader(text))
		d.UseNumber()
		if err := d.Decode(&j); err != nil {
			return "text " + text
		}
		b, _ := json.Marshal(exactNumbers(j))
		return "json " + string(b)
	case k == state.UUID:
		return "uuid " + strings.ToLower(strings.ReplaceAll(text, "-", ""))
	case k == state.DateTime:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
			if ts, err := time.Parse(layout, text); err == nil {
				return "time " + ts.UTC().Format(time.RFC3339Nano)
			}
		}
	case k == state.Date:
		if len(text) >= 10 {
			return "date " + text[:10]
		}
	}
	return "text " + text
}

// exactNumbers replaces each number of a decoded JSON document by its exact
// rational value, so 1e3 and 1000 (one number, written two ways; jsonb
// keeps the second) compare equal and 0.1 and 0.10000001 do not.
func exactNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if q, ok := new(big.Rat).SetString(string(x)); ok {
			return "number " + q.RatString()
		}
		return string(x)
	case []any:
		for i := range x {
			x[i] = exactNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = exactNumbers(x[k])
		}
	}
	return v
}
