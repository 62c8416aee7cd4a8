package models

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// One struct per bad-model error the reader reports.

type EUnknownOption struct {
	Model
	Name string `pm:"max_len=3"`
}

type EOptionTwice struct {
	Model
	Name string `pm:"null,blank,null"`
}

type EMissingValue struct {
	Model
	Name string `pm:"max_length"`
}

type EFlagValue struct {
	Model
	Name string `pm:"null=true"`
}

type EBadNumber struct {
	Model
	Name string `pm:"max_length=abc"`
}

type EDecimal struct {
	Model
	Price Decimal `pm:"max_digits=10"`
}

type EDecimalPlaces struct {
	Model
	Price Decimal `pm:"max_digits=2,decimal_places=3"`
}

type EDigitsOnInt struct {
	Model
	Count int `pm:"max_digits=3"`
}

type EMaxLength struct {
	Model
	Year int `pm:"max_length=4"`
}

type ENoOnDelete struct {
	Model
	Maker *Maker
}

type EBadOnDelete struct {
	Model
	Maker *Maker `pm:"on_delete=DELETE"`
}

type ESetNull struct {
	Model
	Maker *Maker `pm:"on_delete=SET_NULL"`
}

type ESetDefault struct {
	Model
	Maker *Maker `pm:"on_delete=SET_DEFAULT"`
}

type EFKNotModel struct {
	Model
	Where *Geo `pm:"on_delete=CASCADE"`
}

type EFKAbstract struct {
	Model
	Base *Stamped `pm:"on_delete=CASCADE"`
}

type EFKUnlisted struct {
	Model
	Part *Part `pm:"on_delete=CASCADE"`
}

type EM2MNotModel struct {
	Model
	Places []*Geo `pm:"m2m"`
}

type EM2MNonSlice struct {
	Model
	Maker *Maker `pm:"m2m"`
}

type EM2MValues struct {
	Model
	Parts []Part `pm:"m2m"`
}

type ESliceNoM2M struct {
	Model
	Parts []*Part
}

type EUnsupported struct {
	Model
	Tags []string
}

type EUnsupportedUint struct {
	Model
	Count uint64
}

type EUnsupportedArray struct {
	Model
	Key [16]byte
}

type ETwoKeys struct {
	Model
	Serial int64  `pm:"primary_key"`
	Code   string `pm:"primary_key"`
}

type EDupColumn struct {
	Model
	Owner   *User `pm:"on_delete=CASCADE"`
	OwnerID int64
}

type EDupName struct {
	Model
	UserID int64
	UserId int64 //nolint:revive // the clash is the point
}

type ETableA struct {
	Model
}

func (ETableA) Meta() Meta { return Meta{Table: "shared"} }

type ETableB struct {
	Model
}

func (ETableB) Meta() Meta { return Meta{Table: "shared"} }

type EUniqueTogether struct {
	Model
	Name string
}

func (EUniqueTogether) Meta() Meta { return Meta{UniqueTogether: [][]string{{"name", "nme"}}} }

type EIndexField struct {
	Model
	Name string
}

func (EIndexField) Meta() Meta {
	return Meta{Indexes: []Index{{Name: "x_idx", Fields: []string{"-Nme"}}}}
}

type EOrdering struct {
	Model
	Name string
}

func (EOrdering) Meta() Meta { return Meta{Ordering: []string{"-title"}} }

type EConstraintField struct {
	Model
	Name string
}

func (EConstraintField) Meta() Meta {
	return Meta{Constraints: []Constraint{Unique{Name: "u", Fields: []string{"title"}}}}
}

type EToFieldMissing struct {
	Model
	Maker *Maker `pm:"on_delete=CASCADE,to_field=title"`
}

type EToFieldNotUnique struct {
	Model
	Maker *Maker `pm:"on_delete=CASCADE,to_field=slug"`
}

type EThrough struct {
	Model
	Parts []*Part `pm:"m2m,through=Nothing"`
}

type EThroughNoFK struct {
	Model
	Parts []*Part `pm:"m2m,through=Maker"`
}

type EDefaultInt struct {
	Model
	Year int `pm:"default=soon"`
}

type EDefaultRange struct {
	Model
	Year int16 `pm:"default=70000"`
}

