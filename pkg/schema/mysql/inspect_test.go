package mysql

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// project builds a state from models, failing the test on duplicates.
func project(t testing.TB, models ...*state.Model) *state.Project {
	t.Helper()
	p := state.NewProject()
	for _, m := range models {
		if err := p.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// creationOrder orders p's models so that every foreign key target (other
// than the model itself) is created before the models that point at it.
func creationOrder(t testing.TB, p *state.Project) []*state.Model {
	t.Helper()
	var out []*state.Model
	done := map[string]bool{}
	pending := p.Sorted()
	for len(pending) > 0 {
		var next []*state.Model
		for _, m := range pending {
			ready := true
			for _, f := range m.Fields {
				if f.Relation == nil || f.Kind == state.ManyToMany {
					continue
				}
				target := p.Resolve(m.App, f.Relation.To)
				if target != nil && target.Key() != m.Key() && !done[target.Key()] {
					ready = false
				}
			}
			if ready {
				out = append(out, m)
				done[m.Key()] = true
			} else {
				next = append(next, m)
			}
		}
		if len(next) == len(pending) {
			t.Fatalf("relations between %d models form a cycle", len(next))
		}
		pending = next
	}
	return out
}

// createAll runs CreateModel for every model of p on db. A many-to-many
// field whose target is not created yet is added afterwards with AddField,
// as a migration would.
func createAll(t testing.TB, db *sql.DB, p *state.Project) {
	t.Helper()
	e := New()
	created := map[string]bool{}
	type later struct {
		m     *state.Model
		field string
	}
	var deferred []later
	for _, m := range creationOrder(t, p) {
		now := m.Clone()
		now.Fields = nil
		for _, f := range m.Fields {
			if f.Kind == state.ManyToMany {
				target := p.Resolve(m.App, f.Relation.To)
				if target != nil && target.Key() != m.Key() && !created[target.Key()] {
					deferred = append(deferred, later{m, f.Name})
					continue
				}
			}
			now.Fields = append(now.Fields, f)
		}
		stmts, err := e.CreateModel(p, now)
		if err != nil {
			t.Fatalf("CreateModel %s: %v", m.Label(), err)
		}
		apply(t, db, stmts)
		created[m.Key()] = true
	}
	for _, d := range deferred {
		stmts, err := e.AddField(p, d.m, d.m, d.field, nil)
		if err != nil {
			t.Fatalf("AddField %s.%s: %v", d.m.Label(), d.field, err)
		}
		apply(t, db, stmts)
	}
}

// apply runs statements in order, failing the test with the one that fails.
func apply(t testing.TB, db *sql.DB, stmts []string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("exec %s\n: %v\nall statements:\n%s", s, err, strings.Join(stmts, ";\n"))
		}
	}
}

// assertSchema compares Expected(p) with what Inspect finds on db.
func assertSchema(t testing.TB, db *sql.DB, p *state.Project) {
	t.Helper()
	want, err := New().Expected(p)
	if err != nil {
		t.Fatalf("Expected: %v", err)
	}
	got, err := New().Inspect(context.Background(), db)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("schema mismatch (-Expected +Inspect):\n%s", diff)
	}
}

