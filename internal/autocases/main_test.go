package autocases

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets more cases run at once than there are CPUs unless -parallel
// says otherwise: a case spends nearly all its time waiting on a database
// server, not computing.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", "8"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
