package insights

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/careersbot/careersbot/bot"
)

// Writer is what a Recorder needs of a store; *DB is one.
type Writer interface {
	Add(ctx context.Context, evs []Event) error
	AddFeedback(ctx context.Context, fbs []Feedback) error
	Sweep(ctx context.Context, before time.Time) (int64, error)
}

// Defaults of RecorderOptions.
const (
	DefaultRetention = 90 * 24 * time.Hour
	DefaultBuffer    = 4096
	defaultBatch     = 256
	defaultFlush     = 500 * time.Millisecond
	defaultSweep     = time.Hour
	writeTimeout     = 10 * time.Second
	maxOpenWait      = time.Minute
)

// RecorderOptions configure a Recorder. Open is required.
type RecorderOptions struct {
	// Open opens the store. The recorder calls it in the background and
	// again, with backoff, while it fails: a store down at start delays no
	// answer.
	Open func(ctx context.Context) (Writer, error)
	// HashUser turns a platform's user id into a pseudonym; nil keeps none.
	HashUser func(string) string
	// Lookup gives a standard's title, route and level; nil: the cited
	// title and level only.
	Lookup func(ref string) (Occupation, bool)
	// Vocabulary tells a word of the corpus, for SalientTerms; may be nil.
	Vocabulary func(word string) bool
	// LogQuestions keeps questions' text (CAREERSBOT_LOG_QUESTIONS); never
	// that of a message showing distress.
	LogQuestions bool
	Retention    time.Duration // 0: DefaultRetention
	// Buffer bounds the events waiting to be written, in the queue and
	// again while the store is down; past it they are dropped and counted.
	Buffer     int           // 0: DefaultBuffer
	Batch      int           // events a write; 0: 256
	FlushEvery time.Duration // 0: 500 ms
	SweepEvery time.Duration // 0: an hour
	Log        *slog.Logger
	// Count receives how many events or votes were recorded, dropped, or
	// failed to write (to be retried); nil: not counted.
	Count func(result string, n int)
	Now   func() time.Time
}

// Recorder takes answers and votes from the answer path and writes them
// to the store in the background, in batches. Observe and Feedback never
// block and never fail: when the queue is full, or the store has been down
// long enough to fill the buffer, events are dropped and counted.
type Recorder struct {
	o    RecorderOptions
	in   chan item
	stop chan struct{}
	done chan struct{}
	// abort ends writes still going when Close's deadline passes.
	abort    context.Context
	abortNow context.CancelFunc

	// mu guards closed against sends racing Close.
	mu     sync.RWMutex
	closed bool
	start  sync.Once
}

// item is one answer or vote on its way to the writer: held by value, so
// queueing one allocates nothing.
type item struct {
	isVote bool
	obs    bot.Observed
	fb     bot.Feedback
	at     time.Time
}

// NewRecorder returns a recorder; Start starts its writer.
func NewRecorder(o RecorderOptions) *Recorder {
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.Batch <= 0 {
		o.Batch = defaultBatch
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = defaultFlush
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = defaultSweep
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Count == nil {
		o.Count = func(string, int) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Recorder{o: o, in: make(chan item, o.Buffer), stop: make(chan struct{}), done: make(chan struct{})}
	r.abort, r.abortNow = context.WithCancel(context.Background())
	return r
}

// Observe queues an answered question: bot.GuardOptions.OnAnswer.
func (r *Recorder) Observe(o bot.Observed) { r.send(item{obs: o}) }

// Feedback queues a vote on an answer.
func (r *Recorder) Feedback(f bot.Feedback) { r.send(item{isVote: true, fb: f, at: r.o.Now()}) }

func (r *Recorder) send(it item) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.o.Count("dropped", 1)
		return
	}
	select {
	case r.in <- it:
	default:
		r.o.Count("dropped", 1)
	}
}

// Start starts the writer (once).
func (r *Recorder) Start() { r.start.Do(func() { go r.run() }) }

// Close stops taking events, writes those queued (until ctx ends), and
// stops the writer. The store stays open: its owner closes it.
func (r *Recorder) Close(ctx context.Context) error {
	r.Start() // a recorder never started still drains
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.stop)
	}
	r.mu.Unlock()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		r.abortNow()
		<-r.done
		return ctx.Err()
	}
}

// pending is what waits to be written.
type pending struct {
	events   []Event
	feedback []Feedback
}

func (p *pending) len() int { return len(p.events) + len(p.feedback) }

