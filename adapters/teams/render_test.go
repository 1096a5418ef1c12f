package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/careersbot/careersbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func ask(t *testing.T, b bot.Asker, q string) bot.Answer {
	t.Helper()
	a, err := b.Ask(context.Background(), bot.Question{Text: q})
	if err != nil {
		t.Fatalf("Ask(%q): %v", q, err)
	}
	return a
}

// golden compares activities with testdata/NAME.golden.json: the message
// activities as posted (before they are addressed).
func golden(t *testing.T, name string, acts []*Activity) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(acts); err != nil {
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
		t.Fatalf("%v (run go test ./adapters/teams -run TestGoldenCards -update)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the golden file (-update after an intended change):\n%s", name, buf.String())
	}
}

func TestGoldenCards(t *testing.T) {
	seed, cat := seedBot(t), catalogueBot(t)
	cases := []struct {
		name string
		b    bot.Asker
		q    string
	}{
		{"skills", seed, "Which skills does a network engineer need?"},
		{"wireless", seed, "Is wireless networking part of the role of a network engineer?"},
		{"salary", seed, "How much does a network engineer earn?"},
		{"overview", seed, "Tell me about the network engineer apprenticeship"},
		{"not-covered", cat, "What does an astronaut apprenticeship involve?"},
		{"commis-chef-skills", cat, "Which skills does a commis chef need?"},
		{"search", cat, "Which apprenticeships involve routing and switching?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			acts := renderAnswer(ask(t, c.b, c.q), renderOptions{Feedback: true})
			checkLimits(t, acts)
			golden(t, c.name, acts)
		})
	}
	t.Run("help", func(t *testing.T) { golden(t, "help", []*Activity{renderHelp(false)}) })
	t.Run("welcome", func(t *testing.T) { golden(t, "welcome", []*Activity{renderHelp(true)}) })
	t.Run("distress", func(t *testing.T) {
		golden(t, "distress", []*Activity{textMessage(ask(t, seed, "I want to kill myself").Text)})
	})
}

// checkLimits asserts what Teams needs of each message: an Adaptive Card of
// version 1.5, within MaxActivityBytes counted as UTF-16 once addressed.
func checkLimits(t *testing.T, acts []*Activity) {
	t.Helper()
	if len(acts) == 0 || len(acts) > maxPages {
		t.Fatalf("%d messages", len(acts))
	}
	for i, a := range acts {
		addressed := *a
		addressed.From = &ChannelAccount{ID: "28:" + strings.Repeat("x", 36), Name: "careersbot"}
		addressed.Recipient = &ChannelAccount{ID: "29:" + strings.Repeat("y", 80), Name: strings.Repeat("n", 40)}
		addressed.Conversation = &ConversationAccount{ID: "19:" + strings.Repeat("z", 60) + "@thread.tacv2;messageid=1750000000000"}
		addressed.ReplyToID = "1750000000000"
		addressed.ServiceURL = "https://smba.trafficmanager.net/amer/"
		addressed.ChannelID = "msteams"
		if n := activityBytes(&addressed); n > MaxActivityBytes {
			t.Errorf("message %d: %d bytes as UTF-16, over %d", i, n, MaxActivityBytes)
		}
		c := a.Attachments[0].Content.(*Card)
		if c.Version != "1.5" || c.Type != "AdaptiveCard" || len(c.Body) == 0 {
			t.Errorf("message %d: card %s %s with %d elements", i, c.Type, c.Version, len(c.Body))
		}
	}
}

// cardText is every text of the cards, in order.
func cardText(acts []*Activity) string {
	var b strings.Builder
	for _, a := range acts {
		for _, at := range a.Attachments {
			c := at.Content.(*Card)
			for _, el := range c.Body {
				b.WriteString(el.Text + "\n")
			}
			for _, ac := range c.Actions {
				b.WriteString(ac.Title + "\n")
			}
		}
	}
	return b.String()
}

// The Commis chef's 38 skills fit one card, every one whole.
func TestCommisChefSkillsFitOneCard(t *testing.T) {
	a := ask(t, catalogueBot(t), "Which skills does a commis chef need?")
	if len(a.Citations) != 38 || a.Citations[0].Reference != "ST0228" {
		t.Fatalf("%d citations of %s, want the 38 skills of ST0228", len(a.Citations), a.Citations[0].Reference)
	}
	acts := renderAnswer(a, renderOptions{Feedback: true})
	checkLimits(t, acts)
	if len(acts) != 1 {
		t.Errorf("%d cards for 38 skills, want 1", len(acts))
	}
	all := cardText(acts)
	for _, c := range a.Citations {
		if !strings.Contains(all, "**"+c.Marker()+"** Skill: "+c.Text) {
			t.Errorf("%s is not shown whole", c.Marker())
		}
	}
}

