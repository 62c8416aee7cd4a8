package models

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/pmanager/pmanager/pkg/models/modeltype"
	"github.com/pmanager/pmanager/pkg/state"
)

// The options that only some field shapes take, for "does not apply" checks.
func relationOnlyOptions() []string {
	return []string{"on_delete", "to_field", "no_constraint", "related_name", "one_to_one", "through", "table", "from_column", "to_column"}
}

func notForForeignKey() []string {
	return []string{"auto", "max_length", "max_digits", "decimal_places", "type", "through", "table", "from_column", "to_column", "db_default"}
}

func notForManyToMany() []string {
	return []string{"primary_key", "auto", "null", "unique", "index", "default", "db_default", "max_length", "max_digits",
		"decimal_places", "type", "column", "on_delete", "to_field", "no_constraint", "one_to_one", "choices"}
}

// readField turns one visible struct field into a state field.
func (r *reader) readField(c candidate) (*state.Field, fieldSource, error) {
	src := fieldSource{goName: c.sf.Name, owner: c.owner}
	if c.implicitID {
		return &state.Field{Name: "id", Kind: state.BigAuto, PrimaryKey: true}, src, nil
	}
	tag := c.tag
	f := &state.Field{
		Name:       state.SnakeCase(c.sf.Name),
		PrimaryKey: tag.PrimaryKey,
		Null:       tag.Null,
		Blank:      tag.Blank,
		Unique:     tag.Unique,
		Index:      tag.Index,
		Default:    tag.Default,
		DBDefault:  tag.DBDefault,
		Choices:    tag.Choices,
		Comment:    tag.Comment,
		Was:        tag.Was,
	}
	t := c.sf.Type
	var err error
	switch {
	case tag.Type == "json":
		err = readScalar(f, c.sf.Name, t, tag)
	case tag.Type == "sql":
		err = readSQL(f, t, tag)
	case tag.M2M || isStructSlice(t):
		src.target, err = r.readManyToMany(f, t, tag)
	case isStructPointer(t):
		src.target, err = r.readForeignKey(f, t, tag)
	default:
		err = readScalar(f, c.sf.Name, t, tag)
	}
	if err == nil && f.HasColumn() {
		err = setColumn(f, c.sf, tag)
	}
	if err != nil {
		return nil, src, fmt.Errorf("%s.%s: %w", c.owner, c.sf.Name, err)
	}
	return f, src, nil
}

// isStructPointer reports *S for a struct S that is not a column value: the
// Go spelling of a foreign key.
func isStructPointer(t modeltype.Type) bool {
	return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && !isValueStruct(t.Elem())
}

// isStructSlice reports []*S or []S for a struct S that is not a column value.
func isStructSlice(t modeltype.Type) bool {
	if t.Kind() != reflect.Slice {
		return false
	}
	elem := t.Elem()
	if elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	return elem.Kind() == reflect.Struct && !isValueStruct(elem)
}

// unsupported is the error for a Go type that maps to no field kind.
func unsupported(t modeltype.Type) error {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Array && t.Len() == 16 && t.Elem().Kind() == reflect.Uint8 {
		return fmt.Errorf("unsupported Go type %s; add pm:\"type=uuid\" to store a UUID, pm:\"type=json\" to store it as JSON, or pm:\"-\" to leave it out", t)
	}
	return fmt.Errorf("unsupported Go type %s; use pm:\"type=json\" to store it as JSON, or pm:\"-\" to leave it out", t)
}

// target returns the "app.Type" label of a relation's target, or why the
// struct cannot be one.
func (r *reader) target(t modeltype.Type) (string, error) {
	if e, ok := r.byType[t]; ok {
		return e.label(), nil
	}
	class, _, err := classify(t)
	if err != nil {
		return "", err
	}
	switch class {
	case abstractBase:
		return "", fmt.Errorf("%s is an abstract base, not a model; point at a concrete model that embeds %s", t, t.Name())
	case concreteModel:
		return "", fmt.Errorf("%s is a model, but no app passed to Load lists it; add its package to the apps (and export the type)", t)
	}
	return "", fmt.Errorf("%s is not a model; embed models.Model in %s, or store the value as JSON with type=json", t, t.Name())
}

