// Package checks is pmanager's system check framework: it looks at the
// models a project declares, and at the kinds of database they can be
// migrated to, and reports every problem it can see before anything is
// written or run.
//
// It sits beside the road from models to migrations: pkg/models reads the
// structs into a state.Project; this package inspects those structs (their
// struct tags, which the reader never sees when Go cannot parse them) and
// that state, dialect by dialect, and returns Issues. Each issue has an id
// ("pm.E001" an error that stops makemigrations and migrate, "pm.W001" a
// warning), the object it is about (models.Car.Price), a message and a hint.
// Ids can be silenced. The package prints nothing and knows nothing of the
// command line; Report.Text renders the report for one.
package checks
