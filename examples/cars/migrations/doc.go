// Package migrations holds the migrations of the app "main". pmanager
// makemigrations writes one file per migration here; commit them.
package migrations
