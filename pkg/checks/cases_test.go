package checks

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pmanager/pmanager/pkg/models"
)

// One model per check: each triggers its check and nothing else that
// stops the reader.

// Malformed struct tags are built at run time: written in Go source they
// are what go vet reports, and the repository keeps go vet clean.

// tagged is a model struct with one string field Name under tag, and the
// object issues name that field by.
func tagged(tag string) (any, string) {
	t := reflect.StructOf([]reflect.StructField{
		{Name: "Model", Type: reflect.TypeFor[models.Model](), Anonymous: true},
		{Name: "Name", Type: reflect.TypeFor[string](), Tag: reflect.StructTag(tag)},
	})
	return reflect.Zero(t).Interface(), t.String() + ".Name"
}

var (
	tagSpace, tagSpaceObject       = tagged(`pm: "max_length=254,unique"`)
	tagUnquoted, tagUnquotedObject = tagged(`pm:max_length=8`)
	tagComma, tagCommaObject       = tagged(`json:"x",pm:"max_length=10,unique"`)
	tagTwice, tagTwiceObject       = tagged(`pm:"max_length=10" pm:"unique"`)
)

type TagUnexported struct {
	models.Model
	name string `pm:"max_length=10"`
}

type SpelledForPostgres struct {
	models.Model
	Addr string `pm:"type=pg:inet"`
}

type UUIDCallDefault struct {
	models.Model
	Token string `pm:"type=uuid,default=gen_random_uuid()"`
}

type NowTextDefault struct {
	models.Model
	Stamp string `pm:"default=CURRENT_TIMESTAMP"`
}

type ZonedDateTime struct {
	models.Model
	At time.Time `pm:"default=2026-01-31T10:00:00+02:00"`
}

type BadUUID struct {
	models.Model
	Token string `pm:"type=uuid,default=not-a-uuid"`
}

type BadJSON struct {
	models.Model
	Data json.RawMessage `pm:"default={a: 1}"`
}

type BadDuration struct {
	models.Model
	Wait time.Duration `pm:"default=5m"`
}

type NotAChoice struct {
	models.Model
	State string `pm:"max_length=10,choices=draft|published,default=archived"`
}

type DefaultTooLong struct {
	models.Model
	Code string `pm:"max_length=2,default=KEN"`
}

type ChoiceNotInt struct {
	models.Model
	Level int `pm:"choices=low|high"`
}

type ChoiceOnBool struct {
	models.Model
	On bool `pm:"choices=true|false"`
}

type NULDefault struct {
	models.Model
	Name string `pm:"default=a\x00b"`
}

type NULJoinColumn struct {
	models.Model
	Makers []*Maker `pm:"m2m,to_column=ma\x00ker_id"`
}

type NULColumn struct {
	models.Model
	Name string `pm:"column=na\x00me"`
}

type NULComment struct {
	models.Model
	Name string `pm:"comment=a\x00b"`
}

type NULCheck struct {
	models.Model
	Qty int
}

func (NULCheck) Meta() models.Meta {
	return models.Meta{Constraints: []models.Constraint{models.Check{Name: "nul_check_qty", SQL: "qty > 0\x00"}}}
}

type LongColumn struct {
	models.Model
	Name string `pm:"column=a_column_name_that_is_sixty_four_characters_long_for_postgres_xy"`
}

type LongJoinColumns struct {
	models.Model
	Tags []*AModelWhoseTypeNameIsLongEnoughToPushTheJoinColumnPastTheLimitX `pm:"m2m"`
}

type AModelWhoseTypeNameIsLongEnoughToPushTheJoinColumnPastTheLimitX struct {
	models.Model
}

func (AModelWhoseTypeNameIsLongEnoughToPushTheJoinColumnPastTheLimitX) Meta() models.Meta {
	return models.Meta{Table: "short_target"}
}

type IndexNamedLikeTable struct {
	models.Model
	Name string `pm:"max_length=10"`
}

func (IndexNamedLikeTable) Meta() models.Meta {
	return models.Meta{Indexes: []models.Index{{Name: "maker", Fields: []string{"name"}}}}
}

type IndexNamedLikeGenerated struct {
	models.Model
	Name string `pm:"max_length=10,index"`
	Code string `pm:"max_length=10"`
}

func (IndexNamedLikeGenerated) Meta() models.Meta {
	return models.Meta{Indexes: []models.Index{{Name: "index_named_like_generated_name_idx", Fields: []string{"code"}}}}
}

type PartialIndex struct {
	models.Model
	Name   string `pm:"max_length=10"`
	Active bool
}

func (PartialIndex) Meta() models.Meta {
	return models.Meta{Indexes: []models.Index{{Name: "partial_active_name", Fields: []string{"name"}, Condition: "active"}}}
}