// readForeignKey reads a *Model field: ForeignKey, or OneToOne with one_to_one.
func (r *reader) readForeignKey(f *state.Field, t modeltype.Type, tag *fieldTag) (modeltype.Type, error) {
	target := t.Elem()
	label, err := r.target(target)
	if err != nil {
		return nil, err
	}
	if opt := tag.firstOf(notForForeignKey()...); opt != "" {
		return nil, fmt.Errorf("%s does not apply to a foreign key; remove it", opt)
	}
	if tag.PrimaryKey && tag.Null {
		return nil, fmt.Errorf("a primary key cannot be null; remove null")
	}
	f.Kind = state.ForeignKey
	if tag.OneToOne {
		f.Kind = state.OneToOne
	}
	if tag.OnDelete == "" {
		return nil, fmt.Errorf("a foreign key needs on_delete; add on_delete=<action> (one of %s)", strings.Join(state.OnDeleteActions, ", "))
	}
	action := strings.ToUpper(tag.OnDelete)
	if !isOnDeleteAction(action) {
		return nil, fmt.Errorf("unknown on_delete=%s; use one of %s", tag.OnDelete, strings.Join(state.OnDeleteActions, ", "))
	}
	if action == "SET_NULL" && !tag.Null {
		return nil, fmt.Errorf("on_delete=SET_NULL needs null; add null to the tag")
	}
	if action == "SET_DEFAULT" && tag.Default == nil {
		return nil, fmt.Errorf("on_delete=SET_DEFAULT needs a default; add default=<key of the target row>")
	}
	f.Relation = &state.Relation{
		To:           label,
		ToField:      tag.ToField,
		OnDelete:     action,
		NoConstraint: tag.NoConstraint,
		RelatedName:  tag.RelatedName,
	}
	return target, nil
}

func isOnDeleteAction(action string) bool {
	for _, a := range state.OnDeleteActions {
		if a == action {
			return true
		}
	}
	return false
}

// readManyToMany reads a []*Model field with the m2m option.
func (r *reader) readManyToMany(f *state.Field, t modeltype.Type, tag *fieldTag) (modeltype.Type, error) {
	if !isStructSlice(t) {
		return nil, fmt.Errorf("m2m needs a slice of model pointers such as []*Tag, not %s; change the type or remove m2m", t)
	}
	elem := t.Elem()
	if elem.Kind() != reflect.Pointer {
		if !reachesModel(elem, map[modeltype.Type]bool{}) && !tag.M2M {
			return nil, unsupported(t)
		}
		return nil, fmt.Errorf("%s holds model values; write []*%s with m2m", t, elem.Name())
	}
	target := elem.Elem()
	if !tag.M2M {
		if !reachesModel(target, map[modeltype.Type]bool{}) {
			return nil, unsupported(t)
		}
		return nil, fmt.Errorf("%s is a slice of models; add m2m to make it a many-to-many field, or pm:\"-\" to leave it out", t)
	}
	label, err := r.target(target)
	if err != nil {
		return nil, err
	}
	if opt := tag.firstOf(notForManyToMany()...); opt != "" {
		return nil, fmt.Errorf("%s does not apply to a many-to-many field; remove it", opt)
	}
	if tag.Through != "" && tag.Table != "" {
		return nil, fmt.Errorf("through= and table= exclude each other (the through model owns its table); remove table=")
	}
	if err := checkJoinColumns(tag); err != nil {
		return nil, err
	}
	f.Kind = state.ManyToMany
	f.Relation = &state.Relation{To: label, Through: tag.Through, Table: tag.Table, FromColumn: tag.FromColumn, ToColumn: tag.ToColumn, RelatedName: tag.RelatedName}
	return target, nil
}

// readSQL reads a column whose type the tag spells per dialect
// (type=postgres:inet;mysql:varchar(45)): any Go type database/sql can
// scan into and send (string, []byte, a sql.Scanner and driver.Valuer);
// the type decides nothing but whether the column is nullable.
func readSQL(f *state.Field, t modeltype.Type, tag *fieldTag) error {
	notForSQL := append(relationOnlyOptions(), "m2m", "auto", "max_length", "max_digits", "decimal_places", "default", "db_default")
	if opt := tag.firstOf(notForSQL...); opt != "" {
		return fmt.Errorf("%s does not apply to a field with a spelled SQL type (type=<dialect>:<type>), whose size and default the type itself says; remove it", opt)
	}
	g, _ := scalarType(t)
	f.Kind, f.SQLTypes = state.SQL, tag.SQLTypes
	f.Null = tag.Null || g.Null
	if tag.PrimaryKey && f.Null {
		return fmt.Errorf("a primary key cannot be null; remove null and use a non-pointer type")
	}
	return nil
}

