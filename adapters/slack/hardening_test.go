package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/internal/fakes/slackfake"
	"github.com/careersbot/careersbot/bot"
)

// replies counts OnReply and OnReplay.
type replies struct {
	mu      sync.Mutex
	results map[string]int
	replays int
}

func (r *replies) on(result string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.results == nil {
		r.results = map[string]int{}
	}
	r.results[result]++
}

func (r *replies) replay() {
	r.mu.Lock()
	r.replays++
	r.mu.Unlock()
}

func (r *replies) get(result string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results[result]
}

// wait waits (a few seconds at most) until result has been counted n
// times: it is counted just after the reply is sent.
func (r *replies) wait(t *testing.T, result string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for r.get(result) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := r.get(result); got != n {
		r.mu.Lock()
		defer r.mu.Unlock()
		t.Errorf("%d %s, want %d (all: %v)", got, result, n, r.results)
	}
}

// held is an Asker that holds every answer until released.
type held struct {
	next    bot.Asker
	started chan struct{}
	release chan struct{}
}

func newHeld(next bot.Asker) *held {
	return &held{next: next, started: make(chan struct{}, 100), release: make(chan struct{})}
}

func (h *held) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	h.started <- struct{}{}
	select {
	case <-h.release:
	case <-ctx.Done():
		return bot.Answer{}, ctx.Err()
	}
	return h.next.Ask(ctx, q)
}

// TestSlashCommandReplayAnsweredOnce sends a signed /careers, then the
// very same request again (same body, timestamp and signature) within the
// signature window, and the same trigger id signed anew: one answer.
func TestSlashCommandReplayAnsweredOnce(t *testing.T) {
	var r replies
	e := start(t, guard(seedBot(t), 0), false, func(o *Options) { o.OnReplay = r.replay })
	body := []byte(command(e, user, channel, "Which skills does a network engineer need?", e.fake.ResponseURL("cmd-replay")).Encode())
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	sig := Sign(testSecret, ts, body)
	form := "application/x-www-form-urlencoded"
	if code, _ := e.postSignedAs(t, "/slack/commands", form, body, ts, sig, nil); code != http.StatusOK {
		t.Fatalf("command: %d", code)
	}
	e.fake.WaitFor(t, "response_url", 1, 10*time.Second)
	e.clock.unix.Add(60) // a minute later: still within the 5-minute window
	for range 3 {
		if code, b := e.postSignedAs(t, "/slack/commands", form, body, ts, sig, nil); code != http.StatusOK || len(b) != 0 {
			t.Errorf("replay: %d %q, want an empty 200", code, b)
		}
	}
	if code, _ := e.post(t, "/slack/commands", form, body, nil); code != http.StatusOK {
		t.Errorf("re-signed replay: %d", code)
	}
	if extra := e.fake.Quiet("response_url", quiet); len(extra) > 0 {
		t.Errorf("a replayed command was answered again: %d more replies", len(extra))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.replays != 4 {
		t.Errorf("%d replays counted, want 4", r.replays)
	}
}

// TestButtonReplayCountedOnce: a replayed 👍 is counted once.
func TestButtonReplayCountedOnce(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), false, nil)
	payload, _ := json.Marshal(blockAction(user, channel, actionFeedbackUp, "ST0127|list|grounded", e.fake.ResponseURL("fb")))
	body := []byte(url.Values{"payload": {string(payload)}}.Encode())
	for range 3 {
		if code, _ := e.post(t, "/slack/interactions", "application/x-www-form-urlencoded", body, nil); code != http.StatusOK {
			t.Fatalf("interaction: %d", code)
		}
	}
	e.fake.WaitFor(t, "response_url", 1, 10*time.Second)
	if got := e.votes.list(); len(got) != 1 {
		t.Errorf("votes %v, want the one press counted once", got)
	}
}

