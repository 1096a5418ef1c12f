package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/careersbot/careersbot/retrieval"
)

// Searcher is what the bot needs of the corpus: search, and the occupations
// and their passages. retrieval.Index is one.
type Searcher interface {
	Search(ctx context.Context, q retrieval.Query) ([]retrieval.Hit, error)
	Occupation(ref string) (*retrieval.Occupation, bool)
	Occupations() []*retrieval.Occupation
	Passages(ref string) []retrieval.Passage
	RankOccupations(text string) []retrieval.Candidate
	SuggestOccupations(phrase string, n int) []*retrieval.Occupation
	IsGenericName(stem string) bool
	OccupationsNamed(word string) []*retrieval.Occupation
	Near(word string, n int, minSim float32) []retrieval.NearWord
}

// Asker answers questions: what every adapter needs of the bot.
type Asker interface {
	Ask(ctx context.Context, q Question) (Answer, error)
}

// MaxOccupationChars is the longest occupation a question may name: the
// longest title in the catalogue is under 100 characters, and resolving a
// name costs time in its length, so anything longer is refused before any
// work.
const MaxOccupationChars = 200

// CheckOccupation validates the occupation a question names: nil, or a
// too-long *Error past MaxOccupationChars characters.
func CheckOccupation(name string) error {
	name = strings.TrimSpace(name)
	if len(name) <= MaxOccupationChars { // bytes bound characters: no count needed
		return nil
	}
	if n := utf8.RuneCountInString(name); n > MaxOccupationChars {
		return TooLong("occupation", n, MaxOccupationChars)
	}
	return nil
}

// thousands writes a count with thousands separators: 1,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && r != '-' && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// DefaultMaxQuestionChars is the longest question accepted by default.
const DefaultMaxQuestionChars = 1000

// Options tune the bot. The zero value is usable.
type Options struct {
	MaxQuestionChars int // 0: DefaultMaxQuestionChars
	// Replies are the safeguarding replies an organisation has set; the
	// zero value gives DefaultSafeguardingReplies.
	Replies SafeguardingReplies
	// OnDistress, when set, is told of every message that shows distress,
	// before the reply is returned: for an alert to a safeguarding lead.
	// It must not block (queue the work); it is never told the reply.
	OnDistress func(ctx context.Context, q Question, s Safeguarding)
	Metrics    Metrics
	// Generate, when set, phrases grounded answers with a language model;
	// its citations are checked and any failure gives the extractive
	// answer. Lists stay extractive: whole, in order, in the standard's
	// words.
	Generate        GenerateFunc
	GenerateTimeout time.Duration // 0: DefaultGenerateTimeout
}

// Metrics receives what the bot measures; nil fields are skipped. Funcs
// rather than an interface keep the bot free of any metrics library.
type Metrics struct {
	ObserveRetrieval func(time.Duration)
	// CountDistress counts a message that showed distress, by kind.
	CountDistress func(Safeguarding)
	// ObserveAnswer is called by the Guard for every question: the adapter
	// it came through, how it ended, and how long it took.
	ObserveAnswer func(via string, outcome Outcome, took time.Duration)
	// CountStripped counts citation markers a generated answer made up.
	CountStripped func(n int)
	// CountFallback counts generated answers replaced by the extractive
	// one, by reason (timeout, error, empty, refused, uncited).
	CountFallback func(reason string)
}

// Bot answers questions from a corpus. It is safe for concurrent use, and
// its corpus can be swapped (Swap) while it answers.
type Bot struct {
	searcher     atomic.Pointer[searcherBox]
	opts         Options
	safeguarding *safeguardingData
}

type searcherBox struct{ s Searcher }

// New returns a bot over a corpus.
func New(s Searcher, opts Options) *Bot {
	if opts.MaxQuestionChars <= 0 {
		opts.MaxQuestionChars = DefaultMaxQuestionChars
	}
	b := &Bot{opts: opts, safeguarding: mustSafeguarding()}
	b.searcher.Store(&searcherBox{s})
	return b
}

// Swap replaces the corpus. Questions already being answered finish on the
// corpus they started with.
func (b *Bot) Swap(s Searcher) { b.searcher.Store(&searcherBox{s}) }

// Searcher returns the corpus in use.
func (b *Bot) Searcher() Searcher { return b.searcher.Load().s }

// MaxQuestionChars is the length limit in force.
func (b *Bot) MaxQuestionChars() int { return b.opts.MaxQuestionChars }

// Check validates a question's text against the bot's limit.
func (b *Bot) Check(text string) error { return CheckQuestion(text, b.opts.MaxQuestionChars) }

