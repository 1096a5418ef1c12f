package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// askerFunc adapts a func to Asker for the guard's tests: the guard is the
// unit under test, the answering behind it is not.
type askerFunc func(ctx context.Context, q Question) (Answer, error)

func (f askerFunc) Ask(ctx context.Context, q Question) (Answer, error) { return f(ctx, q) }

var grounded = askerFunc(func(ctx context.Context, q Question) (Answer, error) {
	return Answer{Question: q.Text, Grounded: true, Outcome: OutcomeGrounded}, nil
})

func TestGuardRateLimitPerUser(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	g := NewGuard(grounded, GuardOptions{PerMinute: 3, Now: func() time.Time { return now }})
	ask := func(user string) error {
		_, err := g.Ask(context.Background(), Question{Text: "skills?", User: user})
		return err
	}
	for i := range 3 {
		if err := ask("alice"); err != nil {
			t.Fatalf("question %d within the limit: %v", i+1, err)
		}
	}
	err := ask("alice")
	if ErrorCode(err) != TooMany {
		t.Fatalf("fourth question in a minute: %v, want a rate-limit error", err)
	}
	if wait := ErrorRetryAfter(err); wait <= 0 || wait > 20*time.Second {
		t.Errorf("retry after %v, want about 20 s (a minute over 3 questions)", wait)
	}
	if err := ask("bob"); err != nil {
		t.Errorf("another user is limited by alice's questions: %v", err)
	}
	now = now.Add(20 * time.Second)
	if err := ask("alice"); err != nil {
		t.Errorf("after waiting 20 s: %v", err)
	}
	// A refused question does not spend the allowance.
	now = now.Add(time.Hour)
	for range 5 {
		if _, err := g.Ask(context.Background(), Question{Text: "", User: "carol"}); !errors.Is(err, ErrEmptyQuestion) {
			t.Fatalf("empty question: %v", err)
		}
	}
	if err := ask("carol"); err != nil {
		t.Errorf("empty questions spent the allowance: %v", err)
	}
	// Idle users are forgotten.
	now = now.Add(10 * time.Minute)
	_ = ask("dave")
	if n := g.Users(); n != 1 {
		t.Errorf("%d users remembered after 10 idle minutes, want only the new one", n)
	}
}

// TestGuardBoundsUsers: a flood of distinct users tracks at most MaxUsers
// allowances, and a busy user keeps theirs.
func TestGuardBoundsUsers(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	g := NewGuard(grounded, GuardOptions{PerMinute: 2, MaxUsers: 50, Now: func() time.Time { return now }})
	ask := func(user string) error {
		_, err := g.Ask(context.Background(), Question{Text: "q", User: user})
		return err
	}
	ask("alice")
	ask("alice")
	for i := range 1000 {
		if err := ask(fmt.Sprint("u", i)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			ask("alice") // alice keeps asking: recently used, never evicted
		}
	}
	if n := g.Users(); n != 50 {
		t.Errorf("%d users tracked, want the bound 50", n)
	}
	if err := ask("alice"); ErrorCode(err) != TooMany {
		t.Errorf("alice's allowance was reset by the flood: %v", err)
	}
}

// TestGuardRefusesLongOccupation: an occupation past 200 characters is
// refused before any work, with the question's error shape.
func TestGuardRefusesLongOccupation(t *testing.T) {
	called := false
	g := NewGuard(askerFunc(func(context.Context, Question) (Answer, error) {
		called = true
		return Answer{}, nil
	}), GuardOptions{})
	_, err := g.Ask(context.Background(), Question{Text: "what skills?", Occupation: strings.Repeat("é", 201)})
	if ErrorCode(err) != Invalid || ErrorReason(err) != ReasonTooLong {
		t.Fatalf("error %v, want a too-long error for the occupation", err)
	}
	if !strings.Contains(err.Error(), "occupation is too long") || !strings.Contains(err.Error(), "201 characters") {
		t.Errorf("message %q", err)
	}
	if called {
		t.Error("the long occupation reached the bot")
	}
	if _, err := g.Ask(context.Background(), Question{Text: "what skills?", Occupation: strings.Repeat("é", 200)}); err != nil {
		t.Errorf("200 characters refused: %v", err)
	}
}

