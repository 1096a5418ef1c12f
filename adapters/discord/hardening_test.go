package discord

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/discord/discordfake"
	"github.com/careersbot/careersbot/bot"
)

// TestInteractionReplayAnsweredOnce sends a signed interaction, then the
// very same request (body, timestamp and signature) again within the
// signature window: the replay gets 409 and nothing more is answered.
func TestInteractionReplayAnsweredOnce(t *testing.T) {
	var replays atomic.Int64
	h := newHarness(t, harnessOptions{mod: func(o *Options) { o.OnReplay = func() { replays.Add(1) } }})
	ic := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	body, _ := json.Marshal(ic)
	hdr := h.signer.Headers(body, time.Now())
	code, first, err := discordfake.PostRaw(h.url, body, hdr)
	if err != nil || code != http.StatusOK || !strings.Contains(string(first), "ST0127") {
		t.Fatalf("first: %d %v %s", code, err, first)
	}
	for range 3 {
		code, b, err := discordfake.PostRaw(h.url, body, hdr)
		if err != nil || code != http.StatusConflict || strings.Contains(string(b), "ST0127") {
			t.Errorf("replay: %d %v %s, want 409 and no answer", code, err, b)
		}
	}
	// A ping is no interaction to dedupe: Discord's checks may repeat it.
	for range 2 {
		if code, r := h.post(discordfake.Ping(testApp)); code != http.StatusOK || r.Type != 1 {
			t.Errorf("ping: %d %+v", code, r)
		}
	}
	h.settle()
	if replays.Load() != 3 {
		t.Errorf("%d replays counted, want 3", replays.Load())
	}
}

// gated holds every answer until released.
type gated struct {
	next    bot.Asker
	started chan struct{}
	release chan struct{}
}

func (g *gated) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	g.started <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return bot.Answer{}, ctx.Err()
	}
	return g.next.Ask(ctx, q)
}

// TestPendingBoundSaysBusy: past MaxPending a command's first response
// says "busy, try again", ephemerally, and no answer is started for it;
// those taken are answered.
func TestPendingBoundSaysBusy(t *testing.T) {
	g := &gated{started: make(chan struct{}, 10), release: make(chan struct{})}
	var mu sync.Mutex
	results := map[string]int{}
	h := newHarness(t, harnessOptions{mod: func(o *Options) {
		g.next = o.Asker
		o.Asker = g
		o.MaxPending = 1
		o.QuickAnswer = -1
		o.OnReply = func(r string) { mu.Lock(); results[r]++; mu.Unlock() }
	}})
	taken := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	if _, r := h.post(taken); r.Type != 5 {
		t.Fatalf("first command: type %d, want the deferred response", r.Type)
	}
	<-g.started
	_, r := h.post(discordfake.Command(testApp, "500000000000000099", "ask", discordfake.Opt("question", wirelessQuestion)))
	m := r.message(t)
	if r.Type != 4 || m.Flags&64 == 0 || m.Content == nil || !strings.Contains(*m.Content, "busy") || !strings.Contains(*m.Content, "try again") {
		t.Errorf("past the bound: %s", r.raw)
	}
	if h.a.Pending() != 1 {
		t.Errorf("%d pending, want 1", h.a.Pending())
	}
	close(g.release)
	h.settle()
	if e := exactly(h.api.Requests(), "PATCH", originalPath(taken)); len(e) != 1 || e[0].Status != 200 {
		t.Errorf("the taken command was not answered: %+v", e)
	}
	mu.Lock()
	defer mu.Unlock()
	if results[ReplyBusy] != 1 || results[ReplyAnswered] != 1 {
		t.Errorf("results %v", results)
	}
}

// TestTimedOutCommandIsToldItFailed: a deferred command whose answer
// outlives the work timeout gets an apology in place of "thinking".
func TestTimedOutCommandIsToldItFailed(t *testing.T) {
	g := &gated{started: make(chan struct{}, 10), release: make(chan struct{})} // never released
	h := newHarness(t, harnessOptions{mod: func(o *Options) {
		g.next = o.Asker
		o.Asker = g
		o.QuickAnswer = -1
		o.WorkTimeout = 200 * time.Millisecond
	}})
	ic := discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion))
	h.post(ic)
	h.settle()
	fu := followUps(t, h, ic)
	if len(fu) != 1 || fu[0].Flags&64 == 0 || fu[0].Content == nil || !strings.Contains(*fu[0].Content, "went wrong") {
		t.Errorf("after the timeout: follow-ups %+v", fu)
	}
	if n := len(exactly(h.api.Requests(), "DELETE", originalPath(ic))); n != 1 {
		t.Errorf("the placeholder was not removed")
	}
}

// TestRefusalLogsNoAddress: a request with a bad signature is logged with
// the sender's pseudonym, never its address.
func TestRefusalLogsNoAddress(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	body, _ := json.Marshal(discordfake.Command(testApp, testUser, "ask", discordfake.Opt("question", wirelessQuestion)))
	hdr := h.signer.Headers(body, time.Now())
	hdr.Set("X-Signature-Ed25519", strings.Repeat("00", 64))
	if code, _, _ := discordfake.PostRaw(h.url, body, hdr); code != http.StatusUnauthorized {
		t.Fatalf("bad signature: %d", code)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "discord interaction refused") {
		t.Fatalf("no refusal logged: %s", logs)
	}
	if strings.Contains(logs, "127.0.0.1") {
		t.Errorf("the refusal logs the client's address: %s", logs)
	}
}
