package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimitError is a user over the per-user rate limit: they should slow
// down and may ask again after RetryAfter.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	secs := int(math.Ceil(e.RetryAfter.Seconds()))
	return fmt.Sprintf("You're asking faster than I can keep up with: please slow down and try again in %s.", plural(max(secs, 1), "second", "seconds"))
}

// ErrBusy is every answer slot taken for longer than a question may wait.
var ErrBusy = errors.New("busy answering other questions right now: please try again in a moment")

// Guard protects an Asker: questions are checked, each user may ask at most
// PerMinute a minute, and at most MaxConcurrent answers are worked on at once
// (the rest wait up to QueueWait, then get ErrBusy). It also measures every
// answer. Every adapter asks through the one Guard of serve.
type Guard struct {
	next      Asker
	maxChars  int
	perMinute int
	sem       chan struct{}
	queueWait time.Duration
	metrics   Metrics
	now       func() time.Time
	onAnswer  func(Observed)

	mu       sync.Mutex
	users    map[string]*userLimit
	lastScan time.Time
}

type userLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

// GuardOptions configure a Guard.
type GuardOptions struct {
	MaxQuestionChars int           // 0: DefaultMaxQuestionChars
	PerMinute        int           // questions a user may ask a minute; 0: no limit
	MaxConcurrent    int           // answers at once; 0: no bound
	QueueWait        time.Duration // how long a question waits for a slot; 0: 2 s
	Metrics          Metrics
	Now              func() time.Time // for tests; nil: time.Now
	// OnAnswer, when set, is told of every question once its answer or
	// error is known, in the asker's goroutine before Ask returns: for the
	// insights recorder. It must not block (queue the work). With it set,
	// every answer gets an ID, for its feedback buttons.
	OnAnswer func(Observed)
}

// Observed is one question the Guard saw to its end.
type Observed struct {
	Question Question
	Answer   Answer
	Err      error
	// Outcome is how the metrics count it: a limit's refusal is
	// OutcomeRefused with Err set.
	Outcome Outcome
	At      time.Time // when the question arrived
	Took    time.Duration
}

// NewGuard wraps next.
func NewGuard(next Asker, o GuardOptions) *Guard {
	g := &Guard{next: next, maxChars: o.MaxQuestionChars, perMinute: o.PerMinute, queueWait: o.QueueWait,
		metrics: o.Metrics, now: o.Now, onAnswer: o.OnAnswer, users: map[string]*userLimit{}}
	if g.queueWait <= 0 {
		g.queueWait = 2 * time.Second
	}
	if o.MaxConcurrent > 0 {
		g.sem = make(chan struct{}, o.MaxConcurrent)
	}
	if g.now == nil {
		g.now = time.Now
	}
	return g
}

// Ask checks, limits and answers a question.
func (g *Guard) Ask(ctx context.Context, q Question) (Answer, error) {
	start := time.Now()
	a, err := g.ask(ctx, q)
	took := time.Since(start)
	outcome := outcomeOf(a, err)
	if g.metrics.ObserveAnswer != nil {
		g.metrics.ObserveAnswer(q.Via, outcome, took)
	}
	if g.onAnswer != nil {
		if err == nil {
			a.ID = newAnswerID()
		}
		g.onAnswer(Observed{Question: q, Answer: a, Err: err, Outcome: outcome, At: start, Took: took})
	}
	return a, err
}

// newAnswerID is 64 random bits in hex: unique enough to find one answer's
// record again, and telling nothing about the question or the user.
func newAnswerID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on a supported platform
	return hex.EncodeToString(b[:])
}

func (g *Guard) ask(ctx context.Context, q Question) (Answer, error) {
	if err := CheckQuestion(q.Text, g.maxChars); err != nil {
		return Answer{}, err
	}
	// A message that shows distress is never turned away: its reply is
	// cheap (no search), and someone in crisis may write many times. The
	// detector runs only when a message would be refused.
	distress := func() bool { return !DetectSafeguarding(q.Text).IsZero() }
	if err := g.allow(q.User); err != nil {
		if distress() {
			return g.next.Ask(ctx, q)
		}
		return Answer{}, err
	}
	if g.sem != nil {
		timer := time.NewTimer(g.queueWait)
		select {
		case g.sem <- struct{}{}:
			timer.Stop()
		case <-timer.C:
			if distress() {
				return g.next.Ask(ctx, q)
			}
			return Answer{}, ErrBusy
		case <-ctx.Done():
			timer.Stop()
			return Answer{}, ctx.Err()
		}
		defer func() { <-g.sem }()
	}
	return g.next.Ask(ctx, q)
}

// allow takes one question from the user's allowance.
func (g *Guard) allow(user string) error {
	if g.perMinute <= 0 {
		return nil
	}
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	// Forget users idle long enough for their allowance to be full again:
	// the map holds no one for longer than it must.
	if now.Sub(g.lastScan) > time.Minute {
		for u, l := range g.users {
			if now.Sub(l.seen) > 2*time.Minute {
				delete(g.users, u)
			}
		}
		g.lastScan = now
	}
	l, ok := g.users[user]
	if !ok {
		l = &userLimit{lim: rate.NewLimiter(rate.Every(time.Minute/time.Duration(g.perMinute)), g.perMinute)}
		g.users[user] = l
	}
	l.seen = now
	r := l.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &RateLimitError{RetryAfter: d}
	}
	return nil
}

// outcomeOf classifies an answer or an error for the metrics.
func outcomeOf(a Answer, err error) Outcome {
	var tl *TooLongError
	var rl *RateLimitError
	switch {
	case err == nil && a.Outcome == OutcomeGrounded:
		return OutcomeGrounded
	case err == nil && a.Outcome == OutcomeRefused:
		return OutcomeRefused
	case err == nil:
		return OutcomeNotGrounded
	case errors.As(err, &tl), errors.As(err, &rl), errors.Is(err, ErrEmptyQuestion), errors.Is(err, ErrBusy):
		return OutcomeRefused
	}
	return OutcomeError
}