// checkAll validates a question's text and the occupation it names.
func (b *Bot) checkAll(q Question) error {
	if err := b.Check(q.Text); err != nil {
		return err
	}
	return CheckOccupation(q.Occupation)
}

// CheckQuestion validates a question's text without answering it: nil,
// ErrEmptyQuestion, or a too-long *Error when it is over maxChars characters
// (DefaultMaxQuestionChars when maxChars is 0).
func CheckQuestion(text string, maxChars int) error {
	if maxChars <= 0 {
		maxChars = DefaultMaxQuestionChars
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return ErrEmptyQuestion
	}
	if n := utf8.RuneCountInString(text); n > maxChars {
		return TooLong("question", n, maxChars)
	}
	return nil
}

// Ask answers one question. The error is ErrEmptyQuestion, a too-long *Error,
// ctx's error once it ends (a client gone: no work goes on for it), or a
// failure of the corpus; "not covered" is an answer, not an error.
func (b *Bot) Ask(ctx context.Context, q Question) (Answer, error) {
	if err := b.checkAll(q); err != nil {
		return Answer{}, err
	}
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	q.Text = strings.TrimSpace(q.Text)
	s := b.safeguarding.detect(q.Text)
	if !s.IsZero() {
		// Words of distress that are words of an occupation's name said
		// whole ("my funeral team member apprenticeship") are the name.
		if names := namesSaid(b.Searcher(), q.Text); len(names) > 0 {
			s = b.safeguarding.detectNamed(q.Text, names)
		}
	}
	if !s.IsZero() {
		if b.opts.Metrics.CountDistress != nil {
			b.opts.Metrics.CountDistress(s)
		}
		if b.opts.OnDistress != nil {
			b.opts.OnDistress(ctx, q, s)
		}
		return Answer{Question: q.Text, Text: b.opts.Replies.Reply(s), Citations: []Citation{},
			Outcome: OutcomeRefused, Intent: IntentDistress, Safeguarding: s, Occupation: q.Context.Occupation}, nil
	}
	sr := b.Searcher()
	var a Answer
	var u understanding
	if q.Request != nil {
		u.occ = resolveExplicit(sr, q.Occupation)
		c := &composer{b: b, s: sr, q: q, u: u}
		a = c.answerRequest(q.Request)
		u = c.u
	} else {
		u = b.understand(sr, q)
		if err := ctx.Err(); err != nil {
			return Answer{}, err
		}
		c := &composer{b: b, s: sr, q: q, u: u}
		var err error
		if a, err = c.answer(ctx); err != nil {
			return Answer{}, err
		}
		if err := ctx.Err(); err != nil {
			return Answer{}, err
		}
		if b.opts.Generate != nil && a.Grounded && generates(u.intent) {
			var why string
			partial := a.Partial // a generated answer rests on the same passages
			if a, why = c.generate(ctx, a); why != "" && b.opts.Metrics.CountFallback != nil {
				b.opts.Metrics.CountFallback(why)
			}
			a.Partial = partial
		}
	}
	a.Question = q.Text
	a.Intent = u.intent
	a.Topic = strings.TrimSpace(u.topic + " " + u.unknownName)
	if a.Citations == nil {
		a.Citations = []Citation{}
	}
	if a.Occupation == "" && u.occ != nil {
		a.Occupation = u.occ.Reference
	}
	return a, nil
}

// search runs a retrieval query and measures it.
func (b *Bot) search(ctx context.Context, s Searcher, q retrieval.Query) ([]retrieval.Hit, error) {
	start := time.Now()
	hits, err := s.Search(ctx, q)
	if b.opts.Metrics.ObserveRetrieval != nil {
		b.opts.Metrics.ObserveRetrieval(time.Since(start))
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

// namesSaid are the occupation names a message says whole, each as its
// folded words: two words or more, for one word is as often a subject.
func namesSaid(s Searcher, text string) [][]string {
	if s == nil {
		return nil // no corpus yet: distress is answered all the same
	}
	var out [][]string
	for _, c := range s.RankOccupations(text) {
		if !c.Complete || c.Score < useScore {
			continue
		}
		// A name found inside a compound ("on-track machine driver"
		// from "track machine driver") is said from the compound's start.
		start, end := c.Start, c.End
		for start > 0 && !unicode.IsSpace(rune(text[start-1])) {
			start--
		}
		for end < len(text) && !unicode.IsSpace(rune(text[end])) && text[end] != '?' && text[end] != ',' && text[end] != '.' {
			end++
		}
		var words []string
		for _, t := range retrieval.Tokenize(text[start:end]) {
			if !t.Joined {
				words = append(words, t.Word)
			}
		}
		if len(words) >= 2 {
			out = append(out, words)
		}
	}
	return out
}