// readScalar reads a column that is not a relation: kind from the Go type and
// type=, then lengths, digits, keys and the default.
func readScalar(f *state.Field, goName string, t modeltype.Type, tag *fieldTag) error {
	if opt := tag.firstOf(relationOnlyOptions()...); opt != "" {
		return fmt.Errorf("%s applies only to relation fields (*Model or []*Model); remove it", opt)
	}
	g, ok := scalarType(t)
	kind := g.Kind
	switch {
	case tag.Type == "json":
		kind = state.JSON
	case tag.Type != "":
		var err error
		if kind, err = overrideKind(g, tag.Type); err != nil {
			return err
		}
	case !ok:
		return unsupported(t)
	}
	kind, err := applyLengths(f, g, kind, t, tag)
	if err != nil {
		return err
	}
	f.Null = tag.Null || g.Null
	if kind, err = keyKind(goName, kind, tag); err != nil {
		return err
	}
	f.Kind = kind
	if tag.PrimaryKey && f.Null {
		return fmt.Errorf("a primary key cannot be null; remove null and use a non-pointer type")
	}
	if f.Default != nil {
		if kind.IsAuto() {
			return fmt.Errorf("default does not apply to an auto-increment key; remove it")
		}
		if tag.DBDefault != "" {
			return fmt.Errorf("default=%s and db_default=%s exclude each other; keep one", *f.Default, tag.DBDefault)
		}
		return checkDefault(kind, *f.Default, f.MaxDigits, f.DecimalPlaces)
	}
	return checkDBDefault(f, t)
}

// checkDBDefault checks that db_default fits the field: now on a time.Time
// field, uuid on a type=uuid field.
func checkDBDefault(f *state.Field, t modeltype.Type) error {
	if err := f.CheckDBDefault(); err != nil {
		switch f.DBDefault {
		case state.DBNow:
			return fmt.Errorf("db_default=now needs a time.Time field (the database's current time), not %s; make the field time.Time or remove db_default", t)
		case state.DBUUID:
			return fmt.Errorf("db_default=uuid needs a UUID field, not %s; add type=uuid to a string or [16]byte field, or remove db_default", describeKind(f, t))
		}
		return err
	}
	return nil
}

// describeKind names the field's Go type, with its type= when it has one.
func describeKind(f *state.Field, t modeltype.Type) string {
	if f.Kind == state.Char || f.Kind == state.Text {
		return fmt.Sprintf("a %s %s field", t, f.Kind)
	}
	return t.String()
}

// applyLengths checks max_length, max_digits and decimal_places against the
// kind and copies them into f; a string with max_length becomes Char.
func applyLengths(f *state.Field, g goType, kind state.Kind, t modeltype.Type, tag *fieldTag) (state.Kind, error) {
	if tag.has("max_length") {
		switch {
		case !g.isString():
			return "", fmt.Errorf("max_length applies only to string fields, not %s; remove it", t)
		case kind == state.Text && tag.Type == "":
			kind = state.Char
		case kind != state.Char:
			return "", fmt.Errorf("max_length does not apply to type=%s; remove one of them", tag.Type)
		}
		f.MaxLength = tag.MaxLength
	} else if kind == state.Char {
		return "", fmt.Errorf("type=char needs max_length; add max_length=<n>")
	}
	if kind != state.Decimal {
		if opt := tag.firstOf("max_digits", "decimal_places"); opt != "" {
			return "", fmt.Errorf("%s applies only to models.Decimal fields, not %s; remove it", opt, t)
		}
		return kind, nil
	}
	if !tag.has("max_digits") || !tag.has("decimal_places") {
		return "", fmt.Errorf("decimal needs max_digits and decimal_places; add them, e.g. pm:\"max_digits=10,decimal_places=2\"")
	}
	if tag.DecimalPlaces > tag.MaxDigits {
		return "", fmt.Errorf("decimal_places=%d is more than max_digits=%d; max_digits counts every digit, the decimal places included", tag.DecimalPlaces, tag.MaxDigits)
	}
	f.MaxDigits, f.DecimalPlaces = tag.MaxDigits, tag.DecimalPlaces
	return kind, nil
}

