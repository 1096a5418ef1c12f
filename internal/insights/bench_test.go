package insights

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

// discard is a store that keeps nothing, to time the queue alone.
type discard struct{}

func (discard) Add(context.Context, []Event) error              { return nil }
func (discard) AddFeedback(context.Context, []Feedback) error   { return nil }
func (discard) Sweep(context.Context, time.Time) (int64, error) { return 0, nil }
func openDiscard(context.Context) (Writer, error)               { return discard{}, nil }
func openDown(context.Context) (Writer, error)                  { return nil, errors.New("connection refused") }
func benchRecorder(b *testing.B, open func(context.Context) (Writer, error)) *Recorder {
	b.Helper()
	rec := NewRecorder(RecorderOptions{Open: open, HashUser: bot.UserHasher()})
	rec.Start()
	b.Cleanup(func() { rec.Close(context.Background()) })
	return rec
}

// BenchmarkAnswer times one answer through serve's Guard without
// recording (the baseline), recording into SQLite, and recording while the
// store is down: the difference is what recording adds to an answer.
//
//	go test -run '^$' -bench 'Answer|Observe' -count 10 ./internal/insights
func BenchmarkAnswer(b *testing.B) {
	ix := testcorpus.Seed(b)
	q := bot.Question{Text: "Does a network engineer need to know about wireless networking?", User: "U123", Via: "http"}
	run := func(b *testing.B, onAnswer func(bot.Observed)) {
		g := bot.NewGuard(bot.New(ix, bot.Options{}), bot.GuardOptions{OnAnswer: onAnswer})
		ctx := context.Background()
		for b.Loop() {
			if _, err := g.Ask(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("baseline", func(b *testing.B) { run(b, nil) })
	b.Run("recording-sqlite", func(b *testing.B) {
		dir := b.TempDir()
		rec := benchRecorder(b, func(ctx context.Context) (Writer, error) { return Open(ctx, Options{DataDir: dir}) })
		run(b, rec.Observe)
	})
	b.Run("store-down", func(b *testing.B) {
		run(b, benchRecorder(b, openDown).Observe)
	})
}

// BenchmarkObserve times the recording call an answer makes: queued, and
// dropped (the queue full, the store down).
func BenchmarkObserve(b *testing.B) {
	o := bot.Observed{Question: bot.Question{Text: "Does a network engineer need to know about wireless networking?", User: "U123", Via: "http"},
		Answer: bot.Answer{ID: "0123456789abcdef", Outcome: bot.OutcomeGrounded, Intent: bot.IntentTopic, Occupation: "ST0127",
			Citations: []bot.Citation{{Reference: "ST0127", ID: "K12"}}},
		At: time.Now(), Took: time.Millisecond}
	b.Run("queued", func(b *testing.B) {
		rec := benchRecorder(b, openDiscard)
		for b.Loop() {
			rec.Observe(o)
		}
	})
	b.Run("dropped", func(b *testing.B) {
		rec := NewRecorder(RecorderOptions{Open: openDown, Buffer: 1})
		rec.Observe(o) // never started: the queue stays full
		for b.Loop() {
			rec.Observe(o)
		}
	})
}

// BenchmarkStoreAdd times the writer's work: one batch of 256 answered
// events (an occupation and two citations each) into SQLite; ns/op over
// 256 is what one event costs the background writer.
func BenchmarkStoreAdd(b *testing.B) {
	db, err := Open(context.Background(), Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	occ := []Occupation{{Reference: "ST0127", Title: "Network engineer", Route: "Digital", Level: 4}}
	n := 0
	batch := make([]Event, 256)
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = Event{ID: fmt.Sprintf("%016x", n), At: time.Now(), Platform: "http", User: "0123456789abcdef",
				Outcome: Answered, Intent: "topic", Occupation: "ST0127", Occupations: occ,
				Citations: []string{"ST0127 K12", "ST0127 S3"}, Latency: time.Millisecond}
		}
		if err := db.Add(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}