// TestPendingBoundSaysBusy holds every answer: past MaxPending a command
// is told "busy, try again" in its acknowledgement, with no work queued,
// and a mention is told privately; those taken are answered when the
// answers come.
func TestPendingBoundSaysBusy(t *testing.T) {
	h := newHeld(seedBot(t))
	var r replies
	e := start(t, h, false, func(o *Options) {
		o.MaxPending = 2
		o.OnReply = r.on
	})
	form := "application/x-www-form-urlencoded"
	var busy int
	for i := range 5 {
		body := []byte(command(e, user, channel, "What level is a network engineer?", e.fake.ResponseURL("c"+strconv.Itoa(i))).Encode())
		code, b := e.post(t, "/slack/commands", form, body, nil)
		if code != http.StatusOK {
			t.Fatalf("command %d: %d", i, code)
		}
		if i < 2 {
			<-h.started
			if len(b) != 0 {
				t.Errorf("command %d taken, yet its ack says %s", i, b)
			}
			continue
		}
		var ack ackMessage
		if err := json.Unmarshal(b, &ack); err != nil || ack.ResponseType != "ephemeral" || !strings.Contains(ack.Text, "busy") || !strings.Contains(ack.Text, "try again") {
			t.Errorf("command %d past the bound: ack %s", i, b)
		}
		busy++
	}
	if e.a.Pending() != 2 {
		t.Errorf("%d pending, want 2", e.a.Pending())
	}
	// A mention past the bound: told privately, in its thread.
	ts := newTS()
	if code := e.postEvent(t, callback(mention(channel, user, ts, "", "what level is a network engineer?"), ""), nil); code != http.StatusOK {
		t.Fatalf("mention: %d", code)
	}
	eph := e.fake.WaitFor(t, "chat.postEphemeral", 1, 10*time.Second)[0].Message()
	if eph.User != user || eph.ThreadTS != ts || !strings.Contains(eph.Text, "busy") {
		t.Errorf("busy notice %+v", eph)
	}
	close(h.release)
	calls := e.fake.WaitFor(t, "response_url", 2, 10*time.Second)
	for _, c := range calls {
		if !strings.Contains(c.Message().AllText(), "[ST0127") {
			t.Errorf("a taken command got %q", c.Message().Text)
		}
	}
	if busy != 3 {
		t.Errorf("%d busy acks, want 3", busy)
	}
	r.wait(t, ReplyBusy, 4)
	r.wait(t, ReplyAnswered, 2)
}

// TestEveryTakenQuestionIsAnsweredOrToldItFailed: an answer past the work
// timeout still gets its apology; an answer Slack refuses to post gets a
// private note; a Slack outage of a moment is retried through.
func TestEveryTakenQuestionIsAnsweredOrToldItFailed(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		h := newHeld(seedBot(t)) // never released: the work times out
		var r replies
		e := start(t, h, false, func(o *Options) {
			o.WorkTimeout = 200 * time.Millisecond
			o.OnReply = r.on
		})
		body := []byte(command(e, user, channel, "What level is a network engineer?", e.fake.ResponseURL("slow")).Encode())
		e.post(t, "/slack/commands", "application/x-www-form-urlencoded", body, nil)
		m := e.fake.WaitFor(t, "response_url", 1, 10*time.Second)[0].Message()
		if !strings.Contains(m.Text, "Sorry, something went wrong") || m.ResponseType != "ephemeral" {
			t.Errorf("after the timeout: %+v", m)
		}
		r.wait(t, ReplyFailed, 1)
	})
	t.Run("refused post", func(t *testing.T) {
		var r replies
		e := start(t, guard(seedBot(t), 0), false, func(o *Options) { o.OnReply = r.on })
		e.fake.Fail("chat.postMessage", "not_in_channel")
		ts := newTS()
		e.postEvent(t, callback(mention(channel, user, ts, "", "what level is a network engineer?"), ""), nil)
		eph := e.fake.WaitFor(t, "chat.postEphemeral", 1, 10*time.Second)[0].Message()
		if !strings.Contains(eph.Text, "couldn't post my answer") || eph.User != user {
			t.Errorf("note %+v", eph)
		}
		r.wait(t, ReplyFailed, 1)
	})
	t.Run("outage of a moment", func(t *testing.T) {
		var r replies
		e := start(t, guard(seedBot(t), 0), false, func(o *Options) { o.OnReply = r.on })
		e.fake.ServerError("response_url", 2, http.StatusServiceUnavailable)
		body := []byte(command(e, user, channel, "What level is a network engineer?", e.fake.ResponseURL("flaky")).Encode())
		e.post(t, "/slack/commands", "application/x-www-form-urlencoded", body, nil)
		m := e.fake.WaitFor(t, "response_url", 1, 10*time.Second)[0].Message()
		if !strings.Contains(m.AllText(), "[ST0127") {
			t.Errorf("answer after two 503s: %q", m.Text)
		}
		r.wait(t, ReplyAnswered, 1)
	})
}

