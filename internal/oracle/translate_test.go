package oracle

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// oracleDir finds the record or skips the test, saying where it looked.
func oracleDir(t *testing.T) string {
	t.Helper()
	dir, looked, err := Locate(".")
	if err != nil {
		t.Skipf("oracle: Django 3.2 record not found (looked in %s): %v", strings.Join(looked, ", "), err)
	}
	return dir
}

func TestLocate(t *testing.T) {
	t.Run("env overrides", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "scenarios"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv(DirEnv, dir)
		got, _, err := Locate(".")
		if err != nil || got != dir {
			t.Fatalf("Locate = %q, %v; want %q", got, err, dir)
		}
	})
	t.Run("env pointing nowhere", func(t *testing.T) {
		t.Setenv(DirEnv, filepath.Join(t.TempDir(), "nothing"))
		_, looked, err := Locate(".")
		if err == nil || len(looked) != 1 || !strings.Contains(err.Error(), DirEnv) {
			t.Fatalf("Locate = %v, looked %v; want an error naming %s", err, looked, DirEnv)
		}
	})
	t.Run("beside the module root", func(t *testing.T) {
		t.Setenv(DirEnv, "")
		_, looked, _ := Locate(".")
		if len(looked) != 1 || !strings.HasSuffix(looked[0], filepath.Join("shared", "oracle", "django-3.2")) {
			t.Fatalf("looked in %v; want ../shared/oracle/django-3.2 of the root", looked)
		}
	})
}

// TestRecordTranslates checks that every step of every scenario becomes a
// state the operations accept, and that Django's recorded operations parse
// and match the scenario's own expectations.
func TestRecordTranslates(t *testing.T) {
	dir := oracleDir(t)
	scenarios, err := LoadScenarios(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) != 27 {
		t.Errorf("%d scenarios; the record has 27", len(scenarios))
	}
	for _, sc := range scenarios {
		for i, step := range sc.Steps {
			p, err := Translate(step.Models)
			if err != nil {
				t.Errorf("%s step %d: %v", sc.Name, i, err)
				continue
			}
			// Creating every model through the operations validates each field.
			built := state.NewProject()
			for _, m := range p.Sorted() {
				op := operations.CreateModel{Name: m.Name, Table: m.Table, Fields: m.Fields,
					UniqueTogether: m.UniqueTogether, Indexes: m.Indexes, Constraints: m.Constraints, Options: m.Options}
				if err := op.StateForwards(App, built); err != nil {
					t.Errorf("%s step %d: %v", sc.Name, i, err)
				}
			}
		}
		for _, db := range []string{"sqlite", "postgres", "mysql"} {
			res, err := LoadResult(dir, db, sc.Name)
			if err != nil {
				t.Errorf("%s: %v", sc.Name, err)
				continue
			}
			if len(res.Steps) != len(sc.Steps) {
				t.Errorf("%s on %s: %d recorded steps for %d scenario steps", sc.Name, db, len(res.Steps), len(sc.Steps))
				continue
			}
			for i, rs := range res.Steps {
				keys, err := rs.OperationKeys()
				if err != nil {
					t.Errorf("%s on %s step %d: %v", sc.Name, db, i, err)
				}
				exp := sc.Steps[i].Expect
				if exp == nil {
					continue
				}
				if exp.MakemigrationsRC != rs.Makemigrations.RC {
					t.Errorf("%s on %s step %d: makemigrations rc %d, scenario expects %d", sc.Name, db, i, rs.Makemigrations.RC, exp.MakemigrationsRC)
				}
				if exp.Operations != nil {
					var classes []string
					for _, k := range keys {
						classes = append(classes, strings.Fields(k)[0])
					}
					if !SameMultiset(classes, exp.Operations) {
						t.Errorf("%s on %s step %d: operations %v, scenario expects %v", sc.Name, db, i, classes, exp.Operations)
					}
				}
			}
		}
	}
}

