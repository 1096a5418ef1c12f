// Package insights records what learners ask and how it went, as events
// without text, and reports them to the people who run careersbot: the
// questions per day, the occupations and routes asked about, the share of
// each outcome, the terms of the questions the standards could not answer,
// the feedback, and the slowest answers.
//
// An event holds no question text unless the operator asks for it
// (CAREERSBOT_LOG_QUESTIONS); a question the standards do not cover keeps
// only its salient terms (SalientTerms). Events live in SQLite in the data
// dir, or in PostgreSQL when several replicas share one database, and are
// swept after the retention period.
package insights

import (
	"time"

	"github.com/careersbot/careersbot/bot"
)

// Outcome is how a question ended, as advisers read it.
type Outcome string

const (
	Answered   Outcome = "answered"    // grounded in the standards
	Partial    Outcome = "partial"     // the closest the standard comes
	NotCovered Outcome = "not_covered" // the standards do not answer it
	Distress   Outcome = "distress"    // pointed to people; counted only
	Help       Outcome = "help"        // asked what the bot can do
	Error      Outcome = "error"       // the bot failed or was too busy
)

// Outcomes lists every outcome in the order reports show them.
var Outcomes = []Outcome{Answered, Partial, NotCovered, Distress, Help, Error}

// Label is the outcome as a person reads it.
func (o Outcome) Label() string {
	switch o {
	case Answered:
		return "answered"
	case Partial:
		return "partly answered"
	case NotCovered:
		return "not covered"
	case Distress:
		return "distress"
	case Help:
		return "help"
	case Error:
		return "error"
	}
	return string(o)
}

// Event is one answered question, without its text.
type Event struct {
	ID       string // the answer's ID, which its feedback names
	At       time.Time
	Platform string // http, slack, discord, ...
	// User is the asker's pseudonym (an HMAC whose key lives only in the
	// process's memory), "" for distress: those are counted, nothing more.
	User    string
	Outcome Outcome
	Intent  string
	// Occupation is the reference the answer was about, if any;
	// Occupations are every standard involved (it and the ones cited).
	Occupation  string
	Occupations []Occupation
	Citations   []string // "ST0127 K12", best first
	Latency     time.Duration
	// Terms are a not-covered question's salient terms (SalientTerms).
	Terms []string
	// Question is the text, only when the operator set
	// CAREERSBOT_LOG_QUESTIONS.
	Question string
}

// Occupation is a standard an event involved.
type Occupation struct {
	Reference string
	Title     string
	Route     string
	Level     int
}

// Feedback is one vote on an answer.
type Feedback struct {
	ID         string
	At         time.Time
	Platform   string
	Event      string // the answer's ID, or "" when the button had none
	Occupation string // the reference the answer was about, or ""
	Title      string // its title
	Vote       string // up or down
}

// Classify tells an observed question's outcome, and false for a question
// that was never worked on because it broke a limit (empty, too long, over
// the user's rate): those are no one's question to analyse, and /metrics
// counts them.
func Classify(o bot.Observed) (Outcome, bool) {
	if o.Err != nil {
		if c := bot.ErrorCode(o.Err); c == bot.Invalid || c == bot.TooMany {
			return "", false
		}
		return Error, true // busy, not ready, a failed search
	}
	a := o.Answer
	switch {
	case !a.Safeguarding.IsZero() || a.Intent == bot.IntentDistress:
		return Distress, true
	case a.Outcome == bot.OutcomeHelp:
		return Help, true
	case a.Outcome == bot.OutcomeGrounded && a.Partial:
		return Partial, true
	case a.Outcome == bot.OutcomeGrounded:
		return Answered, true
	case a.Outcome == bot.OutcomeError:
		return Error, true
	}
	return NotCovered, true
}
