// Package oracle replays a recorded run of Django 3.2 through pmanager: it
// reads the neutral model scenarios and Django's per-step results kept under
// ../shared/oracle/django-3.2, turns each step's models into a state.Project,
// and puts both Django's introspected schema and pmanager's own (from an
// editor's Inspect) into one normalised, dialect-aware shape so they can be
// compared. The differential test itself lives in oracle_test.go; this
// package holds the reading, translation and normalisation it needs. It sits
// beside the road, using pkg/state, pkg/schema and pkg/operations, and is
// never imported by pmanager itself.
package oracle