// TestStoresArePluggable: the adapter keeps its shares and dedupe keys in
// the stores it is given (a store shared by replicas plugs in here).
func TestStoresArePluggable(t *testing.T) {
	shares := &countingShares{}
	dd := &countingDedupe{}
	e := start(t, guard(seedBot(t), 0), false, func(o *Options) {
		o.Dedupe = dd
		o.Shares = shares
	})
	for i := range 5 {
		body := []byte(command(e, user, channel, "What level is a network engineer?", e.fake.ResponseURL("s"+strconv.Itoa(i))).Encode())
		e.post(t, "/slack/commands", "application/x-www-form-urlencoded", body, nil)
	}
	e.fake.WaitFor(t, "response_url", 5, 10*time.Second)
	if shares.puts() != 5 || dd.firsts() != 5 {
		t.Errorf("the adapter used %d shares and %d dedupe keys of the stores it was given, want 5 each", shares.puts(), dd.firsts())
	}
}

// countingShares and countingDedupe are stores handed to the adapter
// through its seams, as a shared store would be: they count their use.
type countingShares struct {
	mu sync.Mutex
	n  int
	m  map[string]Share
}

func (c *countingShares) Put(s Share) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.m == nil {
		c.m = map[string]Share{}
	}
	id := "share-" + strconv.Itoa(c.n)
	c.m[id] = s
	return id
}

func (c *countingShares) Take(id string) (Share, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[id]
	delete(c.m, id)
	return s, ok
}

func (c *countingShares) puts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

type countingDedupe struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (d *countingDedupe) First(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	if d.seen[key] {
		return false
	}
	d.seen[key] = true
	return true
}

func (d *countingDedupe) Forget(key string) {
	d.mu.Lock()
	delete(d.seen, key)
	d.mu.Unlock()
}

func (d *countingDedupe) firsts() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}

// TestSocketModeCommandReplayAnsweredOnce: a slash command Socket Mode
// delivers twice (the same trigger id in two envelopes) is answered once,
// and both envelopes are acknowledged.
func TestSocketModeCommandReplayAnsweredOnce(t *testing.T) {
	e := start(t, guard(seedBot(t), 0), true, nil)
	cmd := map[string]any{"token": "x", "team_id": slackfake.TeamID, "channel_id": channel, "user_id": user,
		"command": "/careers", "text": "What level is a network engineer?",
		"response_url": e.fake.ResponseURL("socket-replay"), "trigger_id": newTrigger(), "api_app_id": "A0CAREERS"}
	for range 2 {
		env := e.fake.Send(t, slackfake.SlashCommands, cmd, 0)
		e.fake.WaitAck(t, env, 5*time.Second)
	}
	e.fake.WaitFor(t, "response_url", 1, 10*time.Second)
	if extra := e.fake.Quiet("response_url", quiet); len(extra) > 0 {
		t.Errorf("the command delivered twice was answered %d more times", len(extra))
	}
}