// keyKind makes integer primary keys auto-increment: with auto, or when the
// key is a field named ID (int64/int → BigAuto, int32 → Auto).
func keyKind(goName string, kind state.Kind, tag *fieldTag) (state.Kind, error) {
	if tag.Auto && !tag.PrimaryKey {
		return "", fmt.Errorf("auto needs primary_key; add primary_key, or remove auto")
	}
	if !tag.PrimaryKey || (!tag.Auto && goName != "ID") {
		return kind, nil
	}
	switch kind {
	case state.BigInteger:
		return state.BigAuto, nil
	case state.Integer:
		return state.Auto, nil
	}
	if tag.Auto {
		return "", fmt.Errorf("auto needs an int, int64 or int32 field (there is no smaller auto-increment kind), not a %s field; change the type or remove auto", kind)
	}
	return kind, nil
}

// setColumn stores the column named by column= or a db tag, when it differs
// from the one Field.ColumnName derives.
func setColumn(f *state.Field, sf modeltype.Field, tag *fieldTag) error {
	col := tag.Column
	if db := dbName(sf); db != "" {
		if col != "" && col != db {
			return fmt.Errorf("column=%s and db:%q disagree; keep one of them", col, db)
		}
		col = db
	}
	if col != "" && col != f.ColumnName() {
		f.Column = col
	}
	return nil
}

// checkDefault checks a default literal against a numeric or boolean kind;
// other kinds take any literal.
func checkDefault(kind state.Kind, value string, maxDigits, places int) error {
	switch kind {
	case state.BigInteger, state.Integer, state.SmallInteger, state.BigAuto, state.Auto:
		bits := 64
		switch kind {
		case state.Integer, state.Auto:
			bits = 32
		case state.SmallInteger:
			bits = 16
		}
		if _, err := strconv.ParseInt(value, 10, bits); err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return fmt.Errorf("default=%s is out of range for a %d-bit integer; use a smaller number", value, bits)
			}
			return fmt.Errorf("default=%s is not a number; write a whole number such as default=0", value)
		}
	case state.Float:
		if !isDecimalLiteral(value, true) {
			return fmt.Errorf("default=%s is not a number; write a number such as default=0.5", value)
		}
	case state.Decimal:
		return checkDecimalDefault(value, maxDigits, places)
	case state.Boolean:
		if value != "true" && value != "false" {
			return fmt.Errorf("default=%s is not a boolean; write default=true or default=false", value)
		}
	case state.DateTime, state.Date, state.Time:
		return checkTimeDefault(kind, value)
	}
	return nil
}

// timeDefaultLayouts are the spellings a time default literal may take, by
// kind; a datetime without a zone is UTC.
var timeDefaultLayouts = map[state.Kind][]string{
	state.DateTime: {
		"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04", "2006-01-02",
	},
	state.Date: {"2006-01-02"},
	state.Time: {"15:04:05.999999999", "15:04"},
}

// timeDefaultExamples shows one valid literal per kind in messages.
var timeDefaultExamples = map[state.Kind]string{
	state.DateTime: "default=2024-01-31 10:00:00",
	state.Date:     "default=2024-01-31",
	state.Time:     "default=10:00:00",
}

// checkTimeDefault checks that a datetime, date or time default is a fixed
// instant: a literal such as CURRENT_TIMESTAMP would be stored as text (or
// refused at migrate time), so it points at db_default=now instead.
func checkTimeDefault(kind state.Kind, value string) error {
	v := strings.TrimSpace(value)
	for _, layout := range timeDefaultLayouts[kind] {
		if _, err := time.Parse(layout, v); err == nil {
			return nil
		}
	}
	if isNowKeyword(v) {
		return fmt.Errorf("default=%s is a literal, not the time of insert; write db_default=now to let the database fill in the current time", value)
	}
	return fmt.Errorf("default=%s is not a %s; write a fixed value such as %s, or db_default=now for the time of insert", value, kind, timeDefaultExamples[kind])
}

// isNowKeyword reports whether v is one of the SQL spellings of "the current
// time" that users write as a default.
func isNowKeyword(v string) bool {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(v), "()")) {
	case "now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime",
		"sysdate", "curdate", "curtime", "utc_timestamp", "getdate", "today":
		return true
	}
	return false
}

