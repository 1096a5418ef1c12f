package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/careersbot/careersbot/internal/store"
)

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

	// users holds each recent user's allowance, bounded: a user idle long
	// enough for a full allowance is forgotten, and past MaxUsers the
	// least recently active starts afresh. mu makes a user's get-or-make
	// one step.
	mu    sync.Mutex
	users *store.LRU[string, *rate.Limiter]
	// shared, when set, holds the allowances of every replica, taken
	// beside users (which bounds this process's work, and decides alone
	// while shared fails).
	shared Allowances
}

// Allowances keeps users' allowances where every replica sees them, so
// that a user's limit holds across replicas. Take takes one question from
// user's allowance of burst questions, refilled one every every: wait is 0
// when it was taken, else how long until one is left. An error means the
// shared store failed (or is known to be down): the Guard then counts on
// its own, so that answers keep flowing.
type Allowances interface {
	Take(ctx context.Context, user string, every time.Duration, burst int) (wait time.Duration, err error)
}

// DefaultMaxUsers bounds the users whose allowance the Guard tracks.
const DefaultMaxUsers = 100_000

// GuardOptions configure a Guard.
type GuardOptions struct {
	MaxQuestionChars int           // 0: DefaultMaxQuestionChars
	PerMinute        int           // questions a user may ask a minute; 0: no limit
	MaxConcurrent    int           // answers at once; 0: no bound
	QueueWait        time.Duration // how long a question waits for a slot; 0: 2 s
	MaxUsers         int           // users whose allowance is tracked; 0: DefaultMaxUsers
	Metrics          Metrics
	Now              func() time.Time // for tests; nil: time.Now
	// OnAnswer, when set, is told of every question once its answer or
	// error is known, in the asker's goroutine before Ask returns: for the
	// insights recorder. It must not block (queue the work). With it set,
	// every answer gets an ID, for its feedback buttons.
	OnAnswer func(Observed)
	// Allowances, when set, keeps the per-user allowances for every
	// replica, beside the Guard's own (bounded by MaxUsers), which alone
	// count while it fails.
	Allowances Allowances
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
		metrics: o.Metrics, now: o.Now, onAnswer: o.OnAnswer, shared: o.Allowances}
	if g.queueWait <= 0 {
		g.queueWait = 2 * time.Second
	}
	if o.MaxConcurrent > 0 {
		g.sem = make(chan struct{}, o.MaxConcurrent)
	}
	if g.now == nil {
		g.now = time.Now
	}
	if o.MaxUsers <= 0 {
		o.MaxUsers = DefaultMaxUsers
	}
	// Two minutes idle refills any allowance: forgetting the user then
	// changes nothing.
	g.users = store.NewLRU[string, *rate.Limiter](o.MaxUsers, 2*time.Minute, g.now)
	return g
}

// Users is the number of users whose allowance is tracked.
func (g *Guard) Users() int { return g.users.Len() }

// UsersEvicted counts users forgotten early because the Guard tracked its
// MaxUsers.
func (g *Guard) UsersEvicted() int64 { return g.users.Evicted() }

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
	if err := CheckOccupation(q.Occupation); err != nil {
		return Answer{}, err
	}
	if err := ctx.Err(); err != nil {
		return Answer{}, err // the asker has gone: take no slot
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
	shared := g.takeShared(ctx, q.User)
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
	a, err := g.next.Ask(ctx, q)
	if shared != nil {
		if limit := shared(); limit != nil && a.Safeguarding.IsZero() {
			return Answer{}, limit
		}
	}
	return a, err
}

// takeShared starts taking the question from the user's shared allowance
// (every replica's) beside the answer, so that its round trip to the store
// adds nothing to an answer's time; the func it returns waits for it: a
// rate-limit *Error when the user is past the shared limit (the answer is
// then discarded), nil when taken or when the store failed (this process's
// allowance, taken first, decides then). What a user past the shared limit
// can make one replica work on is bounded by that replica's own allowance,
// as it is with no shared store. nil when there is no shared store.
func (g *Guard) takeShared(ctx context.Context, user string) func() error {
	if g.shared == nil || g.perMinute <= 0 {
		return nil
	}
	every := time.Minute / time.Duration(g.perMinute)
	done := make(chan error, 1)
	go func() {
		wait, err := g.shared.Take(ctx, user, every, g.perMinute)
		if err == nil && wait > 0 {
			done <- RateLimited(wait)
			return
		}
		done <- nil
	}()
	return func() error { return <-done }
}

// allow takes one question from the user's allowance in this process.
func (g *Guard) allow(user string) error {
	if g.perMinute <= 0 {
		return nil
	}
	every := time.Minute / time.Duration(g.perMinute)
	now := g.now()
	g.mu.Lock()
	lim, ok := g.users.Get(user)
	if !ok {
		lim = rate.NewLimiter(rate.Every(every), g.perMinute)
	}
	g.users.Put(user, lim) // seen now: kept two more minutes
	g.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return RateLimited(d)
	}
	return nil
}

// outcomeOf classifies an answer or an error for the metrics.
func outcomeOf(a Answer, err error) Outcome {
	switch {
	case err != nil && Refused(err):
		return OutcomeRefused
	case err != nil:
		return OutcomeError
	case a.Outcome == OutcomeGrounded, a.Outcome == OutcomeRefused:
		return a.Outcome
	}
	return OutcomeNotGrounded
}
