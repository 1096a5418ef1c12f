package teams

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/careersbot/careersbot/bot"
)

// Teams' limits on what a bot posts, and this adapter's pages.
const (
	// CardVersion is the Adaptive Card schema version of every card: the
	// newest Teams renders on desktop, web and mobile.
	CardVersion = "1.5"
	// MaxActivityBytes bounds one posted activity, counted as Teams
	// counts: the whole payload encoded as UTF-16. Teams' documented
	// limit has been 28 KB, 40 KB and, lately, 100 KB (80 KB advised);
	// the smallest is kept, so a reply never meets MessageSizeTooBig.
	MaxActivityBytes = 28 * 1024
	// maxPages is how many cards an answer may take before its passages
	// are shortened (never dropped).
	maxPages = 8
	// maxBlockRunes bounds one text block of the answer's body; a longer
	// paragraph is split.
	maxBlockRunes = 2000
)

// Data of the cards' Action.Submit buttons: the activity's value when one
// is pressed.
const (
	submitKind   = "careersbot"
	kindFeedback = "feedback"
)

// submitData is what a feedback button sends back: the vote and what the
// answer was about, never the question.
type submitData struct {
	Kind  string `json:"careersbot"`
	Vote  string `json:"vote,omitempty"`  // up, down
	About string `json:"about,omitempty"` // occupation|intent|outcome
}

// Card is an Adaptive Card, with the elements this adapter uses.
type Card struct {
	Type    string         `json:"type"`
	Schema  string         `json:"$schema"`
	Version string         `json:"version"`
	Body    []Element      `json:"body"`
	Actions []Action       `json:"actions,omitempty"`
	MSTeams map[string]any `json:"msteams,omitempty"`
}

// Element is a TextBlock or a Container.
type Element struct {
	Type      string    `json:"type"`
	Text      string    `json:"text,omitempty"`
	Wrap      bool      `json:"wrap,omitempty"`
	Weight    string    `json:"weight,omitempty"`
	Size      string    `json:"size,omitempty"`
	IsSubtle  bool      `json:"isSubtle,omitempty"`
	Spacing   string    `json:"spacing,omitempty"`
	Separator bool      `json:"separator,omitempty"`
	Style     string    `json:"style,omitempty"`
	Items     []Element `json:"items,omitempty"`
}

// Action is an Action.Submit button.
type Action struct {
	Type  string     `json:"type"`
	Title string     `json:"title"`
	Data  submitData `json:"data"`
}

func newCard(body []Element, actions []Action) *Card {
	return &Card{Type: "AdaptiveCard", Schema: "http://adaptivecards.io/schemas/adaptive-card.json",
		Version: CardVersion, Body: body, Actions: actions, MSTeams: map[string]any{"width": "Full"}}
}

func text(s string) Element { return Element{Type: "TextBlock", Text: s, Wrap: true} }

func subtle(s string) Element {
	return Element{Type: "TextBlock", Text: s, Wrap: true, IsSubtle: true, Size: "Small", Spacing: "Medium"}
}

func heading(s string) Element {
	return Element{Type: "TextBlock", Text: s, Wrap: true, Weight: "Bolder", Spacing: "Medium"}
}

// reLink is the start of a Markdown link's target: text an answer quotes
// from a question must not become a link.
var reLink = regexp.MustCompile(`\]\s*\(`)

// plainMD keeps text from the bot (which may quote the question) from
// acting as Markdown links in a TextBlock: "](" becomes "] (".
func plainMD(s string) string { return reLink.ReplaceAllString(s, "] (") }

// message is an activity to post: a card, or plain text.
func cardMessage(c *Card, summary string) *Activity {
	return &Activity{Type: TypeMessage, Summary: summary,
		Attachments: []Attachment{{ContentType: ContentTypeAdaptiveCard, Content: c}}}
}

func textMessage(s string) *Activity {
	return &Activity{Type: TypeMessage, TextFormat: "plain", Text: s}
}

