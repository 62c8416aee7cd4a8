package oracle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DirEnv overrides where the Django record is looked for.
const DirEnv = "PMANAGER_ORACLE_DIR"

// Scenario is one scenarios/*.json file: a named list of model-set steps.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Steps       []Step `json:"steps"`
}

// Step is the whole model set after one edit, with optional seed rows
// inserted before it is migrated and what the recorder expected of Django.
type Step struct {
	Note    string      `json:"note"`
	Models  []ModelSpec `json:"models"`
	SeedSQL []string    `json:"seed_sql"`
	Expect  *Expect     `json:"expect"`
}

// Expect is what the recorder expected Django to do on a step.
type Expect struct {
	Operations          []string `json:"operations"`
	MakemigrationsRC    int      `json:"makemigrations_rc"`
	NewMigrations       *int     `json:"new_migrations"`
	PendingChangesAfter *bool    `json:"pending_changes_after"`
	MigrateRC           int      `json:"migrate_rc"`
}

// ModelSpec is a model in the record's neutral vocabulary.
type ModelSpec struct {
	Name   string      `json:"name"`
	Fields []FieldSpec `json:"fields"`
	Meta   MetaSpec    `json:"meta"`
}

// FieldSpec is a field in the record's neutral vocabulary: a Django field
// type name and the Django options that were set.
type FieldSpec struct {
	Name          string          `json:"name"`
	Type          string          `json:"type"`
	MaxLength     int             `json:"max_length"`
	MaxDigits     int             `json:"max_digits"`
	DecimalPlaces int             `json:"decimal_places"`
	Null          bool            `json:"null"`
	Blank         bool            `json:"blank"`
	Unique        bool            `json:"unique"`
	PrimaryKey    bool            `json:"primary_key"`
	DBIndex       *bool           `json:"db_index"`
	DBColumn      string          `json:"db_column"`
	DBTable       string          `json:"db_table"`
	Default       json.RawMessage `json:"default"`
	To            string          `json:"to"`
	OnDelete      string          `json:"on_delete"`
	RelatedName   string          `json:"related_name"`
	Symmetrical   *bool           `json:"symmetrical"`
	// Extra holds Django options with no schema meaning (help_text, choices...).
	Extra map[string]json.RawMessage `json:"extra"`
}

// MetaSpec is a model's Meta in the neutral vocabulary.
type MetaSpec struct {
	DBTable        string                     `json:"db_table"`
	UniqueTogether [][]string                 `json:"unique_together"`
	Indexes        []IndexSpec                `json:"indexes"`
	Constraints    []ConstraintSpec           `json:"constraints"`
	Ordering       []string                   `json:"ordering"`
	Extra          map[string]json.RawMessage `json:"extra"`
}

// IndexSpec is one Meta.indexes entry.
type IndexSpec struct {
	Name   string   `json:"name"`
	Fields []string `json:"fields"`
}

// ConstraintSpec is one Meta.constraints entry: a check or a (possibly
// conditional) unique constraint.
type ConstraintSpec struct {
	Type      string    `json:"type"`
	Name      string    `json:"name"`
	Fields    []string  `json:"fields"`
	Check     *ExprSpec `json:"check"`
	Condition *ExprSpec `json:"condition"`
}

// ExprSpec is a neutral boolean expression: a comparison of a field with a
// value or another field, or a conjunction / disjunction of expressions.
type ExprSpec struct {
	Field string          `json:"field"`
	Op    string          `json:"op"`
	Value json.RawMessage `json:"value"`
	Ref   string          `json:"ref"`
	And   []ExprSpec      `json:"and"`
	Or    []ExprSpec      `json:"or"`
}

// Locate returns the Django record's directory: $PMANAGER_ORACLE_DIR when
// set, else ../shared/oracle/django-3.2 beside the repository root (the
// nearest directory above start holding go.mod). It also returns every place
// it looked, for a skip message; the error is set only when nothing exists.
func Locate(start string) (dir string, looked []string, err error) {
	if env := os.Getenv(DirEnv); env != "" {
		looked = append(looked, env+" ($"+DirEnv+")")
		if isDir(filepath.Join(env, "scenarios")) {
			return env, looked, nil
		}
		return "", looked, fmt.Errorf("oracle: %s=%s has no scenarios folder", DirEnv, env)
	}
	root, err := moduleRoot(start)
	if err != nil {
		return "", looked, err
	}
	dir = filepath.Clean(filepath.Join(root, "..", "shared", "oracle", "django-3.2"))
	looked = append(looked, dir)
	if !isDir(filepath.Join(dir, "scenarios")) {
		return "", looked, fmt.Errorf("oracle: no Django record at %s (set %s to its folder)", dir, DirEnv)
	}
	return dir, looked, nil
}

// moduleRoot walks up from start to the directory holding go.mod.
func moduleRoot(start string) (string, error) {
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("oracle: resolve %s: %w", start, err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("oracle: no go.mod above %s", start)
		}
		dir = parent
	}
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// LoadScenarios reads every scenarios/*.json under dir, sorted by name.
// Unknown keys are an error, so a richer record is noticed rather than
// silently half-translated.
func LoadScenarios(dir string) ([]*Scenario, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "scenarios", "*.json"))
	if err != nil {
		return nil, fmt.Errorf("oracle: list scenarios: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("oracle: no scenarios in %s: %w", dir, fs.ErrNotExist)
	}
	sort.Strings(paths)
	var out []*Scenario
	for _, p := range paths {
		sc, err := loadScenario(p)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

func loadScenario(path string) (*Scenario, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("oracle: read scenario: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("oracle: decode %s: %w", filepath.Base(path), err)
	}
	want := strings.TrimSuffix(filepath.Base(path), ".json")
	if sc.Name != want {
		return nil, fmt.Errorf("oracle: %s names itself %q", filepath.Base(path), sc.Name)
	}
	if len(sc.Steps) == 0 {
		return nil, errors.New("oracle: " + sc.Name + " has no steps")
	}
	return &sc, nil
}