// checkDecimalDefault checks a decimal default is a plain number that fits
// max_digits and decimal_places.
func checkDecimalDefault(value string, maxDigits, places int) error {
	if !isDecimalLiteral(value, false) {
		return fmt.Errorf("default=%s is not a number; write a decimal such as default=0.00", value)
	}
	whole, frac, _ := strings.Cut(strings.TrimLeft(value, "+-"), ".")
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	if len(frac) > places || len(whole) > maxDigits-places {
		return fmt.Errorf("default=%s does not fit max_digits=%d, decimal_places=%d; use a smaller default or widen the field", value, maxDigits, places)
	}
	return nil
}

// resolve finishes relation fields once every model is read: to_field
// becomes a target field name and through= a model label.
func (r *reader) resolve(e *entry) error {
	for i, f := range e.model.Fields {
		if f.Relation == nil {
			continue
		}
		src := e.sources[i]
		target := r.byType[src.target]
		var err error
		if f.Kind == state.ManyToMany {
			err = r.resolveThrough(e, f, target)
		} else {
			err = resolveToField(f, target)
		}
		if err != nil {
			return fmt.Errorf("%s.%s: %w", src.owner, src.goName, err)
		}
	}
	return nil
}

// resolveToField normalises to_field (Go or state name) to the target's
// field name ("" for its primary key) and checks the default against the
// referenced column.
func resolveToField(f *state.Field, target *entry) error {
	ref := target.model.PrimaryKey()
	if name := f.Relation.ToField; name != "" {
		tf := target.lookup(name)
		switch {
		case tf == nil:
			return fmt.Errorf("to_field=%s: %s has no such field; name one of its unique fields (fields: %s)", name, target.t, target.fieldNames())
		case !tf.HasColumn():
			return fmt.Errorf("to_field=%s names a many-to-many field of %s; name a unique column", name, target.t)
		case !tf.IsUnique():
			return fmt.Errorf("to_field=%s names %s.%s, which is not unique; add unique to it, or point at a unique field", name, target.t, tf.Name)
		}
		f.Relation.ToField = tf.Name
		if tf.PrimaryKey {
			f.Relation.ToField = ""
		}
		ref = tf
	}
	if f.Default == nil || ref == nil {
		return nil
	}
	kind := ref.Kind
	switch kind {
	case state.BigAuto:
		kind = state.BigInteger
	case state.Auto:
		kind = state.Integer
	}
	return checkDefault(kind, *f.Default, ref.MaxDigits, ref.DecimalPlaces)
}

// resolveThrough turns through= into a model label and checks that the
// through model has foreign keys to both sides.
func (r *reader) resolveThrough(e *entry, f *state.Field, target *entry) error {
	ref := f.Relation.Through
	if ref == "" {
		return nil
	}
	th := r.modelByLabel(e.app, ref)
	if th == nil {
		app, name := state.SplitLabel(e.app, ref)
		return fmt.Errorf("through=%s: app %s has no model %s; name a model type (app.Type for another app's)", ref, app, name)
	}
	f.Relation.Through = th.label()
	toSource, toTarget := 0, 0
	for _, tf := range th.model.Fields {
		if tf.Kind != state.ForeignKey && tf.Kind != state.OneToOne {
			continue
		}
		if tf.Relation.To == e.label() {
			toSource++
		}
		if tf.Relation.To == target.label() {
			toTarget++
		}
	}
	enough := toSource >= 1 && toTarget >= 1
	if e == target {
		enough = toSource >= 2
	}
	if !enough {
		return fmt.Errorf("through model %s needs a foreign key to %s and one to %s; add them to %s", th.t, e.t, target.t, th.t.Name())
	}
	return nil
}

// checkJoinColumns refuses from_column= and to_column= where they cannot
// name the automatic join table's columns: with a through model (which
// owns its columns), empty, as the join table's key id, or both the same.
func checkJoinColumns(tag *fieldTag) error {
	for _, opt := range []string{"from_column", "to_column"} {
		if !tag.has(opt) {
			continue
		}
		if tag.Through != "" {
			return fmt.Errorf("through= and %s= exclude each other (the through model names its own columns); remove %s=", opt, opt)
		}
		col := tag.FromColumn
		if opt == "to_column" {
			col = tag.ToColumn
		}
		if col == "" || col == "id" {
			return fmt.Errorf("%s=%s cannot name a join table column (the join table's key is id); give a column name, e.g. %s=flatpage_id", opt, col, opt)
		}
	}
	if tag.FromColumn != "" && tag.FromColumn == tag.ToColumn {
		return fmt.Errorf("from_column= and to_column= are both %s; give the join table's two columns different names", tag.FromColumn)
	}
	return nil
}
