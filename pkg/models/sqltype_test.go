package models

import (
	"database/sql"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/state"
)

// macAddr is a Go type of the user's own that database/sql scans into and
// sends: the shape a spelled SQL type is usually read into.
type macAddr struct{ text string }

func (m *macAddr) Scan(v any) error {
	switch v := v.(type) {
	case string:
		m.text = v
	case []byte:
		m.text = string(v)
	}
	return nil
}

func (m macAddr) Value() (driver.Value, error) { return m.text, nil }

var (
	_ sql.Scanner   = (*macAddr)(nil)
	_ driver.Valuer = macAddr{}
)

type Host struct {
	Model
	Addr    string         `pm:"type=pg:inet;mysql:varchar(45);sqlite:text"`
	Mac     macAddr        `pm:"type=postgres:macaddr;mysql:char(17),unique"`
	Gateway *macAddr       `pm:"type=pg:macaddr"`
	Blob    []byte         `pm:"type=mysql:mediumblob,index"`
	Note    sql.NullString `pm:"type=pg:citext"`
	Price   string         `pm:"type=pg:numeric(10,2);sqlite:numeric(10,2),column=cost"`
}

type HostWithDefault struct {
	Model
	Addr string `pm:"type=pg:inet,default=127.0.0.1"`
}

type HostWithLength struct {
	Model
	Addr string `pm:"type=pg:inet,max_length=10"`
}

// TestLoadSQLTypes: a field with spelled SQL types is kind sql whatever
// its Go type (a scanner struct, a pointer to one, []byte), nullable by
// pointer, sql.Null* or null, and its spellings are kept as written.
func TestLoadSQLTypes(t *testing.T) {
	t.Parallel()
	p, err := Load(app("main", Host{}))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Model("main", "Host").Fields[1:]
	sqlType := func(pairs ...string) []state.SQLType {
		var out []state.SQLType
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, state.SQLType{Dialect: pairs[i], Type: pairs[i+1]})
		}
		return out
	}
	want := []*state.Field{
		{Name: "addr", Kind: state.SQL, SQLTypes: sqlType("postgres", "inet", "mysql", "varchar(45)", "sqlite", "text")},
		{Name: "mac", Kind: state.SQL, Unique: true, SQLTypes: sqlType("postgres", "macaddr", "mysql", "char(17)")},
		{Name: "gateway", Kind: state.SQL, Null: true, SQLTypes: sqlType("postgres", "macaddr")},
		{Name: "blob", Kind: state.SQL, Index: true, SQLTypes: sqlType("mysql", "mediumblob")},
		{Name: "note", Kind: state.SQL, Null: true, SQLTypes: sqlType("postgres", "citext")},
		{Name: "price", Kind: state.SQL, Column: "cost", SQLTypes: sqlType("postgres", "numeric(10,2)", "sqlite", "numeric(10,2)")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestLoadSQLTypesErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		model any
		want  string
	}{
		{HostWithDefault{}, "models.HostWithDefault.Addr: default does not apply to a field with a spelled SQL type"},
		{HostWithLength{}, "models.HostWithLength.Addr: max_length does not apply to a field with a spelled SQL type"},
	} {
		_, err := Load(app("main", tc.model))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T: error %v; want %q", tc.model, err, tc.want)
		}
	}
}
