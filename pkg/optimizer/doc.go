// Package optimizer folds the operations of one migration into fewer that
// end in the same state, as Django's MigrationOptimizer does. It is only
// the driver: which pairs fold, and into what, each operation says itself
// (operations.Reducer); what an operation touches, and so what it may move
// past, it says too (operations.Touches).
//
// It sits after pkg/operations on the road. pkg/autodetect's callers
// (makemigrations) and the migrations package's squash use it.
package optimizer
