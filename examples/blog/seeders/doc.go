// Package seeders fills the blog example's database with a few users,
// their profiles, tags and posts: `pmanager database:seed` runs them in the
// order they register here, each in its own transaction. They look rows up
// by their natural keys (a user's email, a tag's name) rather than by id,
// so the same SQL runs on PostgreSQL, MySQL and SQLite.
package seeders
