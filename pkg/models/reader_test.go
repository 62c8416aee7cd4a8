package models

import (
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/state"
)

// ---- every row of the Go type → field kind table ----

type Color string
type Level int32

type Everything struct {
	Model
	Title      string `pm:"max_length=20"`
	Body       string
	Big        int64
	Plain      int
	Medium     int32
	Small      int16
	Flag       bool
	Ratio      float64
	Ratio32    float32
	Price      Decimal `pm:"max_digits=10,decimal_places=2"`
	At         time.Time
	Day        time.Time `pm:"type=date"`
	Clock      time.Time `pm:"type=time"`
	Stamp      time.Time `pm:"type=datetime"`
	Span       time.Duration
	Blob       []byte
	Raw        json.RawMessage
	Doc        map[string]any `pm:"type=json"`
	List       []string       `pm:"type=json"`
	Token      string         `pm:"type=uuid"`
	Token16    [16]byte       `pm:"type=uuid"`
	MaybeText  *string
	MaybeBig   *int64
	MaybeAt    *time.Time
	MaybeDay   *time.Time     `pm:"type=date"`
	MaybePrice *Decimal       `pm:"max_digits=5,decimal_places=0"`
	MaybeToken *[16]byte      `pm:"type=uuid"`
	NString    sql.NullString `pm:"max_length=10"`
	NInt64     sql.NullInt64
	NInt32     sql.NullInt32
	NInt16     sql.NullInt16
	NBool      sql.NullBool
	NFloat     sql.NullFloat64
	NTime      sql.NullTime
	NByte      sql.NullByte
	NGeneric   sql.Null[int32]
	Shade      Color `pm:"max_length=8"`
	Tier       Level
	Seconds    int    `pm:"type=integer"`
	Tiny       int64  `pm:"type=smallinteger"`
	Essay      string `pm:"type=text"`
	Code       string `pm:"type=char,max_length=3"`
}

func everythingFields() []*state.Field {
	return []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "title", Kind: state.Char, MaxLength: 20},
		{Name: "body", Kind: state.Text},
		{Name: "big", Kind: state.BigInteger},
		{Name: "plain", Kind: state.BigInteger},
		{Name: "medium", Kind: state.Integer},
		{Name: "small", Kind: state.SmallInteger},
		{Name: "flag", Kind: state.Boolean},
		{Name: "ratio", Kind: state.Float},
		{Name: "ratio32", Kind: state.Float},
		{Name: "price", Kind: state.Decimal, MaxDigits: 10, DecimalPlaces: 2},
		{Name: "at", Kind: state.DateTime},
		{Name: "day", Kind: state.Date},
		{Name: "clock", Kind: state.Time},
		{Name: "stamp", Kind: state.DateTime},
		{Name: "span", Kind: state.Duration},
		{Name: "blob", Kind: state.Binary},
		{Name: "raw", Kind: state.JSON},
		{Name: "doc", Kind: state.JSON},
		{Name: "list", Kind: state.JSON},
		{Name: "token", Kind: state.UUID},
		{Name: "token16", Kind: state.UUID},
		{Name: "maybe_text", Kind: state.Text, Null: true},
		{Name: "maybe_big", Kind: state.BigInteger, Null: true},
		{Name: "maybe_at", Kind: state.DateTime, Null: true},
		{Name: "maybe_day", Kind: state.Date, Null: true},
		{Name: "maybe_price", Kind: state.Decimal, Null: true, MaxDigits: 5},
		{Name: "maybe_token", Kind: state.UUID, Null: true},
		{Name: "n_string", Kind: state.Char, Null: true, MaxLength: 10},
		{Name: "n_int64", Kind: state.BigInteger, Null: true},
		{Name: "n_int32", Kind: state.Integer, Null: true},
		{Name: "n_int16", Kind: state.SmallInteger, Null: true},
		{Name: "n_bool", Kind: state.Boolean, Null: true},
		{Name: "n_float", Kind: state.Float, Null: true},
		{Name: "n_time", Kind: state.DateTime, Null: true},
		{Name: "n_byte", Kind: state.SmallInteger, Null: true},
		{Name: "n_generic", Kind: state.Integer, Null: true},
		{Name: "shade", Kind: state.Char, MaxLength: 8},
		{Name: "tier", Kind: state.Integer},
		{Name: "seconds", Kind: state.Integer},
		{Name: "tiny", Kind: state.SmallInteger},
		{Name: "essay", Kind: state.Text},
		{Name: "code", Kind: state.Char, MaxLength: 3},
	}
}

