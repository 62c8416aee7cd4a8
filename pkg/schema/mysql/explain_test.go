package mysql

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
)

// A server too old for expression defaults answers a db_default with a bare
// syntax error; Explain says why and what to do. Other errors pass unchanged.
func TestExplainExpressionDefault(t *testing.T) {
	t.Parallel()
	old := &gomysql.MySQLError{Number: 1064, Message: "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '(REPLACE(UUID(),'-','')))' at line 1"}
	got := New().Explain(fmt.Errorf("add field: %w", old))
	if !strings.Contains(got.Error(), "MariaDB 10.2 or MySQL 8.0.13") || !errors.Is(got, old) {
		t.Errorf("Explain = %v; want the server version named and the error kept", got)
	}
	other := &gomysql.MySQLError{Number: 1064, Message: "You have an error in your SQL syntax near 'FROM'"}
	if got := New().Explain(other); got != error(other) {
		t.Errorf("Explain changed an unrelated syntax error: %v", got)
	}
}
