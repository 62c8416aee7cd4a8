package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/state"
)

// TypeMap is a dialect's column type for each plain field kind: the
// field-kind dispatch every dialect shares, with only the spellings its
// own. The type of Char, and of a Decimal spelled with verbs, takes the
// field's sizes ("varchar(%d)", "numeric(%d,%d)"). Relation kinds have no
// entry: a relation column stores the values of the column it references
// (ValueField).
type TypeMap map[state.Kind]string

// Type is the column type of plain field f in dialect d: a SQL field's
// spelling for d verbatim, else the kind's type.
func (t TypeMap) Type(d Dialect, f *state.Field) (string, error) {
	if f.Kind == state.SQL {
		if err := f.CheckSQLTypes(); err != nil {
			return "", err
		}
		typ, ok := f.SQLTypeFor(string(d))
		if !ok {
			return "", fmt.Errorf("no %s type is spelled for this sql field; add %s:<type> to its type= option", d, d)
		}
		return typ, nil
	}
	if f.Kind == state.ManyToMany {
		return "", errors.New("a many-to-many field has no column")
	}
	typ, ok := t[f.Kind]
	if !ok {
		return "", fmt.Errorf("unknown field kind %q", f.Kind)
	}
	switch {
	case f.Kind == state.Char:
		if err := f.CheckSize(); err != nil {
			return "", err
		}
		return sized(typ, f.MaxLength), nil
	case f.Kind == state.Decimal && strings.Contains(typ, "%"):
		if err := f.CheckSize(); err != nil {
			return "", err
		}
		return sized(typ, f.MaxDigits, f.DecimalPlaces), nil
	}
	return typ, nil
}

// sized puts each of ns in place of a %d of typ, in order: what
// fmt.Sprintf would write, without its cost on a path every column takes.
func sized(typ string, ns ...int) string {
	var b strings.Builder
	var digits [20]byte
	b.Grow(len(typ) + 8)
	for _, n := range ns {
		before, after, ok := strings.Cut(typ, "%d")
		if !ok {
			break
		}
		b.WriteString(before)
		b.Write(strconv.AppendInt(digits[:0], int64(n), 10))
		typ = after
	}
	b.WriteString(typ)
	return b.String()
}

// maxRelationDepth bounds how far a chain of relation columns (a key that
// is itself a one-to-one, and so on) is followed; a longer chain can only
// be a cycle in the state.
const maxRelationDepth = 16

// ValueField follows relation column f of m, resolved in p, to the field
// (and its model) whose values it stores and whose kind decides its type:
// f itself when it is no relation.
func ValueField(p *state.Project, m *state.Model, f *state.Field) (*state.Model, *state.Field, error) {
	for depth := 0; f.Kind == state.ForeignKey || f.Kind == state.OneToOne; depth++ {
		if depth == maxRelationDepth {
			return nil, nil, fmt.Errorf("%s.%s: relations form a cycle", m.Label(), f.Name)
		}
		target, tf, err := RelationTarget(p, m, f)
		if err != nil {
			return nil, nil, err
		}
		m, f = target, tf
	}
	return m, f, nil
}

// DBDefaults is how a dialect spells each database-side default
// (db_default=now, db_default=uuid): the expression for the current
// timestamp, date and time, and for a new UUID.
type DBDefaults struct {
	Timestamp, Date, Time, UUID string
}

// SQL is the expression of f's db_default, chosen by the default and the
// field's kind.
func (d DBDefaults) SQL(f *state.Field) (string, error) {
	if err := f.CheckDBDefault(); err != nil {
		return "", err
	}
	switch {
	case f.DBDefault == state.DBUUID:
		return d.UUID, nil
	case f.Kind == state.Date:
		return d.Date, nil
	case f.Kind == state.Time:
		return d.Time, nil
	}
	return d.Timestamp, nil
}
