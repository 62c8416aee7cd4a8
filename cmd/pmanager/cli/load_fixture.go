package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pmanager/pmanager/pkg/schema"
)

// fixtureTable is one table of a JSON fixture with its rows, in file order.
type fixtureTable struct {
	name string
	rows []fixtureRow
}

// fixtureRow is one row: its columns and values, in file order.
type fixtureRow struct {
	cols []string
	vals []any
}

// parseFixture reads {"table": [{"column": value, ...}, ...], ...} keeping
// the order of tables, rows and columns as written.
func parseFixture(data []byte) ([]fixtureTable, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '{', "the fixture must be a JSON object of tables"); err != nil {
		return nil, err
	}
	var out []fixtureTable
	for dec.More() {
		name, err := key(dec)
		if err != nil {
			return nil, err
		}
		tbl := fixtureTable{name: name}
		if err := expectDelim(dec, '[', fmt.Sprintf("table %q must be a list of rows", name)); err != nil {
			return nil, err
		}
		for dec.More() {
			row, err := parseRow(dec, name, len(tbl.rows)+1)
			if err != nil {
				return nil, err
			}
			tbl.rows = append(tbl.rows, row)
		}
		if _, err := dec.Token(); err != nil {
			return nil, jsonError(err)
		}
		out = append(out, tbl)
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the fixture's closing }")
	}
	return out, nil
}

// parseRow reads one row object of table.
func parseRow(dec *json.Decoder, table string, n int) (fixtureRow, error) {
	var row fixtureRow
	if err := expectDelim(dec, '{', fmt.Sprintf("table %q, row %d: a row must be an object of column values", table, n)); err != nil {
		return row, err
	}
	for dec.More() {
		col, err := key(dec)
		if err != nil {
			return row, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return row, jsonError(err)
		}
		v, err := fixtureValue(raw)
		if err != nil {
			return row, fmt.Errorf("table %q, row %d, column %q: %w", table, n, col, err)
		}
		row.cols = append(row.cols, col)
		row.vals = append(row.vals, v)
	}
	if _, err := dec.Token(); err != nil {
		return row, jsonError(err)
	}
	return row, nil
}

// fixtureValue turns a JSON value into a query argument: null, booleans,
// strings and integers as themselves, other numbers as their exact text
// (a decimal column keeps every digit), objects and arrays as JSON text
// (for JSON columns).
func fixtureValue(raw json.RawMessage) (any, error) {
	switch raw[0] {
	case 'n':
		return nil, nil
	case 't', 'f':
		return raw[0] == 't', nil
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '{', '[':
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return nil, err
		}
		return b.String(), nil
	}
	if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return i, nil
	}
	return string(raw), nil
}

func expectDelim(dec *json.Decoder, want json.Delim, msg string) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%s", msg)
	}
	return nil
}

func key(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", jsonError(err)
	}
	k, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected a table or column name, found %v", tok)
	}
	return k, nil
}

// jsonError words a decoding error for a user fixing the file.
func jsonError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("the JSON ends too early; close every [ and {")
	}
	return fmt.Errorf("not valid JSON: %w", err)
}

// loadFixture inserts a JSON fixture's rows in one transaction and returns
// the number of rows and of distinct tables.
func loadFixture(ctx context.Context, db *sql.DB, ed schema.Editor, file string, data []byte) (int, int, error) {
	tables, err := parseFixture(data)
	if err != nil {
		return 0, 0, fmt.Errorf("cli: %s: %w; nothing was loaded", file, err)
	}
	rows := 0
	distinct := map[string]bool{}
	var order []string
	err = inTx(ctx, db, func(tx *sql.Tx) error {
		for _, t := range tables {
			if !distinct[t.name] {
				distinct[t.name] = true
				order = append(order, t.name)
			}
			for i, r := range t.rows {
				if _, err := tx.ExecContext(ctx, insertSQL(ed, t.name, r.cols), r.vals...); err != nil {
					return fmt.Errorf("cli: load failed at %s: table %q, row %d: %w; nothing was loaded", file, t.name, i+1, err)
				}
				rows++
			}
		}
		if err := checkDeferred(ctx, tx, ed, file); err != nil {
			return fmt.Errorf("%w; nothing was loaded", err)
		}
		if ed.Dialect() == schema.Postgres {
			for _, name := range order {
				if err := resetSequences(ctx, tx, ed, name); err != nil {
					return fmt.Errorf("cli: load failed at %s: table %q: %w; nothing was loaded", file, name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return rows, len(distinct), nil
}

// insertSQL is the INSERT of one row with the dialect's placeholders.
func insertSQL(ed schema.Editor, table string, cols []string) string {
	if len(cols) == 0 {
		if ed.Dialect() == schema.MySQL {
			return "INSERT INTO " + ed.Quote(table) + " () VALUES ()"
		}
		return "INSERT INTO " + ed.Quote(table) + " DEFAULT VALUES"
	}
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	for i, c := range cols {
		names[i] = ed.Quote(c)
		marks[i] = "?"
		if ed.Dialect() == schema.Postgres {
			marks[i] = "$" + strconv.Itoa(i+1)
		}
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", ed.Quote(table), strings.Join(names, ", "), strings.Join(marks, ", "))
}

// resetSequences moves the sequences behind a PostgreSQL table's serial
// and identity columns past the largest value loaded, so the next row the
// application inserts does not collide with a fixture's explicit id
// (MySQL and SQLite do this by themselves).
func resetSequences(ctx context.Context, tx *sql.Tx, ed schema.Editor, table string) error {
	rows, err := tx.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1 AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`, table)
	if err != nil {
		return fmt.Errorf("find its sequences: %w", err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return fmt.Errorf("find its sequences: %w", err)
		}
		cols = append(cols, c)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("find its sequences: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find its sequences: %w", err)
	}
	for _, c := range cols {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(%[1]s), 1), MAX(%[1]s) IS NOT NULL) FROM %[2]s`, ed.Quote(c), ed.Quote(table))
		if _, err := tx.ExecContext(ctx, q, ed.Quote(table), c); err != nil {
			return fmt.Errorf("reset the sequence of %s: %w", c, err)
		}
	}
	return nil
}
