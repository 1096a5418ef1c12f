package slack

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"

	"github.com/careersbot/careersbot/bot"
)

// Slack's limits on a message's blocks.
const (
	maxBlocks       = 50    // blocks in a message
	maxSectionChars = 3000  // characters in a section's text
	maxContextChars = 3000  // characters in a context element's text
	maxMessageChars = 12000 // what this adapter allows all section texts together, to stay well inside Slack's message size
	maxFallbackRune = 300   // runes in the notification text
)

// Action ids of the buttons the adapter renders.
const (
	actionFeedbackUp   = "feedback_up"
	actionFeedbackDown = "feedback_down"
	actionShare        = "share"
)

// escaper makes text safe to show in Slack: with &, < and > as entities, no
// <!channel>, <@U...>, <#C...> or link in it is acted on.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes user or corpus text safe for Slack's mrkdwn and plain text.
func escape(s string) string { return escaper.Replace(s) }

// reSlackToken is one of Slack's markup tokens in message text: a user,
// channel or special mention, or a link.
var reSlackToken = regexp.MustCompile(`<([^<>]*)>`)

var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// questionText turns a message's text as Slack sends it into the question
// to ask: the bot's own mention dropped, other mentions and links as the
// reader sees them ("@here", "#general", a link's label), Slack's entities
// decoded, spaces collapsed.
func questionText(text, botUserID string) string {
	text = reSlackToken.ReplaceAllStringFunc(text, func(tok string) string {
		inner := tok[1 : len(tok)-1]
		body, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(body, "@"):
			id := body[1:]
			if id == botUserID || botUserID == "" && strings.HasPrefix(strings.TrimSpace(text), tok) {
				return " "
			}
			if hasLabel && label != "" {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return "@" + id
		case strings.HasPrefix(body, "#"):
			if hasLabel && label != "" {
				return "#" + label
			}
			return body
		case strings.HasPrefix(body, "!subteam^"):
			if hasLabel && label != "" {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return "@group"
		case strings.HasPrefix(body, "!date^"):
			return label
		case strings.HasPrefix(body, "!"):
			name, _, _ := strings.Cut(body[1:], "^")
			return "@" + name
		}
		if hasLabel && label != "" {
			return label
		}
		return strings.TrimPrefix(body, "mailto:")
	})
	text = unescaper.Replace(text)
	return strings.Join(strings.Fields(text), " ")
}

// isHelp reports whether a message asks what the bot can do rather than a
// careers question: empty, "help" or "?".
func isHelp(q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	q = strings.TrimRight(q, "?!. ")
	switch q {
	case "", "help", "help me", "commands", "usage":
		return true
	}
	return false
}

// isDistress reports whether an answer is the reply to a message that shows
// distress: plain text, sent privately where possible, no buttons.
func isDistress(a bot.Answer) bool {
	return a.Outcome == bot.OutcomeRefused && len(a.Citations) == 0
}

// renderOptions say what goes around an answer.
type renderOptions struct {
	Feedback bool   // 👍/👎 buttons
	ShareID  string // a "Share in channel" button carrying this id
	Asked    string // the question, echoed (escaped) above the answer
	AskedBy  string // the user id who asked, for a shared answer
}

// rendered is a message ready to send: blocks and the plain-text fallback
// for notifications.
type rendered struct {
	Blocks []slackgo.Block
	Text   string
}

var kindLabel = map[string]string{
	"knowledge": "Knowledge", "skill": "Skill", "behaviour": "Behaviour",
	"duty": "Duty", "overview": "Overview", "profile": "Profile",
}

// renderAnswer lays an answer out in Block Kit: the answer's text (without
// the lines the citations show in full) in sections, then every citation
// grouped by occupation (reference, id, kind, the passage as the standard
// words it), packed several to a section, then a context line with the
// source and its dates, then the buttons. It stays within Slack's limits
// (50 blocks, 3,000 characters a section) by shortening long passages,
// never by dropping a citation.
func renderAnswer(a bot.Answer, o renderOptions) rendered {
	var blocks []slackgo.Block
	for _, passageCap := range []int{0, 600, 300, 150, 60, 1} {
		blocks = answerBlocks(a, o, passageCap)
		if len(blocks) <= maxBlocks && sectionChars(blocks) <= maxMessageChars {
			break
		}
	}
	return rendered{Blocks: blocks, Text: fallbackText(a)}
}

func answerBlocks(a bot.Answer, o renderOptions, passageCap int) []slackgo.Block {
	var blocks []slackgo.Block
	if o.Asked != "" {
		asked := "*You asked:* " + escape(o.Asked)
		if o.AskedBy != "" {
			asked = fmt.Sprintf("*<@%s> asked:* %s", o.AskedBy, escape(o.Asked))
		}
		blocks = append(blocks, contextBlock("asked", truncateRunes(asked, maxContextChars)))
	}
	body := a.Body()
	for _, s := range pack(strings.Split(escape(body), "\n"), maxSectionChars) {
		blocks = append(blocks, sectionBlock(s))
	}
	if len(a.Citations) > 0 {
		blocks = append(blocks, slackgo.NewDividerBlock())
		for _, s := range pack(citationLines(a.Citations, passageCap), maxSectionChars) {
			blocks = append(blocks, sectionBlock(s))
		}
	}
	var ctx []string
	if a.Source != "" {
		ctx = append(ctx, escape(a.Source))
	}
	if a.Generated {
		ctx = append(ctx, "Worded by a language model from the passages cited; every marker is checked against them.")
	}
	if len(ctx) > 0 {
		blocks = append(blocks, contextBlock("source", truncateRunes(strings.Join(ctx, " "), maxContextChars)))
	}
	var buttons []slackgo.BlockElement
	if o.ShareID != "" {
		b := slackgo.NewButtonBlockElement(actionShare, o.ShareID, plain("Share in channel"))
		b.Style = slackgo.StylePrimary
		buttons = append(buttons, b)
	}
	if o.Feedback {
		v := feedbackValue(a)
		buttons = append(buttons,
			slackgo.NewButtonBlockElement(actionFeedbackUp, v, plain("👍 Helpful")),
			slackgo.NewButtonBlockElement(actionFeedbackDown, v, plain("👎 Not helpful")))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slackgo.NewActionBlock("answer_actions", buttons...))
	}
	if len(blocks) > maxBlocks {
		// Only the divider is optional.
		out := blocks[:0:0]
		for _, b := range blocks {
			if _, ok := b.(*slackgo.DividerBlock); !ok {
				out = append(out, b)
			}
		}
		blocks = out
	}
	return blocks
}

