package cli

import (
	"encoding/json"
	"fmt"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/lint"
	"github.com/pmanager/pmanager/pkg/state"
)

// Report is the one JSON document that showmigrations --json, migrate
// --plan --json and check --json print, for CI: the same top-level shape
// whichever command wrote it, with the lists that command fills.
// docs/commands.md documents it field by field; change both together.
type Report struct {
	// Command is the command that wrote the report: "showmigrations",
	// "migrate --plan" or "check".
	Command string `json:"command"`
	// Migrations are, for showmigrations, every migration in order with
	// whether it is applied; for migrate --plan, the migrations that would
	// run, in the order they would run.
	Migrations []ReportMigration `json:"migrations"`
	// Checks are the system check findings (check --json).
	Checks []ReportCheck `json:"checks"`
	// Running, for showmigrations, is the migrate run that holds the
	// database's migration lock (or Galera lease) now; absent when none does.
	Running *ReportRunning `json:"running,omitempty"`
}

// ReportRunning is a migrate run in progress on the database.
type ReportRunning struct {
	// Holder names it, as a waiting migrate would ("run 610ab…, pid 30614
	// on ci-4, through Galera node node1 (db1:3306), lease 20s", or the
	// database session that holds the lock).
	Holder string `json:"holder"`
	// Since is when it took the lock, when the database says.
	Since *time.Time `json:"since,omitempty"`
	// LeaseMS and RenewedMS are, on a Galera cluster, the lease length
	// and how long ago it was last renewed, by the server's clock.
	LeaseMS   int64 `json:"lease_ms,omitempty"`
	RenewedMS int64 `json:"renewed_ms,omitempty"`
	// Expired is true when a Galera lease was not renewed for longer
	// than its length: the run has most likely died.
	Expired bool `json:"expired,omitempty"`
}

// reportRunning describes r for a Report (nil: no run).
func reportRunning(r *migrations.Running) *ReportRunning {
	if r == nil {
		return nil
	}
	out := &ReportRunning{Holder: r.Holder.Who, LeaseMS: r.Lease.Milliseconds(), Expired: r.Expired}
	if r.Lease > 0 {
		out.RenewedMS = r.Renewed.Milliseconds()
	}
	if !r.Holder.Since.IsZero() {
		since := r.Holder.Since.UTC()
		out.Since = &since
	}
	return out
}

// ReportMigration is one migration of a Report.
type ReportMigration struct {
	App  string `json:"app"`
	Name string `json:"name"`
	// Applied says whether the database has it recorded as applied.
	Applied bool `json:"applied"`
	// AppliedAt is when it was recorded, when it is applied.
	AppliedAt *time.Time `json:"applied_at,omitempty"`
	// Edited is true when its file changed after it was applied.
	Edited bool `json:"edited"`
	// Partial, when set, says an earlier run stopped inside it.
	Partial *ReportPartial `json:"partial,omitempty"`
	// Action is what migrate --plan would do with it: "apply" or "unapply".
	Action string `json:"action,omitempty"`
	// Operations describe, for migrate --plan, what it would run, in order.
	Operations []ReportOperation `json:"operations,omitempty"`
}

// ReportPartial is a migration an earlier run left part-way.
type ReportPartial struct {
	// Direction is "apply" or "unapply": what the stopped run was doing.
	Direction string `json:"direction"`
	// OperationsDone counts the operations that completed.
	OperationsDone int `json:"operations_done"`
	// InProgress is true when a live migrate run holds the lock: the
	// migration is its work in flight, not the leftovers of a dead run.
	InProgress bool `json:"in_progress,omitempty"`
}

// ReportOperation is one operation of a planned migration.
type ReportOperation struct {
	// Description is the operation's one-line description, as the
	// makemigrations summary prints it ("Add Field country To Customer").
	Description string `json:"description"`
	// Irreversible is true when unapplying would need the operation's
	// reverse and it has none.
	Irreversible bool `json:"irreversible,omitempty"`
	// Risks are, for an operation migrate --plan would apply, its lint
	// findings on the database's server (docs/lint.md); absent when none.
	Risks []lint.Finding `json:"risks,omitempty"`
}

// ReportCheck is one system check finding.
type ReportCheck struct {
	// ID is the check's id, such as "pm.E001" (an error) or "pm.W004" (a warning).
	ID string `json:"id"`
	// Level is "error" or "warning".
	Level string `json:"level"`
	// Object is what the finding is about, such as "models.Car.Price".
	Object string `json:"object"`
	// Message says what is wrong and how to fix it.
	Message string `json:"message"`
}

// jsonFlag is --json, for the commands whose output CI reads.
func jsonFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "json", Usage: "print one JSON document (the shape docs/commands.md describes) instead of text"}
}

// writeReport prints r as indented JSON on stdout. Lists are never null,
// so a reader can always range over them.
func (s *session) writeReport(r Report) error {
	if r.Migrations == nil {
		r.Migrations = []ReportMigration{}
	}
	if r.Checks == nil {
		r.Checks = []ReportCheck{}
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("cli: write JSON: %w", err)
	}
	data = append(data, '\n')
	if _, err := s.stdout.Write(data); err != nil {
		return fmt.Errorf("cli: write JSON: %w", err)
	}
	return nil
}

// reportMigration describes a migration as showmigrations sees it.
func reportMigration(st migrations.MigrationStatus) ReportMigration {
	m := st.Migration
	r := ReportMigration{App: m.App, Name: m.Name, Applied: st.Applied, Edited: st.Edited}
	if at := st.AppliedAt.UTC(); !at.IsZero() {
		r.AppliedAt = &at
	}
	if p := st.Partial; p != nil {
		dir := "apply"
		if p.Backwards {
			dir = "unapply"
		}
		r.Partial = &ReportPartial{Direction: dir, OperationsDone: p.OpsDone}
	}
	return r
}

// reportPlan describes what migrate would run, in order.
func reportPlan(g *migrations.Graph, plan []migrations.Step, applied map[migrations.Key]migrations.Applied, tg lint.Target) ([]ReportMigration, error) {
	status := migrations.NewStatus(g, applied, nil)
	out := []ReportMigration{}
	for _, step := range plan {
		m := step.Migration
		r := reportMigration(status.Of(m))
		r.Action = "apply"
		var before *state.Project
		if step.Backwards {
			r.Action = "unapply"
		} else {
			var err error
			if before, err = g.StateBefore(m.Key()); err != nil {
				return nil, err
			}
		}
		risks, err := planRisks(step, before, tg)
		if err != nil {
			return nil, err
		}
		for i, op := range migrations.DescribeStep(step, before) {
			ro := ReportOperation{Description: op.Description, Irreversible: op.Irreversible}
			if i < len(risks) {
				ro.Risks = risks[i]
			}
			r.Operations = append(r.Operations, ro)
		}
		out = append(out, r)
	}
	return out, nil
}