func (r *Recorder) run() {
	defer close(r.done)
	var (
		w         Writer
		p         pending
		openWait  = time.Second
		nextOpen  time.Time
		nextSweep time.Time
		failing   bool
	)
	tryOpen := func() {
		if w != nil || r.o.Now().Before(nextOpen) {
			return
		}
		ctx, cancel := context.WithTimeout(r.abort, writeTimeout)
		defer cancel()
		opened, err := r.o.Open(ctx)
		if err != nil {
			r.o.Log.Warn("insights store unavailable; events wait in memory and are dropped past the buffer",
				"error", err.Error(), "retry_in", openWait.String())
			nextOpen = r.o.Now().Add(openWait)
			openWait = min(openWait*2, maxOpenWait)
			return
		}
		w, openWait = opened, time.Second
	}
	flush := func() {
		if w == nil || p.len() == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(r.abort, writeTimeout)
		defer cancel()
		for p.len() > 0 {
			evs := p.events[:min(len(p.events), r.o.Batch)]
			err := w.Add(ctx, evs)
			if err == nil && len(evs) < r.o.Batch {
				err = w.AddFeedback(ctx, p.feedback)
				if err == nil {
					r.o.Count("recorded", len(p.feedback))
					p.feedback = p.feedback[:0]
				}
			}
			if err != nil {
				r.o.Count("write_error", len(evs))
				if !failing {
					r.o.Log.Warn("insights: writing events failed; retrying", "error", err.Error())
				}
				failing = true
				return
			}
			if failing {
				r.o.Log.Info("insights: writing events again")
				failing = false
			}
			r.o.Count("recorded", len(evs))
			p.events = slices.Delete(p.events, 0, len(evs))
		}
	}
	sweep := func() {
		if w == nil || r.o.Now().Before(nextSweep) {
			return
		}
		nextSweep = r.o.Now().Add(r.o.SweepEvery)
		ctx, cancel := context.WithTimeout(r.abort, time.Minute)
		defer cancel()
		n, err := w.Sweep(ctx, r.o.Now().Add(-r.o.Retention))
		if err != nil {
			r.o.Log.Warn("insights: the retention sweep failed; it runs again later", "error", err.Error())
			return
		}
		if n > 0 {
			r.o.Log.Info("insights: swept old events", "events", n, "retention_days", int(r.o.Retention.Hours()/24))
		}
	}
	take := func(it item) {
		if p.len() >= r.o.Buffer {
			// The store is down or slow and the buffer full: what comes
			// now is dropped, unread.
			r.o.Count("dropped", 1)
			return
		}
		if it.isVote {
			if f, ok := r.feedback(it.fb, it.at); ok {
				p.feedback = append(p.feedback, f)
			}
		} else if e, ok := r.event(it.obs); ok {
			p.events = append(p.events, e)
		}
	}

	tryOpen()
	sweep()
	tick := time.NewTicker(r.o.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case it := <-r.in:
			take(it)
			if p.len() >= r.o.Batch && !failing {
				flush()
			}
		case <-tick.C:
			tryOpen()
			flush()
			sweep()
		case <-r.stop:
			for {
				select {
				case it := <-r.in:
					take(it)
					continue
				default:
				}
				break
			}
			tryOpen()
			flush()
			if n := p.len(); n > 0 {
				r.o.Count("dropped", n)
				r.o.Log.Warn("insights: events not written at shutdown", "events", n)
			}
			return
		}
	}
}

// event turns an observed question into an event, or false for one that
// is not recorded (a limit's refusal).
func (r *Recorder) event(o bot.Observed) (Event, bool) {
	outcome, ok := Classify(o)
	if !ok {
		return Event{}, false
	}
	a, q := o.Answer, o.Question
	e := Event{ID: a.ID, At: o.At, Platform: q.Via, Outcome: outcome, Intent: string(a.Intent), Latency: o.Took}
	if e.ID == "" {
		e.ID = randomID()
	}
	if e.Platform == "" {
		e.Platform = "unknown"
	}
	if e.At.IsZero() {
		e.At = r.o.Now()
	}
	if outcome == Distress {
		// Counted, nothing more: no user, no occupation, no text.
		e.Intent = string(bot.IntentDistress)
		return e, true
	}
	if r.o.HashUser != nil {
		e.User = r.o.HashUser(q.User)
	}
	if r.o.LogQuestions {
		e.Question = q.Text
	}
	if outcome == Help {
		// About the bot, not the standard the conversation was on.
		return e, true
	}
	e.Occupation = a.Occupation
	seen := map[string]bool{}
	addOcc := func(ref, title string, level int) {
		if ref == "" || seen[ref] {
			return
		}
		seen[ref] = true
		occ := Occupation{Reference: ref, Title: title, Level: level}
		if r.o.Lookup != nil {
			if l, ok := r.o.Lookup(ref); ok {
				occ = l
			}
		}
		e.Occupations = append(e.Occupations, occ)
	}
	addOcc(a.Occupation, "", 0)
	for _, c := range a.Citations {
		e.Citations = append(e.Citations, c.Reference+" "+c.ID)
		addOcc(c.Reference, c.Occupation, c.Level)
	}
	if outcome == NotCovered {
		e.Terms = SalientTerms(q.Text, a.Topic, r.o.Vocabulary)
	}
	return e, true
}

func (r *Recorder) feedback(f bot.Feedback, at time.Time) (Feedback, bool) {
	if f.Vote != "up" && f.Vote != "down" {
		return Feedback{}, false
	}
	fb := Feedback{ID: randomID(), At: at, Platform: f.Via, Event: f.Answer, Occupation: f.Occupation, Vote: f.Vote}
	if fb.Platform == "" {
		fb.Platform = "unknown"
	}
	if f.Occupation != "" && r.o.Lookup != nil {
		if l, ok := r.o.Lookup(f.Occupation); ok {
			fb.Title = l.Title
		}
	}
	return fb, true
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
