// Package models holds the cars example's models: the PowerOrm walk-through
// of a user table, then cars and their manufacturers.
package models

import (
	"time"

	"github.com/pmanager/pmanager/pkg/models"
)

// User is an owner of cars, kept in the table local_user.
type User struct {
	models.Model
	Username string    `pm:"max_length=150,unique"`
	Email    string    `pm:"max_length=254,blank"`
	Joined   time.Time `pm:"type=date"`
	Active   bool      `pm:"default=true"`
}

// Meta names the table.
func (User) Meta() models.Meta { return models.Meta{Table: "local_user"} }

// Manufacturer makes cars.
type Manufacturer struct {
	models.Model
	Name    string `pm:"max_length=100,unique"`
	Country string `pm:"max_length=2,default=KE"`
}

// Car is one car, made by a manufacturer and perhaps owned by a user.
type Car struct {
	models.Model
	Name         string         `pm:"max_length=30"`
	Manufacturer *Manufacturer  `pm:"on_delete=CASCADE,related_name=cars"`
	Owner        *User          `pm:"null,on_delete=SET_NULL"`
	Price        models.Decimal `pm:"max_digits=10,decimal_places=2,default=0"`
	Released     *time.Time
	Notes        string `pm:"blank"`
}

// Meta adds the walk-through's table options.
func (Car) Meta() models.Meta {
	return models.Meta{
		UniqueTogether: [][]string{{"manufacturer", "name"}},
		Indexes:        []models.Index{{Fields: []string{"name", "-released"}, Name: "car_name_idx"}},
		Constraints:    []models.Constraint{models.Check{Name: "price_gte_0", SQL: "price >= 0"}},
	}
}
