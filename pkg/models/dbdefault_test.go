package models

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/state"
)

type Stamp struct {
	Model
	SeenAt  time.Time  `pm:"db_default=now"`
	Day     time.Time  `pm:"type=date,db_default=NOW"`
	At      *time.Time `pm:"type=time,db_default=now"`
	Token   string     `pm:"type=uuid,db_default=uuid"`
	Raw     [16]byte   `pm:"type=uuid,db_default=uuid"`
	FixedAt time.Time  `pm:"default=2024-01-31 10:00:00+02:00"`
	FixedOn time.Time  `pm:"type=date,default=2024-01-31"`
	FixedT  time.Time  `pm:"type=time,default=10:30"`
}

func TestLoadDBDefault(t *testing.T) {
	t.Parallel()
	p, err := Load(app("main", Stamp{}))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Models["main.stamp"].Fields
	want := []*state.Field{
		{Name: "id", Kind: state.BigAuto, PrimaryKey: true},
		{Name: "seen_at", Kind: state.DateTime, DBDefault: state.DBNow},
		{Name: "day", Kind: state.Date, DBDefault: state.DBNow},
		{Name: "at", Kind: state.Time, Null: true, DBDefault: state.DBNow},
		{Name: "token", Kind: state.UUID, DBDefault: state.DBUUID},
		{Name: "raw", Kind: state.UUID, DBDefault: state.DBUUID},
		{Name: "fixed_at", Kind: state.DateTime, Default: state.Str("2024-01-31 10:00:00+02:00")},
		{Name: "fixed_on", Kind: state.Date, Default: state.Str("2024-01-31")},
		{Name: "fixed_t", Kind: state.Time, Default: state.Str("10:30")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

type ENowLiteral struct {
	Model
	SeenAt time.Time `pm:"default=CURRENT_TIMESTAMP"`
}

type ENowCall struct {
	Model
	SeenAt time.Time `pm:"default=now()"`
}

type EBadTime struct {
	Model
	Day time.Time `pm:"type=date,default=31/01/2024"`
}

type ENowOnString struct {
	Model
	Name string `pm:"max_length=20,db_default=now"`
}

type EUUIDOnString struct {
	Model
	Code string `pm:"max_length=32,db_default=uuid"`
}

type EUUIDOnTime struct {
	Model
	At time.Time `pm:"db_default=uuid"`
}

type EBothDefaults struct {
	Model
	At time.Time `pm:"default=2024-01-31,db_default=now"`
}

type EUnknownDBDefault struct {
	Model
	At time.Time `pm:"db_default=today"`
}

type EDBDefaultOnFK struct {
	Model
	Maker *Maker `pm:"on_delete=CASCADE,db_default=uuid"`
}

// Each db_default mistake, and a time default that is not a time, is one
// line naming Type.Field and the fix.
func TestLoadDBDefaultErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		apps []App
		want string
	}{
		{"CURRENT_TIMESTAMP literal", []App{app("main", ENowLiteral{})},
			"models.ENowLiteral.SeenAt: default=CURRENT_TIMESTAMP is a literal, not the time of insert; write db_default=now to let the database fill in the current time"},
		{"now() literal", []App{app("main", ENowCall{})},
			"models.ENowCall.SeenAt: default=now() is a literal, not the time of insert; write db_default=now to let the database fill in the current time"},
		{"date that is not a date", []App{app("main", EBadTime{})},
			"models.EBadTime.Day: default=31/01/2024 is not a date; write a fixed value such as default=2024-01-31, or db_default=now for the time of insert"},
		{"now on a string", []App{app("main", ENowOnString{})},
			"models.ENowOnString.Name: db_default=now needs a time.Time field (the database's current time), not string; make the field time.Time or remove db_default"},
		{"uuid on a char field", []App{app("main", EUUIDOnString{})},
			"models.EUUIDOnString.Code: db_default=uuid needs a UUID field, not a string char field; add type=uuid to a string or [16]byte field, or remove db_default"},
		{"uuid on a time", []App{app("main", EUUIDOnTime{})},
			"models.EUUIDOnTime.At: db_default=uuid needs a UUID field, not time.Time; add type=uuid to a string or [16]byte field, or remove db_default"},
		{"default and db_default", []App{app("main", EBothDefaults{})},
			"models.EBothDefaults.At: default=2024-01-31 and db_default=now exclude each other; keep one"},
		{"unknown db_default", []App{app("main", EUnknownDBDefault{})},
			"models.EUnknownDBDefault.At: db_default=today is not known; write db_default=now (the current time) or db_default=uuid (a random UUID), or use default= for a literal"},
		{"db_default on a foreign key", []App{app("main", Maker{}, EDBDefaultOnFK{})},
			"models.EDBDefaultOnFK.Maker: db_default does not apply to a foreign key; remove it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tt.apps...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Load error\n got: %v\nwant: %s", err, tt.want)
			}
		})
	}
}
