package lint

import (
	"regexp"

	"github.com/pmanager/pmanager/pkg/state"
)

// MySQL's and MariaDB's online DDL, from their manuals' tables of which
// ALTER TABLE operation is INSTANT, INPLACE (with or without a rebuild)
// or COPY, and the LOCK each allows, for the server's version.

var (
	myAddColumnRe  = regexp.MustCompile("ADD COLUMN " + bq)
	myDropColumnRe = regexp.MustCompile("DROP COLUMN " + bq)
	myModifyRe     = regexp.MustCompile("(?:MODIFY COLUMN " + bq + "|CHANGE COLUMN " + bq + " " + bq + ")")
	myAddFKRe      = regexp.MustCompile("ADD CONSTRAINT " + bq + " FOREIGN KEY ")
	myAddCheckRe   = regexp.MustCompile("ADD CONSTRAINT " + bq + " CHECK ")
)

// instantAddColumn reports whether v adds a column with ALGORITHM=INSTANT
// (at the end of the table, as pmanager adds it): MySQL 8.0.12, MariaDB
// 10.3.2.
func instantAddColumn(v Version) bool {
	if v.MariaDB {
		return v.AtLeast(10, 3, 2)
	}
	return v.AtLeast(8, 0, 12)
}

// instantDropColumn reports whether v drops a column with
// ALGORITHM=INSTANT: MySQL 8.0.29, MariaDB 10.4.
func instantDropColumn(v Version) bool {
	if v.MariaDB {
		return v.AtLeast(10, 4, 0)
	}
	return v.AtLeast(8, 0, 29)
}

// serverWords names the target's server for details: "MySQL 5.7.0,
// assumed", "MySQL 5.7.0, configured", "MariaDB 10.11.6".
func serverWords(t Target) string {
	name := "MySQL"
	if t.Version.MariaDB {
		name = "MariaDB"
	}
	s := name + " " + t.Version.String()
	switch {
	case t.Guessed:
		s += ", assumed"
	case t.Configured:
		s += ", configured"
	}
	return s
}

// myClauses calls each for every match of re in the ALTER TABLE
// statements on tables that were there before the operation.
func (in *Input) myClauses(re *regexp.Regexp, each func(table string, m []string)) {
	for _, s := range in.Statements {
		table := alterTable(s, bq)
		if !in.existing(table) {
			continue
		}
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			each(table, m)
		}
	}
}

func myAddColumn(in *Input) []string {
	if instantAddColumn(in.Target.Version) {
		return nil
	}
	var out []string
	in.myClauses(myAddColumnRe, func(table string, m []string) {
		out = append(out, "ADD COLUMN "+unquote(m[1])+" rebuilds "+table+": ALGORITHM=INPLACE, LOCK=NONE on "+serverWords(in.Target))
	})
	return out
}

func myDropColumn(in *Input) []string {
	if instantDropColumn(in.Target.Version) {
		return nil
	}
	var out []string
	in.myClauses(myDropColumnRe, func(table string, m []string) {
		out = append(out, "DROP COLUMN "+unquote(m[1])+" rebuilds "+table+": ALGORITHM=INPLACE, LOCK=NONE on "+serverWords(in.Target))
	})
	return out
}

// myModified calls each for every column a MODIFY or CHANGE COLUMN
// restates, with its field before and after.
func (in *Input) myModified(each func(table, col string, of, nf *state.Field)) {
	in.myClauses(myModifyRe, func(table string, m []string) {
		col, newCol := m[1], m[1]
		if col == "" {
			col, newCol = m[2], m[3]
		}
		col, newCol = unquote(col), unquote(newCol)
		of, _ := in.fieldPair(table, col)
		_, nf := in.fieldPair(table, newCol)
		if of != nil && nf != nil {
			each(table, col, of, nf)
		}
	})
}

// myInPlaceType reports whether v changes of's type into nf's without a
// copy: a longer varchar whose length prefix stays one byte (up to 63
// utf8mb4 characters) or stays two, and on MariaDB 10.4.3+ any longer
// varchar.
func myInPlaceType(v Version, of, nf *state.Field) bool {
	if sameType(of, nf) {
		return true
	}
	if of.Kind != state.Char || nf.Kind != state.Char || nf.MaxLength < of.MaxLength {
		return false
	}
	if v.MariaDB && v.AtLeast(10, 4, 3) {
		return true
	}
	const oneBytePrefix = 63 // 255 bytes of utf8mb4
	return (of.MaxLength <= oneBytePrefix) == (nf.MaxLength <= oneBytePrefix)
}

func myModifyType(in *Input) []string {
	var out []string
	in.myModified(func(table, col string, of, nf *state.Field) {
		if !myInPlaceType(in.Target.Version, of, nf) {
			out = append(out, "MODIFY COLUMN "+col+" to "+typeWords(nf)+" copies "+table+": ALGORITHM=COPY, LOCK=SHARED")
		}
	})
	return out
}

func myModifyNull(in *Input) []string {
	var out []string
	in.myModified(func(table, col string, of, nf *state.Field) {
		if of.Null != nf.Null && myInPlaceType(in.Target.Version, of, nf) {
			word := "NOT NULL"
			if nf.Null {
				word = "NULL"
			}
			out = append(out, "making "+col+" "+word+" rebuilds "+table+": ALGORITHM=INPLACE, LOCK=NONE")
		}
	})
	return out
}

func myAddForeignKey(in *Input) []string {
	var out []string
	in.myClauses(myAddFKRe, func(table string, m []string) {
		out = append(out, "ADD FOREIGN KEY "+unquote(m[1])+" copies "+table+": ALGORITHM=COPY, LOCK=SHARED")
	})
	return out
}

func myAddCheck(in *Input) []string {
	var out []string
	in.myClauses(myAddCheckRe, func(table string, m []string) {
		out = append(out, "ADD CHECK "+unquote(m[1])+" copies "+table+": ALGORITHM=COPY, LOCK=SHARED")
	})
	return out
}
