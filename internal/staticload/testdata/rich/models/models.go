// Package models exercises the reading rules the static reader must
// reproduce: embedding, abstract bases (local and from another package),
// sqlx db tags, aliases, promoted Meta, nullable types, every Go type of
// the type table and every Meta field.
package models

import (
	"database/sql"
	"encoding/json"
	"time"

	"github.com/pmanager/pmanager/internal/staticload/testdata/rich/base"

	"github.com/pmanager/pmanager/pkg/models"
)

// Owned is a local abstract base with a foreign key.
type Owned struct {
	models.Model
	Owner *Person `pm:"null,on_delete=SET_NULL,related_name=%(class)s_set"`
}

// Meta makes Owned abstract.
func (Owned) Meta() models.Meta { return models.Meta{Abstract: true} }

// Named is a plain embedded struct.
type Named struct {
	Name  string `pm:"max_length=80"`
	Title string `db:"title_text" pm:"max_length=20,blank"`
}

// Inherited only embeds a struct with a Meta it did not declare.
type Inherited struct {
	Plain
	Extra int32
}

// Plain is an abstract base declaring a table and ordering; Inherited
// gets the Meta promoted, Abstract and Table reset.
type Plain struct {
	models.Model
	Label string `pm:"max_length=10,index"`
}

// Meta names the table and orders rows.
func (Plain) Meta() models.Meta {
	return models.Meta{Abstract: true, Table: "plain_things", Ordering: []string{"-label", "-pk"}, VerboseName: "plain thing", Comment: "a plain thing"}
}

// Person is a model with its own primary key and every scalar kind.
type Person struct {
	models.Model
	Code      string  `pm:"primary_key,max_length=12"`
	FirstName string  `db:"given_name" pm:"max_length=50"`
	Age       int16   `pm:"default=0"`
	Score     int32   `pm:"null"`
	Big       int64   `pm:"unique"`
	Plain     int     `pm:"comment=a plain int"`
	Ratio     float64 `pm:"default=0.5"`
	Small     float32
	Active    bool           `pm:"default=true"`
	Balance   models.Decimal `pm:"max_digits=12,decimal_places=2"`
	Born      time.Time      `pm:"type=date"`
	Wake      time.Time      `pm:"type=time,null"`
	Seen      *time.Time
	Wait      time.Duration
	Blob      []byte          `pm:"null"`
	Doc       json.RawMessage `pm:"null"`
	Extra     Settings        `pm:"type=json"`
	Token     [16]byte        `pm:"type=uuid"`
	Ref       string          `pm:"type=uuid,db_default=uuid"`
	Addr      string          `pm:"type=pg:inet;mysql:varchar(45);sqlite:text,null"`
	Cost      []byte          `pm:"type=postgres:numeric(10,2);mysql:decimal(10, 2)"`
	Nick      sql.NullString  `pm:"max_length=30"`
	Count     sql.NullInt64
	Level     sql.NullInt32
	Tiny      sql.NullInt16
	Byte      sql.NullByte
	Flag      sql.NullBool
	Weight    sql.NullFloat64
	Left      sql.NullTime
	Mood      Mood   `pm:"max_length=8,choices=happy|sad,default=happy"`
	Alias     Word   `pm:"max_length=9"`
	Hidden    string `pm:"-"`
	Skipped   string `db:"-"`
	internal  string
	Named
}

// Settings is stored as JSON.
type Settings struct {
	Theme string
}

// Mood is a named string type.
type Mood string

// Word is an alias of string: reflection sees string.
type Word = string

// Pet is an alias of Animal; the model is Animal.
type Pet = Animal

// Animal uses a base from another package, with a promoted name pattern.
type Animal struct {
	base.Stamped
	base.Note
	Owned
	Species string    `pm:"max_length=40"`
	Friends []*Animal `pm:"m2m,related_name=befriended,from_column=animal_id,to_column=friend_id"`
	Tags    []*Tag    `pm:"m2m,through=Tagging"`
}

// Meta sets every list Meta has.
func (Animal) Meta() models.Meta {
	return models.Meta{
		UniqueTogether: [][]string{{"species", "Owner"}},
		Indexes: []models.Index{
			{Fields: []string{"-species"}},
			{Name: "animal_live_idx", Fields: []string{"species"}, Condition: "species <> ''"},
		},
		Constraints: []models.Constraint{
			models.Unique{Name: "animal_species_uniq", Fields: []string{"species", "created"}},
			&models.Check{Name: "animal_species_check", SQL: "species <> 'x'"},
		},
	}
}

// Tag is tagged through Tagging.
type Tag struct {
	models.Model
	Word string `pm:"max_length=20,unique"`
}

// Tagging is the through model of Animal.Tags.
type Tagging struct {
	models.Model
	Animal *Pet `pm:"on_delete=CASCADE"`
	Tag    *Tag `pm:"on_delete=CASCADE,to_field=Word"`
	Weight int32
}

// Archive is kept in the state only.
type Archive struct {
	models.Model
	Body string
}

// Meta marks the model unmanaged and renamed.
func (Archive) Meta() models.Meta { return models.Meta{Unmanaged: true, Was: "OldArchive"} }

// Keyed has an auto key of its own.
type Keyed struct {
	models.Model
	Serial int32  `pm:"primary_key,auto"`
	Buddy  *Keyed `pm:"one_to_one,on_delete=PROTECT,no_constraint,null"`
}

// notAModel is unexported: never listed.
type notAModel struct {
	models.Model
}

// Helper is exported but embeds no model: listed, then skipped.
type Helper struct {
	A int
}

// The time package stays imported for a field type.
var _ time.Time
var _ notAModel
