package inspectdb_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/internal/staticload"
	"github.com/pmanager/pmanager/pkg/inspectdb"
	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/schema/connect"
	"github.com/pmanager/pmanager/pkg/state"
)

var dialects = []schema.Dialect{schema.Postgres, schema.MySQL, schema.SQLite}

// spell is each dialect's spelling of the column types the test tables use.
var spell = map[schema.Dialect]map[string]string{
	schema.Postgres: {"bigint": "bigint", "int": "integer", "text": "text", "bool": "boolean", "decimal": "numeric(10,2)",
		"datetime": "timestamp with time zone", "date": "date", "binary": "bytea", "json": "jsonb", "uuid": "uuid", "small": "smallint"},
	schema.MySQL: {"bigint": "bigint", "int": "int", "text": "longtext", "bool": "bool", "decimal": "decimal(10,2)",
		"datetime": "datetime(6)", "date": "date", "binary": "longblob", "json": "json", "uuid": "char(32)", "small": "smallint"},
	schema.SQLite: {"bigint": "integer", "int": "integer", "text": "text", "bool": "bool", "decimal": "decimal",
		"datetime": "datetime", "date": "date", "binary": "blob", "json": "text", "uuid": "char(32)", "small": "smallint"},
}

func str(s string) *string { return &s }

// shopTables is a schema as pmanager itself would make it on d, with the
// names it derives and a few it is told (a named index, check and unique),
// plus two tables a model cannot express.
func shopTables(d schema.Dialect) []schema.Table {
	ty := spell[d]
	intKey := ty["int"]
	maker := schema.Table{
		Name: "shop_maker",
		Columns: []schema.Column{
			{Name: "id", Type: ty["bigint"], AutoIncrement: true},
			{Name: "name", Type: "varchar(100)"},
			{Name: "country", Type: "varchar(2)", Default: str("KE")},
			{Name: "motto", Type: "varchar(50)", Default: str("fast, 'cheap'")},
			{Name: "notes", Type: ty["text"], Nullable: true},
			{Name: "rank", Type: ty["small"], Default: str("3")},
		},
		PrimaryKey: []string{"id"},
		Uniques:    []schema.Unique{{Name: schema.FieldUniqueName("shop_maker", "name"), Columns: []string{"name"}}},
	}
	car := schema.Table{
		Name: "shop_car",
		Columns: []schema.Column{
			{Name: "id", Type: intKey, AutoIncrement: true},
			{Name: "maker_id", Type: ty["bigint"]},
			{Name: "code", Type: "varchar(8)"},
			{Name: "model", Type: "varchar(10)", Nullable: true},
			{Name: "released", Type: ty["date"], Nullable: true},
			{Name: "listed", Type: ty["datetime"]},
			{Name: "sold", Type: ty["bool"]},
			{Name: "owner_id", Type: ty["bigint"], Nullable: true},
		},
		PrimaryKey: []string{"id"},
		Uniques: []schema.Unique{
			{Name: schema.UniqueTogetherName("shop_car", []string{"maker_id", "code"}), Columns: []string{"maker_id", "code"}},
			{Name: "one_model_per_code", Columns: []string{"code", "model"}},
		},
		Indexes: []schema.Index{
			{Name: "car_code_idx", Columns: []string{"code", "-released"}},
			{Name: schema.FieldIndexName("shop_car", "maker_id"), Columns: []string{"maker_id"}},
			{Name: schema.FieldIndexName("shop_car", "listed"), Columns: []string{"listed"}},
			{Name: schema.FieldIndexName("shop_car", "owner_id"), Columns: []string{"owner_id"}},
		},
		ForeignKeys: []schema.ForeignKey{
			{Name: schema.ForeignKeyName("shop_car", "maker_id"), Column: "maker_id", RefTable: "shop_maker", RefColumn: "id", OnDelete: "CASCADE"},
			{Name: schema.ForeignKeyName("shop_car", "owner_id"), Column: "owner_id", RefTable: "shop_maker", RefColumn: "id", OnDelete: "SET NULL"},
		},
		Checks: []string{"code_not_empty"},
	}
	if d != schema.MySQL { // partial indexes, which MySQL has not
		car.Indexes = append(car.Indexes, schema.Index{Name: "car_listed_unsold", Columns: []string{"listed"}, Partial: true})
		car.Uniques = append(car.Uniques, schema.Unique{Name: "one_unsold_code", Columns: []string{"code"}, Partial: true})
	}
	if d == schema.SQLite {
		for i := range car.ForeignKeys {
			car.ForeignKeys[i].Name = "" // SQLite names no foreign key
		}
	}
	blob := schema.Table{
		Name: "BlobStore",
		Columns: []schema.Column{
			{Name: "key", Type: "varchar(40)"},
			{Name: "data", Type: ty["binary"], Nullable: true},
			{Name: "token", Type: ty["uuid"]},
			{Name: "id", Type: ty["int"]},
		},
		PrimaryKey: []string{"key"},
	}
	if d != schema.SQLite {
		blob.Columns = append(blob.Columns, schema.Column{Name: "payload", Type: ty["json"], Nullable: true})
	}
	pair := schema.Table{
		Name:       "legacy_pair",
		Columns:    []schema.Column{{Name: "a", Type: ty["int"]}, {Name: "b", Type: "varchar(3)"}, {Name: "n", Type: "mediumint unsigned"}},
		PrimaryKey: []string{"a", "b"},
		Indexes:    []schema.Index{{Name: "pair_partial", Columns: []string{"b"}, Partial: true}},
	}
	// A foreign key to the Unmanaged legacy_pair makes this one Unmanaged too.
	pairNote := schema.Table{
		Name:        "pair_note",
		Columns:     []schema.Column{{Name: "id", Type: ty["bigint"], AutoIncrement: true}, {Name: "pair_id", Type: ty["int"]}},
		PrimaryKey:  []string{"id"},
		ForeignKeys: []schema.ForeignKey{{Name: "pair_note_pair", Column: "pair_id", RefTable: "legacy_pair", RefColumn: "a", OnDelete: "CASCADE"}},
	}
	// A default the database keeps as an expression.
	computed := schema.Table{
		Name:       "computed",
		Columns:    []schema.Column{{Name: "id", Type: ty["bigint"], AutoIncrement: true}, {Name: "n", Type: ty["int"], Default: str("(1 + 1)")}},
		PrimaryKey: []string{"id"},
	}
	history := schema.Table{Name: schema.HistoryTable, Columns: []schema.Column{{Name: "id", Type: ty["bigint"], AutoIncrement: true}}, PrimaryKey: []string{"id"}}
	if d != schema.SQLite { // comments, which SQLite keeps none of
		maker.Comment = "who makes cars, \"quoted\", it's\nnaïve"
		maker.Columns[1].Comment = "trade name, as 'sold' \\ here"
		car.Columns[1].Comment = "the maker"
	}
	out := []schema.Table{maker, car, blob, pair, pairNote, computed, history}
	for i := range out {
		schema.SortTable(&out[i])
	}
	return out
}