type ConditionalUnique struct {
	models.Model
	Name   string `pm:"max_length=10"`
	Active bool
}

func (ConditionalUnique) Meta() models.Meta {
	return models.Meta{Constraints: []models.Constraint{models.Unique{Name: "cond_unique_name", Fields: []string{"name"}, Condition: "active"}}}
}

type SetDefault struct {
	models.Model
	Maker *Maker `pm:"on_delete=SET_DEFAULT,default=1"`
}

type TextUnique struct {
	models.Model
	Name string `pm:"unique"`
}

type LongKey struct {
	models.Model
	First  string `pm:"max_length=500"`
	Second string `pm:"max_length=500"`
}

func (LongKey) Meta() models.Meta {
	return models.Meta{UniqueTogether: [][]string{{"first", "second"}}}
}

type WideKeyTarget struct {
	models.Model
	Code string `pm:"primary_key,max_length=800"`
}

type JoinsWideKey struct {
	models.Model
	Targets []*WideKeyTarget `pm:"m2m"`
}

type WideDecimal struct {
	models.Model
	Amount models.Decimal `pm:"max_digits=70,decimal_places=2"`
}

type HugeVarchar struct {
	models.Model
	Body string `pm:"max_length=20000"`
}

type WideRow struct {
	models.Model
	A string `pm:"max_length=5000"`
	B string `pm:"max_length=5000"`
	C string `pm:"max_length=5000"`
	D string `pm:"max_length=5000"`
}

type ReservedInCheck struct {
	models.Model
	Order int
}

func (ReservedInCheck) Meta() models.Meta {
	return models.Meta{Constraints: []models.Constraint{models.Check{Name: "reserved_order_pos", SQL: "order > 0"}}}
}

type QuotedInCheck struct {
	models.Model
	Qty int
}

func (QuotedInCheck) Meta() models.Meta {
	return models.Meta{Constraints: []models.Constraint{models.Check{Name: "quoted_qty_pos", SQL: `"qty" > 0`}}}
}

type FieldTwice struct {
	models.Model
	Name string `pm:"max_length=10"`
}

func (FieldTwice) Meta() models.Meta {
	return models.Meta{Indexes: []models.Index{{Name: "field_twice_idx", Fields: []string{"name", "Name"}}}}
}

type Legacy struct {
	models.Model
	Name string `pm:"max_length=10"`
}

func (Legacy) Meta() models.Meta { return models.Meta{Unmanaged: true, Table: "legacy_view"} }

type ToUnmanaged struct {
	models.Model
	Legacy *Legacy `pm:"on_delete=CASCADE"`
}

type UniqueFK struct {
	models.Model
	Maker *Maker `pm:"on_delete=CASCADE,unique"`
}

type SameRelatedName struct {
	models.Model
	Builder *Maker `pm:"on_delete=CASCADE,related_name=things"`
	Seller  *Maker `pm:"on_delete=CASCADE,related_name=things"`
}

type BlankInt struct {
	models.Model
	Age int `pm:"blank"`
}

type RedundantIndex struct {
	models.Model
	Name string `pm:"max_length=10,unique"`
}

func (RedundantIndex) Meta() models.Meta {
	return models.Meta{Indexes: []models.Index{{Name: "redundant_name_idx", Fields: []string{"name"}}}}
}

type CaseA struct {
	models.Model
}

func (CaseA) Meta() models.Meta { return models.Meta{Table: "Things"} }

type CaseB struct {
	models.Model
}

func (CaseB) Meta() models.Meta { return models.Meta{Table: "things"} }

// checkCase is one check triggered by one set of models.
type checkCase struct {
	name    string
	id      string
	types   []any
	targets []Target
	object  string // the issue's object
	message string // a part of its message
}

