package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/internal/fakes/slackfake"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

func seedBot(t testing.TB) *bot.Bot {
	t.Helper()
	return bot.New(testcorpus.Seed(t), bot.Options{})
}

func catalogueBot(t testing.TB) *bot.Bot {
	t.Helper()
	return bot.New(testcorpus.Catalogue(t), bot.Options{})
}

// guard wraps a bot as serve does.
func guard(b bot.Asker, perMinute int) *bot.Guard {
	return bot.NewGuard(b, bot.GuardOptions{PerMinute: perMinute, MaxConcurrent: 4})
}

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// testClock is a settable clock for signature checks.
type testClock struct{ unix atomic.Int64 }

func newClock() *testClock {
	c := &testClock{}
	c.unix.Store(1_750_000_000)
	return c
}

func (c *testClock) Now() time.Time { return time.Unix(c.unix.Load(), 0) }

// state records what the adapter reports through OnState.
type state struct {
	mu      sync.Mutex
	history []string
	up      chan struct{}
	once    sync.Once
}

func newState() *state { return &state{up: make(chan struct{})} }

func (s *state) on(connected bool, detail string) {
	s.mu.Lock()
	s.history = append(s.history, fmt.Sprintf("%v: %s", connected, detail))
	s.mu.Unlock()
	if connected {
		s.once.Do(func() { close(s.up) })
	}
}

func (s *state) waitUp(t testing.TB) {
	t.Helper()
	select {
	case <-s.up:
	case <-time.After(10 * time.Second):
		t.Fatalf("the adapter never reported connected: %v", s.History())
	}
}

func (s *state) History() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.history...)
}

// votes records OnFeedback.
type votes struct {
	mu sync.Mutex
	v  []bot.Feedback
}

func (v *votes) add(f bot.Feedback) {
	v.mu.Lock()
	v.v = append(v.v, f)
	v.mu.Unlock()
}

// list is the votes so far.
func (v *votes) list() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []string
	for _, f := range v.v {
		out = append(out, f.Vote)
	}
	return out
}

func (v *votes) all() []bot.Feedback {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]bot.Feedback(nil), v.v...)
}