// shopConditions are the partial indexes' predicates of shopTables.
var shopConditions = []schema.IndexCondition{
	{Table: "shop_car", Index: "car_listed_unsold", SQL: "NOT sold"},
	{Table: "shop_car", Index: "one_unsold_code", SQL: "NOT sold"},
}

// shopChecks are the check expressions of shopTables.
var shopChecks = []schema.CheckClause{{Table: "shop_car", Name: "code_not_empty", SQL: "code <> ''"}}

// TestWriteRoundTrip writes models for a schema, reads them back as
// makemigrations would (from source), and checks that the schema the
// models imply on the same dialect is the one read, table by table; the
// tables a model cannot express are Unmanaged with their reasons.
func TestWriteRoundTrip(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			tables := shopTables(d)
			res, err := inspectdb.Write(tables, inspectdb.Options{Dialect: d, Checks: shopChecks, Conditions: shopConditions, Source: "test"})
			if err != nil {
				t.Fatal(err)
			}
			unmanaged := map[string][]string{}
			for _, m := range res.Models {
				if len(m.Unmanaged) > 0 {
					unmanaged[m.Table] = m.Unmanaged
				}
			}
			wantUnmanaged := map[string][]string{"legacy_pair": {
				"the primary key spans columns (a, b), which a model cannot say (the model marks the first as its key)",
				"column n: type mediumint unsigned has no model field on " + string(d),
				"index pair_partial has a condition, which was not read",
			}, "pair_note": {"its foreign key pair_id references legacy_pair, which is Unmanaged"},
				"computed": {"column n: its default (1 + 1) is an expression, not a literal default= can give"}}
			if diff := cmp.Diff(wantUnmanaged, unmanaged); diff != "" {
				t.Errorf("unmanaged tables (-want +got):\n%s", diff)
			}
			p := loadSource(t, res.Source)
			if p.Model("main", "BlobStore") == nil || p.Model("main", "ShopCar") == nil {
				t.Fatalf("models read back: %v", p.Models)
			}
			expected, err := connect.EditorFor(d).Expected(p)
			if err != nil {
				t.Fatal(err)
			}
			var want []schema.Table
			for _, tb := range tables {
				if tb.Name != schema.HistoryTable && unmanaged[tb.Name] == nil {
					want = append(want, tb)
				}
			}
			sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
			if diff := cmp.Diff(want, expected, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("schema of the written models (-read +implied):\n%s\n%s", diff, res.Source)
			}
		})
	}
}

