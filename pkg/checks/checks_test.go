package checks

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/schema"
)

// The targets the cases run against.
var (
	pg       = Target{Name: "pg", Dialect: schema.Postgres}
	my       = Target{Name: "my", Dialect: schema.MySQL}
	lite     = Target{Name: "default", Dialect: schema.SQLite}
	allKinds = []Target{pg, my, lite}
)

// Clean is a model with a little of everything, right on every dialect.
type Clean struct {
	models.Model
	Name     string          `pm:"max_length=100,unique,choices=a|b|c,default=a"`
	Email    string          `db:"email_address" pm:"max_length=254,index"`
	Notes    string          `pm:"blank,comment=free text"`
	Price    models.Decimal  `pm:"max_digits=10,decimal_places=2,default=0.00"`
	Count    int32           `pm:"default=0,choices=0|1|2"`
	Day      time.Time       `pm:"type=date,default=2026-01-31"`
	At       time.Time       `pm:"type=time,default=09:30"`
	Seen     time.Time       `pm:"default=2026-01-31 10:00:00"`
	Token    string          `pm:"type=uuid,default=6f1c2a4e-0b7d-4c55-9a3e-2f4d8c1b0e9a"`
	Data     json.RawMessage `pm:"default='{\"a\": [1, 2]}'"`
	Wait     time.Duration   `pm:"default=1000"`
	Created  time.Time       `pm:"db_default=now"`
	Ref      string          `pm:"type=uuid,db_default=uuid"`
	Owner    *Maker          `pm:"null,on_delete=SET_NULL,related_name=clean_owned"`
	Maker    *Maker          `pm:"on_delete=CASCADE,related_name=clean_made"`
	Tags     []*Maker        `pm:"m2m,related_name=clean_tags"`
	Order    int             `pm:"default=1"`
	Optional *int            `pm:"blank,null"`
	hidden   string
}

func (Clean) Meta() models.Meta {
	return models.Meta{
		Indexes:     []models.Index{{Name: "clean_name_day_idx", Fields: []string{"name", "-day"}}},
		Constraints: []models.Constraint{models.Check{Name: "clean_count_pos", SQL: `count >= 0 AND name <> 'order'`}},
	}
}

// Maker is the target of Clean's relations.
type Maker struct {
	models.Model
	Name string `pm:"max_length=50"`
}

func check(t *testing.T, targets []Target, silence []string, types ...any) *Report {
	t.Helper()
	report, _, err := Run([]models.App{{Label: "main", Types: types}}, Options{Targets: targets, Silence: silence})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return report
}

func TestCleanModelPasses(t *testing.T) {
	report := check(t, allKinds, nil, Clean{}, Maker{})
	if len(report.Issues) != 0 {
		t.Fatalf("issues on a clean model:\n%s", report.Text())
	}
	if got, want := report.Text(), "System check identified no issues (0 silenced).\n"; got != want {
		t.Fatalf("Text = %q, want %q", got, want)
	}
	_ = Clean{}.hidden
}
