package sqlsplit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/schema"
)

// stmt is a statement as the tests write it: line and text.
type stmt struct {
	Line int
	Text string
}

func TestSplit(t *testing.T) {
	t.Parallel()
	const pg, my, lite = schema.Postgres, schema.MySQL, schema.SQLite
	all := []schema.Dialect{pg, my, lite}
	tests := []struct {
		name     string
		dialects []schema.Dialect
		src      string
		want     []stmt
	}{
		{"empty", all, "", nil},
		{"only comments and delimiters", all, "-- a\n/* b */ ;\n;  \n", nil},
		{"two statements", all, "SELECT 1;\nSELECT 2;\n", []stmt{{1, "SELECT 1"}, {2, "SELECT 2"}}},
		{"no final delimiter", all, "SELECT 1;\n\n  SELECT 2  \n", []stmt{{1, "SELECT 1"}, {3, "SELECT 2"}}},
		{"leading comments dropped, inner kept", all, "-- intro\n/* more\n */ SELECT 1 /* x; */ , 2 -- tail;\n;",
			[]stmt{{3, "SELECT 1 /* x; */ , 2 -- tail;"}}},
		{"doubled quotes", all, "INSERT INTO t VALUES ('a;''b');SELECT 'c'", []stmt{{1, "INSERT INTO t VALUES ('a;''b')"}, {1, "SELECT 'c'"}}},
		{"string over lines", all, "SELECT 'a\n;\nb';\nSELECT 3", []stmt{{1, "SELECT 'a\n;\nb'"}, {4, "SELECT 3"}}},
		{"double-quoted name", []schema.Dialect{pg, lite}, `CREATE TABLE "a;""b" (x int); SELECT 1`, []stmt{{1, `CREATE TABLE "a;""b" (x int)`}, {1, "SELECT 1"}}},
		{"backslash is plain outside MySQL", []schema.Dialect{pg, lite}, `SELECT 'a\'; SELECT 2`, []stmt{{1, `SELECT 'a\'`}, {1, "SELECT 2"}}},
		{"backslash escapes on MySQL", []schema.Dialect{my}, `SELECT 'a\'; b', "c\"; d"; SELECT 2`, []stmt{{1, `SELECT 'a\'; b', "c\"; d"`}, {1, "SELECT 2"}}},
		{"E string on PostgreSQL", []schema.Dialect{pg}, `SELECT E'a\'; b'; SELECT 2`, []stmt{{1, `SELECT E'a\'; b'`}, {1, "SELECT 2"}}},
		{"backticks", []schema.Dialect{my, lite}, "SELECT `a;``b` FROM t; SELECT 2", []stmt{{1, "SELECT `a;``b` FROM t"}, {1, "SELECT 2"}}},
		{"SQLite brackets", []schema.Dialect{lite}, "SELECT [a;b] FROM t; SELECT 2", []stmt{{1, "SELECT [a;b] FROM t"}, {1, "SELECT 2"}}},
		{"hash comment on MySQL", []schema.Dialect{my}, "# intro;\nSELECT 1 # x;\n;SELECT 2", []stmt{{2, "SELECT 1 # x;"}, {3, "SELECT 2"}}},
		{"MySQL -- needs a space", []schema.Dialect{my}, "SELECT 1--1;\nSELECT 2 -- c;\n;", []stmt{{1, "SELECT 1--1"}, {2, "SELECT 2 -- c;"}}},
		{"MySQL executable comment is code", []schema.Dialect{my}, "/*!40101 SET NAMES utf8 */;\n/* plain */;", []stmt{{1, "/*!40101 SET NAMES utf8 */"}}},
		{"nested comments on PostgreSQL", []schema.Dialect{pg}, "/* a /* b; */ c; */ SELECT 1; SELECT 2", []stmt{{1, "SELECT 1"}, {1, "SELECT 2"}}},
		{"dollar quotes", []schema.Dialect{pg}, "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\nDO $body$ BEGIN PERFORM '$$;'; END $body$;\nSELECT $1, a$b$ FROM t",
			[]stmt{{1, "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql"}, {2, "DO $body$ BEGIN PERFORM '$$;'; END $body$"}, {3, "SELECT $1, a$b$ FROM t"}}},
		{"BEGIN ATOMIC body", []schema.Dialect{pg}, "CREATE PROCEDURE p() LANGUAGE SQL BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END;\nSELECT 1",
			[]stmt{{1, "CREATE PROCEDURE p() LANGUAGE SQL BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END"}, {2, "SELECT 1"}}},
		{"SQLite trigger", []schema.Dialect{lite}, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET n = CASE WHEN n > 1 THEN 1 ELSE 2 END;\n  DELETE FROM u;\nEND;\nSELECT 1;",
			[]stmt{{1, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET n = CASE WHEN n > 1 THEN 1 ELSE 2 END;\n  DELETE FROM u;\nEND"}, {5, "SELECT 1"}}},
		{"MySQL procedure without DELIMITER", []schema.Dialect{my}, "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; WHILE 0 DO SELECT 2; END WHILE; END;\nCALL p();",
			[]stmt{{1, "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; WHILE 0 DO SELECT 2; END WHILE; END"}, {2, "CALL p()"}}},
		{"MySQL DELIMITER", []schema.Dialect{my}, "DELIMITER //\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.a = 1;\nEND//\ndelimiter ;\nSELECT 1;",
			[]stmt{{2, "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.a = 1;\nEND"}, {6, "SELECT 1"}}},
		{"transaction BEGIN is a statement", all, "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;", []stmt{{1, "BEGIN"}, {2, "INSERT INTO t VALUES (1)"}, {3, "COMMIT"}}},
		{"a column named function is not a body", []schema.Dialect{pg, lite}, "CREATE TABLE t (id int, kind text, function text, begin_at int);\nSELECT 1;",
			[]stmt{{1, "CREATE TABLE t (id int, kind text, function text, begin_at int)"}, {2, "SELECT 1"}}},
		{"CRLF lines", all, "SELECT 1;\r\nSELECT 2;\r\n", []stmt{{1, "SELECT 1"}, {2, "SELECT 2"}}},
	}
	for _, tt := range tests {
		for _, d := range tt.dialects {
			t.Run(tt.name+"/"+string(d), func(t *testing.T) {
				got, err := Split(tt.src, d)
				if err != nil {
					t.Fatalf("Split: %v", err)
				}
				var short []stmt
				for _, s := range got {
					short = append(short, stmt{s.Line, s.Text})
					if tt.src[s.Offset:s.Offset+len(s.Text)] != s.Text {
						t.Errorf("Offset %d does not point at %q", s.Offset, s.Text)
					}
				}
				if diff := cmp.Diff(tt.want, short); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestSplitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    schema.Dialect
		src  string
		want string
	}{
		{"open quote", schema.SQLite, "SELECT 1;\nSELECT 'abc;\n", "line 2: quote ' is never closed"},
		{"open comment", schema.Postgres, "SELECT 1;\n\n/* x", "line 3: comment /* is never closed"},
		{"open nested comment", schema.Postgres, "/* a /* b */ SELECT 1", "line 1: comment /* is never closed"},
		{"open dollar quote", schema.Postgres, "SELECT 1;\nDO $x$ BEGIN END $y$;", "line 2: dollar quote $x$ is never closed"},
		{"open name", schema.MySQL, "SELECT `a;", "line 1: quote ` is never closed"},
		{"backslash escapes the closing quote", schema.MySQL, `SELECT 'a\';`, "line 1: quote ' is never closed"},
		{"open bracket", schema.SQLite, "SELECT [a", "line 1: bracket [ is never closed"},
		{"empty DELIMITER", schema.MySQL, "SELECT 1;\nDELIMITER   \nSELECT 2", "line 2: DELIMITER needs the new delimiter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Split(tt.src, tt.d)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Split error = %v, want it to start with %q", err, tt.want)
			}
		})
	}
}

func TestFirstLine(t *testing.T) {
	t.Parallel()
	if got := (Statement{Text: "INSERT INTO t  \r\nVALUES (1)"}).FirstLine(); got != "INSERT INTO t" {
		t.Errorf("FirstLine = %q", got)
	}
}

// BenchmarkSplit splits a dump-sized script: 10,000 INSERTs with quoted
// text, comments and a function body.
func BenchmarkSplit(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n")
	for i := range 10000 {
		sb.WriteString("-- row\nINSERT INTO post (id, title, body) VALUES (")
		sb.WriteString(strings.Repeat("1", 1+i%5))
		sb.WriteString(", 'A title; with ''quotes''', 'Body text /* not a comment */ that runs on');\n")
	}
	src := sb.String()
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for b.Loop() {
		stmts, err := Split(src, schema.Postgres)
		if err != nil || len(stmts) != 10001 {
			b.Fatalf("Split: %d statements, %v", len(stmts), err)
		}
	}
}
