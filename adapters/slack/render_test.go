package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

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

// golden compares a rendered message with testdata/NAME.golden (JSON, as
// sent, Slack's escaping visible).
func golden(t *testing.T, name string, r rendered) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Text   string          `json:"text"`
		Blocks []slackgo.Block `json:"blocks"`
	}{r.Text, r.Blocks}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
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
		t.Fatalf("%v (run go test ./adapters/slack -run TestGoldenBlocks -update)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the golden file (-update after an intended change):\n%s", name, buf.String())
	}
}

func TestGoldenBlocks(t *testing.T) {
	seed, cat := seedBot(t), catalogueBot(t)
	cases := []struct {
		name string
		b    bot.Asker
		q    string
		o    renderOptions
	}{
		{"skills", seed, "Which skills does a network engineer need?", renderOptions{Feedback: true}},
		{"wireless", seed, "Is wireless networking part of the role of a network engineer?", renderOptions{Feedback: true}},
		{"salary", seed, "How much does a network engineer earn?", renderOptions{Feedback: true}},
		{"overview", seed, "Tell me about the network engineer apprenticeship", renderOptions{Feedback: true}},
		{"not-covered", cat, "What does an astronaut apprenticeship involve?", renderOptions{Feedback: true}},
		{"commis-chef-skills", cat, "Which skills does a commis chef need?", renderOptions{Feedback: true}},
		{"search", cat, "Which apprenticeships involve routing and switching?", renderOptions{Feedback: true}},
		{"command-private", seed, "Which behaviours does a network engineer need?", renderOptions{Feedback: true, ShareID: "SHARE-ID", Asked: "Which behaviours does a network engineer need? <!channel>"}},
		{"command-shared", seed, "Which behaviours does a network engineer need?", renderOptions{Feedback: true, Asked: "Which behaviours does a network engineer need?", AskedBy: "U0ADVISER1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			golden(t, c.name, renderAnswer(ask(t, c.b, c.q), c.o))
		})
	}
	t.Run("help", func(t *testing.T) { golden(t, "help", helpBlocks()) })
	t.Run("distress", func(t *testing.T) { golden(t, "distress", plainMessage(ask(t, seed, "I want to kill myself").Text)) })
}

// checkLimits asserts Slack's limits and that every citation is shown.
func checkLimits(t *testing.T, a bot.Answer, r rendered) {
	t.Helper()
	if len(r.Blocks) > maxBlocks {
		t.Errorf("%d blocks, over %d", len(r.Blocks), maxBlocks)
	}
	var all strings.Builder
	for i, b := range r.Blocks {
		switch b := b.(type) {
		case *slackgo.SectionBlock:
			n := utf8.RuneCountInString(b.Text.Text)
			if n > maxSectionChars || n == 0 {
				t.Errorf("block %d: section of %d characters", i, n)
			}
			all.WriteString(b.Text.Text + "\n")
		case *slackgo.ContextBlock:
			for _, el := range b.ContextElements.Elements {
				if tx, ok := el.(*slackgo.TextBlockObject); ok {
					if utf8.RuneCountInString(tx.Text) > maxContextChars {
						t.Errorf("block %d: context over %d", i, maxContextChars)
					}
					all.WriteString(tx.Text + "\n")
				}
			}
		}
	}
	for _, c := range a.Citations {
		if !strings.Contains(all.String(), "*"+c.Marker()+"*") {
			t.Errorf("citation %s dropped", c.Marker())
		}
	}
	if utf8.RuneCountInString(r.Text) > maxFallbackRune {
		t.Errorf("fallback text of %d characters", utf8.RuneCountInString(r.Text))
	}
}

// The Commis chef's 38 skills fit in one message, every one whole.
func TestCommisChefSkillsFit(t *testing.T) {
	a := ask(t, catalogueBot(t), "Which skills does a commis chef need?")
	if len(a.Citations) != 38 || a.Citations[0].Reference != "ST0228" {
		t.Fatalf("%d citations of %s, want the 38 skills of ST0228", len(a.Citations), a.Citations[0].Reference)
	}
	r := renderAnswer(a, renderOptions{Feedback: true})
	checkLimits(t, a, r)
	var text strings.Builder
	for _, b := range r.Blocks {
		if s, ok := b.(*slackgo.SectionBlock); ok {
			text.WriteString(s.Text.Text + "\n")
		}
	}
	for _, c := range a.Citations {
		if !strings.Contains(text.String(), escape(c.Text)) {
			t.Errorf("%s is not shown whole", c.Marker())
		}
	}
	if len(r.Blocks) > 10 {
		t.Errorf("%d blocks for 38 skills: pack several citations to a section", len(r.Blocks))
	}
}

// An answer far over Slack's limits still shows every citation, shortened.
func TestHugeAnswerStaysInsideTheLimits(t *testing.T) {
	a := bot.Answer{Grounded: true, Outcome: bot.OutcomeGrounded, Occupation: "ST9999",
		Source: "Source: Skills England occupational standards (ST9999 v1.0, 2025-01-01), Open Government Licence v3.0."}
	var text strings.Builder
	text.WriteString(strings.Repeat("A very long lead <b> & more. ", 200) + "\n")
	for i := range 300 {
		c := bot.Citation{Reference: fmt.Sprintf("ST%04d", 9000+i%7), Occupation: "Test <occupation> & co", Level: 3,
			ID: fmt.Sprintf("K%d", i+1), Kind: "knowledge", Text: strings.Repeat("word & <tag> ", 80)}
		a.Citations = append(a.Citations, c)
		fmt.Fprintf(&text, "- %s %s\n", c.Text, c.Marker())
	}
	a.Text = text.String() + "\n" + a.Source
	r := renderAnswer(a, renderOptions{Feedback: true, ShareID: "x", Asked: strings.Repeat("q", 5000)})
	checkLimits(t, a, r)
	for i, b := range r.Blocks {
		if s, ok := b.(*slackgo.SectionBlock); ok && strings.Contains(s.Text.Text, "<tag>") {
			t.Errorf("block %d holds unescaped text", i)
		}
	}
}