// activityBytes is a message's size as Teams counts it: its JSON as UTF-16.
func activityBytes(act *Activity) int {
	b, _ := json.Marshal(act)
	return utf16Len(string(b)) * 2
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// renderOptions say what goes around an answer.
type renderOptions struct {
	Feedback bool // Helpful / Not helpful buttons on the last card
}

var kindLabel = map[string]string{
	"knowledge": "Knowledge", "skill": "Skill", "behaviour": "Behaviour",
	"duty": "Duty", "overview": "Overview", "profile": "Profile",
}

// renderAnswer lays an answer out as Adaptive Cards: the answer's lead (the
// text without the lines that only quote the passages shown beneath, and
// without the source line), every citation grouped by occupation with its
// [REF ID], kind and the passage as the standard words it, the source line,
// and the feedback buttons. An answer too big for one message is paged
// over several cards, each marked "Part i of n", each within
// MaxActivityBytes; if it would take more than maxPages, the passages are
// shortened, never dropped.
func renderAnswer(a bot.Answer, o renderOptions) []*Activity {
	var pages []*Activity
	for _, passageCap := range []int{0, 1500, 600, 300, 150, 60} {
		pages = layoutAnswer(a, o, passageCap)
		if len(pages) <= maxPages {
			break
		}
	}
	return pages
}

// block is one element of the layout with what to repeat at the top of a
// page it starts: its group's heading.
type block struct {
	el    Element
	group string // the heading of the group it belongs to, "" for the lead
	head  bool   // it is that heading
}

func layoutAnswer(a bot.Answer, o renderOptions, passageCap int) []*Activity {
	var blocks []block
	for _, p := range splitParas(a.Body(), maxBlockRunes) {
		blocks = append(blocks, block{el: text(plainMD(p))})
	}
	for _, g := range groupCitations(a.Citations) {
		h := groupHeading(g[0])
		el := heading(h)
		el.Separator = true
		blocks = append(blocks, block{el: el, group: h, head: true})
		for _, c := range g {
			blocks = append(blocks, block{el: citationBlock(c, passageCap), group: h})
		}
	}
	var foot []Element
	var src []string
	if a.Source != "" {
		src = append(src, a.Source)
	}
	if a.Generated {
		src = append(src, "Worded by a language model from the passages cited; every marker is checked against them.")
	}
	if len(src) > 0 {
		foot = append(foot, subtle(plainMD(strings.Join(src, " "))))
	}
	var actions []Action
	if o.Feedback {
		about := feedbackAbout(a)
		actions = []Action{
			{Type: "Action.Submit", Title: "👍 Helpful", Data: submitData{Kind: kindFeedback, Vote: "up", About: about}},
			{Type: "Action.Submit", Title: "👎 Not helpful", Data: submitData{Kind: kindFeedback, Vote: "down", About: about}},
		}
	}
	summary := summaryText(a)

	// Pack the blocks greedily into pages, leaving room on each for the
	// "Part i of n" line, the footer and the buttons.
	reserve := activityBytes(cardMessage(newCard(append([]Element{subtle("Part 10 of 10")}, foot...), actions), summary))
	budget := MaxActivityBytes - reserve
	var bodies [][]Element
	var cur []Element
	used := 0
	for i, b := range blocks {
		size := elementBytes(b.el)
		if len(cur) > 0 && used+size > budget {
			bodies = append(bodies, cur)
			cur, used = nil, 0
			if b.group != "" && !b.head {
				cont := heading(b.group + " (continued)")
				cur, used = append(cur, cont), elementBytes(cont)
			}
		}
		// A heading is not left alone at the foot of a page.
		if b.head && i+1 < len(blocks) && len(cur) > 0 && used+size+elementBytes(blocks[i+1].el) > budget {
			bodies = append(bodies, cur)
			cur, used = nil, 0
		}
		cur = append(cur, b.el)
		used += size
	}
	if len(cur) > 0 || len(bodies) == 0 {
		bodies = append(bodies, cur)
	}
	out := make([]*Activity, len(bodies))
	for i, body := range bodies {
		var acts []Action
		if len(bodies) > 1 {
			body = append(body, subtle(fmt.Sprintf("Part %d of %d", i+1, len(bodies))))
		}
		if i == len(bodies)-1 {
			body = append(body, foot...)
			acts = actions
		}
		if len(body) == 0 {
			body = []Element{text("—")}
		}
		s := summary
		if len(bodies) > 1 {
			s = fmt.Sprintf("%s (part %d of %d)", summary, i+1, len(bodies))
		}
		out[i] = cardMessage(newCard(body, acts), s)
	}
	return out
}

func elementBytes(e Element) int {
	b, _ := json.Marshal(e)
	return (utf16Len(string(b)) + 1) * 2
}

// citationBlock is one passage: "**[ST0127 K12]** Knowledge: text".
func citationBlock(c bot.Citation, passageCap int) Element {
	t := c.Text
	if passageCap > 0 {
		t = truncateRunes(t, passageCap)
	}
	kind := kindLabel[c.Kind]
	if kind == "" {
		kind = c.Kind
	}
	line := "**" + c.Marker() + "**"
	if kind != "" {
		line += " " + kind + ":"
	}
	el := text(line + " " + plainMD(t))
	el.Spacing = "Small"
	return el
}

// groupCitations groups the citations by occupation, in the order each
// occupation first appears, each group in the answer's order.
func groupCitations(cits []bot.Citation) [][]bot.Citation {
	var order []string
	groups := map[string][]bot.Citation{}
	for _, c := range cits {
		if _, ok := groups[c.Reference]; !ok {
			order = append(order, c.Reference)
		}
		groups[c.Reference] = append(groups[c.Reference], c)
	}
	out := make([][]bot.Citation, len(order))
	for i, ref := range order {
		out[i] = groups[ref]
	}
	return out
}

// groupHeading names an occupation (linked to its standard's page), its
// reference and level, and the version and date quoted.
func groupHeading(c bot.Citation) string {
	title := c.Occupation
	if c.URL != "" && strings.HasPrefix(c.URL, "https://") && !strings.ContainsAny(c.URL, " ()[]") {
		title = "[" + strings.NewReplacer("[", "(", "]", ")").Replace(c.Occupation) + "](" + c.URL + ")"
	}
	h := title + " (" + c.Reference
	if c.Level > 0 {
		h += fmt.Sprintf(", Level %d", c.Level)
	}
	h += ")"
	var meta []string
	if c.Version != "" {
		meta = append(meta, "v"+c.Version)
	}
	if c.LastUpdated != "" {
		meta = append(meta, c.LastUpdated)
	}
	if len(meta) > 0 {
		h += " · " + strings.Join(meta, ", ")
	}
	return h
}

// feedbackAbout is what a feedback button carries: what the answer was
// about and, when serve records insights, the answer's ID; never the
// question.
func feedbackAbout(a bot.Answer) string {
	parts := []string{a.Occupation, string(a.Intent), string(a.Outcome)}
	if a.ID != "" {
		parts = append(parts, a.ID)
	}
	return truncateRunes(strings.Join(parts, "|"), 200)
}

var reMarker = regexp.MustCompile(`\[((?:ST|FA)\d{4}) ([A-Za-z0-9-]+)\]`)

// splitParas cuts text into blocks of at most n runes: at blank lines, then
// lines, then spaces. Nothing is dropped. A TextBlock renders Markdown
// lists, so each block keeps its lines.
func splitParas(s string, n int) []string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		para = strings.TrimSpace(para)
		for len([]rune(para)) > n {
			r := []rune(para)
			cut := -1
			for _, sep := range []rune{'\n', ' '} {
				for i := n; i > n/2; i-- {
					if r[i] == sep {
						cut = i
						break
					}
				}
				if cut > 0 {
					break
				}
			}
			if cut <= 0 {
				cut = n
			}
			out = append(out, strings.TrimSpace(string(r[:cut])))
			para = strings.TrimSpace(string(r[cut:]))
		}
		if para != "" {
			out = append(out, para)
		}
	}
	return out
}