var cases = []checkCase{
	{"tag with a space after the colon", "pm.E001", []any{tagSpace}, nil, tagSpaceObject, "bad syntax for struct tag value"},
	{"tag without quotes", "pm.E001", []any{tagUnquoted}, nil, tagUnquotedObject, "bad syntax for struct tag value"},
	{"tag pairs joined by a comma", "pm.E001", []any{tagComma}, nil, tagCommaObject, `key:"value" pairs not separated by spaces`},
	{"pm key twice", "pm.E002", []any{tagTwice}, nil, tagTwiceObject, "gives pm 2 times"},
	{"pm tag on an unexported field", "pm.W001", []any{TagUnexported{}}, nil, "checks.TagUnexported.name", "only exported fields are columns"},
	{"gen_random_uuid() on a uuid", "pm.E003", []any{UUIDCallDefault{}}, allKinds, "checks.UUIDCallDefault.Token", "default=gen_random_uuid() is a database expression"},
	{"CURRENT_TIMESTAMP on a text field", "pm.W002", []any{NowTextDefault{}}, allKinds, "checks.NowTextDefault.Stamp", "is stored as that text"},
	{"a zoned datetime default on MySQL", "pm.E004", []any{ZonedDateTime{}}, []Target{pg, my}, "checks.ZonedDateTime.At", "has a time zone offset"},
	{"a uuid default that is no uuid", "pm.E005", []any{BadUUID{}}, allKinds, "checks.BadUUID.Token", "default=not-a-uuid is not a UUID"},
	{"a json default that is no json", "pm.E006", []any{BadJSON{}}, allKinds, "checks.BadJSON.Data", "default={a: 1} is not JSON"},
	{"a duration default that is no number", "pm.E007", []any{BadDuration{}}, []Target{lite}, "checks.BadDuration.Wait", "default=5m is not a whole number"},
	{"a default outside the choices", "pm.E008", []any{NotAChoice{}}, nil, "checks.NotAChoice.State", "default=archived is not one of its choices (draft|published)"},
	{"a default longer than max_length", "pm.E009", []any{DefaultTooLong{}}, nil, "checks.DefaultTooLong.Code", "is 3 characters long, more than max_length=2"},
	{"a choice that is no integer", "pm.E010", []any{ChoiceNotInt{}}, nil, "checks.ChoiceNotInt.Level", "choice low is not a whole number"},
	{"choices on a boolean", "pm.E010", []any{ChoiceOnBool{}}, nil, "checks.ChoiceOnBool.On", "choices apply to string and number fields"},
	{"a NUL byte in a default", "pm.E011", []any{NULDefault{}}, nil, "checks.NULDefault.Name", "holds a NUL byte"},
	{"a NUL byte in a join table column name", "pm.E012", []any{NULJoinColumn{}, Maker{}}, nil, "checks.NULJoinColumn.Makers", "join table column name"},
	{"a NUL byte in a column name", "pm.E012", []any{NULColumn{}}, nil, "checks.NULColumn.Name", "column name"},
	{"a NUL byte in a comment", "pm.E013", []any{NULComment{}}, nil, "checks.NULComment.Name", "comment"},
	{"a NUL byte in a check", "pm.E013", []any{NULCheck{}}, nil, "checks.NULCheck.Meta", "its SQL holds a NUL byte"},
	{"a 64-byte column on PostgreSQL", "pm.E014", []any{LongColumn{}}, []Target{pg, my, lite}, "checks.LongColumn.Name", "is 64 bytes long; PostgreSQL (connection pg) keeps at most 63"},
	{"a long join table column on PostgreSQL", "pm.E015", []any{LongJoinColumns{}, AModelWhoseTypeNameIsLongEnoughToPushTheJoinColumnPastTheLimitX{}}, []Target{pg}, "checks.LongJoinColumns.Tags", "join table long_join_columns_tags gets the column"},
	{"an index named like a table", "pm.E016", []any{IndexNamedLikeTable{}, Maker{}}, []Target{pg}, "checks.IndexNamedLikeTable.Meta", "index maker is also the name of the table of checks.Maker"},
	{"an index named like a generated one", "pm.E016", []any{IndexNamedLikeGenerated{}}, []Target{my}, "checks.IndexNamedLikeGenerated.Meta", "index index_named_like_generated_name_idx is also the name of the index of checks.IndexNamedLikeGenerated.Name"},
	{"a partial index on MySQL", "pm.E017", []any{PartialIndex{}}, allKinds, "checks.PartialIndex.Meta", "index partial_active_name has a Condition (a partial index), which MySQL/MariaDB cannot create (connection my)"},
	{"a conditional unique on MySQL", "pm.E018", []any{ConditionalUnique{}}, allKinds, "checks.ConditionalUnique.Meta", "unique constraint cond_unique_name has a Condition"},
	{"SET_DEFAULT on MySQL", "pm.E019", []any{SetDefault{}, Maker{}}, []Target{my}, "checks.SetDefault.Maker", "on_delete=SET_DEFAULT is refused by InnoDB"},
	{"a unique text column on MySQL", "pm.E020", []any{TextUnique{}}, []Target{my}, "checks.TextUnique.Name", "a text column that MySQL/MariaDB cannot index"},
	{"a key over 3072 bytes on MySQL", "pm.E021", []any{LongKey{}}, []Target{my}, "checks.LongKey.Meta", "is 4000 bytes long, more than the 3072-byte key limit"},
	{"a join table key over 3072 bytes on MySQL", "pm.E021", []any{JoinsWideKey{}, WideKeyTarget{}}, []Target{my}, "checks.JoinsWideKey.Targets", "join table joins_wide_key_targets: unique_together"},
	{"decimal digits beyond MySQL", "pm.E022", []any{WideDecimal{}}, []Target{my}, "checks.WideDecimal.Amount", "max_digits=70, decimal_places=2 is more than the 65 digits"},
	{"varchar beyond MySQL", "pm.E023", []any{HugeVarchar{}}, []Target{my}, "checks.HugeVarchar.Body", "max_length=20000 is more than the 16383 characters"},
	{"a row beyond MySQL", "pm.E024", []any{WideRow{}}, []Target{my}, "checks.WideRow", "a row of table wide_row can take 80016 bytes"},
	{"a reserved word bare in a check", "pm.E026", []any{ReservedInCheck{}}, []Target{pg}, "checks.ReservedInCheck.Meta", "uses the column order without quotes"},
	{"a double-quoted column on MySQL", "pm.E028", []any{QuotedInCheck{}}, []Target{pg, my}, "checks.QuotedInCheck.Meta", `writes the column qty in double quotes, which MySQL/MariaDB reads as the string 'qty'`},
	{"a field twice in an index", "pm.E027", []any{FieldTwice{}}, nil, "checks.FieldTwice.Meta", "index field_twice_idx lists the column name twice"},
	{"an ordering path to a missing field", "pm.E031", []any{OrderedByMakerTypo{}, Maker{}}, nil, "checks.OrderedByMakerTypo.Meta", "Ordering names -maker__nme, but checks.Maker has no field nme"},
	{"an ordering path through a column", "pm.E031", []any{OrderedThroughName{}, Maker{}}, nil, "checks.OrderedThroughName.Meta", "Ordering names maker__name__lower, but checks.Maker.Name is not a relation to follow, and lower is not a lookup or transform of a char field"},
	{"a SQL type not spelled for MySQL", "pm.E032", []any{SpelledForPostgres{}}, []Target{pg, my}, "checks.SpelledForPostgres.Addr", "spells its column type for PostgreSQL but not for MySQL/MariaDB, which it is migrated to (connection my)"},
	{"a table comment too long for MySQL", "pm.E033", []any{LongTableComment{}}, []Target{my}, "checks.LongTableComment.Meta", "more than the 2048 MySQL/MariaDB keeps for a table"},
	{"a foreign key to an unmanaged model", "pm.W003", []any{ToUnmanaged{}, Legacy{}}, nil, "checks.ToUnmanaged.Legacy", "an unmanaged model"},
	{"unique on a foreign key", "pm.W004", []any{UniqueFK{}, Maker{}}, nil, "checks.UniqueFK.Maker", "makes it a one-to-one relation"},
	{"one related_name twice", "pm.W005", []any{SameRelatedName{}, Maker{}}, nil, "checks.SameRelatedName.Seller", "related_name=things is also the related_name of checks.SameRelatedName.Builder"},
	{"blank on a NOT NULL integer", "pm.W006", []any{BlankInt{}}, nil, "checks.BlankInt.Age", "a NOT NULL biginteger column has no empty value"},
	{"an index that repeats a unique", "pm.W007", []any{RedundantIndex{}}, nil, "checks.RedundantIndex.Meta", "index redundant_name_idx covers the same columns (name) as unique constraint"},
	{"tables differing in case on MySQL", "pm.W008", []any{CaseA{}, CaseB{}}, []Target{my}, "checks.CaseB", "differs from table Things of checks.CaseA only in case"},
	{"a connection of unknown kind", "pm.W009", []any{Maker{}}, []Target{{Name: "prod"}}, "connection prod", "its kind of database is unknown"},
}

