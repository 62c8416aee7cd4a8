package cli

import (
	"io"
	"log"

	"github.com/go-sql-driver/mysql"
)

// The MySQL driver logs a dropped connection to stderr by itself
// ("[mysql] packets.go:58 unexpected EOF") before returning its error;
// pmanager reports the error in its own words, so the raw line would only
// repeat it out of context. The driver offers this switch only for the
// whole process, which is the command line's to set.
func init() {
	_ = mysql.SetLogger(log.New(io.Discard, "", 0)) // it fails only for a nil logger
}
