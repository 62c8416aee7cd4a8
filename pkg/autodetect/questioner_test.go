package autodetect

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestNonInteractive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alteration bool
		want       string
	}{
		{false, "cannot add the NOT NULL field rank to Article without a default: " +
			"add default=... (or null) to its tag, or run makemigrations without --noinput to give a one-off value"},
		{true, "cannot make the field rank of Article NOT NULL without a default: existing rows may hold NULL; " +
			"add default=... to its tag, or run makemigrations without --noinput to give a one-off value"},
	}
	for _, tt := range tests {
		v, err := NonInteractive().AskFill("Article", "rank", tt.alteration)
		if v != nil {
			t.Errorf("alteration=%v: got value %q, want none", tt.alteration, *v)
		}
		var fe *FillError
		if !errors.As(err, &fe) || fe.Model != "Article" || fe.Field != "rank" || fe.Alteration != tt.alteration {
			t.Fatalf("alteration=%v: got %#v, want a *FillError for Article.rank", tt.alteration, err)
		}
		if err.Error() != tt.want {
			t.Errorf("alteration=%v:\n got %s\nwant %s", tt.alteration, err, tt.want)
		}
	}
}

func TestInteractive(t *testing.T) {
	t.Parallel()
	const quit = "!quit"
	tests := []struct {
		name       string
		input      string
		alteration bool
		want       string // the value, "<nil>" for none, quit for a *FillError
		prompts    []string
	}{
		{name: "bare number", input: "1\n0\n", want: "0",
			prompts: []string{"non-nullable field 'rank' to Article", " 1) Provide a one-off default now", " 2) Quit", "Select an option: ", ">>> "}},
		{name: "bare word", input: "1\nhello\n", want: "hello"},
		{name: "bare value with inner spaces", input: "1\n  2024-01-31 10:00  \n", want: "2024-01-31 10:00"},
		{name: "single quoted", input: "1\n'x'\n", want: "x"},
		{name: "single quoted with comma and quote", input: "1\n'a, it''s'\n", want: "a, it's"},
		{name: "empty string", input: "1\n''\n", want: ""},
		{name: "double quoted", input: "1\n\"a\\tb\"\n", want: "a\tb"},
		{name: "quoted exit is a value", input: "1\n'exit'\n", want: "exit"},
		{name: "windows line endings", input: "1\r\n7\r\n", want: "7"},
		{name: "last line without newline", input: "1\n42", want: "42"},
		{name: "empty value asks again", input: "1\n\n3\n", want: "3", prompts: []string{"Please enter a value, or exit to quit."}},
		{name: "unclosed quote asks again", input: "1\n'abc\nabc\n", want: "abc", prompts: []string{"is not closed; please try again."}},
		{name: "lone quote inside asks again", input: "1\n'a'b'\n'a''b'\n", want: "a'b", prompts: []string{"must be doubled"}},
		{name: "bad double quote asks again", input: "1\n\"a\n5\n", want: "5", prompts: []string{"not a valid double-quoted string"}},
		{name: "bad option asks again", input: "9\nx\n1\n8\n", want: "8", prompts: []string{"Please select a valid option: "}},
		{name: "quit", input: "2\n", want: quit},
		{name: "exit at the value prompt", input: "1\nexit\n", want: quit},
		{name: "end of input at the menu", input: "", want: quit},
		{name: "end of input at the value prompt", input: "1\n", want: quit},
		{name: "end of input after a bad value", input: "1\n'oops", want: quit},
		{name: "option 3 is not offered when adding", input: "3\n2\n", want: quit, prompts: []string{"Please select a valid option: "}},
		{name: "alteration value", input: "1\n5\n", alteration: true, want: "5",
			prompts: []string{"change the nullable field 'rank' on Article to non-nullable", " 3) Ignore for now"}},
		{name: "alteration ignored", input: "3\n", alteration: true, want: "<nil>"},
		{name: "alteration quit", input: "2\n", alteration: true, want: quit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			v, err := Interactive(strings.NewReader(tt.input), &out).AskFill("Article", "rank", tt.alteration)
			switch tt.want {
			case quit:
				var fe *FillError
				if !errors.As(err, &fe) || fe.Alteration != tt.alteration {
					t.Fatalf("got %v, %v; want a *FillError", show(v), err)
				}
			case "<nil>":
				if err != nil || v != nil {
					t.Fatalf("got %v, %v; want no value and no error", show(v), err)
				}
			default:
				if err != nil || v == nil || *v != tt.want {
					t.Fatalf("got %v, %v; want %q", show(v), err, tt.want)
				}
			}
			for _, p := range tt.prompts {
				if !strings.Contains(out.String(), p) {
					t.Errorf("output lacks %q:\n%s", p, out.String())
				}
			}
		})
	}
}

// TestInteractiveSeveralQuestions checks one questioner answers questions
// in turn from one input, as Detect asks them.
func TestInteractiveSeveralQuestions(t *testing.T) {
	t.Parallel()
	q := Interactive(strings.NewReader("1\nfirst\n1\n'second'\n2\n"), &bytes.Buffer{})
	for _, want := range []string{"first", "second"} {
		v, err := q.AskFill("Article", "rank", false)
		if err != nil || v == nil || *v != want {
			t.Fatalf("got %v, %v; want %q", show(v), err, want)
		}
	}
	if _, err := q.AskFill("Article", "rank", false); err == nil {
		t.Fatal("third question: got no error, want the quit")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestInteractiveIOErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		q    Questioner
		want string
	}{
		{"write", Interactive(strings.NewReader("1\n0\n"), failingWriter{}), "autodetect: writing a question: closed"},
		{"read", Interactive(failingReader{}, &bytes.Buffer{}), "autodetect: reading an answer: broken pipe"},
	}
	for _, tt := range tests {
		_, err := tt.q.AskFill("Article", "rank", false)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.want)
		}
		var fe *FillError
		if errors.As(err, &fe) {
			t.Errorf("%s: an I/O failure must not look like a quit", tt.name)
		}
	}
}

func show(v *string) string {
	if v == nil {
		return "<nil>"
	}
	return "&" + *v
}
