package migrations

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

// projectOf replays the migrations ms (in graph order) into a state.
func projectOf(t *testing.T, ms []*Migration) *state.Project {
	t.Helper()
	g, err := NewGraph(ms)
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tagAndPost are the migrations of a main app that creates Tag and a blog
// app whose Post points at it: a cross-app change where blog's new
// migration needs main's new one.
func tagAndPost() []*Migration {
	id := &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true}
	return append(carMigrations(),
		&Migration{App: "main", Name: "0004_tag", Dependencies: []Key{key("main.0003_car_released")}, Operations: []operations.Operation{
			operations.CreateModel{Name: "Tag", Table: "tag", Fields: []*state.Field{id, {Name: "label", Kind: state.Char, MaxLength: 20}}},
		}},
		&Migration{App: "blog", Name: "0001_initial", Initial: true, Dependencies: []Key{key("main.0004_tag")}, Operations: []operations.Operation{
			operations.CreateModel{Name: "Post", Table: "blog_post", Fields: []*state.Field{id,
				{Name: "tag", Kind: state.ForeignKey, Relation: &state.Relation{To: "main.Tag", OnDelete: "CASCADE"}}}},
		}})
}

// shape is what a test compares of a proposed migration.
type shape struct {
	Key     string
	Deps    []string
	Initial bool
	Ops     []string
}

func shapes(ms []*Migration) []shape {
	out := []shape{}
	for _, m := range ms {
		s := shape{Key: m.Key().String(), Deps: strs(m.Dependencies), Initial: m.Initial}
		for _, op := range m.Operations {
			s.Ops = append(s.Ops, op.Describe())
		}
		out = append(out, s)
	}
	return out
}

func TestNewMigrations(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 10, 10, 0, 0, time.UTC)
	cars := carMigrations()
	all := tagAndPost()
	tests := []struct {
		name      string
		existing  []*Migration // the graph's migrations
		current   []*Migration // replayed into the models' state
		opts      NewOptions
		want      []shape
		wantEmpty bool
	}{
		{
			name:    "initial",
			current: cars[:1],
			want: []shape{{Key: "main.0001_initial", Initial: true, Deps: []string{},
				Ops: []string{"Create Model Car", "Create Model Manufacturer"}}},
		},
		{
			name:     "numbered after the leaf, named by its operations",
			existing: cars[:2],
			current:  cars,
			want: []shape{{Key: "main.0003_car_released_car_car_name_idx", Deps: []string{"main.0002_car_manufacturer"},
				Ops: []string{"Add Field released To Car", "Create Index car_name_idx On Field(s) name, -released Of Model Car"}}},
		},
		{
			name:     "a given name",
			existing: cars[:2],
			current:  cars,
			opts:     NewOptions{Name: "released"},
			want: []shape{{Key: "main.0003_released", Deps: []string{"main.0002_car_manufacturer"},
				Ops: []string{"Add Field released To Car", "Create Index car_name_idx On Field(s) name, -released Of Model Car"}}},
		},
		{
			name:     "no changes",
			existing: cars,
			current:  cars,
			want:     []shape{},
		},
		{
			name:     "both apps, blog after main's new migration",
			existing: cars,
			current:  all,
			want: []shape{
				{Key: "blog.0001_initial", Initial: true, Deps: []string{"main.0004_tag"}, Ops: []string{"Create Model Post"}},
				{Key: "main.0004_tag", Deps: []string{"main.0003_car_released"}, Ops: []string{"Create Model Tag"}},
			},
		},
		{
			name:     "trimmed to blog, which still needs main's new migration",
			existing: cars,
			current:  all,
			opts:     NewOptions{Apps: []string{"blog"}},
			want: []shape{
				{Key: "blog.0001_initial", Initial: true, Deps: []string{"main.0004_tag"}, Ops: []string{"Create Model Post"}},
				{Key: "main.0004_tag", Deps: []string{"main.0003_car_released"}, Ops: []string{"Create Model Tag"}},
			},
		},
		{
			name:     "trimmed to main, which needs nothing of blog",
			existing: cars,
			current:  all,
			opts:     NewOptions{Apps: []string{"main"}},
			want:     []shape{{Key: "main.0004_tag", Deps: []string{"main.0003_car_released"}, Ops: []string{"Create Model Tag"}}},
		},
		{
			name:      "empty for the only app",
			existing:  cars,
			current:   all,
			opts:      NewOptions{Empty: true, ProjectApps: []string{"main"}, Name: "by_hand"},
			want:      []shape{{Key: "main.0004_by_hand", Deps: []string{"main.0003_car_released"}}},
			wantEmpty: true,
		},
		{
			name:      "empty for a named app without migrations",
			existing:  cars,
			opts:      NewOptions{Empty: true, Apps: []string{"blog"}, ProjectApps: []string{"blog", "main"}},
			want:      []shape{{Key: "blog.0001_initial", Initial: true, Deps: []string{}}},
			wantEmpty: true,
		},
		{
			name:      "empty when nothing changed",
			existing:  cars,
			current:   cars,
			opts:      NewOptions{EmptyIfNone: true, Apps: []string{"main"}, Name: "data"},
			want:      []shape{{Key: "main.0004_data", Deps: []string{"main.0003_car_released"}}},
			wantEmpty: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := NewGraph(tt.existing)
			if err != nil {
				t.Fatal(err)
			}
			migrated, err := g.State()
			if err != nil {
				t.Fatal(err)
			}
			opts := tt.opts
			opts.Now = now
			got, err := NewMigrations(g, migrated, projectOf(t, tt.current), opts)
			if err != nil {
				t.Fatalf("NewMigrations: %v", err)
			}
			if diff := cmp.Diff(tt.want, shapes(got.Migrations)); diff != "" {
				t.Errorf("NewMigrations (-want +got):\n%s", diff)
			}
			if got.Empty != tt.wantEmpty {
				t.Errorf("Empty = %v, want %v", got.Empty, tt.wantEmpty)
			}
			// What it proposes fits the graph it was given.
			if _, err := NewGraph(append(g.Order(), got.Migrations...)); err != nil {
				t.Errorf("the proposed migrations do not fit the graph: %v", err)
			}
		})
	}
}

func TestNewMigrationsRefuses(t *testing.T) {
	t.Parallel()
	g, err := NewGraph(carMigrations())
	if err != nil {
		t.Fatal(err)
	}
	migrated, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewMigrations(g, migrated, migrated, NewOptions{Empty: true, ProjectApps: []string{"blog", "main"}})
	var needApp *AppNeededError
	if !errors.As(err, &needApp) || !cmp.Equal(needApp.Apps, []string{"blog", "main"}) {
		t.Errorf("empty without an app of several: got %v, want an *AppNeededError naming blog, main", err)
	}
	if _, err := NewMigrations(g, migrated, migrated, NewOptions{Name: "no-dashes"}); err == nil {
		t.Error("an invalid name was accepted")
	}
	if _, err := NewMigrations(g, nil, migrated, NewOptions{}); err == nil {
		t.Error("a missing migrated state was accepted")
	}
}
