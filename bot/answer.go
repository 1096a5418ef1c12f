// Package bot turns a question into an answer with citations. It knows
// nothing of platforms: adapters hand it a Question and render the Answer.
//
// Every claim an answer makes comes from a passage it cites; a question the
// standards do not cover gets an honest "not covered" answer; a message that
// shows distress gets a kind pointer to people who can help, never an answer
// from the standards.
package bot

import (
	"github.com/careersbot/careersbot/retrieval"
)

// Question is one message to answer.
type Question struct {
	Text string
	// User is the platform's user id (or the client address over HTTP):
	// used for rate limits and, hashed, in logs; never stored.
	User string
	// Occupation names the occupation to answer about (a reference such as
	// ST0127, or a title), when the platform lets the user pick one.
	Occupation string
	// Context is what the conversation has established so far.
	Context Context
	// Via names the adapter the question came through (cli, http, slack,
	// discord), for metrics.
	Via string
	// Channel is the platform's conversation the question came from (a
	// Slack or Discord channel id), for a safeguarding alert; empty over
	// HTTP and the command line.
	Channel string
	// Request, when set, is a platform command's structured request about
	// Occupation; Text then only describes it (for logs and echoes).
	Request *Request
	// OnPartial, when set, receives a generated answer's text as it
	// streams, without citation markers (they are checked at the end), for
	// platforms that show an answer growing. The final Answer is the one
	// to keep.
	OnPartial func(text string)
}

// Context carries a conversation's state from one answer to the next
// question: only the occupation, so a follow-up ("and the behaviours?")
// keeps it. Nothing about the user.
type Context struct {
	Occupation string
}

// Answer is the bot's reply. Its JSON form is the contract of
// docs/interfaces.md section 3; the other fields are for adapters.
type Answer struct {
	Question  string     `json:"question"`
	Text      string     `json:"answer"`
	Grounded  bool       `json:"grounded"`
	Citations []Citation `json:"citations"`

	// Lead is the answer's opening (its first paragraph), for platforms
	// that show the citations beneath it instead of the whole text.
	Lead string `json:"-"`
	// Source credits the standards cited, with their versions and dates.
	Source string `json:"-"`
	// Occupation is the reference the answer is about, for follow-ups.
	Occupation string `json:"-"`
	// Suggestions are occupations the corpus does cover, offered by a
	// "not covered" answer.
	Suggestions []Suggestion `json:"-"`
	Intent      Intent       `json:"-"`
	Outcome     Outcome      `json:"-"`
	// Safeguarding is what a message that shows distress is about; zero
	// for every other answer.
	Safeguarding Safeguarding `json:"-"`
	// Generated is true when a language model wrote the text.
	Generated bool `json:"-"`
	// Card is the occupation's profile, for a card request.
	Card *Card `json:"-"`
	// Topic is what the question was about as the bot understood it: its
	// topic words and any occupation it named that the corpus lacks,
	// without the words that only shape a question. For insights' terms.
	Topic string `json:"-"`
	// Partial marks a grounded answer whose passages hold only part of the
	// question ("the closest it comes"), for insights.
	Partial bool `json:"-"`
	// ID names this answer for its feedback buttons: set by a Guard that
	// records answers (GuardOptions.OnAnswer), else "".
	ID string `json:"-"`
}

// Citation is one passage an answer relies on.
type Citation struct {
	Reference   string  `json:"reference"`
	Occupation  string  `json:"occupation"`
	Level       int     `json:"level"`
	ID          string  `json:"id"`
	Kind        string  `json:"kind"`
	Text        string  `json:"text"`
	Score       float64 `json:"score"`
	URL         string  `json:"url"`
	Version     string  `json:"version"`
	LastUpdated string  `json:"last_updated"`
}

// Marker is how the answer text cites the passage: [ST0127 K12].
func (c Citation) Marker() string { return "[" + c.Reference + " " + c.ID + "]" }

// Suggestion is an occupation offered instead.
type Suggestion struct {
	Reference string `json:"reference"`
	Title     string `json:"title"`
	Level     int    `json:"level"`
}

// Outcome classifies an answer for metrics and logs.
type Outcome string

const (
	OutcomeGrounded    Outcome = "grounded"
	OutcomeNotGrounded Outcome = "not_grounded"
	OutcomeRefused     Outcome = "refused" // distress: pointed to people, not answered
	OutcomeHelp        Outcome = "help"
	OutcomeError       Outcome = "error" // the bot failed; the user got an apology
)

// Intent is what kind of answer a question wants.
type Intent string

const (
	IntentList     Intent = "list"     // a whole list: skills, knowledge, behaviours, duties
	IntentFact     Intent = "fact"     // profile facts: salary, level, SOC code, job titles...
	IntentOverview Intent = "overview" // about the occupation in general
	IntentRole     Intent = "role"     // what the job involves day to day
	IntentTopic    Intent = "topic"    // a topic within one occupation
	IntentSearch   Intent = "search"   // a topic across occupations
	IntentWhich    Intent = "which"    // several occupations fit: ask which
	IntentCompare  Intent = "compare"  // two occupations side by side
	// IntentProgression is where an occupation leads: its job titles and
	// the standards above it on its route.
	IntentProgression Intent = "progression"
	IntentInterest    Intent = "interest"     // standards that fit what someone likes
	IntentOutOfScope  Intent = "out-of-scope" // a question the standards cannot answer
	IntentHelp        Intent = "help"
	IntentDistress    Intent = "distress"
	IntentUnknown     Intent = "unknown"
)

func citationOf(p *retrieval.Passage, score float64) Citation {
	o := p.Occupation
	return Citation{
		Reference:   o.Reference,
		Occupation:  o.Title,
		Level:       o.Level,
		ID:          p.ID,
		Kind:        string(p.Kind),
		Text:        p.Text,
		Score:       round2(score),
		URL:         o.PageURL,
		Version:     o.Version,
		LastUpdated: o.LastUpdated,
	}
}

func round2(x float64) float64 {
	if x < 0 {
		return 0
	}
	if x > 1 {
		return 1
	}
	return float64(int(x*100+0.5)) / 100
}

// Feedback is a user's vote on an answer, from a platform's buttons.
type Feedback struct {
	// Answer is the answer's ID (Answer.ID); "" when the buttons came from
	// a build that did not set one.
	Answer     string
	Vote       string // "up" or "down"
	Occupation string // the reference the answer was about, or ""
	Via        string // the platform: slack, discord
}
