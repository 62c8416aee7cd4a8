package schema

import "strings"

// TidySQLType is the shared first step of a dialect's normalisation of a
// spelled (escape-hatch) column type towards what its server reports: lower
// case, runs of spaces as one, no space inside or before parentheses and
// after commas ("NUMERIC ( 10, 2 )" is "numeric(10,2)"). It returns the
// base name (before any parenthesis or bracket) and the rest.
func TidySQLType(typ string) (base, rest string) {
	t := strings.ToLower(strings.Join(strings.Fields(typ), " "))
	for _, r := range []struct{ from, to string }{{" (", "("}, {"( ", "("}, {" )", ")"}, {", ", ","}, {" ,", ","}, {" [", "["}} {
		t = strings.ReplaceAll(t, r.from, r.to)
	}
	cut := strings.IndexAny(t, "([")
	if cut < 0 {
		return t, ""
	}
	return t[:cut], t[cut:]
}
