package schema

import "github.com/pmanager/pmanager/pkg/state"

// Commenter is the ability of a dialect that keeps the comments of tables
// (Meta.Comment) and columns (comment=) in the database; without it
// (SQLite) comments stay in the state. The Base editor decides when a
// comment is set; the dialect spells it.
type Commenter interface {
	// CommentTable sets table's comment, removing it for "".
	CommentTable(table, comment string) string
	// CreateTableComment is comment as a CREATE TABLE table option,
	// appended to the statement (MySQL's COMMENT='…'); "" where the table
	// is commented by CommentTable after it.
	CreateTableComment(comment string) string
	// CommentColumn sets column's comment apart from its definition,
	// removing it for ""; "" where the column definition itself carries
	// the comment (MySQL), so a changed comment restates the column.
	CommentColumn(table, column, comment string) string
}

// tableComments are the statements that follow CREATE TABLE of m to
// give it and its columns their comments, and the table option that
// CREATE TABLE carries instead where the dialect has one.
func (b Base) tableComments(m *state.Model) (option string, stmts []string) {
	c, ok := b.h.(Commenter)
	if !ok {
		return "", nil
	}
	if m.Options.Comment != "" {
		if option = c.CreateTableComment(m.Options.Comment); option == "" {
			stmts = append(stmts, c.CommentTable(m.Table, m.Options.Comment))
		}
	}
	for _, f := range m.Fields {
		if f.HasColumn() && f.Comment != "" {
			if s := c.CommentColumn(m.Table, f.ColumnName(), f.Comment); s != "" {
				stmts = append(stmts, s)
			}
		}
	}
	return option, stmts
}

// columnComment is the statement that sets column field f's comment of
// m apart from its definition, "" for none (no comment, no Commenter, or
// one whose column definition carries it).
func (b Base) columnComment(m *state.Model, f *state.Field) string {
	c, ok := b.h.(Commenter)
	if !ok || f.Comment == "" {
		return ""
	}
	return c.CommentColumn(m.Table, f.ColumnName(), f.Comment)
}

// AlterTableComment changes the comment of the table from's model has
// into to's (Meta.Comment); nothing where it is unchanged, the model is
// unmanaged or the dialect keeps no comments.
func (b Base) AlterTableComment(p *state.Project, from, to *state.Model) ([]string, error) {
	if unmanaged(from, to) || from.Options.Comment == to.Options.Comment {
		return nil, nil
	}
	c, ok := b.h.(Commenter)
	if !ok {
		return nil, nil
	}
	return []string{c.CommentTable(to.Table, to.Options.Comment)}, nil
}
