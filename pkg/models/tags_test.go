package models

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pmanager/pmanager/pkg/state"
)

func TestParseTag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag  string
		want []tagOption
	}{
		{"", nil},
		{"   ", nil},
		{"null", []tagOption{{Key: "null"}}},
		{"null,blank", []tagOption{{Key: "null"}, {Key: "blank"}}},
		{" null , blank ", []tagOption{{Key: "null"}, {Key: "blank"}}},
		{"max_length=10", []tagOption{{Key: "max_length", Value: "10", HasValue: true}}},
		{"max_length = 10 ", []tagOption{{Key: "max_length", Value: "10", HasValue: true}}},
		{"default=", []tagOption{{Key: "default", HasValue: true}}},
		{"default=,null", []tagOption{{Key: "default", HasValue: true}, {Key: "null"}}},
		{"default='a, b'", []tagOption{{Key: "default", Value: "a, b", HasValue: true}}},
		{"default='a, b',null", []tagOption{{Key: "default", Value: "a, b", HasValue: true}, {Key: "null"}}},
		{"default='it''s'", []tagOption{{Key: "default", Value: "it's", HasValue: true}}},
		{"default=''", []tagOption{{Key: "default", HasValue: true}}},
		{"default=''''", []tagOption{{Key: "default", Value: "'", HasValue: true}}},
		{"default=' padded '", []tagOption{{Key: "default", Value: " padded ", HasValue: true}}},
		{"default= 'x' ,null", []tagOption{{Key: "default", Value: "x", HasValue: true}, {Key: "null"}}},
		{"default=it's", []tagOption{{Key: "default", Value: "it's", HasValue: true}}},
		{"comment=a=b", []tagOption{{Key: "comment", Value: "a=b", HasValue: true}}},
		{"choices=a|b|c,index", []tagOption{{Key: "choices", Value: "a|b|c", HasValue: true}, {Key: "index"}}},
		{"type=pg:numeric(10,2);mysql:decimal(10, 2),null", []tagOption{
			{Key: "type", Value: "pg:numeric(10,2);mysql:decimal(10, 2)", HasValue: true}, {Key: "null"}}},
		{"default=f(a,b)", []tagOption{{Key: "default", Value: "f(a", HasValue: true}, {Key: "b)"}}},
		{"on_delete=CASCADE,related_name=cars", []tagOption{
			{Key: "on_delete", Value: "CASCADE", HasValue: true}, {Key: "related_name", Value: "cars", HasValue: true}}},
	}
	for _, tt := range tests {
		got, err := parseTag(tt.tag)
		if err != nil {
			t.Errorf("parseTag(%q): %v", tt.tag, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseTag(%q) (-want +got):\n%s", tt.tag, diff)
		}
	}
}

func TestParseTagErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag, want string
	}{
		{"null,", `empty tag option at byte 5 of "null,"; remove the stray comma or name the option`},
		{",null", `empty tag option at byte 0 of ",null"; remove the stray comma or name the option`},
		{"null,,blank", `empty tag option at byte 5 of "null,,blank"; remove the stray comma or name the option`},
		{"=x", `empty tag option at byte 0 of "=x"; remove the stray comma or name the option`},
		{"default='abc", `tag option default: quoted value has no closing quote; end it with '`},
		{"default='a'b", `tag option default: unexpected "b" after the closing quote; put a comma after the quoted value, and write a quote inside it as ''`},
	}
	for _, tt := range tests {
		_, err := parseTag(tt.tag)
		if err == nil || err.Error() != tt.want {
			t.Errorf("parseTag(%q) error = %v, want %q", tt.tag, err, tt.want)
		}
	}
}

func TestDecodeTag(t *testing.T) {
	t.Parallel()
	tag := "primary_key,auto,null,blank,unique,index,default='x, y',max_length=5,max_digits=7,decimal_places=0," +
		"type=char,column=c,on_delete=CASCADE,to_field=code,no_constraint,related_name=r,one_to_one,m2m," +
		"through=T,table=tbl,from_column=fc,to_column=tc,choices=a|b,comment=hello,was=OldName,db_default=NOW"
	got, err := decodeTag(tag)
	if err != nil {
		t.Fatal(err)
	}
	def := "x, y"
	want := &fieldTag{
		PrimaryKey: true, Auto: true, Null: true, Blank: true, Unique: true, Index: true,
		NoConstraint: true, OneToOne: true, M2M: true,
		Default: &def, MaxLength: 5, MaxDigits: 7, DecimalPlaces: 0,
		Type: "char", Column: "c", OnDelete: "CASCADE", ToField: "code",
		RelatedName: "r", Through: "T", Table: "tbl", FromColumn: "fc", ToColumn: "tc", Comment: "hello", Choices: []string{"a", "b"},
		Was: "old_name", DBDefault: state.DBNow,
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(fieldTag{})); diff != "" {
		t.Errorf("decodeTag (-want +got):\n%s", diff)
	}
	for _, key := range strings.Split(knownOptions, ", ") {
		if !got.has(key) {
			t.Errorf("decodeTag: option %s not recorded as given", key)
		}
	}
	if got.firstOf("table", "null") != "null" {
		t.Errorf("firstOf should follow tag order, got %q", got.firstOf("table", "null"))
	}
}