// An answer far over one message pages over several cards, each within the
// limits, keeping every citation in order, with the footer and buttons on
// the last.
func TestLongListsArePaged(t *testing.T) {
	a := bot.Answer{Grounded: true, Outcome: bot.OutcomeGrounded, Occupation: "ST9999", Intent: bot.IntentList,
		Source: "Source: Skills England occupational standards (ST9999 v1.0, 2025-01-01), Open Government Licence v3.0."}
	var text strings.Builder
	text.WriteString("A Test occupation (ST9999, Level 3) needs these 120 knowledge items, in the standard's own words:\n")
	for i := range 120 {
		c := bot.Citation{Reference: fmt.Sprintf("ST%04d", 9990+i/60), Occupation: "Test occupation", Level: 3,
			ID: fmt.Sprintf("K%d", i+1), Kind: "knowledge", Text: fmt.Sprintf("Item %d: ", i+1) + strings.Repeat("knowledge of standards and “quotes” ", 12)}
		a.Citations = append(a.Citations, c)
		fmt.Fprintf(&text, "- %s %s\n", c.Text, c.Marker())
	}
	a.Text = text.String() + "\n" + a.Source
	acts := renderAnswer(a, renderOptions{Feedback: true})
	checkLimits(t, acts)
	if len(acts) < 2 {
		t.Fatalf("%d cards: a list this long must be paged", len(acts))
	}
	all := cardText(acts)
	last := -1
	for _, c := range a.Citations {
		i := strings.Index(all, "**"+c.Marker()+"** Knowledge: "+c.Text)
		if i < 0 {
			t.Errorf("%s dropped or shortened", c.Marker())
			continue
		}
		if i < last {
			t.Errorf("%s out of order", c.Marker())
		}
		last = i
	}
	for i, act := range acts {
		c := act.Attachments[0].Content.(*Card)
		want := fmt.Sprintf("Part %d of %d", i+1, len(acts))
		if !strings.Contains(cardText([]*Activity{act}), want) || !strings.Contains(act.Summary, strings.ToLower(want[:1])+want[1:]) {
			t.Errorf("card %d is not marked %q (summary %q)", i, want, act.Summary)
		}
		if (len(c.Actions) > 0) != (i == len(acts)-1) {
			t.Errorf("card %d has %d buttons: only the last has them", i, len(c.Actions))
		}
		if (strings.Contains(cardText([]*Activity{act}), "Open Government Licence")) != (i == len(acts)-1) {
			t.Errorf("card %d: the source line belongs on the last card", i)
		}
	}
	if !strings.Contains(all, "(continued)") {
		t.Errorf("a group split over cards is not marked continued")
	}
}

// An answer so long it would take more than maxPages cards keeps every
// citation, shortened.
func TestHugeAnswerShortensPassagesNotCitations(t *testing.T) {
	a := bot.Answer{Grounded: true, Outcome: bot.OutcomeGrounded, Source: "Source: Skills England, Open Government Licence v3.0."}
	for i := range 400 {
		a.Citations = append(a.Citations, bot.Citation{Reference: "ST0001", Occupation: "Big", ID: fmt.Sprintf("K%d", i+1),
			Kind: "knowledge", Text: strings.Repeat("long passage text ", 60)})
	}
	a.Text = strings.Repeat("A very long lead. ", 400) + "\n\n" + a.Source
	acts := renderAnswer(a, renderOptions{Feedback: true})
	checkLimits(t, acts)
	all := cardText(acts)
	for _, c := range a.Citations {
		if !strings.Contains(all, "**"+c.Marker()+"**") {
			t.Errorf("%s dropped", c.Marker())
		}
	}
	if !strings.Contains(all, "…") {
		t.Errorf("passages were not shortened")
	}
}

// Text the bot quotes from a question cannot become a link; the question's
// mention of the bot is dropped and other markup read as shown.
func TestMarkdownLinksAndQuestionText(t *testing.T) {
	a := bot.Answer{Text: `I don't have a standard for "[click here](https://evil.example/x)", so I can't answer that.`, Outcome: bot.OutcomeNotGrounded}
	all := cardText(renderAnswer(a, renderOptions{}))
	if strings.Contains(all, "](https://evil") || !strings.Contains(all, "[click here] (https://evil.example/x)") {
		t.Errorf("a link survived: %s", all)
	}
	bot := &ChannelAccount{ID: "28:bot", Name: "careersbot"}
	mention := func(text string, names ...string) *Activity {
		act := &Activity{Text: text, Recipient: bot}
		for _, n := range names {
			act.Entities = append(act.Entities, Entity{Type: "mention", Text: "<at>" + n + "</at>", Mentioned: &ChannelAccount{ID: "28:bot", Name: "careersbot"}})
		}
		return act
	}
	for _, c := range []struct {
		act  *Activity
		want string
	}{
		{mention("<at>careersbot</at> Which skills does a network engineer need?", "careersbot"), "Which skills does a network engineer need?"},
		{mention("<at>Careers Bot</at>  what&nbsp;does a &quot;chef&quot; earn?", "Careers Bot"), "what does a \"chef\" earn?"},
		{mention("<at>careersbot</at> ask <at>Jo Smith</at> about <b>plumbers</b> &amp; electricians", "careersbot"), "ask Jo Smith about plumbers & electricians"},
		{mention("help <at>careersbot</at>", "careersbot"), "help"},
		{&Activity{Text: "plain question, no mention", Recipient: bot}, "plain question, no mention"},
	} {
		if got := questionText(c.act); got != c.want {
			t.Errorf("questionText(%q) = %q, want %q", c.act.Text, got, c.want)
		}
	}
	for _, h := range []string{"", " help ", "Help!", "?", "hello"} {
		if !isHelp(h) {
			t.Errorf("isHelp(%q) = false", h)
		}
	}
	if isHelp("help me find a nursing apprenticeship") {
		t.Errorf("a question starting with help is not a help request")
	}
}
