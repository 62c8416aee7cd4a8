package sqlite

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// everyKind is one model with a column of every kind, defaults of every
// literal form, and awkward names.
func everyKind() *state.Model {
	return model("Everything", "everything",
		id(),
		&state.Field{Name: "name", Kind: state.Char, MaxLength: 100, Unique: true},
		&state.Field{Name: "body", Kind: state.Text, Default: state.Str("")},
		&state.Field{Name: "big", Kind: state.BigInteger, Index: true},
		&state.Field{Name: "count", Kind: state.Integer, Default: state.Str("42")},
		&state.Field{Name: "small", Kind: state.SmallInteger, Default: state.Str("-3")},
		&state.Field{Name: "active", Kind: state.Boolean, Default: state.Str("true")},
		&state.Field{Name: "flag", Kind: state.Boolean, Null: true, Default: state.Str("0")},
		&state.Field{Name: "ratio", Kind: state.Float, Default: state.Str("1.5")},
		&state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2, Default: state.Str("9.99")},
		&state.Field{Name: "at", Kind: state.DateTime, Null: true},
		&state.Field{Name: "day", Kind: state.Date, Default: state.Str("2024-01-31")},
		&state.Field{Name: "clock", Kind: state.Time, Null: true},
		&state.Field{Name: "took", Kind: state.Duration, Default: state.Str("1000")},
		&state.Field{Name: "blob", Kind: state.Binary, Null: true},
		&state.Field{Name: "doc", Kind: state.JSON, Default: state.Str(`{"a": [1, "x"]}`)},
		&state.Field{Name: "key", Kind: state.UUID, Unique: true},
		&state.Field{Name: "evil", Kind: state.Char, MaxLength: 40, Default: state.Str("it's; DROP TABLE x")},
		&state.Field{Name: "weird", Kind: state.Char, MaxLength: 10, Column: `we"ird col`, Index: true, Null: true},
		&state.Field{Name: "desc", Kind: state.Text, Column: "select", Null: true},
	)
}

