package autocases

import (
	"fmt"
	"sort"

	"github.com/pmanager/pmanager/migrations"
	"github.com/pmanager/pmanager/pkg/autodetect"
	"github.com/pmanager/pmanager/pkg/state"
)

// Next turns detected changes into the migrations makemigrations would
// write after prior: one per app with operations, numbered after that app's
// last migration and named suffix, depending on the app's previous
// migration and on the other apps its operations need (their new migration
// when Changes.OnNew says so or when they have no earlier one).
func Next(prior []*migrations.Migration, ch *autodetect.Changes, suffix string) []*migrations.Migration {
	leaf := map[string]*migrations.Migration{}
	count := map[string]int{}
	for _, m := range prior {
		leaf[m.App] = m
		count[m.App]++
	}
	var apps []string
	for app, ops := range ch.Ops {
		if len(ops) > 0 {
			apps = append(apps, app)
		}
	}
	sort.Strings(apps)
	created := map[string]*migrations.Migration{}
	var out []*migrations.Migration
	for _, app := range apps {
		m := &migrations.Migration{
			App:        app,
			Name:       fmt.Sprintf("%04d_%s", count[app]+1, suffix),
			Operations: ch.Ops[app],
			Initial:    leaf[app] == nil,
		}
		if prev := leaf[app]; prev != nil {
			m.Dependencies = append(m.Dependencies, prev.Key())
		}
		created[app] = m
		out = append(out, m)
	}
	for _, m := range out {
		for _, dep := range ch.Dependencies[m.App] {
			if dep == m.App {
				continue
			}
			nm, isNew := created[dep]
			switch prev := leaf[dep]; {
			case isNew && (contains(ch.OnNew[m.App], dep) || prev == nil):
				m.Dependencies = appendKey(m.Dependencies, nm.Key())
			case prev != nil:
				m.Dependencies = appendKey(m.Dependencies, prev.Key())
			}
		}
	}
	return out
}

// Targets says where to migrate every app of added back to: its migration
// before added, or zero when added holds its first.
func Targets(prior, added []*migrations.Migration) []migrations.Target {
	leaf := map[string]string{}
	for _, m := range prior {
		leaf[m.App] = m.Name
	}
	var out []migrations.Target
	for _, m := range added {
		name := leaf[m.App]
		if name == "" {
			name = migrations.Zero
		}
		out = append(out, migrations.Target{App: m.App, Name: name})
	}
	return out
}

func appendKey(keys []migrations.Key, k migrations.Key) []migrations.Key {
	for _, have := range keys {
		if have == k {
			return keys
		}
	}
	return append(keys, k)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Answers is a questioner that answers AskFill from a case's answers
// section, keyed "Model.field", and refuses any question it was not given
// an answer for, so a case states every one-off value it relies on.
type Answers map[string]string

// AskFill implements autodetect.Questioner.
func (a Answers) AskFill(model, field string, alteration bool) (*string, error) {
	v, ok := a[model+"."+field]
	if !ok {
		return nil, fmt.Errorf("autocases: unexpected question about %s.%s (alteration %v); add \"%s.%s = value\" to the answers section",
			model, field, alteration, model, field)
	}
	if v == "<nil>" {
		return nil, nil
	}
	return state.Str(v), nil
}