type EDefaultFloat struct {
	Model
	Ratio float64 `pm:"default=NaN"`
}

type EDefaultDecimal struct {
	Model
	Price Decimal `pm:"max_digits=4,decimal_places=2,default=123.4"`
}

type EDefaultBool struct {
	Model
	Flag bool `pm:"default=yes"`
}

type EDefaultFK struct {
	Model
	Maker *Maker `pm:"on_delete=CASCADE,default=first"`
}

type EDefaultM2M struct {
	Model
	Parts []*Part `pm:"m2m,default=1"`
}

type EChoicesM2M struct {
	Model
	Parts []*Part `pm:"m2m,choices=a|b"`
}

type EAutoNoKey struct {
	Model
	Number int64 `pm:"auto"`
}

type EAutoString struct {
	Model
	Code string `pm:"primary_key,auto"`
}

type ENullKey struct {
	Model
	Code *string `pm:"primary_key"`
}

type EIDNotKey struct {
	Model
	ID int64
}

type EPointerMeta struct {
	Model
}

func (*EPointerMeta) Meta() Meta { return Meta{} }

type EMetaSignature struct {
	Model
}

func (EMetaSignature) Meta() *Meta { return nil }

type EEmbedModel struct {
	Model
	Maker
}

type EEmbedPointer struct {
	*Model
}

type EAmbiguous struct {
	Model
	Geo
	Spot
}

type Spot struct {
	Lat float64
}

type ECharNoLength struct {
	Model
	Code string `pm:"type=char"`
}

type EUnknownType struct {
	Model
	Code string `pm:"type=varchar"`
}

type ETypeMismatch struct {
	Model
	Day string `pm:"type=date"`
}

type ERelationOption struct {
	Model
	Name string `pm:"on_delete=CASCADE"`
}

type EJoinTable struct {
	Model
	Parts []*Part `pm:"m2m"`
}

type EJoinTableClash struct {
	Model
}

func (EJoinTableClash) Meta() Meta { return Meta{Table: "e_join_table_parts"} }

type EIndexNameA struct {
	Model
	Name string
}

func (EIndexNameA) Meta() Meta {
	return Meta{Indexes: []Index{{Name: "same_idx", Fields: []string{"name"}}}}
}

type EIndexNameB struct {
	Model
	Name string
}

func (EIndexNameB) Meta() Meta {
	return Meta{Constraints: []Constraint{Check{Name: "same_idx", SQL: "name <> ''"}}}
}

type EUnnamedUnique struct {
	Model
	Name string
}

func (EUnnamedUnique) Meta() Meta {
	return Meta{Constraints: []Constraint{Unique{Fields: []string{"name"}}}}
}

type ENilConstraint struct {
	Model
}

func (ENilConstraint) Meta() Meta { return Meta{Constraints: []Constraint{nil}} }

type EDescUnique struct {
	Model
	Name string
}

func (EDescUnique) Meta() Meta { return Meta{UniqueTogether: [][]string{{"-name"}}} }

type EThroughTable struct {
	Model
	Members []*Person `pm:"m2m,through=Membership,table=x"`
}

type EThroughColumns struct {
	Model
	Members []*Person `pm:"m2m,through=Membership,from_column=group_id"`
}

type ESameJoinColumns struct {
	Model
	Parts []*Part `pm:"m2m,from_column=ref,to_column=ref"`
}

type EJoinColumnID struct {
	Model
	Parts []*Part `pm:"m2m,to_column=id"`
}

type EJoinColumnScalar struct {
	Model
	Name string `pm:"max_length=10,to_column=name_id"`
}

type EColumnDB struct {
	Model
	Name string `pm:"column=a" db:"b"`
}

type EOneToOneScalar struct {
	Model
	Name string `pm:"one_to_one"`
}

type EQuote struct {
	Model
	Name string `pm:"default='open"`
}

type EBaseTag struct {
	Model
	Name time.Time
	Base struct{ X int } `pm:"type=json"`
	Geo  `pm:"null"`
}

type ELongIndex struct {
	Model
	Name string
}

func (ELongIndex) Meta() Meta {
	return Meta{Indexes: []Index{{Name: strings.Repeat("x", 64), Fields: []string{"name"}}}}
}

