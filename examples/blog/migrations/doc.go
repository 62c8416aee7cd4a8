// Package migrations holds the migrations of the app "blog". pmanager
// makemigrations writes one file per migration here; commit them.
package migrations