// feedbackValue is what a feedback button carries: what the answer was
// about and, when serve records insights, the answer's ID; never the
// question.
func feedbackValue(a bot.Answer) string {
	parts := []string{a.Occupation, string(a.Intent), string(a.Outcome)}
	if a.ID != "" {
		parts = append(parts, a.ID)
	}
	return truncateRunes(strings.Join(parts, "|"), 200)
}

// reMarker finds a citation marker: "[ST0127 K12]".
var reMarker = regexp.MustCompile(`\[((?:ST|FA)\d{4}) ([A-Za-z0-9-]+)\]`)

// citationLines lists the citations grouped by occupation, in the order
// they first appear: a line naming the occupation (linked to its standard),
// then one line per passage with its marker, kind and text. passageCap, when
// positive, shortens each passage to that many runes.
func citationLines(cits []bot.Citation, passageCap int) []string {
	var order []string
	groups := map[string][]bot.Citation{}
	for _, c := range cits {
		if _, ok := groups[c.Reference]; !ok {
			order = append(order, c.Reference)
		}
		groups[c.Reference] = append(groups[c.Reference], c)
	}
	var lines []string
	for _, ref := range order {
		g := groups[ref]
		c := g[0]
		title := "*" + escape(c.Occupation) + "*"
		if c.URL != "" && !strings.ContainsAny(c.URL, "|<> ") {
			title = "*<" + escape(c.URL) + "|" + escape(c.Occupation) + ">*"
		}
		head := title + " (" + escape(c.Reference)
		if c.Level > 0 {
			head += fmt.Sprintf(", Level %d", c.Level)
		}
		head += ")"
		var meta []string
		if c.Version != "" {
			meta = append(meta, "v"+escape(c.Version))
		}
		if c.LastUpdated != "" {
			meta = append(meta, escape(c.LastUpdated))
		}
		if len(meta) > 0 {
			head += " · " + strings.Join(meta, ", ")
		}
		lines = append(lines, head)
		for _, c := range g {
			text := c.Text
			if passageCap > 0 {
				text = truncateRunes(text, passageCap)
			}
			kind := kindLabel[c.Kind]
			if kind == "" {
				kind = c.Kind
			}
			line := "• *" + escape(c.Marker()) + "*"
			if kind != "" {
				line += " " + escape(kind) + ":"
			}
			lines = append(lines, line+" "+escape(text))
		}
	}
	return lines
}

// pack joins lines into texts of at most limit characters each, splitting a
// line that is longer on its own at spaces.
func pack(lines []string, limit int) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, line := range lines {
		for _, part := range splitLong(line, limit) {
			n := utf8.RuneCountInString(part)
			if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+n > limit {
				flush()
			}
			if cur.Len() > 0 {
				cur.WriteByte('\n')
			}
			cur.WriteString(part)
		}
	}
	flush()
	return out
}

