package checks

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/models"
	"github.com/pmanager/pmanager/pkg/models/modeltype"
)

// Go reads a struct tag as key:"value" pairs separated by spaces
// (reflect.StructTag). A tag that strays from that form is not an error to
// the compiler: Lookup just stops at the first pair it cannot read, and
// every option after it is silently lost. go vet's structtag analyzer
// reports such tags; these checks do the same for the keys pmanager reads.

// tagPair is one key:"value" pair of a struct tag.
type tagPair struct {
	key, value string
}

// parseStructTag reads tag the way reflect.StructTag.Lookup does and returns
// its pairs, or why the tag does not follow the convention.
func parseStructTag(tag string) ([]tagPair, error) {
	var pairs []tagPair
	for tag != "" {
		tag = strings.TrimLeft(tag, " ")
		if tag == "" {
			break
		}
		i := 0
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		switch {
		case i == 0:
			return nil, fmt.Errorf("bad syntax for struct tag key")
		case i+1 >= len(tag) || tag[i] != ':':
			return nil, fmt.Errorf("bad syntax for struct tag pair")
		case tag[i+1] != '"':
			return nil, fmt.Errorf("bad syntax for struct tag value")
		}
		key := tag[:i]
		tag = tag[i+1:]
		i = 1
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			return nil, fmt.Errorf("bad syntax for struct tag value")
		}
		value, err := strconv.Unquote(tag[:i+1])
		if err != nil {
			return nil, fmt.Errorf("bad syntax for struct tag value")
		}
		tag = tag[i+1:]
		if tag != "" && tag[0] != ' ' {
			return nil, fmt.Errorf("key:\"value\" pairs not separated by spaces")
		}
		pairs = append(pairs, tagPair{key, value})
	}
	return pairs, nil
}

// ourKey finds a pm or db key written anywhere in a tag, however malformed.
var ourKey = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(pm|db)\s*:`)

// lenientPair reads one key:value pair the way a user may have meant it: a
// space around the colon, a value without quotes.
var lenientPair = regexp.MustCompile(`^[\s,]*([^\s:,"]+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))`)

// repairTag rewrites a malformed tag into the conventional form when its
// intent is clear, for the hint; "" when it is not.
func repairTag(tag string) string {
	var parts []string
	rest := tag
	for strings.Trim(rest, " ,") != "" {
		m := lenientPair.FindStringSubmatchIndex(rest)
		if m == nil {
			return ""
		}
		key := rest[m[2]:m[3]]
		value := ""
		if m[4] >= 0 {
			value = rest[m[4]:m[5]]
		} else {
			value = strconv.Quote(rest[m[6]:m[7]])
			value = value[1 : len(value)-1]
		}
		parts = append(parts, key+`:"`+value+`"`)
		rest = rest[m[1]:]
	}
	fixed := strings.Join(parts, " ")
	if _, err := parseStructTag(fixed); err != nil || fixed == tag {
		return ""
	}
	return fixed
}

// checkStructTags runs pm.E001, pm.E002 and pm.W001 over every field of the
// apps' models and abstract bases, embedded structs included. It needs only
// the Go types, so it runs before the models are read.
func checkStructTags(apps []models.App) []Issue {
	var issues []Issue
	seen := map[modeltype.Type]bool{}
	for _, app := range apps {
		for _, t := range structTypes(app) {
			issues = append(issues, structTagIssues(t, seen)...)
		}
	}
	return issues
}

// structTagIssues checks the fields of t and of the structs it embeds, each
// struct once.
func structTagIssues(t modeltype.Type, seen map[modeltype.Type]bool) []Issue {
	if seen[t] || isModelType(t) {
		return nil
	}
	seen[t] = true
	var issues []Issue
	for i := range t.NumField() {
		sf := t.Field(i)
		object := t.String() + "." + sf.Name
		tag := string(sf.Tag)
		if tag != "" {
			issues = append(issues, tagIssues(object, sf, tag)...)
		}
		if sf.Anonymous {
			if ft := embedded(sf.Type); ft != nil && ft.PkgPath() != "time" && ft.PkgPath() != "database/sql" {
				issues = append(issues, structTagIssues(ft, seen)...)
			}
		}
	}
	return issues
}

// tagIssues checks one field's tag.
func tagIssues(object string, sf modeltype.Field, tag string) []Issue {
	pairs, err := parseStructTag(tag)
	if err != nil {
		m := ourKey.FindStringSubmatch(tag)
		if m == nil {
			return nil
		}
		hint := "write it as key:\"value\" pairs separated by spaces, with no space after the colon"
		if fixed := repairTag(tag); fixed != "" {
			hint = "write `" + fixed + "`"
		}
		return []Issue{issue("pm.E001", object,
			fmt.Sprintf("struct tag `%s` is not in Go's key:\"value\" form (%v), so Go does not see its %s options and the field is read without them", tag, err, m[1]),
			hint)}
	}
	var issues []Issue
	count := map[string]int{}
	for _, p := range pairs {
		count[p.key]++
	}
	for _, key := range []string{"pm", "db"} {
		if count[key] > 1 {
			issues = append(issues, issue("pm.E002", object,
				fmt.Sprintf("struct tag `%s` gives %s %d times; Go reads only the first", tag, key, count[key]),
				fmt.Sprintf("merge them into one %s:\"…\" with the options separated by commas", key)))
		}
	}
	if !sf.Exported && !sf.Anonymous {
		for _, key := range []string{"pm", "db"} {
			if v, ok := sf.Tag.Lookup(key); ok && v != "-" {
				issues = append(issues, issue("pm.W001", object,
					fmt.Sprintf("unexported field %s has a %s tag, but only exported fields are columns", sf.Name, key),
					"export the field (capitalise its name) or remove the tag"))
				break
			}
		}
	}
	return issues
}

// issue builds an issue; the level follows from the id.
func issue(id, object, message, hint string) Issue {
	return Issue{ID: id, Level: levelOf(id), Object: object, Message: message, Hint: hint}
}