// queryRows returns each row of query as its columns joined by "|", NULL as "NULL".
func queryRows(t testing.TB, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = v.String
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// richProject covers every kind, null/default/unique/index, FK, O2O, self
// FK, to_field, no_constraint, M2M (automatic, self and through),
// unique_together, a descending index, unique and check constraints,
// awkward identifiers and an unmanaged model.
func richProject(t testing.TB) *state.Project {
	manufacturer := &state.Model{App: "main", Name: "Manufacturer", Table: "manufacturer", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "name", Kind: state.Char, MaxLength: 100, Unique: true},
		{Name: "country", Kind: state.Char, MaxLength: 2, Default: state.Str("KE")},
	}}
	user := &state.Model{App: "main", Name: "User", Table: "user", Fields: []*state.Field{
		{Name: "id", Kind: state.Auto, PrimaryKey: true},
		{Name: "name", Kind: state.Char, MaxLength: 50, Index: true},
		{Name: "active", Kind: state.Boolean, Default: state.Str("true")},
		{Name: "friends", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.User"}},
	}}
	order := &state.Model{App: "main", Name: "Order", Table: "order", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "weird", Kind: state.Char, MaxLength: 40, Column: `we"ird col`, Null: true, Default: state.Str("it's; DROP TABLE x")},
		{Name: "back", Kind: state.Text, Default: state.Str(`back\slash 'q' "d"`)},
		{Name: "big", Kind: state.BigInteger, Default: state.Str("-5")},
		{Name: "n", Kind: state.Integer},
		{Name: "small", Kind: state.SmallInteger, Null: true},
		{Name: "ok", Kind: state.Boolean, Default: state.Str("0")},
		{Name: "ratio", Kind: state.Float, Default: state.Str("1.5")},
		{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2, Default: state.Str("1.5")},
		{Name: "at", Kind: state.DateTime, Null: true},
		{Name: "since", Kind: state.DateTime, Default: state.Str("2020-01-02 03:04:05")},
		{Name: "day", Kind: state.Date, Default: state.Str("2020-01-02")},
		{Name: "tm", Kind: state.Time, Null: true, Default: state.Str("10:30")},
		{Name: "dur", Kind: state.Duration, Default: state.Str("0")},
		{Name: "data", Kind: state.Binary, Null: true},
		{Name: "doc", Kind: state.JSON, Null: true},
		{Name: "meta", Kind: state.JSON, Default: state.Str("{}")},
		{Name: "uid", Kind: state.UUID, Unique: true},
		{Name: "note", Kind: state.Char, MaxLength: 10, Default: state.Str("")},
		{Name: "customer", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.User", OnDelete: "SET_NULL"}},
		{Name: "maker", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "CASCADE"}},
		{Name: "profile", Kind: state.OneToOne, Null: true, Relation: &state.Relation{To: "User", OnDelete: "CASCADE"}},
		{Name: "parent", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Order", OnDelete: "SET_NULL"}},
		{Name: "loose", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "DO_NOTHING", NoConstraint: true}},
		{Name: "maker_name", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Manufacturer", ToField: "name", OnDelete: "PROTECT"}},
		{Name: "tags", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Manufacturer"}},
		{Name: "lines", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Manufacturer", Through: "main.OrderLine"}},
	},
		UniqueTogether: [][]string{{"maker", "n"}},
		Indexes:        []state.Index{{Name: "order_at_n_idx", Fields: []string{"-at", "n"}}},
		Constraints: []state.Constraint{
			{Kind: state.UniqueConstraint, Name: "order_uid_small_uniq", Fields: []string{"uid", "small"}},
			{Kind: state.CheckConstraint, Name: "order_big_check", Check: "`big` > -100"},
		},
	}
	line := &state.Model{App: "main", Name: "OrderLine", Table: "order line", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "order", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Order", OnDelete: "CASCADE"}},
		{Name: "manufacturer", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "RESTRICT"}},
		{Name: "qty", Kind: state.SmallInteger, Default: state.Str("1")},
	}}
	ghost := &state.Model{App: "main", Name: "Ghost", Table: "ghost", Unmanaged: true, Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
	}}
	return project(t, manufacturer, user, order, line, ghost)
}

func TestCreateModelMatchesExpected(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.MySQL)
	p := richProject(t)
	createAll(t, db.DB, p)
	assertSchema(t, db.DB, p)

	// Defaults are stored as exactly the text the state holds.
	apply(t, db.DB, []string{
		"INSERT INTO `manufacturer` (`name`) VALUES ('Acme')",
		"INSERT INTO `order` (`n`, `uid`, `maker_id`) VALUES (1, 'u1', 1)",
	})
	got := queryRows(t, db.DB, "SELECT `we\"ird col`, `back`, `big`, `ok`, `price`, `since`, `tm`, `meta`, `note` FROM `order`")
	want := []string{`it's; DROP TABLE x|back\slash 'q' "d"|-5|0|1.50|2020-01-02T03:04:05Z|10:30:00.000000|{}|`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored defaults (-want +got):\n%s", diff)
	}
	if got := queryRows(t, db.DB, "SELECT `country` FROM `manufacturer`"); len(got) != 1 || got[0] != "KE" {
		t.Errorf("manufacturer.country = %q, want KE", got)
	}
}

