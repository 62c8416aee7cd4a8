package mysql

import (
	"errors"
	"fmt"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/pmanager/pmanager/pkg/schema"
)

var _ schema.Explainer = (*Editor)(nil)

// syntaxError is the server's error number for a statement it cannot parse.
const syntaxError = 1064

// expressionDefaults are the parts of the db_default expressions that only
// servers with expression defaults (MariaDB 10.2, MySQL 8.0.13) parse; an
// older server's syntax error quotes the text near them.
var expressionDefaults = []string{"(CURRENT_DATE)", "(CURRENT_TIME(6))", "(REPLACE(UUID()"}

// Explain adds to a syntax error on a db_default expression that the server
// is too old for it, since the server's own message only says "near".
func (e *Editor) Explain(err error) error {
	var me *gomysql.MySQLError
	if !errors.As(err, &me) || me.Number != syntaxError {
		return err
	}
	for _, expr := range expressionDefaults {
		if strings.Contains(me.Message, expr) {
			return fmt.Errorf("%w (this server does not accept an expression as a column default, which db_default=now on a date or time field "+
				"and db_default=uuid need: they need MariaDB 10.2 or MySQL 8.0.13 or later; upgrade the server, or use a datetime field, "+
				"or remove db_default and set the value in the application)", err)
		}
	}
	return err
}
