package lint

import (
	"strings"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/schema"
	"github.com/pmanager/pmanager/pkg/state"
)

// The rules that hold on every dialect: they read the operation and the
// states, not the statements.

// managed returns the model app.name of p when it exists and pmanager
// manages its table.
func managed(p *state.Project, app, name string) *state.Model {
	m := p.Model(app, name)
	if m == nil || m.Unmanaged {
		return nil
	}
	return m
}

// column names a column for details: table.column.
func column(m *state.Model, f *state.Field) string { return m.Table + "." + f.ColumnName() }

// removedField returns the model and the field a RemoveField drops, when
// the model is managed.
func removedField(in *Input) (*state.Model, *state.Field) {
	o, ok := in.Op.(operations.RemoveField)
	if !ok {
		return nil, nil
	}
	m := managed(in.From, in.App, o.Model)
	if m == nil {
		return nil, nil
	}
	f := m.Field(o.Name)
	if f == nil {
		return nil, nil
	}
	return m, f
}

// joinTable is the table of a many-to-many field of m.
func joinTable(m *state.Model, f *state.Field) string {
	if f.Relation != nil && f.Relation.Table != "" {
		return f.Relation.Table
	}
	return m.Table + "_" + f.Name
}

func dropsTable(in *Input) []string {
	o, ok := in.Op.(operations.DeleteModel)
	if !ok {
		return nil
	}
	if m := managed(in.From, in.App, o.Name); m != nil {
		return []string{"drops table " + m.Table}
	}
	return nil
}

func dropsColumn(in *Input) []string {
	m, f := removedField(in)
	switch {
	case m == nil:
		return nil
	case f.Kind == state.ManyToMany:
		if f.Relation != nil && f.Relation.Through != "" {
			return nil // the through model's table stays
		}
		return []string{"drops join table " + joinTable(m, f)}
	}
	return []string{"drops column " + column(m, f)}
}

// alteredField returns the model and the field before and after an
// AlterField, when the model is managed.
func alteredField(in *Input) (*state.Model, *state.Field, *state.Field) {
	o, ok := in.Op.(operations.AlterField)
	if !ok || o.Field == nil {
		return nil, nil, nil
	}
	m := managed(in.From, in.App, o.Model)
	tm := managed(in.To, in.App, o.Model)
	if m == nil || tm == nil {
		return nil, nil, nil
	}
	of, nf := m.Field(o.Name), tm.Field(o.Name)
	if of == nil || nf == nil || !of.HasColumn() || !nf.HasColumn() {
		return nil, nil, nil
	}
	return m, of, nf
}

func narrows(in *Input) []string {
	m, of, nf := alteredField(in)
	if m == nil || !operations.Narrows(of, nf) {
		return nil
	}
	return []string{"narrows " + column(m, of) + " (" + typeWords(of) + " to " + typeWords(nf) + ")"}
}

// typeWords names a field's type for details: "char(100)", "integer".
func typeWords(f *state.Field) string {
	switch f.Kind {
	case state.Char:
		return "char(" + itoa(f.MaxLength) + ")"
	case state.Decimal:
		return "decimal(" + itoa(f.MaxDigits) + "," + itoa(f.DecimalPlaces) + ")"
	}
	return string(f.Kind)
}

// preflight is the rule that reports each pre-flight of kind k.
func preflight(k schema.PreflightKind) func(*Input) []string {
	return func(in *Input) []string {
		var out []string
		for _, p := range in.Preflights {
			if p.Kind != k {
				continue
			}
			out = append(out, preflightWords(p))
		}
		return out
	}
}

// preflightWords says what a pre-flight demands of the rows.
func preflightWords(p schema.Preflight) string {
	table := p.Model.Table
	cols := strings.Join(p.Columns, ", ")
	switch p.Kind {
	case schema.PreflightConvert:
		return "values of " + table + "." + cols + " must fit " + typeWords(p.To)
	case schema.PreflightNotNull:
		return table + "." + cols + " must hold no NULL"
	case schema.PreflightNoRows:
		return table + " must be empty (new NOT NULL column " + cols + " has no default)"
	case schema.PreflightUnique:
		return "no two rows of " + table + " may share (" + cols + ")"
	case schema.PreflightCheck:
		return "every row of " + table + " must pass " + p.Label
	case schema.PreflightReference:
		target := ""
		if p.Target != nil {
			target = p.Target.Table + "." + p.TargetColumn
		}
		return "every " + table + "." + cols + " must exist in " + target
	}
	return p.Label
}

// renamesColumn is what an operation renames among columns.
func renamesColumn(in *Input) []string { return renamed(in, true) }

// renamesTable is what an operation renames among tables.
func renamesTable(in *Input) []string { return renamed(in, false) }

// renamed describes the columns (or the tables) the operation renames, as
// the operation itself reports them.
func renamed(in *Input, columns bool) []string {
	r, ok := in.Op.(operations.Renamer)
	if !ok {
		return nil
	}
	var out []string
	for _, rn := range r.Renames(in.App, in.From, in.To) {
		switch {
		case columns && rn.Column != "":
			out = append(out, "renames "+rn.Table+"."+rn.Column+" to "+rn.NewName)
		case !columns && rn.Column == "":
			out = append(out, "renames table "+rn.Table+" to "+rn.NewName)
		}
	}
	return out
}

func dropsColumnInUse(in *Input) []string {
	m, f := removedField(in)
	if m == nil || f.Kind == state.ManyToMany {
		return nil
	}
	return []string{"drops " + column(m, f) + ", which the running release may still read"}
}

func dropsTableInUse(in *Input) []string {
	o, ok := in.Op.(operations.DeleteModel)
	if !ok {
		return nil
	}
	if m := managed(in.From, in.App, o.Name); m != nil {
		return []string{"drops " + m.Table + ", which the running release may still query"}
	}
	return nil
}

// hasDefault reports whether the database fills f when an insert leaves
// it out.
func hasDefault(f *state.Field) bool {
	return f.Default != nil || f.DBDefault != "" || f.Kind.IsAuto() || f.Null
}

func addsRequiredColumn(in *Input) []string {
	o, ok := in.Op.(operations.AddField)
	if !ok || o.Field == nil || !o.Field.HasColumn() || hasDefault(o.Field) {
		return nil
	}
	m := managed(in.To, in.App, o.Model)
	if m == nil {
		return nil
	}
	return []string{"adds NOT NULL " + column(m, o.Field) + " without a default"}
}

func becomesRequired(in *Input) []string {
	m, of, nf := alteredField(in)
	if m == nil || !of.Null || nf.Null || hasDefault(nf) {
		return nil
	}
	return []string{"makes " + column(m, of) + " NOT NULL without a default"}
}

func dropsDefault(in *Input) []string {
	m, of, nf := alteredField(in)
	if m == nil || nf.Null || !hasDefault(of) || of.Null || of.Kind.IsAuto() || hasDefault(nf) {
		return nil
	}
	return []string{"drops the default of NOT NULL " + column(m, of)}
}
