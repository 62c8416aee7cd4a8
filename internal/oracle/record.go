package oracle

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Result is one results/<db>/<scenario>/result.json: what Django did on each
// step of a scenario on one database.
type Result struct {
	Scenario string       `json:"scenario"`
	DB       string       `json:"db"`
	Status   string       `json:"status"`
	Steps    []ResultStep `json:"steps"`
}

// ResultStep is Django's record of one step.
type ResultStep struct {
	Index          int                    `json:"index"`
	Makemigrations Command                `json:"makemigrations"`
	Migrate        Command                `json:"migrate"`
	Migrations     []RecordedMigration    `json:"migrations"`
	Pending        bool                   `json:"pending_changes_after"`
	Schema         map[string]DjangoTable `json:"schema"`
}

// Command is one manage.py run.
type Command struct {
	RC     int    `json:"rc"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
}

// RecordedMigration is one migration file Django wrote on a step.
type RecordedMigration struct {
	Name       string              `json:"name"`
	Operations []RecordedOperation `json:"operations"`
}

// RecordedOperation is one Django operation: its class, one-line describe()
// and constructor keyword arguments.
type RecordedOperation struct {
	Class    string                     `json:"class"`
	Describe string                     `json:"describe"`
	Kwargs   map[string]json.RawMessage `json:"kwargs"`
}

// DjangoTable is a table as the recorder introspected it after a step.
type DjangoTable struct {
	Name       string         `json:"name"`
	Columns    []DjangoColumn `json:"columns"`
	PrimaryKey struct {
		Columns []string `json:"columns"`
	} `json:"primary_key"`
	UniqueConstraints []struct {
		Columns []string `json:"columns"`
	} `json:"unique_constraints"`
	Indexes []struct {
		Name    string   `json:"name"`
		Columns []string `json:"columns"`
		Orders  []string `json:"orders"`
		Unique  bool     `json:"unique"`
		Partial bool     `json:"partial"`
	} `json:"indexes"`
	ForeignKeys []struct {
		Columns    []string `json:"columns"`
		RefTable   string   `json:"ref_table"`
		RefColumns []string `json:"ref_columns"`
	} `json:"foreign_keys"`
	CheckConstraints []struct {
		Name       *string `json:"name"`
		Definition string  `json:"definition"`
	} `json:"check_constraints"`
}

// DjangoColumn is one introspected column.
type DjangoColumn struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Nullable bool    `json:"nullable"`
	Default  *string `json:"default"`
}

// LoadResult reads Django's record of scenario on db ("sqlite", "postgres", "mysql").
func LoadResult(dir, db, scenario string) (*Result, error) {
	path := filepath.Join(dir, "results", db, scenario, "result.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("oracle: read result: %w", err)
	}
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("oracle: decode %s/%s: %w", db, scenario, err)
	}
	if r.Scenario != scenario || r.DB != db {
		return nil, fmt.Errorf("oracle: %s holds %s on %s", path, r.Scenario, r.DB)
	}
	return &r, nil
}

// OperationKeys returns the Describe-level keys (see OpKey) of every
// operation Django wrote on the step, in Django's order.
func (s *ResultStep) OperationKeys() ([]string, error) {
	var out []string
	for _, m := range s.Migrations {
		for _, op := range m.Operations {
			k, err := op.key()
			if err != nil {
				return nil, fmt.Errorf("oracle: migration %s: %w", m.Name, err)
			}
			out = append(out, k)
		}
	}
	return out, nil
}

// key renders the operation the way OpKey renders pmanager's: class, then
// lower-case model and the name the operation acts on.
func (o *RecordedOperation) key() (string, error) {
	str := func(name string) (string, error) {
		var s string
		raw, ok := o.Kwargs[name]
		if !ok {
			return "", fmt.Errorf("%s has no %s argument", o.Class, name)
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%s argument %s: %w", o.Class, name, err)
		}
		return s, nil
	}
	objectName := func(arg string) (string, error) {
		var obj struct {
			Kwargs struct {
				Name string `json:"name"`
			} `json:"kwargs"`
		}
		raw, ok := o.Kwargs[arg]
		if !ok {
			return "", fmt.Errorf("%s has no %s argument", o.Class, arg)
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			return "", fmt.Errorf("%s argument %s: %w", o.Class, arg, err)
		}
		return obj.Kwargs.Name, nil
	}
	var parts []string
	switch o.Class {
	case "CreateModel", "DeleteModel", "AlterUniqueTogether", "AlterModelOptions":
		name, err := str("name")
		if err != nil {
			return "", err
		}
		parts = []string{name}
	case "AlterModelTable":
		name, err := str("name")
		if err != nil {
			return "", err
		}
		table, err := str("table")
		if err != nil {
			return "", err
		}
		parts = []string{name, table}
	case "AddField", "RemoveField", "AlterField", "RemoveIndex", "RemoveConstraint":
		model, err := str("model_name")
		if err != nil {
			return "", err
		}
		name, err := str("name")
		if err != nil {
			return "", err
		}
		parts = []string{model, name}
	case "AddIndex", "AddConstraint":
		model, err := str("model_name")
		if err != nil {
			return "", err
		}
		arg := "index"
		if o.Class == "AddConstraint" {
			arg = "constraint"
		}
		name, err := objectName(arg)
		if err != nil {
			return "", err
		}
		parts = []string{model, name}
	case "RenameField":
		model, err := str("model_name")
		if err != nil {
			return "", err
		}
		oldName, err := str("old_name")
		if err != nil {
			return "", err
		}
		newName, err := str("new_name")
		if err != nil {
			return "", err
		}
		parts = []string{model, oldName, newName}
	default:
		return "", fmt.Errorf("operation class %s is not understood", o.Class)
	}
	return formatKey(o.Class, parts...), nil
}

// formatKey joins an operation class and its names: "AddField article.subtitle".
func formatKey(class string, parts ...string) string {
	if len(parts) == 0 {
		return class
	}
	parts[0] = strings.ToLower(parts[0])
	return class + " " + strings.Join(parts, ".")
}