// TestGuardSkipsAskersWhoLeft: a question whose context has ended takes no
// slot and reaches no bot.
func TestGuardSkipsAskersWhoLeft(t *testing.T) {
	called := false
	g := NewGuard(askerFunc(func(context.Context, Question) (Answer, error) {
		called = true
		return Answer{}, nil
	}), GuardOptions{MaxConcurrent: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Ask(ctx, Question{Text: "q", User: "u"}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if called {
		t.Error("a question whose asker left was answered")
	}
}

func TestGuardRateLimitOff(t *testing.T) {
	g := NewGuard(grounded, GuardOptions{PerMinute: 0})
	for range 100 {
		if _, err := g.Ask(context.Background(), Question{Text: "q", User: "u"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGuardBoundsConcurrentAnswers(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	running, peak := 0, 0
	slow := askerFunc(func(ctx context.Context, q Question) (Answer, error) {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		<-release
		mu.Lock()
		running--
		mu.Unlock()
		return Answer{Outcome: OutcomeGrounded}, nil
	})
	g := NewGuard(slow, GuardOptions{MaxConcurrent: 2, QueueWait: 50 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := g.Ask(context.Background(), Question{Text: "q"})
			errs <- err
		}()
	}
	// Wait until both slots are taken.
	for {
		mu.Lock()
		r := running
		mu.Unlock()
		if r == 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := g.Ask(context.Background(), Question{Text: "q"}); !errors.Is(err, ErrBusy) {
		t.Errorf("third answer at once: %v, want ErrBusy", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("an answer within the bound failed: %v", err)
		}
	}
	if peak != 2 {
		t.Errorf("peak %d answers at once, want 2", peak)
	}
}

func TestGuardMeasuresOutcomes(t *testing.T) {
	got := map[Outcome]int{}
	var vias []string
	g := NewGuard(grounded, GuardOptions{PerMinute: 1, MaxQuestionChars: 10, Metrics: Metrics{
		ObserveAnswer: func(via string, o Outcome, took time.Duration) {
			got[o]++
			vias = append(vias, via)
		},
	}})
	ctx := context.Background()
	g.Ask(ctx, Question{Text: "ok", User: "u", Via: "slack"})
	g.Ask(ctx, Question{Text: "again", User: "u", Via: "slack"})                  // rate limited
	g.Ask(ctx, Question{Text: "far too long a question", User: "v", Via: "http"}) // too long
	failing := NewGuard(askerFunc(func(context.Context, Question) (Answer, error) {
		return Answer{}, errors.New("index gone")
	}), GuardOptions{Metrics: g.metrics})
	failing.Ask(ctx, Question{Text: "q", Via: "discord"})
	if got[OutcomeGrounded] != 1 || got[OutcomeRefused] != 2 || got[OutcomeError] != 1 {
		t.Errorf("outcomes %v, want 1 grounded, 2 refused, 1 error", got)
	}
	if vias[0] != "slack" || vias[3] != "discord" {
		t.Errorf("adapters %v", vias)
	}
}

func TestMemoryForgetsAfterTTL(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	m := newMemoryAt(24*time.Hour, 0, func() time.Time { return now })
	m.Remember("C1:171.1", Answer{Occupation: "ST0127"})
	m.Remember("C1:172.1", Answer{}) // an answer about no occupation is not kept
	if got := m.Get("C1:171.1"); got.Occupation != "ST0127" {
		t.Fatalf("fresh context %+v", got)
	}
	if m.Len() != 1 {
		t.Errorf("%d conversations kept, want 1", m.Len())
	}
	now = now.Add(24*time.Hour + time.Second)
	if got := m.Get("C1:171.1"); got.Occupation != "" {
		t.Errorf("context kept past 24 hours: %+v", got)
	}
	if m.Len() != 0 {
		t.Errorf("expired conversation still held")
	}
}

// TestMemoryIsBounded: a flood of new conversations keeps at most max, the
// most recently used.
func TestMemoryIsBounded(t *testing.T) {
	m := NewMemory(time.Hour, 100)
	for i := range 1000 {
		m.Remember(fmt.Sprintf("C1:%d", i), Answer{Occupation: "ST0127"})
	}
	if m.Len() != 100 || m.Evicted() != 900 {
		t.Errorf("held %d, evicted %d; want 100 and 900", m.Len(), m.Evicted())
	}
	if m.Get("C1:999").Occupation != "ST0127" || m.Get("C1:0").Occupation != "" {
		t.Error("want the newest conversations kept and the oldest forgotten")
	}
}

func TestUserHasher(t *testing.T) {
	h1, h2 := UserHasher(), UserHasher()
	a, b := h1("U123"), h1("U123")
	if a != b || a == "" || a == "U123" {
		t.Errorf("pseudonyms %q %q: want stable and not the id", a, b)
	}
	if h2("U123") == a {
		t.Errorf("two processes give the same pseudonym: keys are not random")
	}
	if h1("") != "" {
		t.Errorf("empty id hashed")
	}
}

// A message that shows distress is answered past the rate limit and past a
// full queue: the learner gets the helplines, not "slow down" or "busy".
func TestGuardNeverTurnsAwayDistress(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	b := New(nil, Options{}) // distress is answered before any search
	g := NewGuard(b, GuardOptions{PerMinute: 1, Now: func() time.Time { return now }})
	for i := range 3 {
		a, err := g.Ask(context.Background(), Question{Text: "i want to die", User: "alice"})
		if err != nil || a.Intent != IntentDistress {
			t.Fatalf("distress message %d: %v %v", i+1, a.Intent, err)
		}
	}
	if _, err := g.Ask(context.Background(), Question{Text: "what skills does a chef need", User: "alice"}); ErrorCode(err) != TooMany {
		t.Errorf("a careers question past the limit: %v, want a rate-limit error", err)
	}

	release := make(chan struct{})
	started := make(chan struct{}, 1)
	held := askerFunc(func(ctx context.Context, q Question) (Answer, error) {
		if s := DetectSafeguarding(q.Text); !s.IsZero() {
			return Answer{Intent: IntentDistress, Outcome: OutcomeRefused, Safeguarding: s}, nil
		}
		started <- struct{}{}
		<-release
		return Answer{Outcome: OutcomeGrounded}, nil
	})
	busy := NewGuard(held, GuardOptions{MaxConcurrent: 1, QueueWait: 10 * time.Millisecond})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = busy.Ask(context.Background(), Question{Text: "what does a plumber earn"})
	}()
	<-started
	if _, err := busy.Ask(context.Background(), Question{Text: "what does a chef earn"}); !errors.Is(err, ErrBusy) {
		t.Errorf("a careers question with every slot taken: %v, want ErrBusy", err)
	}
	if a, err := busy.Ask(context.Background(), Question{Text: "my dad hits me"}); err != nil || a.Intent != IntentDistress {
		t.Errorf("a distress message with every slot taken: %v %v", a.Intent, err)
	}
	close(release)
	<-done
}