// truncateRunes shortens s to at most n runes, ending with "…" when cut.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// summaryText is a message's short text for notifications and the chat
// list: the lead without markers, and how many passages are cited.
func summaryText(a bot.Answer) string {
	lead := a.Lead
	if lead == "" {
		lead, _, _ = strings.Cut(a.Text, "\n")
	}
	lead = strings.Join(strings.Fields(reMarker.ReplaceAllString(lead, "")), " ")
	switch n := len(a.Citations); {
	case n == 1:
		return truncateRunes(lead, 200) + " (1 passage cited)"
	case n > 1:
		return truncateRunes(lead, 200) + fmt.Sprintf(" (%d passages cited)", n)
	}
	return truncateRunes(lead, 240)
}

// isDistress reports whether an answer is the reply to a message that
// shows distress: sent privately, as plain text, with no buttons.
func isDistress(a bot.Answer) bool {
	return a.Intent == bot.IntentDistress || !a.Safeguarding.IsZero()
}

// helpExamples are the example questions the help and the welcome show;
// the manifest's command list offers the short ones.
var helpExamples = []string{
	"Which skills does a network engineer need?",
	"How much does a commis chef earn?",
	"What does a network engineer do day to day?",
	"Which apprenticeships involve routing and switching?",
	"Tell me about the software developer apprenticeship",
}

// renderHelp is the help card: what the bot does, how to ask in Teams, and
// examples. welcome puts a greeting first, for the bot's install.
func renderHelp(welcome bool) *Activity {
	var body []Element
	if welcome {
		body = append(body, Element{Type: "TextBlock", Text: "Hello! I'm careersbot.", Wrap: true, Weight: "Bolder", Size: "Medium"})
	}
	body = append(body,
		text("I answer careers questions from England's official occupational standards (Skills England), "+
			"quoting the standard for every claim: an occupation's knowledge, skills and behaviours (KSBs), its duties, "+
			"level and typical job titles and, where the data has them, its pay, duration, funding and entry requirements, each with its source and date."),
		heading("How to ask"),
		text("- In a chat with me, just type your question.\n"+
			"- In a channel or group chat, mention me: **@careersbot which skills does a network engineer need?** I answer in the thread; mention me there again for a follow-up such as \"and what about the behaviours?\"\n"+
			"- Type **help** to see this again."),
		heading("Try, for example"),
	)
	var ex strings.Builder
	for _, e := range helpExamples {
		ex.WriteString("- " + e + "\n")
	}
	body = append(body, text(strings.TrimRight(ex.String(), "\n")),
		subtle("Source: Skills England occupational standards, Open Government Licence v3.0. Every cited KSB, duty or fact names its standard, reference and version, so you can check it and pass it on."))
	summary := "What careersbot can do, with example questions"
	if welcome {
		summary = "Hello! I'm careersbot: " + summary
	}
	return cardMessage(newCard(body, nil), summary)
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
