package mysql

// CommentTable sets a table's comment with ALTER TABLE … COMMENT; ""
// removes it.
func (e ddl) CommentTable(table, comment string) string {
	return "ALTER TABLE " + e.Quote(table) + " COMMENT=" + quoteString(comment)
}

// CreateTableComment is the COMMENT= table option of CREATE TABLE.
func (ddl) CreateTableComment(comment string) string { return " COMMENT=" + quoteString(comment) }

// CommentColumn is "": a column's comment is part of its definition
// (spec), so a changed comment restates the column with MODIFY COLUMN.
func (ddl) CommentColumn(string, string, string) string { return "" }
