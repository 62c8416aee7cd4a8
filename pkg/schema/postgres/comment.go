package postgres

// CommentTable sets a table's comment with COMMENT ON TABLE; "" removes it.
func (ddl) CommentTable(table, comment string) string {
	return "COMMENT ON TABLE " + quoteIdent(table) + " IS " + commentLiteral(comment)
}

// CreateTableComment is "": PostgreSQL comments a table after creating it.
func (ddl) CreateTableComment(string) string { return "" }

// CommentColumn sets a column's comment with COMMENT ON COLUMN; "" removes it.
func (ddl) CommentColumn(table, column, comment string) string {
	return "COMMENT ON COLUMN " + quoteIdent(table) + "." + quoteIdent(column) + " IS " + commentLiteral(comment)
}

// commentLiteral is comment as a string literal, NULL for "" (which
// removes a comment).
func commentLiteral(comment string) string {
	if comment == "" {
		return "NULL"
	}
	return quoteLiteral(comment)
}
