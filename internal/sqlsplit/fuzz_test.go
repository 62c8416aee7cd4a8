package sqlsplit

import (
	"strings"
	"testing"

	"github.com/pmanager/pmanager/pkg/schema"
)

// FuzzSplit checks what must hold for any script on every dialect: Split
// never panics; each statement is the exact, trimmed text at its offset,
// on the line it reports, in order; what lies between statements holds no
// statement of its own (only white space, comments, delimiters and
// DELIMITER lines), so joining the statements and those gaps gives the
// script back; and a statement split again on its own is itself.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"SELECT 1;\nSELECT 2",
		"INSERT INTO t VALUES ('a;''b', \"c\\\"\", `d;`);",
		"-- c\n# h\n/* b /* n */ */ SELECT [x;] FROM y;",
		"CREATE FUNCTION f() AS $t$ BEGIN; END $t$; SELECT $1",
		"CREATE TRIGGER t BEGIN UPDATE x SET a = CASE WHEN 1 THEN 2 END; END; SELECT 1",
		"DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;\nSELECT 2;",
		"SELECT E'\\'';/*!40101 SET x=1 */;",
		"COPY t (a) FROM stdin;\n1\n;x\n\\.\nSELECT 1;",
		"\\restrict k\nSET a = 1;\n\\unrestrict k\n",
	} {
		for d := range 3 {
			f.Add(seed, uint8(d))
		}
	}
	dialects := []schema.Dialect{schema.Postgres, schema.MySQL, schema.SQLite}
	f.Fuzz(func(t *testing.T, src string, which uint8) {
		d := dialects[int(which)%len(dialects)]
		stmts, err := Split(src, d)
		if err != nil {
			return
		}
		prevEnd, prevDelim := 0, DefaultDelimiter
		for i, s := range stmts {
			if s.Text == "" || strings.Trim(s.Text, spaces) != s.Text {
				t.Fatalf("statement %d is empty or untrimmed: %q", i, s.Text)
			}
			if s.Offset < prevEnd || s.Offset+len(s.Text) > len(src) || src[s.Offset:s.Offset+len(s.Text)] != s.Text {
				t.Fatalf("statement %d (%q) is not the script's text at offset %d", i, s.Text, s.Offset)
			}
			if want := 1 + strings.Count(src[:s.Offset], "\n"); s.Line != want {
				t.Fatalf("statement %d says line %d, starts on line %d", i, s.Line, want)
			}
			gap, err := splitFrom(src[prevEnd:s.Offset], d, prevDelim)
			if err != nil || len(gap) > 0 {
				t.Fatalf("the text before statement %d, %q, holds statements %+v (err %v)", i, src[prevEnd:s.Offset], gap, err)
			}
			again, err := splitFrom(s.Text, d, s.Delimiter)
			if s.CopyData {
				// Without its data lines, a COPY on its own is refused.
				again, err = []Statement{s}, nil
			}
			if err != nil || len(again) != 1 || again[0].Text != s.Text {
				t.Fatalf("statement %d, %q, split again gives %+v (err %v)", i, s.Text, again, err)
			}
			prevEnd, prevDelim = s.Offset+len(s.Text), s.Delimiter
			if s.CopyData {
				// The data lines and their \. line belong to the COPY.
				if s.End <= prevEnd || s.End > len(src) || !strings.Contains(src[prevEnd:s.End], s.Data) {
					t.Fatalf("statement %d, %q, has data %q ending at %d, not in the script", i, s.Text, s.Data, s.End)
				}
				prevEnd = s.End
			}
		}
	})
}

// FuzzClassify checks that reading any statement's words and classifying
// it never panics, on every dialect and for any server version, and that
// every kind but Transactional comes with its reason.
func FuzzClassify(f *testing.F) {
	for _, seed := range []string{
		"/*!40000 ALTER TABLE `t` DISABLE KEYS */",
		"/*M!100100 LOCK TABLES t WRITE */",
		"SET @a = 1, autocommit = @b",
		"CREATE INDEX CONCURRENTLY i ON t (a)",
		"DO $x$ BEGIN COMMIT; END $x$",
		"SELECT E'\\'' /*! ",
		"/*!",
	} {
		f.Add(seed, uint8(0), 101106)
		f.Add(seed, uint8(1), 0)
		f.Add(seed, uint8(2), 50700)
	}
	dialects := []schema.Dialect{schema.MySQL, schema.Postgres, schema.SQLite}
	f.Fuzz(func(t *testing.T, text string, which uint8, version int) {
		d := dialects[int(which)%len(dialects)]
		c := Classify(text, d, Server{Version: version, MariaDB: which%2 == 0})
		if c.Kind != Transactional && c.Why == "" {
			t.Fatalf("Classify(%q, %s) = kind %d without a reason", text, d, c.Kind)
		}
	})
}