// loadSource reads written models from source, as makemigrations does.
func loadSource(t *testing.T, src []byte) *state.Project {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/adopt\n\ngo 1.24\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	modelsDir := filepath.Join(dir, "models")
	if err := os.MkdirAll(modelsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(modelsDir, "inspectdb.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	apps, err := staticload.Models(staticload.Module{Path: "example.com/adopt", Dir: dir},
		[]staticload.App{{Label: "main", ModelsDir: modelsDir, MigrationsDir: filepath.Join(dir, "migrations")}})
	if err != nil {
		t.Fatalf("read the written models: %v\n%s", err, src)
	}
	p, err := models.Load(apps...)
	if err != nil {
		t.Fatalf("load the written models: %v\n%s", err, src)
	}
	return p
}

// TestWriteSource checks the parts of the written source a reader meets
// first: names, tags, quoting and the Unmanaged comment.
func TestWriteSource(t *testing.T) {
	t.Parallel()
	res, err := inspectdb.Write(shopTables(schema.Postgres), inspectdb.Options{Dialect: schema.Postgres, Package: "shop", Checks: shopChecks, Conditions: shopConditions, Source: "postgres://app@db/shop"})
	if err != nil {
		t.Fatal(err)
	}
	// Compared with blanks squeezed: gofmt's alignment is not the point.
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	src := squeeze(string(res.Source))
	for _, want := range []string{
		"// Models written by pmanager inspectdb from postgres://app@db/shop (postgres).",
		"package shop\n",
		"type ShopMaker struct {\n\tmodels.Model\n\tName",
		"Name    string  `pm:\"max_length=100,comment='trade name, as ''sold'' \\\\ here',unique\"`",
		"Comment: \"who makes cars, \\\"quoted\\\", it's\\nnaïve\",",
		"Motto   string  `pm:\"max_length=50,default='fast, ''cheap'''\"`",
		"Notes   *string\n",
		"ID       int32      `pm:\"primary_key,auto\"`",
		"Maker    *ShopMaker `pm:\"on_delete=CASCADE,comment=the maker\"`",
		"Owner    *ShopMaker `pm:\"null,on_delete=SET_NULL\"`",
		"ModelField *string `pm:\"max_length=10,column=model\"`",
		"Listed   time.Time  `pm:\"index\"`",
		"UniqueTogether: [][]string{\n\t\t\t{\"Maker\", \"Code\"},",
		"{Name: \"car_code_idx\", Fields: []string{\"Code\", \"-Released\"}},",
		"models.Unique{Name: \"one_model_per_code\", Fields: []string{\"Code\", \"ModelField\"}},",
		"models.Check{Name: \"code_not_empty\", SQL: \"code <> ''\"},",
		"{Name: \"car_listed_unsold\", Fields: []string{\"Listed\"}, Condition: \"NOT sold\"},",
		"models.Unique{Name: \"one_unsold_code\", Fields: []string{\"Code\"}, Condition: \"NOT sold\"},",
		"Table: \"BlobStore\",",
		"Key     string          `pm:\"primary_key,max_length=40\"`",
		"IDValue int32           `pm:\"column=id\"`",
		"//   - column n: type mediumint unsigned has no model field on postgres",
		"\t// mediumint unsigned: no model field makes this type; int32 is the nearest Go type\n",
		"Unmanaged: true,",
	} {
		if !strings.Contains(src, squeeze(want)) {
			t.Errorf("written source lacks %q:\n%s", want, res.Source)
		}
	}
	if strings.Contains(src, schema.HistoryTable) {
		t.Errorf("the history table was written:\n%s", src)
	}
}

// Everything has a field of every kind the model language has.
type Everything struct {
	models.Model
	Code     string          `pm:"max_length=8"`
	Body     string          `pm:"default='a, b'"`
	Views    int64           `pm:"index"`
	Rank     int32           `pm:"default=-5"`
	Stars    int16           `pm:"unique"`
	Active   bool            `pm:"default=true"`
	Score    float64         `pm:"default=1.5"`
	Price    models.Decimal  `pm:"max_digits=10,decimal_places=2"`
	Created  time.Time       `pm:"db_default=now"`
	Birthday *time.Time      `pm:"type=date"`
	Opens    time.Time       `pm:"type=time"`
	Timeout  time.Duration   `pm:"null"`
	Photo    []byte          `pm:"null"`
	Settings json.RawMessage `pm:"null"`
	Token    string          `pm:"type=uuid"`
	Parent   *Everything     `pm:"null,on_delete=SET_NULL"`
}

// TestEveryKind maps the column of every field kind, as each dialect
// makes it, back to a field that makes the same column: the reverse of the
// dialects' type maps, checked against the editors themselves.
func TestEveryKind(t *testing.T) {
	t.Parallel()
	p, err := models.Load(models.App{Label: "main", Types: []any{Everything{}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			tables, err := connect.EditorFor(d).Expected(p)
			if err != nil {
				t.Fatal(err)
			}
			res, err := inspectdb.Write(tables, inspectdb.Options{Dialect: d})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res.Models {
				if len(m.Unmanaged) > 0 {
					t.Errorf("%s is Unmanaged: %v", m.Name, m.Unmanaged)
				}
			}
			again, err := connect.EditorFor(d).Expected(loadSource(t, res.Source))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tables, again, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("schema (-original +from the written models):\n%s\n%s", diff, res.Source)
			}
		})
	}
}
