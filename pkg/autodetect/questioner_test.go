package autodetect

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pmanager/pmanager/pkg/operations"
	"github.com/pmanager/pmanager/pkg/state"
)

func TestNonInteractive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alteration bool
		want       string
	}{
		{false, "cannot add the NOT NULL field rank to Article without a default: " +
			"add default=... (or null) to its tag, or answer with an interactive questioner to give a one-off value"},
		{true, "cannot make the field rank of Article NOT NULL without a default: existing rows may hold NULL; " +
			"add default=... to its tag, or answer with an interactive questioner to give a one-off value"},
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

func TestInteractiveRename(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		input  string
		want   bool
		prompt string
	}{
		{"y", "y\n", true, "Did you rename car.name to car.title (a Char field)? [y/N] "},
		{"yes in capitals", "YES\n", true, ""},
		{"n", "n\n", false, ""},
		{"empty is no", "\n", false, ""},
		{"end of input is no", "", false, ""},
		{"last line without newline", "y", true, ""},
		{"anything else asks again", "maybe\ny\n", true, "Please answer yes or no: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			q := Interactive(strings.NewReader(tt.input), &out).(RenameQuestioner)
			got, err := q.AskRename("Car", "name", "title", state.Char)
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
			if !strings.Contains(out.String(), tt.prompt) {
				t.Errorf("output lacks %q:\n%s", tt.prompt, out.String())
			}
		})
	}
}

func TestInteractiveRenameModel(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	q := Interactive(strings.NewReader("y\nn\n"), &out).(RenameQuestioner)
	for _, want := range []bool{true, false} {
		got, err := q.AskRenameModel("main", "Vehicle", "Car")
		if err != nil || got != want {
			t.Fatalf("got %v, %v; want %v", got, err, want)
		}
	}
	if want := "Did you rename the main.Vehicle model to Car? [y/N] "; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	if _, err := Interactive(failingReader{}, &bytes.Buffer{}).(RenameQuestioner).AskRenameModel("main", "A", "B"); err == nil {
		t.Error("a failing terminal: got no error")
	}
}

// TestNonInteractiveNeverRenames checks --noinput never guesses a rename:
// a candidate without a hint is a removal and an addition; a hint renames.
func TestNonInteractiveNeverRenames(t *testing.T) {
	t.Parallel()
	before := `
model main.Vehicle
  name char max=30 null
`
	tests := []struct {
		name, after string
		want        []string
	}{
		{"no hints", `
model main.Car
  title char max=30 null
`, []string{"main: Delete Model Vehicle", "main: Create Model Car fields=id,title"}},
		{"hints", `
model main.Car was=Vehicle
  title char max=30 null was=name
`, []string{"main: Rename Model Vehicle To Car", "main: Rename Field name On Car To title"}},
	}
	for _, tt := range tests {
		from, err := parseProject(before)
		if err != nil {
			t.Fatal(err)
		}
		to, err := parseProject(tt.after)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []Questioner{NonInteractive(), nil} {
			ch, err := Detect(from, to, q)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, renderChanges(ch)); diff != "" {
				t.Errorf("%s (questioner %T): (-want +got)\n%s", tt.name, q, diff)
			}
		}
	}
}

// yesToAll confirms every rename, to show questions are asked only about
// candidates.
type yesToAll struct{ asked []string }

func (y *yesToAll) AskFill(string, string, bool) (*string, error) { return state.Str("0"), nil }

func (y *yesToAll) AskRename(model, oldName, newName string, kind state.Kind) (bool, error) {
	y.asked = append(y.asked, model+"."+oldName+">"+newName)
	return true, nil
}

func (y *yesToAll) AskRenameModel(app, oldName, newName string) (bool, error) {
	y.asked = append(y.asked, app+"."+oldName+">"+newName)
	return true, nil
}

// TestRenameQuestionsOnlyForCandidates checks that fields or models whose
// definitions differ are never offered as renames.
func TestRenameQuestionsOnlyForCandidates(t *testing.T) {
	t.Parallel()
	from, err := parseProject(`
model main.Vehicle
  name char max=30
model main.Article
  headline char max=100
  rank integer null
`)
	if err != nil {
		t.Fatal(err)
	}
	to, err := parseProject(`
model main.Car
  name char max=40
model main.Article
  title char max=100 null
  score integer null
`)
	if err != nil {
		t.Fatal(err)
	}
	q := &yesToAll{}
	if _, err := Detect(from, to, q); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Article.rank>score"}, q.asked); diff != "" {
		t.Errorf("questions (-want +got):\n%s", diff)
	}
}

// TestHintsStayOutOfOperations checks that hints that pair nothing (a
// typo, a stale name) never reach the operations a migration file holds.
func TestHintsStayOutOfOperations(t *testing.T) {
	t.Parallel()
	from, err := parseProject(`
model main.Article
  title char max=30 null
`)
	if err != nil {
		t.Fatal(err)
	}
	to, err := parseProject(`
model main.Article
  title char max=40 null was=headline
  rank integer null was=nope
model main.Car was=Nope
  name char max=30 was=label
`)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := Detect(from, to, NonInteractive())
	if err != nil {
		t.Fatal(err)
	}
	var fields []*state.Field
	for _, op := range ch.Ops["main"] {
		switch o := op.(type) {
		case operations.CreateModel:
			fields = append(fields, o.Fields...)
		case operations.AddField:
			fields = append(fields, o.Field)
		case operations.AlterField:
			fields = append(fields, o.Field)
		}
	}
	if len(fields) != 4 {
		t.Fatalf("got operations %v, want a created model with two fields, an added and an altered field", renderChanges(ch))
	}
	for _, f := range fields {
		if f.Was != "" {
			t.Errorf("field %s of an operation carries the hint %q", f.Name, f.Was)
		}
	}
}

// TestFillErrorAdvice: the advice fits why there was no value, and no
// library message names a command-line flag (the CLI adds --noinput).
func TestFillErrorAdvice(t *testing.T) {
	t.Parallel()
	ask := func(input string) error {
		_, err := Interactive(strings.NewReader(input), &bytes.Buffer{}).AskFill("Article", "rank", false)
		return err
	}
	quit, ended := ask("2\n"), ask("")
	if want := "cannot add the NOT NULL field rank to Article without a default: add default=... (or null) to its tag, then detect the changes again"; quit == nil || quit.Error() != want {
		t.Errorf("quit:\n got %v\nwant %s", quit, want)
	}
	if want := "cannot add the NOT NULL field rank to Article without a default: no answer could be read (the input ended); " +
		"add default=... (or null) to its tag, or answer with an interactive questioner to give a one-off value"; ended == nil || ended.Error() != want {
		t.Errorf("end of input:\n got %v\nwant %s", ended, want)
	}
	for _, err := range []error{quit, ended} {
		if err != nil && strings.Contains(err.Error(), "--noinput") {
			t.Errorf("%v: mentions --noinput, a flag of the command line", err)
		}
	}
}