// User and corpus text is escaped; Slack markup in a question is read as
// the reader sees it.
func TestEscapingAndQuestionText(t *testing.T) {
	a := bot.Answer{Text: `I don't have a standard for "<!channel> & <@U123> <https://evil.example|click>".`, Outcome: bot.OutcomeNotGrounded}
	r := renderAnswer(a, renderOptions{Asked: "<!here>"})
	js, _ := json.Marshal(r.Blocks)
	var blocks []map[string]any
	_ = json.Unmarshal(js, &blocks)
	text := fmt.Sprint(blocks) + r.Text
	for _, bad := range []string{"<!channel>", "<!here>", "<@U123>", "<https://"} {
		if strings.Contains(text, bad) {
			t.Errorf("%q unescaped in %s", bad, text)
		}
	}
	if !strings.Contains(text, "&lt;!channel&gt; &amp; &lt;@U123&gt;") {
		t.Errorf("not escaped as Slack wants: %s", text)
	}
	for _, c := range []struct{ in, bot, want string }{
		{"<@U0BOT> Which skills does a network engineer need?", "U0BOT", "Which skills does a network engineer need?"},
		{"<@U0BOT|careersbot>   what   about <#C123|general>?", "U0BOT", "what about #general?"},
		{"<!channel> is &lt;b&gt; &amp; wireless part of it?", "U0BOT", "@channel is <b> & wireless part of it?"},
		{"ask <@U999|jo> about <https://example.org/x|this page> and <mailto:a@b.c|mail>", "U0BOT", "ask @jo about this page and mail"},
		{"<@U0FIRST> hello", "", "hello"}, // the bot not known yet: the leading mention is its own
		{"<!subteam^S1|@advisers> <!here|here> <!date^1392734382^{date}|Feb 18>", "U0BOT", "@advisers @here Feb 18"},
	} {
		if got := questionText(c.in, c.bot); got != c.want {
			t.Errorf("questionText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, h := range []string{"", " help ", "Help!", "?"} {
		if !isHelp(h) {
			t.Errorf("isHelp(%q) = false", h)
		}
	}
	if isHelp("help me find a nursing apprenticeship") {
		t.Errorf("a question starting with help is not a help request")
	}
}

func TestPackNeverSplitsAnEntity(t *testing.T) {
	line := escape(strings.Repeat("a&b<c>d ", 1000) + strings.Repeat("x", 7000))
	for _, s := range pack([]string{line, "short"}, 3000) {
		if utf8.RuneCountInString(s) > 3000 {
			t.Errorf("a section of %d characters", utf8.RuneCountInString(s))
		}
		if i := strings.LastIndex(s, "&"); i >= 0 && !strings.Contains(s[i:], ";") {
			t.Errorf("an entity cut at the end: %q", s[max(0, len(s)-10):])
		}
		if strings.HasPrefix(s, "amp;") || strings.HasPrefix(s, "lt;") || strings.HasPrefix(s, "gt;") {
			t.Errorf("an entity cut at the start: %q", s[:10])
		}
	}
}

// Slack's own published example of a request signature.
func TestVerifyKnownAnswer(t *testing.T) {
	body := []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
	const want = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	if got := Sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", want)
	at := time.Unix(1531420618, 0)
	if err := Verify("8f742231b10e8888abcd99yyyzzz85a5", at.Add(4*time.Minute), h, body); err != nil {
		t.Errorf("Verify 4 minutes later: %v", err)
	}
	if err := Verify("8f742231b10e8888abcd99yyyzzz85a5", at.Add(6*time.Minute), h, body); err != errStaleTimestamp {
		t.Errorf("Verify 6 minutes later: %v, want stale", err)
	}
	if err := Verify("another", at, h, body); err != errBadSignature {
		t.Errorf("Verify with another secret: %v", err)
	}
}

// The manifest subscribes to what the adapter answers and asks for the
// scopes its calls need, and its HTTP mode URLs are the adapter's routes.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := string(b)
	for _, want := range []string{
		"- app_mention", "- message.im", "- app_home_opened", // events handled
		"- app_mentions:read", "- chat:write", "- commands", "- im:history", "- reactions:write", // scopes
		"command: /careers", "home_tab_enabled: true", "messages_tab_enabled: true",
		"interactivity:\n    is_enabled: true", "socket_mode_enabled:",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("manifest.yaml lacks %q", want)
		}
	}
	for _, p := range Paths {
		if !strings.Contains(m, strings.TrimPrefix(p, "POST ")) {
			t.Errorf("manifest.yaml has no URL for %s", p)
		}
	}
	if strings.Contains(m, "\t") {
		t.Errorf("manifest.yaml holds a tab: YAML wants spaces")
	}
}
