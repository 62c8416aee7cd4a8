package checks

import (
	"reflect"

	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/models/modeltype"
	"github.com/pmanager/pmanager/pkg/state"
)

// sources is what the Go side says about the models: the struct type of
// each model and the Go name of each field, so issues name models.Car.Price
// as the user wrote it rather than the state's main.Car.price.
type sources struct {
	types   map[string]modeltype.Type    // by state.ModelKey
	goNames map[string]map[string]string // model key → state field name → Go field name
}

// isModelType reports models.Model, the mark of a model struct.
func isModelType(t modeltype.Type) bool {
	return modeltype.Is(t, "github.com/pmanager/pmanager/pkg/models", "Model")
}

// readSources indexes the apps' struct types that embed models.Model.
func readSources(apps []models.App) *sources {
	s := &sources{types: map[string]modeltype.Type{}, goNames: map[string]map[string]string{}}
	for _, app := range apps {
		for _, t := range structTypes(app) {
			key := state.ModelKey(app.Label, t.Name())
			s.types[key] = t
			names := map[string]string{}
			goFieldNames(t, names, map[modeltype.Type]bool{})
			s.goNames[key] = names
		}
	}
	return s
}

// structTypes returns the app's struct types that embed models.Model,
// directly or through embedded structs: its models and abstract bases.
func structTypes(app models.App) []modeltype.Type {
	var out []modeltype.Type
	for _, v := range app.Types {
		t := models.TypeOf(v)
		if t == nil {
			continue
		}
		if t.Kind() == reflect.Struct && !isModelType(t) && embedsModel(t, map[modeltype.Type]bool{}) {
			out = append(out, t)
		}
	}
	return out
}

// embedsModel reports whether t embeds models.Model somewhere.
func embedsModel(t modeltype.Type, seen map[modeltype.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.Anonymous {
			continue
		}
		ft := embedded(sf.Type)
		if (ft != nil && isModelType(ft)) || (ft != nil && embedsModel(ft, seen)) {
			return true
		}
	}
	return false
}

// embedded is the struct type an anonymous field flattens into its owner
// (through one pointer), nil when it is not a struct.
func embedded(t modeltype.Type) modeltype.Type {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

// goFieldNames records state name → Go name for t's exported fields, outer
// fields winning over promoted ones as Go's shadowing does.
func goFieldNames(t modeltype.Type, names map[string]string, seen map[modeltype.Type]bool) {
	if seen[t] {
		return
	}
	seen[t] = true
	var inner []modeltype.Type
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			if ft := embedded(sf.Type); ft != nil {
				inner = append(inner, ft)
				continue
			}
		}
		if !sf.Exported {
			continue
		}
		name := state.SnakeCase(sf.Name)
		if _, ok := names[name]; !ok {
			names[name] = sf.Name
		}
	}
	for _, ft := range inner {
		goFieldNames(ft, names, seen)
	}
}

// modelObject names a model in issues: its Go type (models.Car), or its
// state label when the Go type is not known (a project built by hand).
func (s *sources) modelObject(m *state.Model) string {
	if t, ok := s.types[m.Key()]; ok {
		return t.String()
	}
	return m.Label()
}

// fieldObject names a field in issues: models.Car.Price.
func (s *sources) fieldObject(m *state.Model, f *state.Field) string {
	name := f.Name
	if goName, ok := s.goNames[m.Key()][f.Name]; ok {
		name = goName
	}
	return s.modelObject(m) + "." + name
}