// ---- every tag option of a plain column, and db tags ----

type Tagged struct {
	Model
	Code    string  `pm:"max_length=10,unique,index,blank,null,comment=the code"`
	Pair    string  `pm:"default='a, b',max_length=10"`
	Quote   string  `pm:"default='it''s'"`
	Empty   string  `pm:"default="`
	Country string  `pm:"max_length=2,default=KE,choices=KE|TZ|UG"`
	Count   int32   `pm:"default=-3"`
	Enabled bool    `pm:"default=true"`
	Amount  Decimal `pm:"max_digits=6,decimal_places=2,default=12.50"`
	Rate    float64 `pm:"default=1.5e3"`
	Renamed string  `pm:"column=other_name"`
	Same    string  `pm:"column=same"`
	Full    string  `db:"full_name"`
	DBSame  string  `db:"db_same"`
	DBOpts  string  `db:"with_opts,omitempty"`
	Both    string  `pm:"column=both_col" db:"both_col"`
	Spaced  string  `pm:" null , blank "`
	Skipped string  `pm:"-"`
	DBSkip  string  `db:"-"`
	hidden  string
}

var _ = Tagged{}.hidden

func taggedFields() []*state.Field {
	return []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "code", Kind: state.Char, MaxLength: 10, Unique: true, Index: true, Blank: true, Null: true, Comment: "the code"},
		{Name: "pair", Kind: state.Char, MaxLength: 10, Default: state.Str("a, b")},
		{Name: "quote", Kind: state.Text, Default: state.Str("it's")},
		{Name: "empty", Kind: state.Text, Default: state.Str("")},
		{Name: "country", Kind: state.Char, MaxLength: 2, Default: state.Str("KE"), Choices: []string{"KE", "TZ", "UG"}},
		{Name: "count", Kind: state.Integer, Default: state.Str("-3")},
		{Name: "enabled", Kind: state.Boolean, Default: state.Str("true")},
		{Name: "amount", Kind: state.Decimal, MaxDigits: 6, DecimalPlaces: 2, Default: state.Str("12.50")},
		{Name: "rate", Kind: state.Float, Default: state.Str("1.5e3")},
		{Name: "renamed", Kind: state.Text, Column: "other_name"},
		{Name: "same", Kind: state.Text},
		{Name: "full", Kind: state.Text, Column: "full_name"},
		{Name: "db_same", Kind: state.Text},
		{Name: "db_opts", Kind: state.Text, Column: "with_opts"},
		{Name: "both", Kind: state.Text, Column: "both_col"},
		{Name: "spaced", Kind: state.Text, Null: true, Blank: true},
	}
}

// ---- abstract bases, two levels, overrides, mixins ----

type Stamped struct {
	Model
	Created time.Time
	Updated time.Time
}

func (Stamped) Meta() Meta {
	return Meta{
		Abstract: true,
		Table:    "never_used",
		Ordering: []string{"-Created"},
		Indexes:  []Index{{Name: "%(app_label)s_%(class)s_created", Fields: []string{"Created"}}},
	}
}

type Owned struct {
	Stamped
	Owner string `pm:"max_length=50"`
}

func (Owned) Meta() Meta { return Meta{Abstract: true} }

// Article is two levels below Stamped and declares its own Meta.
type Article struct {
	Owned
	Title string `pm:"max_length=100"`
}

func (Article) Meta() Meta { return Meta{VerboseName: "article"} }

