// Package models holds the blog example's models: users with a profile
// each, their posts, and the tags posts share.
package models

import (
	"time"

	"github.com/pmanager/pmanager/pkg/models"
)

// User is someone who writes posts.
type User struct {
	models.Model
	Email  string `pm:"max_length=254,unique"`
	Name   string `pm:"max_length=100"`
	Joined time.Time
}

// Profile holds what a user says about themselves: one per user.
type Profile struct {
	models.Model
	User    *User  `pm:"one_to_one,on_delete=CASCADE,related_name=profile"`
	Bio     string `pm:"blank"`
	Website string `pm:"max_length=200,blank"`
}

// Post is an article a user wrote, tagged with any number of tags.
type Post struct {
	models.Model
	Author    *User  `pm:"on_delete=CASCADE,related_name=posts"`
	Title     string `pm:"max_length=200"`
	Slug      string `pm:"max_length=200,unique"`
	Body      string
	Published *time.Time
	Tags      []*Tag `pm:"m2m,related_name=posts"`
}

// Tag groups posts by subject.
type Tag struct {
	models.Model
	Name string `pm:"max_length=50,unique"`
}