// splitLong cuts a line longer than limit runes at spaces (or anywhere, for
// a word longer than limit), never inside an entity such as &amp;.
func splitLong(line string, limit int) []string {
	var out []string
	for utf8.RuneCountInString(line) > limit {
		runes := []rune(line)
		cut := limit
		for i := limit; i > limit/2; i-- {
			if runes[i] == ' ' {
				cut = i
				break
			}
		}
		// Entities (&amp; &lt; &gt;) are at most 5 runes: do not cut one.
		for i := cut - 1; i >= max(0, cut-5); i-- {
			if runes[i] == ';' {
				break
			}
			if runes[i] == '&' {
				cut = i
				break
			}
		}
		out = append(out, strings.TrimRight(string(runes[:cut]), " "))
		line = strings.TrimLeft(string(runes[cut:]), " ")
	}
	return append(out, line)
}

// truncateRunes shortens s to at most n runes, ending with "…" when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	if n <= 1 {
		return "…"
	}
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// fallbackText is the short plain text of a message, for notifications
// and clients that show no blocks.
func fallbackText(a bot.Answer) string {
	lead := a.Lead
	if lead == "" {
		lead, _, _ = strings.Cut(a.Text, "\n")
	}
	lead = reMarker.ReplaceAllString(lead, "")
	lead = strings.Join(strings.Fields(lead), " ")
	if n := len(a.Citations); n > 0 {
		lead = truncateRunes(lead, maxFallbackRune-30)
		if n == 1 {
			lead += " (1 passage cited)"
		} else {
			lead += fmt.Sprintf(" (%d passages cited)", n)
		}
	}
	out := escape(truncateRunes(lead, maxFallbackRune))
	for n := maxFallbackRune; utf8.RuneCountInString(out) > maxFallbackRune && n > 1; n -= 10 {
		out = escape(truncateRunes(lead, n)) // entities made it longer
	}
	return out
}

func sectionBlock(mrkdwn string) *slackgo.SectionBlock {
	return slackgo.NewSectionBlock(mrkdwnText(mrkdwn), nil, nil)
}

func contextBlock(id, mrkdwn string) *slackgo.ContextBlock {
	return slackgo.NewContextBlock(id, mrkdwnText(mrkdwn))
}

// mrkdwnText is a mrkdwn text object with verbatim set, so that Slack does
// not turn bare names or URLs in it into mentions or links.
func mrkdwnText(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, true)
}

func plain(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, true, false)
}

func sectionChars(blocks []slackgo.Block) int {
	n := 0
	for _, b := range blocks {
		if s, ok := b.(*slackgo.SectionBlock); ok && s.Text != nil {
			n += utf8.RuneCountInString(s.Text.Text)
		}
	}
	return n
}

// plainMessage is a message of text alone (escaped), for distress replies
// and polite refusals.
func plainMessage(text string) rendered {
	return rendered{Text: escape(text)}
}

// helpExamples are the example questions the help shows.
var helpExamples = []string{
	"Which skills does a network engineer need?",
	"How much does a commis chef earn?",
	"What does a network engineer do day to day?",
	"Which apprenticeships involve routing and switching?",
	"Tell me about the software developer apprenticeship",
}

// helpBlocks explain what the bot can do, with examples: for help in a DM
// or mention, an empty /careers, and the App Home tab.
func helpBlocks() rendered {
	var ex strings.Builder
	for _, e := range helpExamples {
		ex.WriteString("• " + escape(e) + "\n")
	}
	intro := "I answer careers questions from England's official occupational standards (Skills England), " +
		"quoting the standard for every claim: an occupation's knowledge, skills and behaviours (KSBs), its duties, " +
		"level and typical job titles and, where the data has them, its pay, duration, funding and entry requirements, each with its source and date."
	how := "*How to ask*\n" +
		"• Mention me in a channel: `@careersbot which skills does a network engineer need?` I answer in the thread; mention me there again for a follow-up such as \"and what about the behaviours?\"\n" +
		"• Send me a direct message.\n" +
		"• Type `/careers QUESTION` anywhere for an answer only you see, with a button to share it in the channel."
	blocks := []slackgo.Block{
		sectionBlock(intro),
		sectionBlock(how),
		sectionBlock("*Try, for example*\n" + strings.TrimRight(ex.String(), "\n")),
		contextBlock("source", "Source: Skills England occupational standards, Open Government Licence v3.0. Every cited KSB, duty or fact names its standard, reference and version, so you can check it and pass it on."),
	}
	return rendered{Blocks: blocks, Text: "What careersbot can do, with example questions"}
}

// homeView is the App Home tab: the help.
func homeView() slackgo.HomeTabViewRequest {
	blocks := append([]slackgo.Block{
		slackgo.NewHeaderBlock(plain("careersbot: cited answers about careers")),
	}, helpBlocks().Blocks...)
	return slackgo.HomeTabViewRequest{Type: slackgo.VTHomeTab, Blocks: slackgo.Blocks{BlockSet: blocks}}
}

// errorReply is the sentence a user is told when their question was not
// answered: the bot's own message, with this platform's example for an
// empty question; the log gets the cause of a failure.
func errorReply(err error) string {
	if errors.Is(err, bot.ErrEmptyQuestion) {
		return "Ask me a careers question, such as \"Which skills does a network engineer need?\""
	}
	return bot.ErrorMessage(err)
}