func TestTranslateField(t *testing.T) {
	models := func(js string) []ModelSpec {
		var ms []ModelSpec
		if err := json.Unmarshal([]byte(js), &ms); err != nil {
			t.Fatal(err)
		}
		return ms
	}
	tests := []struct {
		name   string
		models string
		model  string
		want   *state.Model
	}{
		{
			name:   "implicit key, email, slug, url, db_column",
			models: `[{"name":"Thing","fields":[{"name":"mail","type":"email"},{"name":"s","type":"slug","unique":true},{"name":"u","type":"url","null":true},{"name":"legacy","type":"integer","db_column":"LegacyValue"}]}]`,
			model:  "Thing",
			want: &state.Model{App: "app", Name: "Thing", Table: "app_thing", Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "mail", Kind: state.Char, MaxLength: 254},
				{Name: "s", Kind: state.Char, MaxLength: 50, Unique: true, Index: true},
				{Name: "u", Kind: state.Char, MaxLength: 200, Null: true},
				{Name: "legacy", Kind: state.Integer, Column: "LegacyValue"},
			}},
		},
		{
			name:   "defaults",
			models: `[{"name":"D","fields":[{"name":"k","type":"uuid","primary_key":true,"default":{"callable":"uuid.uuid4"}},{"name":"n","type":"integer","default":0},{"name":"b","type":"boolean","default":false},{"name":"c","type":"char","max_length":5,"default":"x"},{"name":"d","type":"decimal","max_digits":4,"decimal_places":2,"default":{"decimal":"0.00"}},{"name":"j","type":"json","default":{"callable":"dict"}}]}]`,
			model:  "D",
			want: &state.Model{App: "app", Name: "D", Table: "app_d", Fields: []*state.Field{
				{Name: "k", Kind: state.UUID, PrimaryKey: true},
				{Name: "n", Kind: state.Integer, Default: state.Str("0")},
				{Name: "b", Kind: state.Boolean, Default: state.Str("false")},
				{Name: "c", Kind: state.Char, MaxLength: 5, Default: state.Str("x")},
				{Name: "d", Kind: state.Decimal, MaxDigits: 4, DecimalPlaces: 2, Default: state.Str("0.00")},
				{Name: "j", Kind: state.JSON, Default: state.Str("{}")},
			}},
		},
		{
			name:   "relations and meta",
			models: `[{"name":"Author","fields":[]},{"name":"Book","fields":[{"name":"author","type":"foreignkey","to":"Author","on_delete":"CASCADE","related_name":"books"},{"name":"parent","type":"onetoone","to":"self","on_delete":"SET_NULL","null":true},{"name":"tags","type":"manytomany","to":"Author","db_table":"bt","extra":{"blank":true}},{"name":"price","type":"decimal","max_digits":8,"decimal_places":2,"extra":{"choices":[["1.00","one"]],"help_text":"h"}}],"meta":{"db_table":"books","unique_together":[["author","price"]],"indexes":[{"name":"i1","fields":["price","-author"]}],"constraints":[{"type":"check","name":"c1","check":{"and":[{"field":"price","op":">=","value":0},{"field":"price","op":"<","value":10}]}},{"type":"unique","name":"u1","fields":["price"],"condition":{"field":"author","op":"=","value":true}}],"ordering":["-price"],"extra":{"verbose_name":"tome"}}}]`,
			model:  "Book",
			want: &state.Model{App: "app", Name: "Book", Table: "books", Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
				{Name: "author", Kind: state.ForeignKey, Relation: &state.Relation{To: "app.Author", OnDelete: "CASCADE", RelatedName: "books"}},
				{Name: "parent", Kind: state.OneToOne, Null: true, Relation: &state.Relation{To: "app.Book", OnDelete: "SET_NULL"}},
				{Name: "tags", Kind: state.ManyToMany, Blank: true, Relation: &state.Relation{To: "app.Author", Table: "bt"}},
				{Name: "price", Kind: state.Decimal, MaxDigits: 8, DecimalPlaces: 2, Choices: []string{"1.00"}},
			},
				UniqueTogether: [][]string{{"author", "price"}},
				Indexes:        []state.Index{{Name: "i1", Fields: []string{"price", "-author"}}},
				Constraints: []state.Constraint{
					{Kind: state.CheckConstraint, Name: "c1", Check: "price >= 0 AND price < 10"},
					{Kind: state.UniqueConstraint, Name: "u1", Fields: []string{"price"}, Condition: "author_id = TRUE"},
				},
				Options: state.Options{Ordering: []string{"-price"}, VerboseName: "tome"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Translate(models(tc.models))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, p.Model("app", tc.model)); diff != "" {
				t.Errorf("translated model (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTranslateRejects(t *testing.T) {
	tests := map[string]string{
		"unknown type":         `[{"name":"A","fields":[{"name":"x","type":"money"}]}]`,
		"unknown target":       `[{"name":"A","fields":[{"name":"x","type":"foreignkey","to":"B","on_delete":"CASCADE"}]}]`,
		"fk without on_delete": `[{"name":"A","fields":[{"name":"x","type":"foreignkey","to":"A"}]}]`,
		"unknown extra":        `[{"name":"A","fields":[{"name":"x","type":"integer","extra":{"validators":[]}}]}]`,
		"unknown callable":     `[{"name":"A","fields":[{"name":"x","type":"datetime","default":{"callable":"timezone.now"}}]}]`,
		"bad check field":      `[{"name":"A","fields":[],"meta":{"constraints":[{"type":"check","name":"c","check":{"field":"nope","op":">","value":1}}]}}]`,
		"bad operator":         `[{"name":"A","fields":[{"name":"x","type":"integer"}],"meta":{"constraints":[{"type":"check","name":"c","check":{"field":"x","op":"~","value":1}}]}}]`,
	}
	for name, js := range tests {
		t.Run(name, func(t *testing.T) {
			var ms []ModelSpec
			if err := json.Unmarshal([]byte(js), &ms); err != nil {
				t.Fatal(err)
			}
			if _, err := Translate(ms); err == nil {
				t.Fatal("Translate accepted it")
			}
		})
	}
}

func TestTypeFamily(t *testing.T) {
	tests := []struct {
		d    schema.Dialect
		raw  string
		want string
	}{
		{schema.SQLite, "INTEGER", "int"},
		{schema.SQLite, "bigint", "int"},
		{schema.Postgres, "bigint", "bigint"},
		{schema.MySQL, "bigint(20)", "bigint"},
		{schema.MySQL, "int(11)", "int"},
		{schema.MySQL, "smallint(6)", "smallint"},
		{schema.MySQL, "tinyint(1)", "boolean"},
		{schema.SQLite, "bool", "boolean"},
		{schema.Postgres, "character varying(100)", "varchar(100)"},
		{schema.MySQL, "varchar(100)", "varchar(100)"},
		{schema.Postgres, "numeric(10,2)", "decimal(10,2)"},
		{schema.MySQL, "decimal(10, 2)", "decimal(10,2)"},
		{schema.SQLite, "decimal", "decimal"},
		{schema.Postgres, "timestamp with time zone", "datetime"},
		{schema.MySQL, "datetime(6)", "datetime"},
		{schema.Postgres, "time without time zone", "time"},
		{schema.MySQL, "time(6)", "time"},
		{schema.SQLite, "REAL", "float"},
		{schema.Postgres, "double precision", "float"},
		{schema.MySQL, "longblob", "binary"},
		{schema.Postgres, "bytea", "binary"},
		{schema.MySQL, "longtext", "text"},
		{schema.MySQL, "json", "text"},
		{schema.Postgres, "jsonb", "jsonb"},
		{schema.SQLite, "char(32)", "char(32)"},
		{schema.Postgres, "uuid", "uuid"},
	}
	for _, tc := range tests {
		if got := TypeFamily(tc.d, tc.raw); got != tc.want {
			t.Errorf("TypeFamily(%s, %q) = %q, want %q", tc.d, tc.raw, got, tc.want)
		}
	}
}

func TestReduceIndexes(t *testing.T) {
	tests := []struct {
		name        string
		pk          []string
		raw         []rawIndex
		wantUniques []string
		wantIndexes []string
	}{
		{
			name: "join table on MySQL: the first FK index is the unique's prefix",
			pk:   []string{"id"},
			raw: []rawIndex{
				{columns: []string{"tag_id", "book_id"}, unique: true},
				{columns: []string{"tag_id"}},
				{columns: []string{"book_id"}},
			},
			wantUniques: []string{"book_id,tag_id"},
			wantIndexes: []string{"book_id"},
		},
		{
			name: "descending index kept, duplicate collapsed, key index dropped",
			pk:   []string{"id"},
			raw: []rawIndex{
				{columns: []string{"status", "-created"}},
				{columns: []string{"title"}},
				{columns: []string{"title"}},
				{columns: []string{"id"}},
				{columns: []string{"id"}, unique: true},
			},
			wantIndexes: []string{"status,-created", "title"},
		},
		{
			name: "partial unique kept apart; an index equal to a unique dropped",
			pk:   []string{"id"},
			raw: []rawIndex{
				{columns: []string{"sku"}, unique: true, partial: true},
				{columns: []string{"name", "sku"}, unique: true},
				{columns: []string{"email"}, unique: true},
				{columns: []string{"email"}},
			},
			wantUniques: []string{"email", "name,sku", "sku (partial)"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, i := reduceIndexes(tc.pk, tc.raw)
			if diff := cmp.Diff(tc.wantUniques, u, cmpEmpty); diff != "" {
				t.Errorf("uniques (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantIndexes, i, cmpEmpty); diff != "" {
				t.Errorf("indexes (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpEmpty = cmp.Transformer("nilEmpty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

// TestDiff checks that the comparison notices each kind of difference and
// forgives the integer/bigint spelling of keys only.
func TestDiff(t *testing.T) {
	base := func() *Table {
		return &Table{
			Columns: map[string]Column{
				"id":        {Type: "int"},
				"author_id": {Type: "int"},
				"count":     {Type: "int"},
				"title":     {Type: "varchar(100)", Nullable: true},
			},
			PrimaryKey:  []string{"id"},
			Uniques:     []string{"title"},
			Indexes:     []string{"author_id"},
			ForeignKeys: []string{"author_id -> app_author.id"},
			Checks:      []string{"c1"},
		}
	}
	tests := []struct {
		name   string
		change func(t *Table)
		want   []string
	}{
		{"same", func(*Table) {}, nil},
		{"key and FK bigint forgiven", func(t *Table) {
			t.Columns["id"] = Column{Type: "bigint"}
			t.Columns["author_id"] = Column{Type: "bigint"}
		}, nil},
		{"plain bigint noticed", func(t *Table) { t.Columns["count"] = Column{Type: "bigint"} },
			[]string{"app_book: column count: type int in Django, bigint in pmanager"}},
		{"nullability", func(t *Table) { t.Columns["title"] = Column{Type: "varchar(100)"} },
			[]string{"app_book: column title: nullable true in Django, false in pmanager"}},
		{"extra column", func(t *Table) { t.Columns["x"] = Column{Type: "int"} },
			[]string{"app_book: column x: pmanager has it, Django does not"}},
		{"unique", func(t *Table) { t.Uniques = nil },
			[]string{"app_book: unique column sets: Django [title], pmanager []"}},
		{"index", func(t *Table) { t.Indexes = nil },
			[]string{"app_book: indexed column sets: Django [author_id], pmanager []"}},
		{"fk", func(t *Table) { t.ForeignKeys = []string{"author_id -> app_person.id"} },
			[]string{"app_book: foreign keys: Django [author_id -> app_author.id], pmanager [author_id -> app_person.id]"}},
		{"checks", func(t *Table) { t.Checks = nil },
			[]string{"app_book: check constraints: Django 1 [c1], pmanager 0 []"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := base()
			tc.change(got)
			d := Diff(Schema{"app_book": base()}, Schema{"app_book": got}, "Django", "pmanager")
			if diff := cmp.Diff(tc.want, d, cmpEmpty); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
		})
	}
	if d := Diff(Schema{"a": base()}, Schema{"b": base()}, "Django", "pmanager"); len(d) != 2 {
		t.Errorf("table set difference: %v", d)
	}
}

func TestRenderExpr(t *testing.T) {
	m := &state.Model{Name: "P", Fields: []*state.Field{
		{Name: "price", Kind: state.Decimal}, {Name: "name", Kind: state.Char, Column: "label"},
		{Name: "owner", Kind: state.ForeignKey},
	}}
	tests := []struct {
		expr string
		want string
	}{
		{`{"field":"price","op":">=","value":0}`, "price >= 0"},
		{`{"field":"price","op":"<=","ref":"owner"}`, "price <= owner_id"},
		{`{"field":"name","op":"=","value":"it's"}`, "label = 'it''s'"},
		{`{"or":[{"field":"price","op":">","value":1.5},{"and":[{"field":"price","op":"<","value":0},{"field":"name","op":"!=","value":false}]}]}`,
			"price > 1.5 OR (price < 0 AND label != FALSE)"},
	}
	for _, tc := range tests {
		var e ExprSpec
		if err := json.Unmarshal([]byte(tc.expr), &e); err != nil {
			t.Fatal(err)
		}
		got, err := RenderExpr(m, e)
		if err != nil || got != tc.want {
			t.Errorf("RenderExpr(%s) = %q, %v; want %q", tc.expr, got, err, tc.want)
		}
	}
}