// Note inherits Stamped's Meta, as a Django child of an abstract base does.
type Note struct {
	Stamped
	Body string
}

// Revision overrides one inherited field and removes another.
type Revision struct {
	Owned
	Updated *time.Time
	Owner   string `pm:"-"`
	Rev     int32
}

// Audit is an abstract base without models.Model.
type Audit struct {
	CreatedBy string `pm:"max_length=30"`
}

func (Audit) Meta() Meta { return Meta{Abstract: true} }

// Geo is a plain struct: flattened when embedded, never a model.
type Geo struct {
	Lat float64
	Lng float64
}

type Place struct {
	Model
	Audit
	Geo
	Name string
}

// base is an unexported abstract base: its exported fields are still copied.
type base struct {
	Model
	Kind string `pm:"max_length=10"`
}

func (base) Meta() Meta { return Meta{Abstract: true, Ordering: []string{"kind"}} }

type Leaf struct {
	base
	Name string
}

// ---- own primary keys ----

type Country struct {
	Model
	Code string `pm:"primary_key,max_length=2"`
	Name string
}

type Ticket struct {
	Model
	ID    int32 `pm:"primary_key"`
	Title string
}

type BigTicket struct {
	Model
	ID int `pm:"primary_key"`
}

type Serial struct {
	Model
	Number int32 `pm:"primary_key,auto"`
}

type SmallKey struct {
	Model
	ID int16 `pm:"primary_key"`
}

type Legacy struct {
	Model
	ID string `pm:"primary_key,max_length=10"`
}

type ManualKey struct {
	Model
	Ref int64 `pm:"primary_key"`
}

// ---- relations ----

type Maker struct {
	Model
	Name string `pm:"max_length=50,unique"`
	Slug string `pm:"max_length=50"`
}

type Part struct {
	Model
	Name string
}

type Person struct {
	Model
	Manager *Person   `pm:"null,on_delete=SET_NULL,related_name=reports"`
	Friends []*Person `pm:"m2m,blank"`
}

type Group struct {
	Model
	Members []*Person `pm:"m2m,through=Membership"`
}

type Membership struct {
	Model
	Person *Person `pm:"on_delete=CASCADE"`
	Group  *Group  `pm:"on_delete=CASCADE"`
}

type Vehicle struct {
	Model
	Maker  *Maker  `pm:"on_delete=PROTECT,to_field=Name"`
	ByKey  *Maker  `pm:"on_delete=cascade,to_field=id,no_constraint"`
	Spare  *Maker  `pm:"on_delete=SET_DEFAULT,default=1,column=spare_maker"`
	Old    *Maker  `pm:"on_delete=DO_NOTHING" db:"legacy_id"`
	Same   *Maker  `pm:"on_delete=RESTRICT,column=same_id"`
	Driver *Person `pm:"one_to_one,on_delete=CASCADE,null"`
	Parts  []*Part `pm:"m2m,table=vehicle_parts_link,related_name=vehicles,comment=spare parts,from_column=vehicle_ref,to_column=part_ref"`
	Owner  *User   `pm:"on_delete=CASCADE"`
	Spec   *Part   `pm:"type=json"`
}

// User and Grant live in the "auth" app.
type User struct {
	Model
	Email string `pm:"max_length=100,unique"`
}

type Grant struct {
	Model
	User  *User  `pm:"on_delete=CASCADE"`
	Badge *Badge `pm:"on_delete=CASCADE"`
}

// Badge (app "main") has a cross-app through model.
type Badge struct {
	Model
	Holders []*User `pm:"m2m,through=auth.Grant"`
}

// ---- Meta ----

type Shop struct {
	Model
	Name   string `pm:"max_length=50"`
	City   string `pm:"max_length=50"`
	Opened time.Time
	Tags   []*Part `pm:"m2m"`
}

