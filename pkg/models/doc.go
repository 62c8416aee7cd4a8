// Package models is the API users write their models against and the reader
// that turns those Go structs into the plain-data state the rest of pmanager
// works on.
//
// It is the first stage of pmanager's pipeline: a user's exported
// structs that embed Model, described by `pm:"..."` tags and an optional
// value-receiver Meta method, are read by reflection into a *state.Project
// with Load. The autodetector then diffs that state against the state the
// migration files build up. The package knows nothing of SQL or files.
//
// docs/models.md is the user's reference for types, tag options and Meta.
// Rules worth knowing when reading the code:
//
//   - Fields are collected in declaration order with embedded structs in
//     place, and Go's shadowing rules apply: a field declared on the model
//     hides a promoted one of the same Go name (so a model can override a
//     field of an abstract base, or hide it with pm:"-"); two promoted fields
//     of one name at the same depth are an error.
//   - Embedding an abstract base copies its fields; embedding a plain struct
//     (no Meta, no Model) flattens its fields too, as sqlx does; embedding a
//     concrete model, or embedding anything through a pointer, is an error.
//   - A Meta method promoted from an embedded abstract base is inherited the
//     way Django inherits an abstract parent's Meta: Abstract and Table are
//     reset. In index and constraint names "%(class)s" and "%(app_label)s"
//     become the lower-case model name and app label, so inherited names stay
//     unique.
//   - An Index without a Name gets the deterministic name
//     <table>_<columns>_idx (state.ObjectName); Unique and Check need names.
package models
