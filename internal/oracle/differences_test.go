package oracle

// The lists below say where pmanager and the Django 3.2 record part ways.
// knownFailures are pmanager bugs, to be fixed and removed; the others are
// deliberate differences (documented model rules or design choices), each with the
// reason. The test fails when an entry no longer matches what happens, so
// every list stays exact.

import "github.com/pmanager/pmanager/pkg/schema"

// knownFailure is a place where pmanager is wrong today. The test passes
// over it (logging it) and fails when it no longer happens, so the list only
// ever shrinks. Dialect "" means every dialect; Step walkBackStep names the
// walk back to zero after the last step.
type knownFailure struct {
	Dialect  schema.Dialect
	Scenario string
	Step     int
	Aspect   string
	Reason   string
}

// knownFailures lists what pmanager gets wrong against the record today.
var knownFailures = []knownFailure{}

// opDifference is a deliberate difference in the detected operations: Django
// writes one set, pmanager another that reaches the same schema. PManager is
// the exact multiset pmanager must produce (see OpKey).
type opDifference struct {
	Scenario string
	Step     int
	PManager []string
	Reason   string
}

// opDifferences lists the deliberate operation differences.
var opDifferences = []opDifference{
	{"s16_delete_model_with_fk_to_it", 0,
		[]string{"CreateModel publisher", "CreateModel book", "CreateModel review"},
		"pmanager creates a foreign key's target first and keeps the key inline; Django 3.2 creates Book before " +
			"Publisher and splits Book.publisher into an AddField. Same schema"},
	{"s16_delete_model_with_fk_to_it", 2,
		[]string{"DeleteModel review", "DeleteModel book", "CreateModel keep"},
		"pmanager deletes the referring model Review before Book and lets the dropped table take its key along " +
			"(only keys in a cycle are cut first); Django 3.2 first removes every relation field of a deleted " +
			"model. Same schema"},
	{"s21_alter_field_type", 2, nil,
		"pmanager's implicit key is already a big auto-increment, so declaring id as a BigAutoField " +
			"changes nothing; Django 3.2's implicit key is an integer AutoField that this step widens"},
}

// migrateFailure is a step where, by design, pmanager's migrate must fail
// although Django's succeeded.
type migrateFailure struct {
	Dialect  schema.Dialect
	Scenario string
	Step     int
	Reason   string
}

// expectedMigrateFailures lists where pmanager refuses, by design, at migrate time.
var expectedMigrateFailures = []migrateFailure{
	{schema.MySQL, "s14_check_constraint", 3, "a conditional (partial) unique constraint is an error on MySQL, which cannot build one; " +
		"Django 3.2 silently skips it there (models.W036), leaving no constraint"},
}

// walkBackStep is the step number of problems found while walking back.
const walkBackStep = -1

// refusal is a step where, by design, pmanager's non-interactive
// makemigrations refuses although Django's wrote a migration.
type refusal struct {
	Scenario string
	Step     int
	Reason   string
}

// expectedRefusals lists where pmanager's makemigrations --noinput refuses on purpose.
var expectedRefusals = []refusal{
	{"s10_alter_null_to_not_null", 2, alterationRefused},
	{"s26_not_null_with_null_rows", 2, alterationRefused + "; here Django's migration then fails at migrate time " +
		"on the NULL row"},
}

// alterationRefused is why pmanager refuses a NOT NULL alteration without a default.
const alterationRefused = "autodetect.NonInteractive answers every fill question with a FillError, also when a " +
	"nullable field becomes NOT NULL without a default; Django 3.2's non-interactive questioner returns " +
	"NOT_PROVIDED and writes an AlterField that fails at migrate time whenever a row holds NULL"
