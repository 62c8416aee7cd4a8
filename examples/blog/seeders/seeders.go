package seeders

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pmanager/pmanager/migrations"
)

func init() {
	migrations.RegisterSeeder("users", seedUsers)
	migrations.RegisterSeeder("profiles", seedProfiles)
	migrations.RegisterSeeder("tags", seedTags)
	migrations.RegisterSeeder("posts", seedPosts)
}

// authors are the users the example starts with.
var authors = []struct{ name, email, bio, website string }{
	{"Ada Lovelace", "ada@example.com", "Writes about engines, analytical and otherwise.", ""},
	{"Grace Hopper", "grace@example.com", "Finds bugs, sometimes literally.", "https://example.com/grace"},
}

// joined is when the sample users signed up: fixed, so seeding is repeatable.
var joined = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

// tags are the tags posts are filed under.
var tags = []string{"go", "databases", "history"}

// posts are the example posts, each by an author (email) with tags.
var posts = []struct {
	author, title, body string
	tags                []string
}{
	{"ada@example.com", "Notes on the engine", "The engine weaves algebraic patterns.", []string{"history"}},
	{"grace@example.com", "Migrations without fear", "Every schema change is a reviewed file.", []string{"go", "databases"}},
	{"grace@example.com", "The first bug", "It was a moth.", []string{"history"}},
}

func seedUsers(ctx context.Context, tx *migrations.SeedTx) error {
	for _, a := range authors {
		q := fmt.Sprintf("INSERT INTO %s (name, email, joined) VALUES (?, ?, ?)", tx.Quote("user"))
		if _, err := tx.Exec(ctx, q, a.name, a.email, joined); err != nil {
			return fmt.Errorf("user %s: %w", a.email, err)
		}
	}
	return nil
}

func seedProfiles(ctx context.Context, tx *migrations.SeedTx) error {
	for _, a := range authors {
		q := fmt.Sprintf("INSERT INTO %s (user_id, bio, website) SELECT id, ?, ? FROM %s WHERE email = ?", tx.Quote("profile"), tx.Quote("user"))
		if _, err := tx.Exec(ctx, q, a.bio, a.website, a.email); err != nil {
			return fmt.Errorf("profile of %s: %w", a.email, err)
		}
	}
	return nil
}

func seedTags(ctx context.Context, tx *migrations.SeedTx) error {
	for _, name := range tags {
		q := fmt.Sprintf("INSERT INTO %s (name) VALUES (?)", tx.Quote("tag"))
		if _, err := tx.Exec(ctx, q, name); err != nil {
			return fmt.Errorf("tag %s: %w", name, err)
		}
	}
	return nil
}

func seedPosts(ctx context.Context, tx *migrations.SeedTx) error {
	for _, p := range posts {
		q := fmt.Sprintf("INSERT INTO %s (author_id, title, slug, body, published) SELECT id, ?, ?, ?, ? FROM %s WHERE email = ?",
			tx.Quote("post"), tx.Quote("user"))
		if _, err := tx.Exec(ctx, q, p.title, slug(p.title), p.body, joined, p.author); err != nil {
			return fmt.Errorf("post %q: %w", p.title, err)
		}
		for _, tag := range p.tags {
			q := fmt.Sprintf("INSERT INTO %s (post_id, tag_id) SELECT p.id, t.id FROM %s p, %s t WHERE p.title = ? AND t.name = ?",
				tx.Quote("post_tags"), tx.Quote("post"), tx.Quote("tag"))
			if _, err := tx.Exec(ctx, q, p.title, tag); err != nil {
				return fmt.Errorf("tag %s of post %q: %w", tag, p.title, err)
			}
		}
	}
	return nil
}

// slug turns a title into the lower-case, dash-separated form posts are
// addressed by.
func slug(title string) string {
	return strings.ToLower(strings.Join(strings.Fields(title), "-"))
}
