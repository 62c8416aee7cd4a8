// Package migrate is the entry point an application calls at start-up to
// bring its database to the latest migration of the migrations it was
// built with, without the pmanager command or a Go toolchain:
//
//	import (
//		"github.com/pmanager/pmanager/migrate"
//		_ "example.com/app/migrations" // registers the migrations
//	)
//
//	if err := migrate.LatestURL(ctx, os.Getenv("DATABASE_URL"), nil); err != nil {
//		log.Fatal(err)
//	}
//
// LatestURL reads only its argument. Configured(ctx, dir, reg) instead
// routes every app as `pmanager migrate` does: by dir/pmanager.toml (an
// app's own connection, else the default one) and PMANAGER_DATABASE_URL /
// DATABASE_URL; with nothing configured it refuses rather than create a
// database nobody named.
//
// It runs the same executor as `pmanager migrate`, under the same
// database-wide migration lock, so several instances of an application
// starting at once apply each migration once.
package migrate
