package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/discord/discordfake"
	"github.com/careersbot/careersbot/bot"
)

// sent is a rendered message as the API receives it.
func sent(t testing.TB, m message) discordfake.Message {
	t.Helper()
	b, err := json.Marshal(m.wire(false))
	if err != nil {
		t.Fatal(err)
	}
	return decodeMessage(t, b)
}

func checkRendered(t testing.TB, msgs []message) []discordfake.Message {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	var out []discordfake.Message
	for i, m := range msgs {
		s := sent(t, m)
		checkSent(t, fmt.Sprintf("message %d", i+1), s)
		out = append(out, s)
	}
	return out
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./adapters/discord -run TestRenderGolden -update)", err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Errorf("%s differs from the golden file (rerun with -update after an intended change):\n%s", path, buf.String())
	}
}

func TestRenderGolden(t *testing.T) {
	b := catalogueBot(t)
	ask := func(q bot.Question) bot.Answer {
		t.Helper()
		q.Via = "discord"
		a, err := b.Ask(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	cases := []struct {
		name string
		msgs []message
	}{
		{"ask-wireless", renderAnswer(ask(bot.Question{Text: "Is wireless networking part of the role of a network engineer?"}))},
		{"ask-salary", renderAnswer(ask(bot.Question{Text: "How much does a network engineer earn?"}))},
		{"ksb-st0127-k12", renderAnswer(ask(command{sub: subKSB, occupation: "ST0127", id: "K12"}.toQuestion()))},
		{"list-commis-chef-skills", renderAnswer(ask(command{sub: subList, occupation: "ST0228", kind: "skills"}.toQuestion()))},
		{"card-st0127", renderAnswer(ask(command{sub: subOccupation, occupation: "ST0127"}.toQuestion()))},
		{"not-covered", renderAnswer(ask(bot.Question{Text: "How do I become an astronaut?"}))},
		{"distress", renderAnswer(ask(bot.Question{Text: "I feel hopeless and want to end it all"}))},
		{"help", []message{renderHelp()}},
		{"error-rate-limit", []message{renderError(bot.RateLimited(3 * time.Second))}},
		{"error-too-long", []message{renderError(bot.TooLong("question", 1200, 1000))}},
		{"error-busy", []message{renderError(bot.ErrBusy)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkRendered(t, c.msgs)
			golden(t, c.name, c.msgs)
		})
	}
}

// TestRenderKeepsEveryCitation: the 38 skills of Commis chef (ST0228) are
// all there, in the standard's order, with their passages.
func TestRenderKeepsEveryCitation(t *testing.T) {
	b := catalogueBot(t)
	a, err := b.Ask(context.Background(), command{sub: subList, occupation: "ST0228", kind: "skills"}.toQuestion())
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Citations) != 38 {
		t.Fatalf("%d citations, want the 38 skills of ST0228", len(a.Citations))
	}
	got := fieldsOf(checkRendered(t, renderAnswer(a))...)
	if len(got) != 38 {
		t.Fatalf("%d fields, want 38: %q", len(got), fieldNames(got))
	}
	for i, f := range got {
		if want := fmt.Sprintf("ST0228 S%d", i+1); f.Name != want {
			t.Errorf("field %d is %q, want %q", i, f.Name, want)
		}
		if c := a.Citations[i]; len(c.Text) <= maxFieldValue && f.Value != c.Text {
			t.Errorf("field %s = %q, want the passage %q", f.Name, f.Value, c.Text)
		}
	}
}

// TestRenderPagesLongAnswers: an answer far over every limit pages across
// embeds and follow-up messages, each within Discord's limits, shortening
// passages only with an ellipsis and dropping none.
func TestRenderPagesLongAnswers(t *testing.T) {
	long := strings.Repeat("Plan and cook dishes to the standard's recipe, safely and on time. ", 30) // ~2,000 characters
	var cits []bot.Citation
	for i := 1; i <= 120; i++ {
		text := fmt.Sprintf("Skill %d: %s", i, long[:100+(i*37)%1500])
		cits = append(cits, bot.Citation{Reference: "ST9999", ID: fmt.Sprintf("S%d", i), Text: text})
	}
	cits = append(cits, bot.Citation{Reference: "ST9999", ID: "S121", Text: ""}) // an empty passage still shows
	emoji := strings.Repeat("🍳 café ", 700)                                      // astral runes count twice
	a := bot.Answer{
		Text:      "A Test cook (ST9999, Level 2) needs these skills:\n\n" + emoji + "\n\n" + strings.Repeat("Another paragraph of notes. ", 200) + "\n\nSource: test",
		Source:    "Source: test",
		Grounded:  true,
		Outcome:   bot.OutcomeGrounded,
		Citations: cits,
	}
	msgs := renderAnswer(a)
	sentMsgs := checkRendered(t, msgs)
	if len(msgs) < 3 {
		t.Errorf("%d messages: expected the answer to page across follow-ups", len(msgs))
	}
	fields := fieldsOf(sentMsgs...)
	if len(fields) != len(cits) {
		t.Fatalf("%d fields, want %d", len(fields), len(cits))
	}
	for i, f := range fields {
		c := cits[i]
		if f.Name != c.Reference+" "+c.ID {
			t.Errorf("field %d named %q, want %q", i, f.Name, c.Reference+" "+c.ID)
		}
		switch {
		case c.Text == "":
			if f.Value == "" {
				t.Errorf("%s: empty value", f.Name)
			}
		case dlen(c.Text) <= maxFieldValue:
			if f.Value != c.Text {
				t.Errorf("%s: value changed though it fits", f.Name)
			}
		default:
			if !strings.HasSuffix(f.Value, "…") || !strings.HasPrefix(c.Text, strings.TrimSuffix(f.Value, "…")) {
				t.Errorf("%s: shortened other than with an ellipsis: %q", f.Name, f.Value)
			}
		}
	}
	var desc strings.Builder
	for _, m := range sentMsgs {
		for _, e := range m.Embeds {
			desc.WriteString(e.Description)
		}
		if m.Embeds[len(m.Embeds)-1].Footer == nil {
			t.Errorf("a message without the source in its footer")
		}
	}
	if strings.Count(desc.String(), "🍳") != 700 {
		t.Errorf("the description lost text: %d of 700 emoji", strings.Count(desc.String(), "🍳"))
	}
}

func TestSplitAndTruncate(t *testing.T) {
	if got := truncate("abcdef", 4); got != "abc…" {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("ab🍳cd", 4); got != "ab…" || dlen(got) > 4 {
		t.Errorf("truncate astral = %q", got)
	}
	text := "one two three\n\nfour five six seven\neight"
	for _, n := range []int{5, 8, 13, 20, 100} {
		parts := splitText(text, n)
		for _, p := range parts {
			if dlen(p) > n {
				t.Errorf("splitText(%d): piece %q too long", n, p)
			}
		}
		if got := strings.Join(strings.Fields(strings.Join(parts, " ")), " "); got != strings.Join(strings.Fields(text), " ") {
			t.Errorf("splitText(%d) lost words: %q", n, parts)
		}
	}
}

func TestChoiceName(t *testing.T) {
	c := bot.Completion{Reference: "ST0127", Title: "Network engineer", Level: 4, Matched: "Network engineer"}
	if got := choiceName(c); got != "Network engineer (ST0127, level 4)" {
		t.Errorf("choiceName = %q", got)
	}
	c.Matched = "Network technician"
	if got := choiceName(c); got != "Network technician → Network engineer (ST0127, level 4)" {
		t.Errorf("choiceName job title = %q", got)
	}
	c.Matched, c.Title = "", strings.Repeat("Very long title ", 20)
	if got := choiceName(c); dlen(got) > maxChoiceName {
		t.Errorf("choiceName too long: %d", dlen(got))
	}
}