// TestDecodeSQLTypes: type=<dialect>:<type>;... is the escape hatch,
// with pg for postgres, spellings sorted by dialect and kept verbatim
// (commas inside parentheses included).
func TestDecodeSQLTypes(t *testing.T) {
	t.Parallel()
	got, err := decodeTag("type=sqlite:numeric(10,2);mysql:tinyint unsigned;pg:NUMERIC(10, 2),null")
	if err != nil {
		t.Fatal(err)
	}
	want := []state.SQLType{{Dialect: "postgres", Type: "NUMERIC(10, 2)"}, {Dialect: "mysql", Type: "tinyint unsigned"}, {Dialect: "sqlite", Type: "numeric(10,2)"}}
	if got.Type != "sql" || !got.Null {
		t.Errorf("Type = %q, Null = %v; want sql, true", got.Type, got.Null)
	}
	if diff := cmp.Diff(want, got.SQLTypes); diff != "" {
		t.Errorf("SQLTypes (-want +got):\n%s", diff)
	}
	plain, err := decodeTag("type=date")
	if err != nil || plain.Type != "date" || plain.SQLTypes != nil {
		t.Errorf("type=date = %+v, %v; want a kind, no spellings", plain, err)
	}
}

func TestDecodeTagErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag, want string
	}{
		{"nul", `unknown tag option "nul"; known options: ` + knownOptions},
		{"null,null", "tag option null given twice; keep one"},
		{"default=a,default=b", "tag option default given twice; keep one"},
		{"max_length", "tag option max_length needs a value; write max_length=<value>"},
		{"default", "tag option default needs a value; write default=<value>"},
		{"null=true", "tag option null takes no value; write just null"},
		{"column=", "tag option column has an empty value; write column=<value>"},
		{"max_length=abc", "max_length=abc is not a whole number; write a number such as max_length=10"},
		{"max_digits=1.5", "max_digits=1.5 is not a whole number; write a number such as max_digits=10"},
		{"max_length=0", "max_length=0 must be positive; write a length such as max_length=100"},
		{"max_digits=-1", "max_digits=-1 must be positive; write a precision such as max_digits=10"},
		{"decimal_places=-1", "decimal_places=-1 must not be negative; write a scale such as decimal_places=2"},
		{"choices=a||b", "choices=a||b has an empty choice; separate choices with single bars, choices=a|b|c"},
		{"choices=a|b|a", `choices=a|b|a lists "a" twice; list each choice once`},
		{"type=pg:inet;oracle:raw", `type=pg:inet;oracle:raw: unknown dialect "oracle"; use postgres (or pg), mysql or sqlite`},
		{"type=pg:inet;pg:cidr", "type=pg:inet;pg:cidr spells the postgres type twice; keep one"},
		{"type=pg:", `type=pg:: "pg:" is not <dialect>:<type>; write e.g. type=postgres:inet;mysql:varchar(45)`},
		{"type=pg:inet;", `type=pg:inet;: "" is not <dialect>:<type>; write e.g. type=postgres:inet;mysql:varchar(45)`},
		{"type=pg:text; drop table x", `type=pg:text; drop table x: " drop table x" is not <dialect>:<type>; write e.g. type=postgres:inet;mysql:varchar(45)`},
		{"type=pg:text--x", `type=pg:text--x: postgres type "text--x": '-' is not allowed in a type; use letters, digits, spaces, _ , . ( ) [ ]`},
		{"type=pg:numeric(10,2", `type=pg:numeric(10,2: postgres type "numeric(10,2": parentheses or brackets are not balanced`},
		{"type='pg:text)('", `type=pg:text)(: postgres type "text)(": a closing parenthesis or bracket has no opening one`},
		{"type=mysql:'x'", `type=mysql:'x': mysql type "'x'": a type must start with a letter`},
	}
	for _, tt := range tests {
		_, err := decodeTag(tt.tag)
		if err == nil || err.Error() != tt.want {
			t.Errorf("decodeTag(%q) error = %v, want %q", tt.tag, err, tt.want)
		}
	}
}

// formatTag writes options back as a tag, quoting values that need it, so
// the fuzz target can check that parsing is stable.
func formatTag(opts []tagOption) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = o.Key
		if !o.HasValue {
			continue
		}
		v := o.Value
		if strings.ContainsAny(v, ",") || strings.HasPrefix(v, "'") || strings.TrimSpace(v) != v {
			v = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		parts[i] += "=" + v
	}
	return strings.Join(parts, ",")
}

func FuzzParseTag(f *testing.F) {
	for _, seed := range []string{"", "null", "max_length=10,unique", "default='a, b'", "default='it''s',null",
		"default=", "choices=a|b|c", "default='", ",,", "=", "default='a'b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		opts, err := parseTag(tag)
		if err != nil {
			return
		}
		again, err := parseTag(formatTag(opts))
		if err != nil {
			t.Fatalf("parseTag(formatTag(%q)) = %q: %v", tag, formatTag(opts), err)
		}
		if diff := cmp.Diff(opts, again); diff != "" {
			t.Fatalf("round trip of %q through %q changed (-first +second):\n%s", tag, formatTag(opts), diff)
		}
		_, _ = decodeTag(tag) // must not panic either
	})
}