// env is an adapter running against the fake Slack: in HTTP mode, its
// routes on a running HTTP server at url.
type env struct {
	fake     *slackfake.Server
	a        *Adapter
	url      string
	clock    *testClock
	state    *state
	votes    *votes
	memory   *bot.Memory
	logs     *syncBuffer
	platform atomic.Int64
	cancel   context.CancelFunc
	runDone  chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs an adapter against a new fake Slack until the test ends, in
// HTTP mode unless socket is set.
func start(t testing.TB, asker bot.Asker, socket bool, mod func(*Options)) *env {
	t.Helper()
	e := &env{fake: slackfake.New(t), clock: newClock(), state: newState(), votes: &votes{},
		memory: bot.NewMemory(0, 0), logs: &syncBuffer{}, runDone: make(chan error, 1)}
	o := Options{
		BotToken:        slackfake.BotToken,
		APIURL:          e.fake.APIURL(),
		Asker:           asker,
		Memory:          e.memory,
		Logger:          slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnState:         e.state.on,
		OnFeedback:      e.votes.add,
		OnPlatformError: func() { e.platform.Add(1) },
		Now:             e.clock.Now,
		HTTPTimeout:     5 * time.Second,
	}
	if socket {
		o.AppToken = slackfake.AppToken
		o.PingInterval = 3 * time.Second
	} else {
		o.SigningSecret = testSecret
	}
	if mod != nil {
		mod(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.a = a
	if !socket {
		mux := http.NewServeMux()
		for p, h := range a.Routes() {
			mux.Handle(p, h)
		}
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		e.url = srv.URL
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.runDone <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-e.runDone:
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after its context ended")
		}
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		if err := a.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	e.state.waitUp(t)
	if socket {
		e.fake.WaitConnected(t, 10*time.Second)
	}
	return e
}

// post sends a signed request to the adapter's HTTP server.
func (e *env) post(t testing.TB, path, contentType string, body []byte, header map[string]string) (int, []byte) {
	t.Helper()
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	return e.postSignedAs(t, path, contentType, body, ts, Sign(testSecret, ts, body), header)
}

func (e *env) postSignedAs(t testing.TB, path, contentType string, body []byte, ts, sig string, header map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if ts != "" {
		req.Header.Set("X-Slack-Request-Timestamp", ts)
	}
	if sig != "" {
		req.Header.Set("X-Slack-Signature", sig)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// postEvent sends a signed Events API callback.
func (e *env) postEvent(t testing.TB, body []byte, header map[string]string) int {
	t.Helper()
	code, _ := e.post(t, "/slack/events", "application/json", body, header)
	return code
}

var eventSeq atomic.Int64

// callback wraps an inner event in an Events API callback, with a new
// event id unless one is given.
func callback(inner map[string]any, eventID string) []byte {
	if eventID == "" {
		eventID = fmt.Sprintf("Ev%08d", eventSeq.Add(1))
	}
	b, _ := json.Marshal(map[string]any{
		"token": "deprecated-verification-token", "team_id": slackfake.TeamID, "api_app_id": "A0CAREERS",
		"type": "event_callback", "event_id": eventID, "event_time": 1_750_000_000,
		"authorizations": []map[string]any{{"team_id": slackfake.TeamID, "user_id": slackfake.BotUserID, "is_bot": true}},
		"event":          inner,
	})
	return b
}

var tsSeq atomic.Int64

// newTS is a new message timestamp.
func newTS() string { return fmt.Sprintf("1750000000.%06d", tsSeq.Add(1)) }

// mention is an app_mention of the bot in a channel; thread may be "".
func mention(channel, user, ts, thread, text string) map[string]any {
	m := map[string]any{"type": "app_mention", "user": user, "text": "<@" + slackfake.BotUserID + "> " + text,
		"ts": ts, "channel": channel, "event_ts": ts}
	if thread != "" {
		m["thread_ts"] = thread
	}
	return m
}

// dm is a direct message to the bot (message.im).
func dm(channel, user, ts, text string) map[string]any {
	return map[string]any{"type": "message", "channel_type": "im", "user": user, "text": text,
		"ts": ts, "channel": channel, "event_ts": ts, "client_msg_id": "c-" + ts}
}

// triggers numbers trigger ids: Slack gives each command and button press
// its own.
var triggers atomic.Int64

func newTrigger() string {
	return fmt.Sprintf("%d.47445629121.%x", 398738663015+triggers.Add(1), triggers.Load())
}

// command is a /careers slash command's form.
func command(e *env, user, channel, text, responseURL string) url.Values {
	return url.Values{
		"token": {"deprecated"}, "team_id": {slackfake.TeamID}, "team_domain": {"careers"},
		"channel_id": {channel}, "channel_name": {"advisers"}, "user_id": {user}, "user_name": {"adviser"},
		"command": {"/careers"}, "text": {text}, "response_url": {responseURL},
		"trigger_id": {newTrigger()}, "api_app_id": {"A0CAREERS"},
	}
}

// blockAction is a block_actions interaction payload for a button.
func blockAction(user, channel, actionID, value, responseURL string) map[string]any {
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user, "name": "adviser"},
		"team":         map[string]any{"id": slackfake.TeamID},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "is_ephemeral": true},
		"api_app_id":   "A0CAREERS",
		"trigger_id":   newTrigger(),
		"response_url": responseURL,
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "answer_actions",
			"value": value, "action_ts": "1750000000.1", "text": map[string]any{"type": "plain_text", "text": "x"}}},
	}
}

// buttonValue finds the value of a button in a message's blocks.
func buttonValue(t testing.TB, m slackfake.Message, actionID string) string {
	t.Helper()
	for _, b := range m.Blocks {
		els, _ := b["elements"].([]any)
		for _, el := range els {
			em, _ := el.(map[string]any)
			if em["action_id"] == actionID {
				v, _ := em["value"].(string)
				return v
			}
		}
	}
	t.Fatalf("no %s button in the message: %s", actionID, m.AllText())
	return ""
}

// hasButton reports whether a message has a button.
func hasButton(m slackfake.Message, actionID string) bool {
	for _, b := range m.Blocks {
		els, _ := b["elements"].([]any)
		for _, el := range els {
			if em, _ := el.(map[string]any); em["action_id"] == actionID {
				return true
			}
		}
	}
	return false
}

// markers are the citation markers a message shows, such as [ST0127 S1].
func markers(m slackfake.Message) map[string]bool {
	out := map[string]bool{}
	for _, s := range reMarker.FindAllString(m.AllText(), -1) {
		out[s] = true
	}
	return out
}

// wantCitations checks that a message shows every citation of the answer
// the bot gives to question, and the source line.
func wantCitations(t testing.TB, m slackfake.Message, b bot.Asker, question string) bot.Answer {
	t.Helper()
	ans, err := b.Ask(context.Background(), bot.Question{Text: question})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) == 0 {
		t.Fatalf("%q: the bot cites nothing", question)
	}
	got := markers(m)
	for _, c := range ans.Citations {
		if !got[c.Marker()] {
			t.Errorf("%q: citation %s missing from the message", question, c.Marker())
		}
		if prefix := escape(c.Text); !strings.Contains(m.AllText(), prefix[:min(len(prefix), 20)]) {
			t.Errorf("%q: the passage of %s is not shown", question, c.Marker())
		}
	}
	if !strings.Contains(m.AllText(), "Open Government Licence v3.0") {
		t.Errorf("%q: no source line", question)
	}
	return ans
}
