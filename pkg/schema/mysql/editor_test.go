package mysql

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/internal/dbtest"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// carProject is the README's cars walk-through, small enough to read its DDL.
func carProject(t testing.TB) *state.Project {
	manufacturer := &state.Model{App: "main", Name: "Manufacturer", Table: "manufacturer", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "name", Kind: state.Char, MaxLength: 100, Unique: true},
		{Name: "country", Kind: state.Char, MaxLength: 2, Default: state.Str("KE")},
	}}
	car := &state.Model{App: "main", Name: "Car", Table: "local_car", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "name", Kind: state.Char, MaxLength: 30},
		{Name: "manufacturer", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Manufacturer", OnDelete: "CASCADE"}},
		{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2},
		{Name: "features", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Manufacturer"}},
		{Name: "released", Kind: state.DateTime, Null: true},
		{Name: "notes", Kind: state.Text, Blank: true},
	},
		UniqueTogether: [][]string{{"manufacturer", "name"}},
		Indexes:        []state.Index{{Name: "car_name_idx", Fields: []string{"name", "-released"}}},
		Constraints:    []state.Constraint{{Kind: state.CheckConstraint, Name: "price_gte_0", Check: "price >= 0"}},
	}
	return project(t, manufacturer, car)
}

func TestCreateModelDDL(t *testing.T) {
	t.Parallel()
	p := carProject(t)
	tests := []struct {
		model string
		want  []string
	}{
		{"Manufacturer", []string{
			"CREATE TABLE `manufacturer` (\n" +
				"    `id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n" +
				"    `name` varchar(100) NOT NULL,\n" +
				"    `country` varchar(2) NOT NULL DEFAULT 'KE',\n" +
				"    CONSTRAINT `manufacturer_name_uniq` UNIQUE (`name`)\n" +
				") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
		}},
		{"Car", []string{
			"CREATE TABLE `local_car` (\n" +
				"    `id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n" +
				"    `name` varchar(30) NOT NULL,\n" +
				"    `manufacturer_id` bigint NOT NULL,\n" +
				"    `price` decimal(10,2) NOT NULL,\n" +
				"    `released` datetime(6) NULL,\n" +
				"    `notes` longtext NOT NULL,\n" +
				"    CONSTRAINT `local_car_manufacturer_id_name_uniq` UNIQUE (`manufacturer_id`, `name`),\n" +
				"    CONSTRAINT `price_gte_0` CHECK (price >= 0)\n" +
				") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
			"CREATE INDEX `local_car_manufacturer_id_idx` ON `local_car` (`manufacturer_id`)",
			"CREATE INDEX `car_name_idx` ON `local_car` (`name`, `released` DESC)",
			"ALTER TABLE `local_car` ADD CONSTRAINT `local_car_manufacturer_id_fk` FOREIGN KEY (`manufacturer_id`) REFERENCES `manufacturer` (`id`) ON DELETE CASCADE",
			"CREATE TABLE `local_car_features` (\n" +
				"    `id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,\n" +
				"    `car_id` bigint NOT NULL,\n" +
				"    `manufacturer_id` bigint NOT NULL,\n" +
				"    CONSTRAINT `local_car_features_car_id_manufacturer_id_uniq` UNIQUE (`car_id`, `manufacturer_id`)\n" +
				") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
			"CREATE INDEX `local_car_features_car_id_idx` ON `local_car_features` (`car_id`)",
			"CREATE INDEX `local_car_features_manufacturer_id_idx` ON `local_car_features` (`manufacturer_id`)",
			"ALTER TABLE `local_car_features` ADD CONSTRAINT `local_car_features_car_id_fk` FOREIGN KEY (`car_id`) REFERENCES `local_car` (`id`) ON DELETE CASCADE",
			"ALTER TABLE `local_car_features` ADD CONSTRAINT `local_car_features_manufacturer_id_fk` FOREIGN KEY (`manufacturer_id`) REFERENCES `manufacturer` (`id`) ON DELETE CASCADE",
		}},
	}
	for _, tt := range tests {
		got, err := New().CreateModel(p, p.Model("main", tt.model))
		if err != nil {
			t.Fatalf("CreateModel %s: %v", tt.model, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("CreateModel %s (-want +got):\n%s", tt.model, diff)
		}
	}
}

func TestAlterFieldDDL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(f *state.Field)
		fill   *string
		want   []string
	}{
		{"null to not null and retype, with fill", func(f *state.Field) { f.Null, f.Kind = false, state.BigInteger }, state.Str("18"), []string{
			"UPDATE `author` SET `age` = 18 WHERE `age` IS NULL",
			"ALTER TABLE `author` MODIFY COLUMN `age` bigint NOT NULL",
		}},
		{"rename restates the column", func(f *state.Field) { f.Column = "years"; f.Default = state.Str("1") }, nil, []string{
			"ALTER TABLE `author` CHANGE COLUMN `age` `years` int NULL DEFAULT 1",
		}},
		{"state-only options render nothing", func(f *state.Field) { f.Blank, f.Choices = true, []string{"1"} }, nil, nil},
		{"a comment restates the column", func(f *state.Field) { f.Comment = "how old" }, nil, []string{
			"ALTER TABLE `author` MODIFY COLUMN `age` int NULL COMMENT 'how old'",
		}},
		{"bad fill is an error", func(f *state.Field) { f.Null = false }, state.Str("old"), nil},
	}
	for _, tt := range tests {
		before := baseProject(t)
		after := before.Clone()
		tt.change(after.Model("main", "Author").Field("age"))
		got, err := New().AlterField(after, before.Model("main", "Author"), after.Model("main", "Author"), "age", "age", tt.fill)
		if tt.name == "bad fill is an error" {
			if err == nil || !strings.Contains(err.Error(), `fill value for main.Author.age: "old" is not an integer`) {
				t.Errorf("%s: error = %v", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestAddFieldKeepsColumnOrder(t *testing.T) {
	t.Parallel()
	before := baseProject(t)
	after := before.Clone()
	m := after.Model("main", "Author")
	m.Fields = append([]*state.Field{{Name: "rank", Kind: state.Integer, Null: true}}, m.Fields...)
	got, err := New().AddField(after, before.Model("main", "Author"), m, "rank", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ALTER TABLE `author` ADD COLUMN `rank` int NULL FIRST"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddField (-want +got):\n%s", diff)
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := map[string]string{"user": "`user`", "we\"ird col": "`we\"ird col`", "a`b": "`a``b`"}
	for in, want := range tests {
		if got := New().Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestDefaultClause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ, value string
		want       string
		err        string
	}{
		{"varchar(20)", "it's; DROP TABLE x", `'it''s; DROP TABLE x'`, ""},
		{"varchar(20)", `a\b`, `'a\\b'`, ""},
		{"varchar(20)", "", `''`, ""},
		{"longtext", "x", `('x')`, ""},
		{"json", "{}", `('{}')`, ""},
		{"int", "-5", "-5", ""},
		{"int", "1.5", "", "not an integer"},
		{"bigint", "1; DROP TABLE x", "", "not an integer"},
		{"decimal(10,2)", "1.5", "1.5", ""},
		{"double", "1e3", "1e3", ""},
		{"double", "NaN", "", "not a number"},
		{"double", "0x10", "", "not a number"},
		{"bool", "true", "1", ""},
		{"bool", "FALSE", "0", ""},
		{"bool", "1", "1", ""},
		{"bool", "yes", "", "not a boolean"},
		{"datetime(6)", "2020-01-02", "'2020-01-02'", ""},
	}
	for _, tt := range tests {
		got, err := defaultClause(tt.typ, tt.value)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("defaultClause(%s, %q) error = %v, want one containing %q", tt.typ, tt.value, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("defaultClause(%s, %q): %v", tt.typ, tt.value, err)
		case got != tt.want:
			t.Errorf("defaultClause(%s, %q) = %s, want %s", tt.typ, tt.value, got, tt.want)
		}
	}
}

func TestCanonicalDefault(t *testing.T) {
	t.Parallel()
	tests := []struct{ typ, in, want string }{
		{"bool", "1", "true"},
		{"bool", "False", "false"},
		{"int", "+05", "5"},
		{"decimal(10,2)", "1.5", "1.50"},
		{"decimal(10,2)", "1.50", "1.50"},
		{"double", "1e3", "1000"},
		{"datetime(6)", "2020-01-02", "2020-01-02 00:00:00.000000"},
		{"datetime(6)", "2020-01-02 00:00:00.000000", "2020-01-02 00:00:00.000000"},
		{"time(6)", "10:30", "10:30:00.000000"},
		{"varchar(5)", " x ", " x "},
		{"datetime(6)", "current_timestamp(6)", "current_timestamp(6)"},
	}
	for _, tt := range tests {
		if got := canonicalDefault(tt.typ, tt.in); got != tt.want {
			t.Errorf("canonicalDefault(%s, %q) = %q, want %q", tt.typ, tt.in, got, tt.want)
		}
	}
}

func TestUnsupportedAreErrors(t *testing.T) {
	t.Parallel()
	e := New()
	partialIndex := carProject(t)
	partialIndex.Model("main", "Car").Indexes[0].Condition = "price > 0"
	partialUnique := carProject(t)
	partialUnique.Model("main", "Car").Constraints = []state.Constraint{{Kind: state.UniqueConstraint, Name: "car_u", Fields: []string{"name"}, Condition: "price > 0"}}
	setDefault := carProject(t)
	setDefault.Model("main", "Car").Field("manufacturer").Relation.OnDelete = "SET_DEFAULT"
	badDefault := carProject(t)
	badDefault.Model("main", "Car").Field("price").Default = state.Str("cheap")

	car := func(p *state.Project) *state.Model { return p.Model("main", "Car") }
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"partial index CreateModel", func() error {
			_, err := e.CreateModel(partialIndex, car(partialIndex))
			return err
		}, "MySQL does not support partial indexes"},
		{"partial index Expected", func() error { _, err := e.Expected(partialIndex); return err }, "MySQL does not support partial indexes"},
		{"partial index AddIndex", func() error {
			p := carProject(t)
			_, err := e.AddIndex(p, car(p), car(p), state.Index{Name: "x", Fields: []string{"name"}, Condition: "price > 0"})
			return err
		}, "MySQL does not support partial indexes"},
		{"conditional unique CreateModel", func() error {
			_, err := e.CreateModel(partialUnique, car(partialUnique))
			return err
		}, "MySQL does not support conditional unique constraints"},
		{"conditional unique AddConstraint", func() error {
			p := carProject(t)
			_, err := e.AddConstraint(p, car(p), car(p), state.Constraint{Kind: state.UniqueConstraint, Name: "u", Fields: []string{"name"}, Condition: "price > 0"})
			return err
		}, "MySQL does not support conditional unique constraints"},
		{"set default", func() error { _, err := e.CreateModel(setDefault, car(setDefault)); return err }, "SET_DEFAULT is not supported"},
		{"bad default", func() error { _, err := e.CreateModel(badDefault, car(badDefault)); return err }, `main.Car.price: "cheap" is not a number`},
	}
	for _, tt := range tests {
		err := tt.run()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestUnmanagedModelsGetNoDDL(t *testing.T) {
	t.Parallel()
	p := richProject(t)
	ghost := p.Model("main", "Ghost")
	e := New()
	calls := map[string]func() ([]string, error){
		"CreateModel": func() ([]string, error) { return e.CreateModel(p, ghost) },
		"DeleteModel": func() ([]string, error) { return e.DeleteModel(p, ghost) },
		"AddField":    func() ([]string, error) { return e.AddField(p, ghost, ghost, "id", nil) },
		"RemoveField": func() ([]string, error) { return e.RemoveField(p, ghost, ghost, "id") },
		"AlterField":  func() ([]string, error) { return e.AlterField(p, ghost, ghost, "id", "id", nil) },
		"AddIndex": func() ([]string, error) {
			return e.AddIndex(p, ghost, ghost, state.Index{Name: "i", Fields: []string{"id"}})
		},
	}
	for name, call := range calls {
		stmts, err := call()
		if err != nil || len(stmts) != 0 {
			t.Errorf("%s on an unmanaged model = %q, %v; want nothing", name, stmts, err)
		}
	}
}

// baseProject is the starting state of the alteration tests.
func baseProject(t testing.TB) *state.Project {
	author := &state.Model{App: "main", Name: "Author", Table: "author", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "name", Kind: state.Char, MaxLength: 20},
		{Name: "age", Kind: state.Integer, Null: true},
		{Name: "email", Kind: state.Char, MaxLength: 50, Null: true},
		{Name: "score", Kind: state.Integer, Default: state.Str("0")},
	}}
	book := &state.Model{App: "main", Name: "Book", Table: "book", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "title", Kind: state.Char, MaxLength: 30},
		{Name: "author", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Author", OnDelete: "CASCADE"}},
		{Name: "editor", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Author", OnDelete: "SET_NULL"}},
		{Name: "pages", Kind: state.Integer, Null: true},
	}}
	return project(t, author, book)
}

// baseRows are inserted after the before-state is created.
func baseRows() []string {
	return []string{
		"INSERT INTO `author` (`id`, `name`, `age`, `email`, `score`) VALUES (1, 'Ann', 30, NULL, 5), (2, 'Bob', NULL, 'bob@example.com', 7)",
		"INSERT INTO `book` (`id`, `title`, `author_id`, `editor_id`, `pages`) VALUES (1, 'Go', 1, 2, 100), (2, 'SQL', 2, NULL, NULL)",
	}
}

// op is one schema change of an alteration test, run forward (before →
// after) and backward by calling the editor the other way round.
type op struct {
	kind  string
	model string
	// renamed is the model's name after the change, when it changes.
	renamed        string
	a, b           string // field or index names: old and new
	fill, backFill *string
	index          state.Index
	constraint     state.Constraint
}

// models returns the op's model before and after the change.
func (o op) models(before, after *state.Project) (*state.Model, *state.Model) {
	name := o.model
	if o.renamed != "" {
		name = o.renamed
	}
	return before.Model("main", o.model), after.Model("main", name)
}

func (o op) forward(e *Editor, before, after *state.Project) ([]string, error) {
	bm, am := o.models(before, after)
	switch o.kind {
	case "alterField":
		return e.AlterField(after, bm, am, o.a, o.b, o.fill)
	case "addField":
		return e.AddField(after, bm, am, o.a, o.fill)
	case "removeField":
		return e.RemoveField(after, bm, am, o.a)
	case "alterTogether":
		return e.AlterUniqueTogether(after, bm, am)
	case "addIndex":
		return e.AddIndex(after, bm, am, o.index)
	case "removeIndex":
		return e.RemoveIndex(after, bm, am, o.index)
	case "renameIndex":
		return e.RenameIndex(after, bm, am, o.a, o.b)
	case "addConstraint":
		return e.AddConstraint(after, bm, am, o.constraint)
	case "removeConstraint":
		return e.RemoveConstraint(after, bm, am, o.constraint)
	case "alterTable":
		return e.AlterModelTable(after, bm, am)
	case "createModel":
		return e.CreateModel(after, am)
	case "deleteModel":
		return e.DeleteModel(before, bm)
	}
	return nil, fmt.Errorf("unknown op %q", o.kind)
}

func (o op) backward(e *Editor, before, after *state.Project) ([]string, error) {
	bm, am := o.models(before, after)
	switch o.kind {
	case "alterField":
		return e.AlterField(before, am, bm, o.b, o.a, o.backFill)
	case "addField":
		return e.RemoveField(before, am, bm, o.a)
	case "removeField":
		return e.AddField(before, am, bm, o.a, o.backFill)
	case "alterTogether":
		return e.AlterUniqueTogether(before, am, bm)
	case "addIndex":
		return e.RemoveIndex(before, am, bm, o.index)
	case "removeIndex":
		return e.AddIndex(before, am, bm, o.index)
	case "renameIndex":
		return e.RenameIndex(before, am, bm, o.b, o.a)
	case "addConstraint":
		return e.RemoveConstraint(before, am, bm, o.constraint)
	case "removeConstraint":
		return e.AddConstraint(before, am, bm, o.constraint)
	case "alterTable":
		return e.AlterModelTable(before, am, bm)
	case "createModel":
		return e.DeleteModel(after, am)
	case "deleteModel":
		return e.CreateModel(before, bm)
	}
	return nil, fmt.Errorf("unknown op %q", o.kind)
}

// rowsCheck is a query whose rows must equal want.
type rowsCheck struct {
	query string
	want  []string
}

// alteration is one forward/backward schema change test.
type alteration struct {
	name string
	// before edits the base state (nil: the base state as is).
	before func(p *state.Project)
	// change edits a copy of the before-state into the after-state.
	change func(p *state.Project)
	op     op
	// afterForward and afterBackward check that rows survived.
	afterForward, afterBackward *rowsCheck
}

func field(p *state.Project, model, name string) *state.Field {
	return p.Model("main", model).Field(name)
}

func addField(p *state.Project, model string, f *state.Field) {
	m := p.Model("main", model)
	m.Fields = append(m.Fields, f)
}

// renameModel renames a model and its table and points every relation at the new name.
func renameModel(p *state.Project, old, name, table string) {
	m := p.Model("main", old)
	delete(p.Models, m.Key())
	m.Name, m.Table = name, table
	p.Models[m.Key()] = m
	for _, other := range p.Models {
		for _, f := range other.Fields {
			if f.Relation != nil && f.Relation.To == "main."+old {
				f.Relation.To = "main." + name
			}
		}
	}
}

func removeField(p *state.Project, model, name string) {
	m := p.Model("main", model)
	m.Fields = append(m.Fields[:m.FieldIndex(name)], m.Fields[m.FieldIndex(name)+1:]...)
}

func alterations() []alteration {
	// authorRows and bookRows are the seeded rows, unchanged.
	authorRows := &rowsCheck{"SELECT `id`, `name`, `age`, `email`, `score` FROM `author` ORDER BY `id`",
		[]string{"1|Ann|30|NULL|5", "2|Bob|NULL|bob@example.com|7"}}
	bookRows := &rowsCheck{"SELECT `id`, `title`, `author_id`, `editor_id`, `pages` FROM `book` ORDER BY `id`",
		[]string{"1|Go|1|2|100", "2|SQL|2|NULL|NULL"}}
	return []alteration{
		{
			name:          "add nullable field",
			change:        func(p *state.Project) { addField(p, "Author", &state.Field{Name: "bio", Kind: state.Text, Null: true}) },
			op:            op{kind: "addField", model: "Author", a: "bio"},
			afterForward:  &rowsCheck{"SELECT `name`, `bio` FROM `author` ORDER BY `id`", []string{"Ann|NULL", "Bob|NULL"}},
			afterBackward: authorRows,
		},
		{
			name: "add not null field with fill",
			change: func(p *state.Project) {
				addField(p, "Author", &state.Field{Name: "nick", Kind: state.Char, MaxLength: 10})
			},
			op:            op{kind: "addField", model: "Author", a: "nick", fill: state.Str("it's")},
			afterForward:  &rowsCheck{"SELECT `name`, `nick` FROM `author` ORDER BY `id`", []string{"Ann|it's", "Bob|it's"}},
			afterBackward: authorRows,
		},
		{
			name: "add field with default and a different fill",
			change: func(p *state.Project) {
				addField(p, "Author", &state.Field{Name: "level", Kind: state.SmallInteger, Default: state.Str("1")})
			},
			op:           op{kind: "addField", model: "Author", a: "level", fill: state.Str("3")},
			afterForward: &rowsCheck{"SELECT `name`, `level` FROM `author` ORDER BY `id`", []string{"Ann|3", "Bob|3"}},
		},
		{
			name: "add unique text-like field",
			change: func(p *state.Project) {
				addField(p, "Author", &state.Field{Name: "code", Kind: state.UUID, Null: true, Unique: true})
			},
			op: op{kind: "addField", model: "Author", a: "code"},
		},
		{
			name: "add json field with default",
			change: func(p *state.Project) {
				addField(p, "Author", &state.Field{Name: "prefs", Kind: state.JSON, Default: state.Str(`{"a": 1}`)})
			},
			op:           op{kind: "addField", model: "Author", a: "prefs"},
			afterForward: &rowsCheck{"SELECT `name`, `prefs` FROM `author` ORDER BY `id`", []string{`Ann|{"a": 1}`, `Bob|{"a": 1}`}},
		},
		{
			name: "add self one-to-one field",
			change: func(p *state.Project) {
				addField(p, "Author", &state.Field{Name: "mentor", Kind: state.OneToOne, Null: true, Relation: &state.Relation{To: "main.Author", OnDelete: "SET_NULL"}})
			},
			op: op{kind: "addField", model: "Author", a: "mentor"},
		},
		{
			name: "add many-to-many field",
			change: func(p *state.Project) {
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
			},
			op: op{kind: "addField", model: "Book", a: "coauthors"},
		},
		{
			name:          "remove field",
			change:        func(p *state.Project) { removeField(p, "Author", "age") },
			op:            op{kind: "removeField", model: "Author", a: "age"},
			afterForward:  &rowsCheck{"SELECT `id`, `name`, `email` FROM `author` ORDER BY `id`", []string{"1|Ann|NULL", "2|Bob|bob@example.com"}},
			afterBackward: &rowsCheck{"SELECT `id`, `name`, `age` FROM `author` ORDER BY `id`", []string{"1|Ann|NULL", "2|Bob|NULL"}},
		},
		{
			name:          "remove foreign key field",
			change:        func(p *state.Project) { removeField(p, "Book", "editor") },
			op:            op{kind: "removeField", model: "Book", a: "editor"},
			afterForward:  &rowsCheck{"SELECT `id`, `title`, `author_id` FROM `book` ORDER BY `id`", []string{"1|Go|1", "2|SQL|2"}},
			afterBackward: &rowsCheck{"SELECT `id`, `editor_id` FROM `book` ORDER BY `id`", []string{"1|NULL", "2|NULL"}},
		},
		{
			name: "remove many-to-many field",
			before: func(p *state.Project) {
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
			},
			change: func(p *state.Project) { removeField(p, "Book", "coauthors") },
			op:     op{kind: "removeField", model: "Book", a: "coauthors"},
		},
		{
			name:          "alter max_length",
			change:        func(p *state.Project) { field(p, "Author", "name").MaxLength = 50 },
			op:            op{kind: "alterField", model: "Author", a: "name", b: "name"},
			afterForward:  authorRows,
			afterBackward: authorRows,
		},
		{
			name:          "alter null to not null with fill",
			change:        func(p *state.Project) { field(p, "Author", "age").Null = false },
			op:            op{kind: "alterField", model: "Author", a: "age", b: "age", fill: state.Str("18")},
			afterForward:  &rowsCheck{"SELECT `name`, `age` FROM `author` ORDER BY `id`", []string{"Ann|30", "Bob|18"}},
			afterBackward: &rowsCheck{"SELECT `name`, `age` FROM `author` ORDER BY `id`", []string{"Ann|30", "Bob|18"}},
		},
		{
			name:          "alter not null to null",
			change:        func(p *state.Project) { field(p, "Author", "score").Null = true },
			op:            op{kind: "alterField", model: "Author", a: "score", b: "score", backFill: state.Str("0")},
			afterForward:  authorRows,
			afterBackward: authorRows,
		},
		{
			name:         "set default",
			change:       func(p *state.Project) { field(p, "Author", "email").Default = state.Str("it's; DROP TABLE x") },
			op:           op{kind: "alterField", model: "Author", a: "email", b: "email"},
			afterForward: authorRows,
		},
		{
			name:          "drop default",
			change:        func(p *state.Project) { field(p, "Author", "score").Default = nil },
			op:            op{kind: "alterField", model: "Author", a: "score", b: "score"},
			afterForward:  authorRows,
			afterBackward: authorRows,
		},
		{
			name:          "unique on and off",
			change:        func(p *state.Project) { field(p, "Author", "email").Unique = true },
			op:            op{kind: "alterField", model: "Author", a: "email", b: "email"},
			afterForward:  authorRows,
			afterBackward: authorRows,
		},
		{
			name:          "index on and off",
			change:        func(p *state.Project) { field(p, "Book", "pages").Index = true },
			op:            op{kind: "alterField", model: "Book", a: "pages", b: "pages"},
			afterForward:  bookRows,
			afterBackward: bookRows,
		},
		{
			name:          "type int to bigint",
			change:        func(p *state.Project) { field(p, "Author", "age").Kind = state.BigInteger },
			op:            op{kind: "alterField", model: "Author", a: "age", b: "age"},
			afterForward:  authorRows,
			afterBackward: authorRows,
		},
		{
			name:          "type char to text",
			change:        func(p *state.Project) { field(p, "Book", "title").Kind = state.Text },
			op:            op{kind: "alterField", model: "Book", a: "title", b: "title"},
			afterForward:  bookRows,
			afterBackward: bookRows,
		},
		{
			name:   "type text to json",
			before: func(p *state.Project) { addField(p, "Author", &state.Field{Name: "doc", Kind: state.Text, Null: true}) },
			change: func(p *state.Project) { field(p, "Author", "doc").Kind = state.JSON },
			op:     op{kind: "alterField", model: "Author", a: "doc", b: "doc"},
		},
		{
			name:          "foreign key on_delete change",
			change:        func(p *state.Project) { field(p, "Book", "author").Relation.OnDelete = "PROTECT" },
			op:            op{kind: "alterField", model: "Book", a: "author", b: "author"},
			afterForward:  bookRows,
			afterBackward: bookRows,
		},
		{
			name:          "foreign key to one-to-one",
			change:        func(p *state.Project) { field(p, "Book", "author").Kind = state.OneToOne },
			op:            op{kind: "alterField", model: "Book", a: "author", b: "author"},
			afterForward:  bookRows,
			afterBackward: bookRows,
		},
		{
			name:          "foreign key no_constraint",
			change:        func(p *state.Project) { field(p, "Book", "editor").Relation.NoConstraint = true },
			op:            op{kind: "alterField", model: "Book", a: "editor", b: "editor"},
			afterForward:  bookRows,
			afterBackward: bookRows,
		},
		{
			name:          "foreign key target change",
			change:        func(p *state.Project) { field(p, "Book", "editor").Relation.To = "main.Book" },
			op:            op{kind: "alterField", model: "Book", a: "editor", b: "editor"},
			afterForward:  bookRows,
			afterBackward: bookRows,
		},
		{
			name: "rename column referenced by to_field",
			before: func(p *state.Project) {
				field(p, "Author", "email").Unique = true
				addField(p, "Book", &state.Field{Name: "contact", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Author", ToField: "email", OnDelete: "SET_NULL"}})
			},
			change:        func(p *state.Project) { field(p, "Author", "email").Column = "mail" },
			op:            op{kind: "alterField", model: "Author", a: "email", b: "email"},
			afterForward:  bookRows,
			afterBackward: authorRows,
		},
		{
			name: "widen column referenced by to_field",
			before: func(p *state.Project) {
				field(p, "Author", "email").Unique = true
				addField(p, "Book", &state.Field{Name: "contact", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Author", ToField: "email", OnDelete: "SET_NULL"}})
			},
			change:        func(p *state.Project) { field(p, "Author", "email").MaxLength = 80 },
			op:            op{kind: "alterField", model: "Author", a: "email", b: "email"},
			afterForward:  authorRows,
			afterBackward: authorRows,
		},
		{
			name: "foreign key null to not null with fill",
			change: func(p *state.Project) {
				f := field(p, "Book", "editor")
				f.Null, f.Relation.OnDelete = false, "CASCADE" // SET NULL needs a nullable column
			},
			op:            op{kind: "alterField", model: "Book", a: "editor", b: "editor", fill: state.Str("1")},
			afterForward:  &rowsCheck{"SELECT `id`, `editor_id` FROM `book` ORDER BY `id`", []string{"1|2", "2|1"}},
			afterBackward: &rowsCheck{"SELECT `id`, `editor_id` FROM `book` ORDER BY `id`", []string{"1|2", "2|1"}},
		},
		{
			name:          "rename column",
			change:        func(p *state.Project) { field(p, "Author", "name").Name = "full_name" },
			op:            op{kind: "alterField", model: "Author", a: "name", b: "full_name"},
			afterForward:  &rowsCheck{"SELECT `id`, `full_name` FROM `author` ORDER BY `id`", []string{"1|Ann", "2|Bob"}},
			afterBackward: authorRows,
		},
		{
			name: "rename unique indexed column in unique_together",
			before: func(p *state.Project) {
				field(p, "Author", "email").Unique = true
				p.Model("main", "Author").UniqueTogether = [][]string{{"name", "email"}}
			},
			change:        func(p *state.Project) { field(p, "Author", "email").Column = "mail" },
			op:            op{kind: "alterField", model: "Author", a: "email", b: "email"},
			afterForward:  &rowsCheck{"SELECT `id`, `mail` FROM `author` ORDER BY `id`", []string{"1|NULL", "2|bob@example.com"}},
			afterBackward: authorRows,
		},
		{
			name: "rename foreign key field",
			change: func(p *state.Project) {
				field(p, "Book", "author").Name = "writer"
			},
			op:            op{kind: "alterField", model: "Book", a: "author", b: "writer"},
			afterForward:  &rowsCheck{"SELECT `id`, `writer_id` FROM `book` ORDER BY `id`", []string{"1|1", "2|2"}},
			afterBackward: bookRows,
		},
		{
			name: "primary key auto to bigauto with referencing columns",
			before: func(p *state.Project) {
				field(p, "Author", "id").Kind = state.Auto
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
				addField(p, "Author", &state.Field{Name: "mentor", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Author", OnDelete: "SET_NULL"}})
			},
			change:        func(p *state.Project) { field(p, "Author", "id").Kind = state.BigAuto },
			op:            op{kind: "alterField", model: "Author", a: "id", b: "id"},
			afterForward:  bookRows,
			afterBackward: bookRows,
		},
		{
			name:   "add unique_together",
			change: func(p *state.Project) { p.Model("main", "Book").UniqueTogether = [][]string{{"title", "author"}} },
			op:     op{kind: "alterTogether", model: "Book"},
		},
		{
			name:   "change unique_together",
			before: func(p *state.Project) { p.Model("main", "Book").UniqueTogether = [][]string{{"title", "author"}} },
			change: func(p *state.Project) {
				p.Model("main", "Book").UniqueTogether = [][]string{{"author", "title"}, {"title", "pages"}}
			},
			op: op{kind: "alterTogether", model: "Book"},
		},
		{
			name: "add descending index",
			change: func(p *state.Project) {
				p.Model("main", "Book").Indexes = []state.Index{{Name: "book_pages_title_idx", Fields: []string{"-pages", "title"}}}
			},
			op: op{kind: "addIndex", model: "Book", index: state.Index{Name: "book_pages_title_idx", Fields: []string{"-pages", "title"}}},
		},
		{
			name: "remove index",
			before: func(p *state.Project) {
				p.Model("main", "Book").Indexes = []state.Index{{Name: "book_title_idx2", Fields: []string{"title"}}}
			},
			change: func(p *state.Project) { p.Model("main", "Book").Indexes = nil },
			op:     op{kind: "removeIndex", model: "Book", index: state.Index{Name: "book_title_idx2", Fields: []string{"title"}}},
		},
		{
			name: "rename index",
			before: func(p *state.Project) {
				p.Model("main", "Book").Indexes = []state.Index{{Name: "book_title_idx2", Fields: []string{"title"}}}
			},
			change: func(p *state.Project) { p.Model("main", "Book").Indexes[0].Name = "book_by_title" },
			op:     op{kind: "renameIndex", model: "Book", a: "book_title_idx2", b: "book_by_title"},
		},
		{
			name: "add unique constraint",
			change: func(p *state.Project) {
				p.Model("main", "Book").Constraints = []state.Constraint{{Kind: state.UniqueConstraint, Name: "book_title_pages", Fields: []string{"title", "pages"}}}
			},
			op: op{kind: "addConstraint", model: "Book", constraint: state.Constraint{Kind: state.UniqueConstraint, Name: "book_title_pages", Fields: []string{"title", "pages"}}},
		},
		{
			name: "add check constraint",
			change: func(p *state.Project) {
				p.Model("main", "Book").Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "book_pages_positive", Check: "`pages` > 0"}}
			},
			op:           op{kind: "addConstraint", model: "Book", constraint: state.Constraint{Kind: state.CheckConstraint, Name: "book_pages_positive", Check: "`pages` > 0"}},
			afterForward: bookRows,
		},
		{
			name: "remove check constraint",
			before: func(p *state.Project) {
				p.Model("main", "Book").Constraints = []state.Constraint{{Kind: state.CheckConstraint, Name: "book_pages_positive", Check: "`pages` > 0"}}
			},
			change: func(p *state.Project) { p.Model("main", "Book").Constraints = nil },
			op:     op{kind: "removeConstraint", model: "Book", constraint: state.Constraint{Kind: state.CheckConstraint, Name: "book_pages_positive", Check: "`pages` > 0"}},
		},
		{
			name: "alter model table with m2m, self fk and fk pointing at it",
			before: func(p *state.Project) {
				field(p, "Author", "email").Unique = true
				field(p, "Author", "age").Index = true
				addField(p, "Author", &state.Field{Name: "mentor", Kind: state.ForeignKey, Null: true, Relation: &state.Relation{To: "main.Author", OnDelete: "SET_NULL"}})
				addField(p, "Author", &state.Field{Name: "favourites", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Book"}})
				addField(p, "Author", &state.Field{Name: "shelf", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Book", Table: "shelf"}})
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
				p.Model("main", "Author").UniqueTogether = [][]string{{"name", "age"}}
				p.Model("main", "Author").Indexes = []state.Index{{Name: "author_named_idx", Fields: []string{"name"}}}
			},
			change:        func(p *state.Project) { p.Model("main", "Author").Table = "writer" },
			op:            op{kind: "alterTable", model: "Author"},
			afterForward:  &rowsCheck{"SELECT `id`, `name` FROM `writer` ORDER BY `id`", []string{"1|Ann", "2|Bob"}},
			afterBackward: authorRows,
		},
		{
			name: "rename model and table with m2m both ways",
			before: func(p *state.Project) {
				addField(p, "Author", &state.Field{Name: "favourites", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Book"}})
				addField(p, "Author", &state.Field{Name: "friends", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
			},
			change:        func(p *state.Project) { renameModel(p, "Author", "Writer", "writer") },
			op:            op{kind: "alterTable", model: "Author", renamed: "Writer"},
			afterForward:  &rowsCheck{"SELECT `id`, `name` FROM `writer` ORDER BY `id`", []string{"1|Ann", "2|Bob"}},
			afterBackward: authorRows,
		},
		{
			name: "rename model keeping its table",
			before: func(p *state.Project) {
				addField(p, "Author", &state.Field{Name: "favourites", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Book"}})
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
				p.Model("main", "Book").UniqueTogether = [][]string{{"title", "author"}}
			},
			change:        func(p *state.Project) { renameModel(p, "Author", "Person", "author") },
			op:            op{kind: "alterTable", model: "Author", renamed: "Person"},
			afterForward:  authorRows,
			afterBackward: authorRows,
		},
		{
			name: "rename many-to-many field",
			before: func(p *state.Project) {
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
			},
			change: func(p *state.Project) { field(p, "Book", "coauthors").Name = "contributors" },
			op:     op{kind: "alterField", model: "Book", a: "coauthors", b: "contributors"},
		},
		{
			name: "many-to-many table option",
			before: func(p *state.Project) {
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
			},
			change: func(p *state.Project) { field(p, "Book", "coauthors").Relation.Table = "book people" },
			op:     op{kind: "alterField", model: "Book", a: "coauthors", b: "coauthors"},
		},
		{
			name: "create model",
			change: func(p *state.Project) {
				p.Models[state.ModelKey("main", "Review")] = &state.Model{App: "main", Name: "Review", Table: "review", Fields: []*state.Field{
					{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
					{Name: "book", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Book", OnDelete: "CASCADE"}},
					{Name: "stars", Kind: state.SmallInteger, Default: state.Str("3")},
					{Name: "readers", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}},
				}}
			},
			op:           op{kind: "createModel", model: "Review"},
			afterForward: bookRows,
		},
		{
			name: "delete model",
			before: func(p *state.Project) {
				addField(p, "Book", &state.Field{Name: "coauthors", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Author"}})
			},
			change:       func(p *state.Project) { delete(p.Models, state.ModelKey("main", "Book")) },
			op:           op{kind: "deleteModel", model: "Book"},
			afterForward: authorRows,
		},
	}
}

func TestAlterations(t *testing.T) {
	t.Parallel()
	for _, tt := range alterations() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := baseProject(t)
			if tt.before != nil {
				tt.before(before)
			}
			after := before.Clone()
			tt.change(after)

			db := dbtest.Open(t, schema.MySQL)
			createAll(t, db.DB, before)
			apply(t, db.DB, baseRows())
			assertSchema(t, db.DB, before)

			e := New()
			fwd, err := tt.op.forward(e, before, after)
			if err != nil {
				t.Fatalf("forward: %v", err)
			}
			if len(fwd) == 0 {
				t.Fatal("forward rendered no statements")
			}
			apply(t, db.DB, fwd)
			assertSchema(t, db.DB, after)
			checkRows(t, db.DB, tt.afterForward)

			back, err := tt.op.backward(e, before, after)
			if err != nil {
				t.Fatalf("backward: %v", err)
			}
			apply(t, db.DB, back)
			assertSchema(t, db.DB, before)
			checkRows(t, db.DB, tt.afterBackward)
		})
	}
}

// checkRows asserts that c's query returns c's rows (nothing to check when c is nil).
func checkRows(t *testing.T, db *sql.DB, c *rowsCheck) {
	t.Helper()
	if c == nil {
		return
	}
	got := queryRows(t, db, c.query)
	if diff := cmp.Diff(c.want, got); diff != "" {
		t.Errorf("rows of %s (-want +got):\n%s", c.query, diff)
	}
}

// TestUUIDValuesFitTheColumn checks that a UUID default or fill, written
// with dashes as users write them, becomes the 32 hex digits char(32)
// holds, and that a value that is no UUID is an error naming the field.
func TestUUIDValuesFitTheColumn(t *testing.T) {
	t.Parallel()
	m := &state.Model{App: "main", Name: "Token", Table: "token", Fields: []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "key", Kind: state.UUID, Default: state.Str("0E984725-C51C-4BF4-9960-E1C80E27ABA0")},
	}}
	p := project(t, m)
	e := New()
	tests := []struct {
		name string
		run  func() ([]string, error)
		want string
	}{
		{"create", func() ([]string, error) { return e.CreateModel(p, m) }, "DEFAULT '0e984725c51c4bf49960e1c80e27aba0'"},
		{"fill", func() ([]string, error) {
			return e.AddField(p, m, m, "key", state.Str("{00000000-0000-0000-0000-000000000001}"))
		}, "DEFAULT '00000000000000000000000000000001'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := tt.run()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(stmts, "\n"); !strings.Contains(got, tt.want) {
				t.Errorf("got\n%s\nwant it to contain %s", got, tt.want)
			}
		})
	}
	tables, err := e.Expected(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := tables[0].Columns[1].Default; got == nil || *got != "0e984725c51c4bf49960e1c80e27aba0" {
		t.Errorf("Expected default %v, want the hex digits", got)
	}
	if _, err := e.AddField(p, m, m, "key", state.Str("not-a-uuid")); err == nil || !strings.Contains(err.Error(), "main.Token.key") {
		t.Errorf("a fill that is no UUID: err %v, want one naming main.Token.key", err)
	}
}