func TestInspectNormalisesRawSchema(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, schema.MySQL)
	apply(t, db.DB, []string{
		"CREATE TABLE `pmanager_migrations` (`id` int NOT NULL AUTO_INCREMENT PRIMARY KEY, `app` varchar(255) NOT NULL, `applied` datetime(6) NOT NULL) ENGINE=InnoDB",
		"CREATE TABLE `raw` (" +
			"`k` smallint NOT NULL, `s` varchar(20) NULL DEFAULT 'NULL', `q` varchar(20) NOT NULL DEFAULT 'a''b\\\\c', " +
			"`b` tinyint(1) NOT NULL DEFAULT 1, `j` json NULL, `t` longtext NULL, `u` int unsigned NOT NULL DEFAULT 7, " +
			"`d` decimal(6,3) NOT NULL DEFAULT 2, `ts` datetime(6) NULL DEFAULT CURRENT_TIMESTAMP(6), " +
			"PRIMARY KEY (`k`), UNIQUE KEY `raw_s_q` (`s`, `q`), KEY `raw_desc` (`u` DESC, `k`), " +
			"CONSTRAINT `raw_u_check` CHECK (`u` < 100)) ENGINE=InnoDB",
		"CREATE VIEW `raw_view` AS SELECT `k` FROM `raw`",
	})
	got, err := New().Inspect(context.Background(), db.DB)
	if err != nil {
		t.Fatal(err)
	}
	str := state.Str
	want := []schema.Table{
		{
			Name: "pmanager_migrations",
			Columns: []schema.Column{
				{Name: "id", Type: "int", AutoIncrement: true},
				{Name: "app", Type: "varchar(255)"},
				{Name: "applied", Type: "datetime(6)"},
			},
			PrimaryKey: []string{"id"},
		},
		{
			Name: "raw",
			Columns: []schema.Column{
				{Name: "k", Type: "smallint"},
				{Name: "s", Type: "varchar(20)", Nullable: true, Default: str("NULL")},
				{Name: "q", Type: "varchar(20)", Default: str(`a'b\c`)},
				{Name: "b", Type: "bool", Default: str("true")},
				{Name: "j", Type: "json", Nullable: true},
				{Name: "t", Type: "longtext", Nullable: true},
				{Name: "u", Type: "int unsigned", Default: str("7")},
				{Name: "d", Type: "decimal(6,3)", Default: str("2.000")},
				{Name: "ts", Type: "datetime(6)", Nullable: true, DBDefault: "now"},
			},
			PrimaryKey: []string{"k"},
			Uniques:    []schema.Unique{{Name: "raw_s_q", Columns: []string{"s", "q"}}},
			Indexes:    []schema.Index{{Name: "raw_desc", Columns: []string{"-u", "k"}}},
			Checks:     []string{"raw_u_check"},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Inspect (-want +got):\n%s", diff)
	}
}

func TestUnquoteLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{`'KE'`, "KE", true},
		{`''`, "", true},
		{`'it''s'`, "it's", true},
		{`'it\'s'`, "it's", true},
		{`'a\\b'`, `a\b`, true},
		{`'line\nnext\ttab'`, "line\nnext\ttab", true},
		{`'a'b'`, "", false},
		{`KE`, "", false},
		{`'`, "", false},
	}
	for _, tt := range tests {
		got, ok := unquoteLiteral(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("unquoteLiteral(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormaliseType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		isJSON bool
		want   string
	}{
		{"int(11)", false, "int"},
		{"bigint(20)", false, "bigint"},
		{"bigint(20) unsigned", false, "bigint unsigned"},
		{"smallint(6)", false, "smallint"},
		{"tinyint(1)", false, "bool"},
		{"tinyint(4)", false, "tinyint"},
		{"VARCHAR(100)", false, "varchar(100)"},
		{"decimal(10,2)", false, "decimal(10,2)"},
		{"longtext", true, "json"},
		{"datetime(6)", false, "datetime(6)"},
	}
	for _, tt := range tests {
		if got := normaliseType(tt.in, tt.isJSON); got != tt.want {
			t.Errorf("normaliseType(%q, %v) = %q, want %q", tt.in, tt.isJSON, got, tt.want)
		}
	}
}

func TestMySQLExpressionValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`_utf8mb4\'abc\'`, "abc"},
		{`_utf8mb4\'it\'\'s\'`, "it's"},
		{`CURRENT_TIMESTAMP(6)`, "CURRENT_TIMESTAMP(6)"},
		{`(now() + interval 1 day)`, `(now() + interval 1 day)`},
	}
	for _, tt := range tests {
		if got := mysqlExpressionValue(tt.in); got != tt.want {
			t.Errorf("mysqlExpressionValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCanonicalSQLType: a spelled type is expected as COLUMN_TYPE reports
// it after normaliseType: integer display widths dropped, aliases named.
func TestCanonicalSQLType(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"MEDIUMTEXT": "mediumtext", "int(11)": "int", "int(11) unsigned": "int unsigned", "INTEGER UNSIGNED": "int unsigned",
		"tinyint unsigned": "tinyint unsigned", "varchar(255)": "varchar(255)", "numeric(10, 2)": "decimal(10,2)",
		"decimal": "decimal(10,0)", "boolean": "bool", "char": "char(1)", "double precision": "double",
	} {
		if got := canonicalSQLType(in); got != want {
			t.Errorf("canonicalSQLType(%q) = %q, want %q", in, got, want)
		}
	}
}
