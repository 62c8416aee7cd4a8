package inspectdb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/schema"
)

// fieldType is the Go side of one column type: the Go type, its pointer
// form for a nullable column, the tag options the kind needs, and the
// imports the Go type uses.
type fieldType struct {
	Go string
	// Nullable is the Go type of the column when it accepts NULL: a
	// pointer where one reads naturally, else Go with the null option.
	Nullable string
	Options  []string
	Imports  []string
	// Auto is the kind's auto-increment form exists (an integer key).
	Auto bool
	// BigAuto marks the type models.Model's implicit id has.
	BigAuto bool
	// Note is a comment for the reader where the mapping chose for them.
	Note string
}

var (
	varcharType = regexp.MustCompile(`^varchar\(([0-9]+)\)$`)
	decimalType = regexp.MustCompile(`^(?:numeric|decimal)\(([0-9]+),([0-9]+)\)$`)
)

// The Go types that map one to one onto a field kind.
var (
	bigIntType   = fieldType{Go: "int64", Nullable: "*int64", Auto: true, BigAuto: true}
	intType      = fieldType{Go: "int32", Nullable: "*int32", Auto: true}
	smallIntType = fieldType{Go: "int16", Nullable: "*int16"}
	textType     = fieldType{Go: "string", Nullable: "*string"}
	boolType     = fieldType{Go: "bool", Nullable: "*bool"}
	floatType    = fieldType{Go: "float64", Nullable: "*float64"}
	dateTimeType = fieldType{Go: "time.Time", Nullable: "*time.Time", Imports: []string{"time"}}
	dateType     = fieldType{Go: "time.Time", Nullable: "*time.Time", Options: []string{"type=date"}, Imports: []string{"time"}}
	timeType     = fieldType{Go: "time.Time", Nullable: "*time.Time", Options: []string{"type=time"}, Imports: []string{"time"}}
	durationType = fieldType{Go: "time.Duration", Nullable: "*time.Duration", Imports: []string{"time"}}
	binaryType   = fieldType{Go: "[]byte", Nullable: "[]byte"}
	jsonType     = fieldType{Go: "json.RawMessage", Nullable: "json.RawMessage", Imports: []string{"encoding/json"}}
	uuidType     = fieldType{Go: "string", Nullable: "*string", Options: []string{"type=uuid"}}
)

// exactTypes spells, per dialect, each column type (as Inspect reports it)
// that a model field creates exactly; varchar(N) and numeric(p,s) are
// matched apart.
var exactTypes = map[schema.Dialect]map[string]fieldType{
	schema.Postgres: {
		"bigint": bigIntType, "integer": intType, "smallint": smallIntType, "text": textType,
		"boolean": boolType, "double precision": floatType, "timestamp with time zone": dateTimeType,
		"date": dateType, "time": timeType, "interval": durationType, "bytea": binaryType,
		"jsonb": jsonType, "uuid": uuidType,
	},
	schema.MySQL: {
		"bigint": bigIntType, "int": intType, "smallint": smallIntType, "longtext": textType,
		"bool": boolType, "double": floatType, "datetime(6)": dateTimeType, "date": dateType,
		"time(6)": timeType, "longblob": binaryType, "json": jsonType, "char(32)": uuidType,
	},
	schema.SQLite: {
		// SQLite spells BigInteger, Integer and both auto kinds "integer";
		// int64 is the one models.Model's id has.
		"integer": bigIntType, "smallint": smallIntType, "text": textType, "bool": boolType,
		"real": floatType, "datetime": dateTimeType, "date": dateType, "time": timeType,
		"bigint": durationType, "blob": binaryType, "char(32)": uuidType,
	},
}

// mapType finds the field type that creates column type typ on dialect d;
// ok is false when no field creates it, and why then says so.
func mapType(d schema.Dialect, typ string) (ft fieldType, why string, ok bool) {
	if ft, ok := exactTypes[d][typ]; ok {
		if d == schema.SQLite && typ == "bigint" {
			// The one kind SQLite spells bigint is Duration; the column
			// holds integers all the same.
			ft.Note = "bigint: the one SQLite bigint column a model makes is a time.Duration; int64 makes an integer column"
		}
		return ft, "", true
	}
	if m := varcharType.FindStringSubmatch(typ); m != nil {
		n, err := strconv.Atoi(m[1])
		if err == nil && n > 0 {
			return fieldType{Go: "string", Nullable: "*string", Options: []string{"max_length=" + m[1]}}, "", true
		}
	}
	if m := decimalType.FindStringSubmatch(typ); m != nil && d != schema.SQLite {
		return decimalField(m[1], m[2]), "", true
	}
	if d == schema.SQLite && typ == "decimal" {
		// SQLite keeps no precision: any max_digits makes the same column.
		ft := decimalField("20", "10")
		ft.Note = "SQLite keeps no precision: max_digits and decimal_places are a guess, set them"
		return ft, "", true
	}
	return fieldType{}, fmt.Sprintf("type %s has no model field on %s", typ, d), false
}

// decimalField is models.Decimal with its precision and scale.
func decimalField(digits, places string) fieldType {
	return fieldType{
		Go: "models.Decimal", Nullable: "*models.Decimal",
		Options: []string{"max_digits=" + digits, "decimal_places=" + places},
	}
}

// nearestType is the Go type an Unmanaged model declares for a column no
// field creates: a number for an integer type, else a string; the model
// makes no DDL, so only reading rows depends on it.
func nearestType(typ string) fieldType {
	t := strings.ToLower(typ)
	switch {
	case strings.Contains(t, "bigint"):
		return bigIntType
	case strings.Contains(t, "int"):
		return intType
	case strings.Contains(t, "bool"):
		return boolType
	case strings.Contains(t, "float"), strings.Contains(t, "double"), strings.Contains(t, "real"):
		return floatType
	case strings.HasPrefix(t, "timestamp"), strings.HasPrefix(t, "datetime"):
		return dateTimeType
	case strings.Contains(t, "blob"), t == "bytea", strings.HasPrefix(t, "binary"), strings.HasPrefix(t, "varbinary"):
		return binaryType
	}
	return textType
}

var (
	integerLiteral = regexp.MustCompile(`^[+-]?[0-9]+$`)
	numberLiteral  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	uuidLiteral    = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)
)

// timeLayouts are the spellings of a date, time or timestamp default the
// databases report.
var timeLayouts = []string{
	"2006-01-02", "15:04:05", "15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07:00",
}

// literalFits reports whether a column default read back is a literal of
// the field's type, which default= can give; anything else (an
// expression the database keeps as written) is not.
func literalFits(ft fieldType, v string) bool {
	switch ft.Go {
	case "int64", "int32", "int16":
		return integerLiteral.MatchString(v)
	case "float64", "models.Decimal":
		return numberLiteral.MatchString(v)
	case "bool":
		switch strings.ToLower(v) {
		case "true", "false", "1", "0":
			return true
		}
		return false
	case "time.Time":
		for _, layout := range timeLayouts {
			if _, err := time.Parse(layout, v); err == nil {
				return true
			}
		}
		return false
	}
	for _, o := range ft.Options {
		if o == "type=uuid" {
			return uuidLiteral.MatchString(v)
		}
	}
	return true
}