func (Shop) Meta() Meta {
	return Meta{
		Table:          "shops",
		Unmanaged:      true,
		UniqueTogether: [][]string{{"Name", "city"}},
		Indexes: []Index{
			{Name: "shop_name", Fields: []string{"Name", "-Opened"}, Condition: "city <> ''"},
			{Fields: []string{"city"}},
		},
		Constraints: []Constraint{
			Unique{Name: "shop_city_uniq", Fields: []string{"City", "opened"}, Condition: "name <> ''"},
			&Check{Name: "shop_name_check", SQL: "name <> ''"},
			&Unique{Name: "shop_name_uniq", Fields: []string{"name"}},
		},
		Ordering:    []string{"-Opened", "name"},
		VerboseName: "shop",
		Comment:     "shops we know",
	}
}

func app(label string, types ...any) App { return App{Label: label, Types: types} }

func TestLoad(t *testing.T) {
	t.Parallel()
	id := &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true}
	tests := []struct {
		name string
		apps []App
		want *state.Model
	}{
		{"type table", []App{app("main", Everything{})},
			&state.Model{App: "main", Name: "Everything", Table: "everything", Fields: everythingFields()}},
		{"tag options and db tags", []App{app("main", Tagged{})},
			&state.Model{App: "main", Name: "Tagged", Table: "tagged", Fields: taggedFields()}},
		{"abstract base two levels down, own Meta", []App{app("main", Stamped{}, Owned{}, Article{})},
			&state.Model{App: "main", Name: "Article", Table: "article", Fields: []*state.Field{id,
				{Name: "created", Kind: state.DateTime}, {Name: "updated", Kind: state.DateTime},
				{Name: "owner", Kind: state.Char, MaxLength: 50}, {Name: "title", Kind: state.Char, MaxLength: 100}},
				Options: state.Options{VerboseName: "article"}}},
		{"inherited Meta of an abstract base", []App{app("main", Note{})},
			&state.Model{App: "main", Name: "Note", Table: "note", Fields: []*state.Field{id,
				{Name: "created", Kind: state.DateTime}, {Name: "updated", Kind: state.DateTime}, {Name: "body", Kind: state.Text}},
				Indexes: []state.Index{{Name: "main_note_created", Fields: []string{"created"}}},
				Options: state.Options{Ordering: []string{"-created"}}}},
		{"override and remove inherited fields", []App{app("blog", Revision{})},
			&state.Model{App: "blog", Name: "Revision", Table: "revision", Fields: []*state.Field{id,
				{Name: "created", Kind: state.DateTime}, {Name: "updated", Kind: state.DateTime, Null: true},
				{Name: "rev", Kind: state.Integer}}}},
		{"abstract mixin without Model and a flattened plain struct", []App{app("main", Place{})},
			&state.Model{App: "main", Name: "Place", Table: "place", Fields: []*state.Field{id,
				{Name: "created_by", Kind: state.Char, MaxLength: 30}, {Name: "lat", Kind: state.Float},
				{Name: "lng", Kind: state.Float}, {Name: "name", Kind: state.Text}}}},
		{"unexported abstract base", []App{app("main", Leaf{})},
			&state.Model{App: "main", Name: "Leaf", Table: "leaf", Fields: []*state.Field{id,
				{Name: "kind", Kind: state.Char, MaxLength: 10}, {Name: "name", Kind: state.Text}},
				Options: state.Options{Ordering: []string{"kind"}}}},
		{"own char primary key drops models.Model.ID", []App{app("main", Country{})},
			&state.Model{App: "main", Name: "Country", Table: "country", Fields: []*state.Field{
				{Name: "code", Kind: state.Char, MaxLength: 2, PrimaryKey: true}, {Name: "name", Kind: state.Text}}}},
		{"ID int32 primary key is auto", []App{app("main", Ticket{})},
			&state.Model{App: "main", Name: "Ticket", Table: "ticket", Fields: []*state.Field{
				{Name: "id", Kind: state.Auto, PrimaryKey: true}, {Name: "title", Kind: state.Text}}}},
		{"ID int primary key is big auto", []App{app("main", BigTicket{})},
			&state.Model{App: "main", Name: "BigTicket", Table: "big_ticket", Fields: []*state.Field{
				{Name: "id", Kind: state.BigAuto, PrimaryKey: true}}}},
		{"auto makes another integer key auto", []App{app("main", Serial{})},
			&state.Model{App: "main", Name: "Serial", Table: "serial", Fields: []*state.Field{
				{Name: "number", Kind: state.Auto, PrimaryKey: true}}}},
		{"ID int16 primary key stays a small integer", []App{app("main", SmallKey{})},
			&state.Model{App: "main", Name: "SmallKey", Table: "small_key", Fields: []*state.Field{
				{Name: "id", Kind: state.SmallInteger, PrimaryKey: true}}}},
		{"ID string primary key", []App{app("main", Legacy{})},
			&state.Model{App: "main", Name: "Legacy", Table: "legacy", Fields: []*state.Field{
				{Name: "id", Kind: state.Char, MaxLength: 10, PrimaryKey: true}}}},
		{"integer key not named ID is not auto", []App{app("main", ManualKey{})},
			&state.Model{App: "main", Name: "ManualKey", Table: "manual_key", Fields: []*state.Field{
				{Name: "ref", Kind: state.BigInteger, PrimaryKey: true}}}},
		{"self-referencing FK and M2M", []App{app("main", Person{})},
			&state.Model{App: "main", Name: "Person", Table: "person", Fields: []*state.Field{id,
				{Name: "manager", Kind: state.ForeignKey, Null: true,
					Relation: &state.Relation{To: "main.Person", OnDelete: "SET_NULL", RelatedName: "reports"}},
				{Name: "friends", Kind: state.ManyToMany, Blank: true, Relation: &state.Relation{To: "main.Person"}}}}},
		{"M2M through a model", []App{app("main", Person{}, Group{}, Membership{})},
			&state.Model{App: "main", Name: "Group", Table: "group", Fields: []*state.Field{id,
				{Name: "members", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Person", Through: "main.Membership"}}}}},
		{"FK options, O2O, M2M table, cross-app FK, JSON pointer", []App{app("auth", User{}), app("main", Maker{}, Part{}, Person{}, Vehicle{})},
			&state.Model{App: "main", Name: "Vehicle", Table: "vehicle", Fields: []*state.Field{id,
				{Name: "maker", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Maker", ToField: "name", OnDelete: "PROTECT"}},
				{Name: "by_key", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Maker", OnDelete: "CASCADE", NoConstraint: true}},
				{Name: "spare", Kind: state.ForeignKey, Column: "spare_maker", Default: state.Str("1"),
					Relation: &state.Relation{To: "main.Maker", OnDelete: "SET_DEFAULT"}},
				{Name: "old", Kind: state.ForeignKey, Column: "legacy_id", Relation: &state.Relation{To: "main.Maker", OnDelete: "DO_NOTHING"}},
				{Name: "same", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Maker", OnDelete: "RESTRICT"}},
				{Name: "driver", Kind: state.OneToOne, Null: true, Relation: &state.Relation{To: "main.Person", OnDelete: "CASCADE"}},
				{Name: "parts", Kind: state.ManyToMany, Comment: "spare parts",
					Relation: &state.Relation{To: "main.Part", Table: "vehicle_parts_link", FromColumn: "vehicle_ref", ToColumn: "part_ref", RelatedName: "vehicles"}},
				{Name: "owner", Kind: state.ForeignKey, Relation: &state.Relation{To: "auth.User", OnDelete: "CASCADE"}},
				{Name: "spec", Kind: state.JSON, Null: true}}}},
		{"cross-app through model", []App{app("auth", User{}, Grant{}), app("main", Badge{})},
			&state.Model{App: "main", Name: "Badge", Table: "badge", Fields: []*state.Field{id,
				{Name: "holders", Kind: state.ManyToMany, Relation: &state.Relation{To: "auth.User", Through: "auth.Grant"}}}}},
		{"Meta", []App{app("main", Part{}, Shop{})},
			&state.Model{App: "main", Name: "Shop", Table: "shops", Unmanaged: true,
				Fields: []*state.Field{id,
					{Name: "name", Kind: state.Char, MaxLength: 50}, {Name: "city", Kind: state.Char, MaxLength: 50},
					{Name: "opened", Kind: state.DateTime}, {Name: "tags", Kind: state.ManyToMany, Relation: &state.Relation{To: "main.Part"}}},
				UniqueTogether: [][]string{{"name", "city"}},
				Indexes: []state.Index{
					{Name: "shop_name", Fields: []string{"name", "-opened"}, Condition: "city <> ''"},
					{Name: "shops_city_idx", Fields: []string{"city"}},
				},
				Constraints: []state.Constraint{
					{Kind: state.UniqueConstraint, Name: "shop_city_uniq", Fields: []string{"city", "opened"}, Condition: "name <> ''"},
					{Kind: state.CheckConstraint, Name: "shop_name_check", Check: "name <> ''"},
					{Kind: state.UniqueConstraint, Name: "shop_name_uniq", Fields: []string{"name"}},
				},
				Options: state.Options{Ordering: []string{"-opened", "name"}, VerboseName: "shop", Comment: "shops we know"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Load(tt.apps...)
			if err != nil {
				t.Fatal(err)
			}
			got := p.Model(tt.want.App, tt.want.Name)
			if got == nil {
				t.Fatalf("Load: no model %s; got %v", tt.want.Label(), keys(p))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
}

func keys(p *state.Project) []string {
	var out []string
	for _, m := range p.Sorted() {
		out = append(out, m.Key())
	}
	return out
}

// Types lists everything of a models package: values that are not models
// are skipped, pointers are read as their structs, duplicates count once.
func TestLoadSkipsWhatIsNotAModel(t *testing.T) {
	t.Parallel()
	p, err := Load(
		app("main", nil, 3, "x", Geo{}, Stamped{}, Owned{}, Audit{}, Model{}, &Part{}, Part{}, Color("red"), time.Time{}),
		app("empty"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"main.part"}, keys(p)); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	p, err = Load()
	if err != nil || len(p.Models) != 0 {
		t.Errorf("Load() = %v, %v; want an empty project", keys(p), err)
	}
}

// Two apps, many models: every model lands in the project under its app.
func TestLoadProject(t *testing.T) {
	t.Parallel()
	p, err := Load(app("auth", User{}, Grant{}), app("main", Badge{}, Maker{}, Part{}, Person{}, Vehicle{}, Group{}, Membership{}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"auth.grant", "auth.user", "main.badge", "main.group", "main.maker", "main.membership", "main.part", "main.person", "main.vehicle"}
	if diff := cmp.Diff(want, keys(p)); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	grant := p.Model("auth", "Grant")
	if got := grant.Field("badge").Relation.To; got != "main.Badge" {
		t.Errorf("auth.Grant.badge points at %q, want main.Badge", got)
	}
}

// Twin declares exactly the Meta its base declares: still its own.
type Twin struct {
	Audit
}

func (Twin) Meta() Meta { return Meta{Abstract: true} }

// TwinChild gets Twin's Meta by promotion: not abstract.
type TwinChild struct {
	Model
	Twin
}

// A Meta declared on a type must be told from one promoted from an
// embedded base, even when both return the same value.
func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    any
		want structClass
	}{
		{Stamped{}, abstractBase},
		{Owned{}, abstractBase},
		{Audit{}, abstractBase},
		{Twin{}, abstractBase},
		{base{}, abstractBase},
		{Article{}, concreteModel},
		{Note{}, concreteModel},
		{Revision{}, concreteModel},
		{TwinChild{}, concreteModel},
		{Maker{}, concreteModel},
		{Geo{}, plainStruct},
		{Spot{}, plainStruct},
	}
	for _, tt := range tests {
		got, _, err := classify(TypeOf(tt.v))
		if err != nil || got != tt.want {
			t.Errorf("classify(%T) = %v, %v; want %v", tt.v, got, err, tt.want)
		}
	}
}