func TestEachCheck(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			report := check(t, tc.targets, nil, tc.types...)
			for _, i := range report.Issues {
				if i.ID == tc.id && i.Object == tc.object && strings.Contains(i.Message, tc.message) {
					if !strings.Contains(i.String(), "; ") || i.Hint == "" {
						t.Errorf("%s has no fix: %s", i.ID, i)
					}
					return
				}
			}
			t.Fatalf("want %s on %s with %q; got:\n%s", tc.id, tc.object, tc.message, report.Text())
		})
	}
}

// TestSQLTypesOnlyForTargets: pm.E032 judges only the kinds of database
// the app is migrated to, so a PostgreSQL-only project needs no MySQL
// spelling, and a field that spells every target's type passes.
func TestSQLTypesOnlyForTargets(t *testing.T) {
	type SpelledForAll struct {
		models.Model
		Addr string `pm:"type=pg:inet;mysql:varchar(45);sqlite:text"`
	}
	for _, tc := range []struct {
		name    string
		targets []Target
		types   []any
	}{
		{"postgres only", []Target{pg}, []any{SpelledForPostgres{}}},
		{"every dialect spelled", allKinds, []any{SpelledForAll{}}},
	} {
		report := check(t, tc.targets, nil, tc.types...)
		for _, i := range report.Issues {
			if i.ID == "pm.E032" {
				t.Errorf("%s: unexpected %s", tc.name, i)
			}
		}
	}
}
