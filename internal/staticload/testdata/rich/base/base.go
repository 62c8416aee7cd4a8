// Package base holds an abstract base another package of the module embeds.
package base

import (
	"time"

	"github.com/pmanager/pmanager/pkg/models"
)

// Stamped is an abstract base with creation and update times.
type Stamped struct {
	models.Model
	Created time.Time `pm:"db_default=now"`
	Updated *time.Time
}

// Meta makes Stamped abstract.
func (Stamped) Meta() models.Meta {
	return models.Meta{Abstract: true, Indexes: []models.Index{{Name: "%(class)s_created_idx", Fields: []string{"created"}}}}
}

// Note is a plain struct, flattened where it is embedded.
type Note struct {
	Remark string `pm:"blank"`
}
