package statedsl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// Format writes p in the language Parse reads, models sorted, so a state a
// test built at random can be printed when it fails and pasted into a case.
// Values with spaces (check expressions aside, which run to the end of the
// line) cannot be written and are reported as an error.
func Format(p *state.Project) (string, error) {
	var b strings.Builder
	for _, m := range p.Sorted() {
		if err := formatModel(&b, m); err != nil {
			return "", fmt.Errorf("statedsl: %s: %w", m.Label(), err)
		}
	}
	return b.String(), nil
}

func formatModel(b *strings.Builder, m *state.Model) error {
	words := []string{"model", m.Label()}
	if m.Table != state.SnakeCase(m.Name) {
		words = append(words, "table="+m.Table)
	}
	if m.Unmanaged {
		words = append(words, "unmanaged")
	}
	if m.Options.Ordering != nil {
		words = append(words, "ordering="+strings.Join(m.Options.Ordering, ","))
	}
	if m.Options.VerboseName != "" {
		words = append(words, "verbose="+m.Options.VerboseName)
	}
	if m.Options.Comment != "" {
		words = append(words, "comment="+m.Options.Comment)
	}
	if err := writeLine(b, "", words); err != nil {
		return err
	}
	for _, f := range m.Fields {
		if err := writeLine(b, "  ", fieldWords(f)); err != nil {
			return err
		}
	}
	for _, idx := range m.Indexes {
		words := []string{"index", idx.Name, strings.Join(idx.Fields, ",")}
		if idx.Condition != "" {
			words = append(words, "where="+idx.Condition)
		}
		if err := writeLine(b, "  ", words); err != nil {
			return err
		}
	}
	for _, c := range m.Constraints {
		if c.Kind == state.CheckConstraint {
			fmt.Fprintf(b, "  check %s %s\n", c.Name, c.Check)
			continue
		}
		words := []string{"unique", c.Name, strings.Join(c.Fields, ",")}
		if c.Condition != "" {
			words = append(words, "where="+c.Condition)
		}
		if err := writeLine(b, "  ", words); err != nil {
			return err
		}
	}
	if len(m.UniqueTogether) > 0 {
		words := []string{"together"}
		for _, g := range m.UniqueTogether {
			words = append(words, strings.Join(g, ","))
		}
		return writeLine(b, "  ", words)
	}
	return nil
}

// fieldWords spells a field the way parseField reads it.
func fieldWords(f *state.Field) []string {
	kind := string(f.Kind)
	for alias, k := range kindAliases {
		if k == f.Kind {
			kind = alias
		}
	}
	words := []string{f.Name, kind}
	flag := func(on bool, word string) {
		if on {
			words = append(words, word)
		}
	}
	flag(f.PrimaryKey, "pk")
	flag(f.Null, "null")
	flag(f.Blank, "blank")
	flag(f.Unique, "unique")
	flag(f.Index, "index")
	flag(f.Default != nil, "default="+deref(f.Default))
	flag(f.DBDefault != "", "db_default="+string(f.DBDefault))
	flag(f.Column != "", "column="+f.Column)
	flag(f.Choices != nil, "choices="+strings.Join(f.Choices, "|"))
	flag(f.Comment != "", "comment="+f.Comment)
	flag(f.MaxLength != 0, "max="+strconv.Itoa(f.MaxLength))
	flag(f.MaxDigits != 0, "digits="+strconv.Itoa(f.MaxDigits))
	flag(f.DecimalPlaces != 0, "places="+strconv.Itoa(f.DecimalPlaces))
	if len(f.SQLTypes) > 0 {
		parts := make([]string, len(f.SQLTypes))
		for i, t := range f.SQLTypes {
			parts[i] = t.Dialect + ":" + strings.ReplaceAll(t.Type, " ", "+")
		}
		words = append(words, "sql="+strings.Join(parts, ";"))
	}
	if r := f.Relation; r != nil {
		flag(r.To != "", "to="+r.To)
		flag(r.ToField != "", "to_field="+r.ToField)
		flag(r.OnDelete != "", "on_delete="+r.OnDelete)
		flag(r.NoConstraint, "no_constraint")
		flag(r.RelatedName != "", "related="+r.RelatedName)
		flag(r.Through != "", "through="+r.Through)
		flag(r.Table != "", "jt="+r.Table)
		flag(r.FromColumn != "", "from_column="+r.FromColumn)
		flag(r.ToColumn != "", "to_column="+r.ToColumn)
	}
	return words
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// writeLine writes words separated by spaces, refusing a word that has one.
func writeLine(b *strings.Builder, indent string, words []string) error {
	for _, w := range words {
		if strings.ContainsAny(w, " \t\n") {
			return fmt.Errorf("%q has a space, which the language cannot hold", w)
		}
	}
	b.WriteString(indent + strings.Join(words, " ") + "\n")
	return nil
}