// carsProject is the README's walk-through with every relation form: FK,
// to_field FK, no-constraint FK, self FK, one-to-one, M2M (automatic, self
// and through), unique_together, desc and partial indexes, a check and a
// partial unique constraint, a char primary key, tables named user and
// order, and an unmanaged model that must not be created.
func carsProject(t *testing.T) *state.Project {
	country := model("Country", "country",
		&state.Field{Name: "code", Kind: state.Char, MaxLength: 2, PrimaryKey: true},
		&state.Field{Name: "name", Kind: state.Text})
	manufacturer := model("Manufacturer", "manufacturer",
		id(),
		&state.Field{Name: "name", Kind: state.Char, MaxLength: 100, Unique: true},
		&state.Field{Name: "country", Kind: state.Char, MaxLength: 2, Default: state.Str("KE")},
		&state.Field{Name: "origin", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Country", OnDelete: "SET_DEFAULT"}})
	feature := model("Feature", "feature",
		&state.Field{Name: "id", Kind: state.Auto, PrimaryKey: true},
		&state.Field{Name: "code", Kind: state.UUID, Unique: true})
	user := model("User", "user",
		id(),
		char("email", 254))
	user.Constraints = []state.Constraint{{Kind: state.UniqueConstraint, Name: "user_email_live_uniq", Fields: []string{"email"}, Condition: "email <> ''"}}
	car := model("Car", "local_car",
		id(),
		char("name", 30),
		fk("manufacturer", "main.Manufacturer", "CASCADE"),
		&state.Field{Name: "owner", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.User", OnDelete: "SET_NULL"}},
		&state.Field{Name: "maker", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Manufacturer", ToField: "name", OnDelete: "RESTRICT"}},
		&state.Field{Name: "legacy", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.User", OnDelete: "DO_NOTHING", NoConstraint: true}},
		&state.Field{Name: "previous", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "Car", OnDelete: "PROTECT"}},
		&state.Field{Name: "registration", Kind: state.OneToOne, Null: true, Relation: &state.Relation{To: "main.User", OnDelete: "CASCADE"}},
		&state.Field{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2},
		&state.Field{Name: "features", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Feature"}},
		&state.Field{Name: "drivers", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.User", Through: "main.Ownership"}},
		&state.Field{Name: "released", Kind: state.DateTime, Null: true},
		&state.Field{Name: "notes", Kind: state.Text, Blank: true})
	car.UniqueTogether = [][]string{{"manufacturer", "name"}}
	car.Indexes = []state.Index{
		{Name: "car_name_idx", Fields: []string{"name", "-released"}},
		{Name: "car_cheap_idx", Fields: []string{"price"}, Condition: "price < 100"},
	}
	car.Constraints = []state.Constraint{
		{Kind: state.CheckConstraint, Name: "price_gte_0", Check: "price >= 0"},
		{Kind: state.UniqueConstraint, Name: "car_name_notes_uniq", Fields: []string{"name", "notes"}},
	}
	ownership := model("Ownership", "ownership",
		id(),
		fk("car", "main.Car", "CASCADE"),
		fk("user", "main.User", "CASCADE"))
	order := model("Order", "order",
		id(),
		&state.Field{Name: "user", Kind: state.ForeignKey, Column: "user", Relation: &state.Relation{To: "main.User", OnDelete: "CASCADE"}},
		&state.Field{Name: "related", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Order", Table: "order links"}})
	legacy := model("Legacy", "legacy_things", id(), char("name", 10))
	legacy.Unmanaged = true
	return project(t, country, manufacturer, feature, user, car, ownership, order, legacy)
}

func TestCreateModelMatchesExpected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		p      func(t *testing.T) *state.Project
		tables []string
	}{
		{"every kind", func(t *testing.T) *state.Project { return project(t, everyKind()) }, []string{"everything"}},
		{"cars", carsProject, []string{"country", "feature", "local_car", "local_car_features", "manufacturer",
			"order", "order links", "ownership", "user"}},
		{"awkward table names", func(t *testing.T) *state.Project {
			m := model("Quote", `we"ird table`, id(), &state.Field{Name: "self", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "Quote", OnDelete: "CASCADE"}})
			m.UniqueTogether = [][]string{{"id", "self"}}
			return project(t, m)
		}, []string{`we"ird table`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := conn(t)
			p := tt.p(t)
			createAll(t, c, p)
			assertSchema(t, c, p)
			got, err := New().Inspect(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tab := range got {
				names = append(names, tab.Name)
			}
			if diff := cmp.Diff(tt.tables, names); diff != "" {
				t.Errorf("tables (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExpectedShape pins what Expected says for a few tables, so a bug shared
// by Expected and the renderer cannot hide behind their agreement.
func TestExpectedShape(t *testing.T) {
	t.Parallel()
	tables, err := New().Expected(carsProject(t))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]schema.Table{}
	for _, tab := range tables {
		byName[tab.Name] = tab
	}
	want := map[string]schema.Table{
		"local_car_features": {
			Name: "local_car_features",
			Columns: []schema.Column{
				{Name: "id", Type: "integer", AutoIncrement: true},
				{Name: "car_id", Type: "integer"},
				{Name: "feature_id", Type: "integer"},
			},
			PrimaryKey: []string{"id"},
			Uniques:    []schema.Unique{{Name: "local_car_features_car_id_feature_id_uniq", Columns: []string{"car_id", "feature_id"}}},
			Indexes: []schema.Index{
				{Name: "local_car_features_car_id_idx", Columns: []string{"car_id"}},
				{Name: "local_car_features_feature_id_idx", Columns: []string{"feature_id"}},
			},
			ForeignKeys: []schema.ForeignKey{
				{Column: "car_id", RefTable: "local_car", RefColumn: "id", OnDelete: "CASCADE"},
				{Column: "feature_id", RefTable: "feature", RefColumn: "id", OnDelete: "CASCADE"},
			},
		},
		"manufacturer": {
			Name: "manufacturer",
			Columns: []schema.Column{
				{Name: "id", Type: "integer", AutoIncrement: true},
				{Name: "name", Type: "varchar(100)"},
				{Name: "country", Type: "varchar(2)", Default: state.Str("KE")},
				{Name: "origin_id", Type: "varchar(2)", Nullable: true},
			},
			PrimaryKey: []string{"id"},
			Uniques:    []schema.Unique{{Name: "manufacturer_name_uniq", Columns: []string{"name"}}},
			Indexes:    []schema.Index{{Name: "manufacturer_origin_id_idx", Columns: []string{"origin_id"}}},
			ForeignKeys: []schema.ForeignKey{
				{Column: "origin_id", RefTable: "country", RefColumn: "code", OnDelete: "SET DEFAULT"},
			},
		},
	}
	for name, w := range want {
		if diff := cmp.Diff(w, byName[name], cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Expected %s (-want +got):\n%s", name, diff)
		}
	}
	if _, ok := byName["legacy_things"]; ok {
		t.Error("Expected lists the unmanaged model's table")
	}
	if _, ok := byName["local_car_drivers"]; ok {
		t.Error("Expected lists a join table for an M2M with a through model")
	}
}

// TestInspectNormalises reads hand-written SQL (not the editor's) to check
// each normalisation Inspect promises.
func TestInspectNormalises(t *testing.T) {
	t.Parallel()
	c := conn(t)
	exec(t, c,
		`CREATE TABLE "pmanager_migrations" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL)`,
		`INSERT INTO "pmanager_migrations" ("app", "name") VALUES ('main', '0001_initial')`,
		`CREATE TABLE parent (code TEXT NOT NULL PRIMARY KEY, label VARCHAR(20) DEFAULT 'AUTOINCREMENT')`,
		`CREATE TABLE "child" (
			-- a comment saying CONSTRAINT "nope" CHECK (1)
			id INTEGER PRIMARY KEY,
			"parent" text REFERENCES parent ON DELETE CASCADE,
			quoted text DEFAULT 'it''s',
			yes BOOL DEFAULT TRUE,
			no bool DEFAULT 0,
			absent integer DEFAULT NULL,
			neg integer DEFAULT -1,
			tag text UNIQUE,
			CONSTRAINT "a""b" CHECK (neg < 0),
			CHECK (neg > -10),
			constraint [square] check (1)
		)`,
		`CREATE INDEX "child_mixed" ON child (neg DESC, quoted) WHERE neg < 0`,
		`CREATE UNIQUE INDEX child_pair ON child (quoted, "parent")`,
	)
	got, err := New().Inspect(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.Table{
		{
			Name: "child",
			Columns: []schema.Column{
				{Name: "id", Type: "integer", Nullable: true},
				{Name: "parent", Type: "text", Nullable: true},
				{Name: "quoted", Type: "text", Nullable: true, Default: state.Str("it's")},
				{Name: "yes", Type: "bool", Nullable: true, Default: state.Str("true")},
				{Name: "no", Type: "bool", Nullable: true, Default: state.Str("false")},
				{Name: "absent", Type: "integer", Nullable: true},
				{Name: "neg", Type: "integer", Nullable: true, Default: state.Str("-1")},
				{Name: "tag", Type: "text", Nullable: true},
			},
			PrimaryKey: []string{"id"},
			Uniques: []schema.Unique{
				{Name: "child_pair", Columns: []string{"quoted", "parent"}},
				{Name: "sqlite_autoindex_child_1", Columns: []string{"tag"}},
			},
			Indexes:     []schema.Index{{Name: "child_mixed", Columns: []string{"-neg", "quoted"}, Partial: true}},
			ForeignKeys: []schema.ForeignKey{{Column: "parent", RefTable: "parent", RefColumn: "code", OnDelete: "CASCADE"}},
			Checks:      []string{`a"b`, "square"},
		},
		{
			Name: "parent",
			Columns: []schema.Column{
				{Name: "code", Type: "text"},
				{Name: "label", Type: "varchar(20)", Nullable: true, Default: state.Str("AUTOINCREMENT")},
			},
			PrimaryKey: []string{"code"},
		},
		{
			Name: "pmanager_migrations",
			Columns: []schema.Column{
				{Name: "id", Type: "integer", AutoIncrement: true},
				{Name: "app", Type: "varchar(255)"},
				{Name: "name", Type: "varchar(255)"},
			},
			PrimaryKey: []string{"id"},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Inspect (-want +got):\n%s", diff)
	}
}

func TestTokenScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sql    string
		checks []string
		auto   bool
	}{
		{`CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT)`, nil, true},
		{`CREATE TABLE t (id integer PRIMARY KEY autoincrement, CONSTRAINT c CHECK (id > 0))`, []string{"c"}, true},
		{`CREATE TABLE t (x text DEFAULT 'AUTOINCREMENT', "AUTOINCREMENT" int)`, nil, false},
		{`CREATE TABLE t (x text DEFAULT 'CONSTRAINT "s" CHECK (1)')`, nil, false},
		{`CREATE TABLE t (x int CONSTRAINT "col level" CHECK (x > 0), CONSTRAINT u UNIQUE (x))`, []string{"col level"}, false},
		{`CREATE TABLE t (x int, CONSTRAINT "q""uote" CHECK (x), CONSTRAINT ` + "`back`" + ` CHECK (x)) /* CONSTRAINT z CHECK */`, []string{`q"uote`, "back"}, false},
		{`CREATE TABLE t (x int, CONSTRAINT 'str' CHECK (x), CONSTRAINT [sq] CHECK (x)`, []string{"str", "sq"}, false},
		{`CREATE TABLE t (x text DEFAULT 'unterminated`, nil, false},
	}
	for _, tt := range tests {
		tokens := tokenize(tt.sql)
		if diff := cmp.Diff(tt.checks, checkNames(tokens), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("checkNames(%s) (-want +got):\n%s", tt.sql, diff)
		}
		if got := hasAutoincrement(tokens); got != tt.auto {
			t.Errorf("hasAutoincrement(%s) = %v, want %v", tt.sql, got, tt.auto)
		}
	}
}
