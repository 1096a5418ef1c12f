package discord

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/careersbot/careersbot/adapters/internal/work"
	"github.com/careersbot/careersbot/bot"
)

// Discord's limits on a message, in characters. Lengths here are counted in
// UTF-16 code units, which is never less than the characters Discord counts.
const (
	maxContent     = 2000
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000 // all the embeds of one message together
	maxEmbeds      = 10
	maxChoices     = 25
	maxChoiceName  = 100
	maxChoiceValue = 100
)

// Embed colours.
const (
	colourGrounded    = 0x00857C
	colourNotGrounded = 0x99AAB5
	colourRefused     = 0x5865F2
	colourHelp        = 0x00857C
)

// message is one Discord message: the first response (or its edit), or a
// follow-up.
type message struct {
	Content   string                    `json:"content,omitempty"`
	Embeds    []*discordgo.MessageEmbed `json:"embeds"`
	Ephemeral bool                      `json:"ephemeral,omitempty"`
}

// noMentions is allowed_mentions on every message: nothing in an answer, or
// a question echoed in one, ever pings @everyone, @here, a role or a user.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// messageData is a message as the interaction callback, the @original edit
// and the follow-up endpoints take it.
type messageData struct {
	Content         *string                           `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
}

// wire is m as sent. An edit always sets the content, so that an edit
// replacing one kind of message with another leaves nothing behind.
func (m message) wire(edit bool) messageData {
	d := messageData{Embeds: m.Embeds, AllowedMentions: noMentions()}
	if d.Embeds == nil {
		d.Embeds = []*discordgo.MessageEmbed{}
	}
	if m.Content != "" || edit {
		c := m.Content
		d.Content = &c
	}
	if m.Ephemeral {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	return d
}

// dlen is a string's length as Discord's limits count it (conservatively:
// UTF-16 code units).
func dlen(s string) int {
	n := 0
	for _, r := range s {
		n += units(r)
	}
	return n
}

// units is a rune's length in UTF-16 code units.
func units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// truncate shortens s to at most n units, ending with an ellipsis when it
// cut anything.
func truncate(s string, n int) string {
	if dlen(s) <= n {
		return s
	}
	cut := prefixLen(s, n-1)
	return strings.TrimRightFunc(s[:cut], isSpace) + "…"
}

func isSpace(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }

// prefixLen is the byte length of the longest prefix of s of at most n
// units.
func prefixLen(s string, n int) int {
	used := 0
	for i, r := range s {
		l := units(r)
		if used+l > n {
			return i
		}
		used += l
	}
	return len(s)
}

// splitText cuts s into pieces of at most n units, between paragraphs when
// it can, else between lines, else between words. Nothing is dropped.
func splitText(s string, n int) []string {
	var out []string
	s = strings.TrimSpace(s)
	for dlen(s) > n {
		limit := prefixLen(s, n)
		head := s[:limit]
		cut := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i > 0 {
				cut = i
				break
			}
		}
		if cut <= 0 {
			cut = limit
		}
		if piece := strings.TrimSpace(s[:cut]); piece != "" {
			out = append(out, piece)
		}
		s = strings.TrimSpace(s[cut:])
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// reBulletCited is a line of the answer that quotes one or more cited
// passages: "- Wireless networks technologies and configurations. [ST0127 K12]".
var reBulletCited = regexp.MustCompile(`^\s*- .*\[[A-Z]{2}\d{4} [A-Za-z0-9-]+\]\s*$`)

// description is the answer's text for the embed: without the source line
// (the footer carries it) and, for an extractive answer, without the lines
// that only quote a cited passage (each citation is a field beneath).
func description(a bot.Answer) string {
	text := a.Text
	if a.Source != "" {
		text = strings.Replace(text, a.Source, "", 1)
	}
	if len(a.Citations) > 0 && !a.Generated {
		lines := strings.Split(text, "\n")
		kept := lines[:0]
		for _, l := range lines {
			if !reBulletCited.MatchString(l) {
				kept = append(kept, l)
			}
		}
		text = strings.Join(kept, "\n")
	}
	for strings.Contains(text, "\n\n\n") {
		text = strings.ReplaceAll(text, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(text)
}

// renderAnswer renders an answer as one or more messages: the text as the
// description, each citation as a field named "ST0127 K12" with the passage
// as its value (shortened with an ellipsis past Discord's limit, never
// dropped), the source in each message's footer. A long answer pages across
// embeds and, past 10 embeds or 6,000 characters, across follow-up messages.
func renderAnswer(a bot.Answer) []message {
	if a.Card != nil {
		return renderCard(a)
	}
	colour := colourNotGrounded
	switch {
	case a.Grounded:
		colour = colourGrounded
	case a.Outcome == bot.OutcomeRefused:
		colour = colourRefused
	}
	fields := make([]*discordgo.MessageEmbedField, 0, len(a.Citations))
	for _, c := range a.Citations {
		fields = append(fields, &discordgo.MessageEmbedField{
			Name:  truncate(c.Reference+" "+c.ID, maxFieldName),
			Value: truncate(orDash(c.Text), maxFieldValue),
		})
	}
	msgs := paginate(page{
		description: description(a),
		fields:      fields,
		footer:      truncate(a.Source, maxFooter),
		colour:      colour,
	})
	if a.Outcome == bot.OutcomeRefused {
		// A message that showed distress is answered to its sender alone.
		for i := range msgs {
			msgs[i].Ephemeral = true
		}
	}
	return msgs
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// page is what paginate lays out: a head embed's title and link, the
// description, the fields, and the footer of every message.
type page struct {
	title, url  string
	description string
	fields      []*discordgo.MessageEmbedField
	footer      string
	colour      int
}

// paginate lays a page out in messages within Discord's limits: the
// description in pieces of at most 4,096 characters, then the fields, at
// most 25 an embed, at most 10 embeds and 6,000 characters a message (the
// footer, on each message's last embed, included).
func paginate(p page) []message {
	budget := maxEmbedTotal - dlen(p.footer)
	var msgs []message
	var cur *message
	var emb *discordgo.MessageEmbed
	used := 0 // characters in cur's embeds so far
	newMessage := func() {
		msgs = append(msgs, message{})
		cur = &msgs[len(msgs)-1]
		emb, used = nil, 0
	}
	// newEmbed starts an embed that needs room for size characters, in a
	// new message when this one is full.
	newEmbed := func(size int) {
		if cur == nil || len(cur.Embeds) >= maxEmbeds || used+size > budget {
			newMessage()
		}
		emb = &discordgo.MessageEmbed{Color: p.colour}
		cur.Embeds = append(cur.Embeds, emb)
	}
	title := truncate(p.title, maxTitle)
	descLimit := min(maxDescription, budget-dlen(title))
	for i, piece := range splitText(p.description, descLimit) {
		size := dlen(piece)
		if i == 0 {
			size += dlen(title)
		}
		newEmbed(size)
		if i == 0 && title != "" {
			emb.Title, emb.URL = title, p.url
		}
		emb.Description = piece
		used += size
	}
	if len(msgs) == 0 && title != "" {
		newEmbed(dlen(title))
		emb.Title, emb.URL = title, p.url
		used += dlen(title)
	}
	for _, f := range p.fields {
		size := dlen(f.Name) + dlen(f.Value)
		if emb == nil || len(emb.Fields) >= maxFields || used+size > budget {
			newEmbed(size)
		}
		emb.Fields = append(emb.Fields, f)
		used += size
	}
	if len(msgs) == 0 {
		newEmbed(0)
		emb.Description = "—"
	}
	if p.footer != "" {
		for _, m := range msgs {
			m.Embeds[len(m.Embeds)-1].Footer = &discordgo.MessageEmbedFooter{Text: p.footer}
		}
	}
	return msgs
}

// renderCard renders an occupation's profile card.
func renderCard(a bot.Answer) []message {
	c := a.Card
	var fields []*discordgo.MessageEmbedField
	add := func(name, value string, inline bool) {
		if strings.TrimSpace(value) == "" {
			return
		}
		fields = append(fields, &discordgo.MessageEmbedField{Name: name, Value: truncate(value, maxFieldValue), Inline: inline})
	}
	if c.Level > 0 {
		add("Level", strconv.Itoa(c.Level), true)
	}
	ref := c.Reference
	if c.Version != "" {
		ref += " v" + c.Version
	}
	add("Reference", ref, true)
	add("Median salary", c.Salary, true)
	add("SOC code", c.SOC, true)
	add("Route", c.Route, true)
	add("Typical duration", c.Duration, true)
	status := c.Status
	switch {
	case c.Retired:
		status = strings.TrimSpace(status + " (retired: no longer open to new apprentices)")
	case c.NewerVersion != "":
		status = strings.TrimSpace(status + " (a newer version, " + c.NewerVersion + ", exists)")
	}
	add("Status", status, true)
	add("Typical job titles", strings.Join(c.JobTitles, ", "), false)
	add("Knowledge, skills and behaviours", fmt.Sprintf("%s, %s, %s", count(c.Knowledge, "knowledge item", "knowledge items"),
		count(c.Skills, "skill", "skills"), count(c.Behaviours, "behaviour", "behaviours")), false)
	add("Duties", count(c.Duties, "duty", "duties"), true)
	footer := a.Source
	if footer == "" {
		meta := c.Reference
		if c.Version != "" {
			meta += " v" + c.Version
		}
		if c.LastUpdated != "" {
			meta += ", " + c.LastUpdated
		}
		footer = "Source: Skills England occupational standards (" + meta + "), Open Government Licence v3.0."
	}
	return paginate(page{
		title:       c.Title + " (" + c.Reference + ")",
		url:         c.URL,
		description: c.Overview,
		fields:      fields,
		footer:      truncate(footer, maxFooter),
		colour:      colourGrounded,
	})
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// renderError is the message for a question the bot did not answer: the
// per-user limits, a busy or starting bot, or a failure. It is ephemeral:
// only the asker sees it.
func renderError(err error) message {
	text := bot.ErrorMessage(err)
	if errors.Is(err, bot.ErrEmptyQuestion) {
		text = "The question is empty: ask something such as `/careers ask question: Which skills does a network engineer need?`"
	}
	return message{Content: truncate(text, maxContent), Ephemeral: true}
}

// renderBusy is the first response to a command past the bound of those
// being answered, or while shutting down: only the asker sees it.
func renderBusy(why error) message {
	text := "Sorry, I'm busy answering a lot of questions right now: please try again in a minute."
	if errors.Is(why, work.ErrClosing) {
		text = "Sorry, I'm restarting: please ask again in a few seconds."
	}
	return message{Content: text, Ephemeral: true}
}

// helpText is /careers help.
const helpText = "I answer careers questions from England's official occupational standards (Skills England), " +
	"quoting the standard for every claim: each answer cites its passages, such as `ST0127 K12`.\n\n" +
	"**Commands**\n" +
	"`/careers ask question:` a question in your own words; add `occupation:` to ask about one occupation\n" +
	"`/careers occupation name:` an occupation's profile: level, pay and duration where known, SOC code, job titles, overview\n" +
	"`/careers list occupation: kind:` all of its knowledge, skills, behaviours or duties\n" +
	"`/careers ksb occupation: id:` one passage of the standard, such as K12, S3, B1 or D2\n" +
	"`/careers help` this message\n\n" +
	"**Try**\n" +
	"• `/careers ask question: Which skills does a network engineer need?`\n" +
	"• `/careers ask question: How much does a network engineer earn?`\n" +
	"• `/careers ask question: Which apprenticeships involve routing?`\n" +
	"• `/careers occupation name: Network engineer`\n" +
	"• `/careers list occupation: Commis chef kind: skills`\n" +
	"• `/careers ksb occupation: ST0127 id: K12`\n\n" +
	"Occupation options suggest names as you type. Answers are posted in the channel; this help is only for you."

// renderHelp is the ephemeral help message.
func renderHelp() message {
	return message{Ephemeral: true, Embeds: []*discordgo.MessageEmbed{{
		Title:       "careersbot: careers answers from the occupational standards",
		Description: helpText,
		Color:       colourHelp,
		Footer:      &discordgo.MessageEmbedFooter{Text: "Source: Skills England occupational standards, Open Government Licence v3.0."},
	}}}
}

// choiceName is how an autocomplete choice reads: "Network engineer
// (ST0127, level 4)", and the job title it matched when that is not the
// title.
func choiceName(c bot.Completion) string {
	name := c.Title
	if c.Level > 0 {
		name += fmt.Sprintf(" (%s, level %d)", c.Reference, c.Level)
	} else {
		name += " (" + c.Reference + ")"
	}
	if c.Matched != "" && !strings.EqualFold(c.Matched, c.Title) && !strings.EqualFold(c.Matched, c.Reference) {
		name = c.Matched + " → " + name
	}
	return truncate(name, maxChoiceName)
}