type EFKNullKey struct {
	Model
	Maker *Maker `pm:"primary_key,null,on_delete=CASCADE"`
}

type ERecursive struct {
	Model
	*ERecursive
}

type EEmbedInterface struct {
	Model
	fmt.Stringer
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	known := "primary_key, auto, null, blank, unique, index, default, db_default, max_length, max_digits, decimal_places, type, " +
		"column, on_delete, to_field, no_constraint, related_name, one_to_one, m2m, through, table, from_column, to_column, choices, comment, was"
	actions := "CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, DO_NOTHING"
	tests := []struct {
		name string
		apps []App
		want string
	}{
		{"unknown tag option", []App{app("main", EUnknownOption{})},
			`models.EUnknownOption.Name: unknown tag option "max_len"; known options: ` + known},
		{"option given twice", []App{app("main", EOptionTwice{})},
			"models.EOptionTwice.Name: tag option null given twice; keep one"},
		{"option missing its value", []App{app("main", EMissingValue{})},
			"models.EMissingValue.Name: tag option max_length needs a value; write max_length=<value>"},
		{"flag given a value", []App{app("main", EFlagValue{})},
			"models.EFlagValue.Name: tag option null takes no value; write just null"},
		{"bad number", []App{app("main", EBadNumber{})},
			"models.EBadNumber.Name: max_length=abc is not a whole number; write a number such as max_length=10"},
		{"unterminated quote", []App{app("main", EQuote{})},
			"models.EQuote.Name: tag option default: quoted value has no closing quote; end it with '"},
		{"decimal without decimal_places", []App{app("main", EDecimal{})},
			`models.EDecimal.Price: decimal needs max_digits and decimal_places; add them, e.g. pm:"max_digits=10,decimal_places=2"`},
		{"decimal_places over max_digits", []App{app("main", EDecimalPlaces{})},
			"models.EDecimalPlaces.Price: decimal_places=3 is more than max_digits=2; max_digits counts every digit, the decimal places included"},
		{"max_digits on an int", []App{app("main", EDigitsOnInt{})},
			"models.EDigitsOnInt.Count: max_digits applies only to models.Decimal fields, not int; remove it"},
		{"max_length on a non-string", []App{app("main", EMaxLength{})},
			"models.EMaxLength.Year: max_length applies only to string fields, not int; remove it"},
		{"FK without on_delete", []App{app("main", Maker{}, ENoOnDelete{})},
			"models.ENoOnDelete.Maker: a foreign key needs on_delete; add on_delete=<action> (one of " + actions + ")"},
		{"unknown on_delete", []App{app("main", Maker{}, EBadOnDelete{})},
			"models.EBadOnDelete.Maker: unknown on_delete=DELETE; use one of " + actions},
		{"SET_NULL without null", []App{app("main", Maker{}, ESetNull{})},
			"models.ESetNull.Maker: on_delete=SET_NULL needs null; add null to the tag"},
		{"SET_DEFAULT without default", []App{app("main", Maker{}, ESetDefault{})},
			"models.ESetDefault.Maker: on_delete=SET_DEFAULT needs a default; add default=<key of the target row>"},
		{"FK to a plain struct", []App{app("main", EFKNotModel{})},
			"models.EFKNotModel.Where: models.Geo is not a model; embed models.Model in Geo, or store the value as JSON with type=json"},
		{"FK to an abstract base", []App{app("main", EFKAbstract{})},
			"models.EFKAbstract.Base: models.Stamped is an abstract base, not a model; point at a concrete model that embeds Stamped"},
		{"FK to a model no app lists", []App{app("main", EFKUnlisted{})},
			"models.EFKUnlisted.Part: models.Part is a model, but no app passed to Load lists it; add its package to the apps (and export the type)"},
		{"M2M to a plain struct", []App{app("main", EM2MNotModel{})},
			"models.EM2MNotModel.Places: models.Geo is not a model; embed models.Model in Geo, or store the value as JSON with type=json"},
		{"m2m on a non-slice", []App{app("main", Maker{}, EM2MNonSlice{})},
			"models.EM2MNonSlice.Maker: m2m needs a slice of model pointers such as []*Tag, not *models.Maker; change the type or remove m2m"},
		{"m2m on a slice of values", []App{app("main", Part{}, EM2MValues{})},
			"models.EM2MValues.Parts: []models.Part holds model values; write []*Part with m2m"},
		{"slice of models without m2m", []App{app("main", Part{}, ESliceNoM2M{})},
			`models.ESliceNoM2M.Parts: []*models.Part is a slice of models; add m2m to make it a many-to-many field, or pm:"-" to leave it out`},
		{"unsupported slice", []App{app("main", EUnsupported{})},
			`models.EUnsupported.Tags: unsupported Go type []string; use pm:"type=json" to store it as JSON, or pm:"-" to leave it out`},
		{"unsupported uint", []App{app("main", EUnsupportedUint{})},
			`models.EUnsupportedUint.Count: unsupported Go type uint64; use pm:"type=json" to store it as JSON, or pm:"-" to leave it out`},
		{"[16]byte without type=uuid", []App{app("main", EUnsupportedArray{})},
			`models.EUnsupportedArray.Key: unsupported Go type [16]uint8; add pm:"type=uuid" to store a UUID, pm:"type=json" to store it as JSON, or pm:"-" to leave it out`},
		{"two primary keys", []App{app("main", ETwoKeys{})},
			"models.ETwoKeys.Code: a second primary key (Serial is already one); keep one primary_key and use Meta.UniqueTogether for the other"},
		{"duplicate column", []App{app("main", User{}, EDupColumn{})},
			"models.EDupColumn.OwnerID: column owner_id is also the column of Owner; rename one with column= or a db tag"},
		{"duplicate field name", []App{app("main", EDupName{})},
			"models.EDupName.UserId: its name user_id is also the name of UserID; rename one of the Go fields"},
		{"two models, one table", []App{app("main", ETableA{}), app("other", ETableB{})},
			"models.ETableB: table shared is also the table of models.ETableA; set Meta.Table on one of them"},
		{"unknown field in UniqueTogether", []App{app("main", EUniqueTogether{})},
			`models.EUniqueTogether.Meta: UniqueTogether[0] names unknown field "nme"; use a field's name or Go name (fields: id, name)`},
		{"unknown field in Indexes", []App{app("main", EIndexField{})},
			`models.EIndexField.Meta: Indexes[0] names unknown field "Nme"; use a field's name or Go name (fields: id, name)`},
		{"unknown field in Ordering", []App{app("main", EOrdering{})},
			`models.EOrdering.Meta: Ordering names unknown field "title"; use a field's name or Go name, pk, ? or a path across a relation such as author__name (fields: id, name)`},
		{"unknown field in a Unique", []App{app("main", EConstraintField{})},
			`models.EConstraintField.Meta: Constraints[0] names unknown field "title"; use a field's name or Go name (fields: id, name)`},
		{"descending field in a unique list", []App{app("main", EDescUnique{})},
			`models.EDescUnique.Meta: UniqueTogether[0] names "-name", but a unique field list has no order; drop the -`},
		{"to_field naming a missing field", []App{app("main", Maker{}, EToFieldMissing{})},
			"models.EToFieldMissing.Maker: to_field=title: models.Maker has no such field; name one of its unique fields (fields: id, name, slug)"},
		{"to_field naming a non-unique field", []App{app("main", Maker{}, EToFieldNotUnique{})},
			"models.EToFieldNotUnique.Maker: to_field=slug names models.Maker.slug, which is not unique; add unique to it, or point at a unique field"},
		{"through naming a non-model", []App{app("main", Part{}, Geo{}, EThrough{})},
			"models.EThrough.Parts: through=Nothing: app main has no model Nothing; name a model type (app.Type for another app's)"},
		{"through model without the foreign keys", []App{app("main", Part{}, Maker{}, EThroughNoFK{})},
			"models.EThroughNoFK.Parts: through model models.Maker needs a foreign key to models.EThroughNoFK and one to models.Part; add them to Maker"},
		{"through with table", []App{app("main", Person{}, Membership{}, Group{}, EThroughTable{})},
			"models.EThroughTable.Members: through= and table= exclude each other (the through model owns its table); remove table="},
		{"through with from_column", []App{app("main", Person{}, Membership{}, Group{}, EThroughColumns{})},
			"models.EThroughColumns.Members: through= and from_column= exclude each other (the through model names its own columns); remove from_column="},
		{"the same join column twice", []App{app("main", Part{}, Geo{}, ESameJoinColumns{})},
			"models.ESameJoinColumns.Parts: from_column= and to_column= are both ref; give the join table's two columns different names"},
		{"join column id", []App{app("main", Part{}, Geo{}, EJoinColumnID{})},
			"models.EJoinColumnID.Parts: to_column=id cannot name a join table column (the join table's key is id); give a column name, e.g. to_column=flatpage_id"},
		{"join column on a scalar", []App{app("main", EJoinColumnScalar{})},
			"models.EJoinColumnScalar.Name: to_column applies only to relation fields (*Model or []*Model); remove it"},
		{"default not a number on an integer", []App{app("main", EDefaultInt{})},
			"models.EDefaultInt.Year: default=soon is not a number; write a whole number such as default=0"},
		{"default out of range", []App{app("main", EDefaultRange{})},
			"models.EDefaultRange.Year: default=70000 is out of range for a 16-bit integer; use a smaller number"},
		{"default not a number on a float", []App{app("main", EDefaultFloat{})},
			"models.EDefaultFloat.Ratio: default=NaN is not a number; write a number such as default=0.5"},
		{"default too wide for the decimal", []App{app("main", EDefaultDecimal{})},
			"models.EDefaultDecimal.Price: default=123.4 does not fit max_digits=4, decimal_places=2; use a smaller default or widen the field"},
		{"default not a boolean", []App{app("main", EDefaultBool{})},
			"models.EDefaultBool.Flag: default=yes is not a boolean; write default=true or default=false"},
		{"default not a number on an FK to an integer key", []App{app("main", Maker{}, EDefaultFK{})},
			"models.EDefaultFK.Maker: default=first is not a number; write a whole number such as default=0"},
		{"default on m2m", []App{app("main", Part{}, EDefaultM2M{})},
			"models.EDefaultM2M.Parts: default does not apply to a many-to-many field; remove it"},
		{"choices on m2m", []App{app("main", Part{}, EChoicesM2M{})},
			"models.EChoicesM2M.Parts: choices does not apply to a many-to-many field; remove it"},
		{"auto without primary_key", []App{app("main", EAutoNoKey{})},
			"models.EAutoNoKey.Number: auto needs primary_key; add primary_key, or remove auto"},
		{"auto on a string", []App{app("main", EAutoString{})},
			"models.EAutoString.Code: auto needs an int, int64 or int32 field (there is no smaller auto-increment kind), not a text field; change the type or remove auto"},
		{"nullable primary key", []App{app("main", ENullKey{})},
			"models.ENullKey.Code: a primary key cannot be null; remove null and use a non-pointer type"},
		{"ID that is not the key", []App{app("main", EIDNotKey{})},
			"models.EIDNotKey.ID: a field named ID hides the id of models.Model, so it must be the primary key; add primary_key to its tag, or rename it"},
		{"Meta with a pointer receiver", []App{app("main", EPointerMeta{})},
			"models.EPointerMeta.Meta: Meta has a pointer receiver, so it is not seen on EPointerMeta values; declare it as func (EPointerMeta) Meta() models.Meta"},
		{"Meta with a wrong signature", []App{app("main", EMetaSignature{})},
			"models.EMetaSignature.Meta: Meta has the wrong signature func(models.EMetaSignature) *models.Meta; declare it as func (EMetaSignature) Meta() models.Meta"},
		{"embedded concrete model", []App{app("main", EEmbedModel{})},
			"models.EEmbedModel.Maker: embedding the model models.Maker is not supported; make Maker an abstract base (Meta{Abstract: true}) or point at it with a *Maker field"},
		{"embedded pointer", []App{app("main", EEmbedPointer{})},
			"models.EEmbedPointer.Model: embedded *Model is a pointer; embed Model by value, or declare a named foreign key field"},
		{"ambiguous promoted field", []App{app("main", EAmbiguous{})},
			"models.EAmbiguous.Lat: field Lat comes from both models.Geo and models.Spot; declare Lat on EAmbiguous to choose one, or remove one of them"},
		{"type=char without max_length", []App{app("main", ECharNoLength{})},
			"models.ECharNoLength.Code: type=char needs max_length; add max_length=<n>"},
		{"unknown type=", []App{app("main", EUnknownType{})},
			"models.EUnknownType.Code: unknown type=varchar; use one of char, text, date, time, datetime, json, uuid, biginteger, integer, smallinteger"},
		{"type= that does not fit", []App{app("main", ETypeMismatch{})},
			"models.ETypeMismatch.Day: type=date does not fit Go type string; use a time.Time field"},
		{"relation option on a column", []App{app("main", ERelationOption{})},
			"models.ERelationOption.Name: on_delete applies only to relation fields (*Model or []*Model); remove it"},
		{"one_to_one on a column", []App{app("main", EOneToOneScalar{})},
			"models.EOneToOneScalar.Name: one_to_one applies only to relation fields (*Model or []*Model); remove it"},
		{"column= and db tag disagree", []App{app("main", EColumnDB{})},
			`models.EColumnDB.Name: column=a and db:"b" disagree; keep one of them`},
		{"join table clashes with a table", []App{app("main", Part{}, EJoinTableClash{}, EJoinTable{})},
			"models.EJoinTable.Parts: its join table e_join_table_parts is also the table of models.EJoinTableClash; name the join table with table="},
		{"index and constraint names clash", []App{app("main", EIndexNameA{}, EIndexNameB{})},
			"models.EIndexNameB.Meta: constraint name same_idx is also used by models.EIndexNameA; rename one (an abstract base can put %(class)s in the name)"},
		{"Unique without a name", []App{app("main", EUnnamedUnique{})},
			"models.EUnnamedUnique.Meta: Constraints[0] is a Unique without a Name; name it, e.g. e_unnamed_unique_unique"},
		{"nil constraint", []App{app("main", ENilConstraint{})},
			"models.ENilConstraint.Meta: Constraints[0] is nil; use models.Unique{...} or models.Check{...}"},
		{"tag on an embedded struct", []App{app("main", EBaseTag{})},
			`models.EBaseTag.Geo: pm tag options do not apply to an embedded struct; remove the tag (or use pm:"-" to leave it out)`},
		{"index name too long", []App{app("main", ELongIndex{})},
			"models.ELongIndex.Meta: index name " + strings.Repeat("x", 64) + " is 64 characters long, more than the 63 a database keeps; shorten it"},
		{"nullable foreign primary key", []App{app("main", Maker{}, EFKNullKey{})},
			"models.EFKNullKey.Maker: a primary key cannot be null; remove null"},
		{"embedded pointer to itself", []App{app("main", ERecursive{})},
			"models.ERecursive.ERecursive: embedded *ERecursive is a pointer; embed ERecursive by value, or declare a named foreign key field"},
		{"embedded interface", []App{app("main", EEmbedInterface{})},
			`models.EEmbedInterface.Stringer: unsupported Go type fmt.Stringer; use pm:"type=json" to store it as JSON, or pm:"-" to leave it out`},
		{"bad app label", []App{app("my.app", Part{})},
			`models: app label "my.app" is not an identifier; use a name such as main or blog`},
		{"app label twice", []App{app("main"), app("main")},
			"models: app label main is given twice; give each app its own label"},
		{"model in two apps", []App{app("main", Part{}), app("other", Part{})},
			"models.Part: listed in apps main and other; list each model type in one app only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Load(tt.apps...)
			if err == nil {
				t.Fatalf("Load succeeded with %v; want error %q", keys(p), tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Load error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

type EGeneric[T any] struct {
	Model
	V T
}

// Errors that need types a table cannot declare: a generic model, and two
// types of one name (a local Part beside the package's Part) in one app.
func TestLoadErrorsOfTypeNames(t *testing.T) {
	t.Parallel()
	type Part struct{ Model }
	tests := []struct {
		name string
		apps []App
		want string
	}{
		{"generic model", []App{app("main", EGeneric[int]{})},
			"models.EGeneric[int]: a generic type cannot be a model; declare a non-generic struct"},
		{"two models of one name", []App{app("main", globalPart(), Part{})},
			"models.Part: app main already has a model named Part (from github.com/pmanager/pmanager/pkg/models); rename one of them"},
	}
	for _, tt := range tests {
		_, err := Load(tt.apps...)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: Load error = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// globalPart returns the package-level Part, which a local Part shadows.
func globalPart() any { return Part{} }
