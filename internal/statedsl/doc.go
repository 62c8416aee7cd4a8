// Package statedsl reads a small line-oriented language describing a
// state.Project, so autodetector cases and live migration cases can spell
// the models before and after a change in a few readable lines instead of
// Go literals. It sits beside the road, used only by tests, and knows
// nothing of SQL or migration files.
package statedsl
