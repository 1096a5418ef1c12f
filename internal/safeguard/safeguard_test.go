package safeguard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

const (
	token   = "xoxb-test-token"
	channel = "C0SAFEGUARD"
	// The learner's words, with Slack markup that must not ping anyone.
	learnerText = "<!channel> i want to kill myself"
)

var learnerQuestion = bot.Question{Text: learnerText, User: "U0LEARNER1", Channel: "C0CAREERS", Via: "slack"}

// slackAPI is a Slack Web API speaking chat.postMessage's wire format: a
// form (or JSON) body, the token as a Bearer header or a form field,
// {"ok": ...} back. fail
// answers the first calls with a failure of its choice.
type slackAPI struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	got  []url.Values
	fail []func(w http.ResponseWriter) // consumed one per call
	seen chan struct{}
}

func newSlackAPI(t *testing.T) *slackAPI {
	s := &slackAPI{t: t, seen: make(chan struct{}, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/chat.postMessage" {
			http.NotFound(w, r)
			return
		}
		var form url.Values
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			var m map[string]any
			if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			form = url.Values{}
			for k, v := range m {
				if s, ok := v.(string); ok {
					form.Set(k, s)
				}
			}
		} else {
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			form = r.PostForm
		}
		// Slack takes the token as a Bearer header or a "token" field.
		auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if t := form.Get("token"); t != "" {
			auth = t
		}
		if auth != token {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		s.mu.Lock()
		s.got = append(s.got, form)
		var f func(http.ResponseWriter)
		if len(s.fail) > 0 {
			f, s.fail = s.fail[0], s.fail[1:]
		}
		s.mu.Unlock()
		defer func() { s.seen <- struct{}{} }()
		if f != nil {
			f(w)
			return
		}
		writeJSON(w, map[string]any{"ok": true, "channel": form.Get("channel"), "ts": "1750000000.000100"})
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *slackAPI) calls() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.got...)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// results records OnResult.
type results struct {
	mu  sync.Mutex
	got []string
	ch  chan string
}

func newResults() *results { return &results{ch: make(chan string, 64)} }

func (r *results) on(kind bot.SafeguardingKind, result string) {
	r.mu.Lock()
	r.got = append(r.got, string(kind)+":"+result)
	r.mu.Unlock()
	r.ch <- result
}

func (r *results) wait(t *testing.T) string {
	t.Helper()
	select {
	case res := <-r.ch:
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("no alert result")
		return ""
	}
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

func newSender(t *testing.T, o Options) (*Sender, *results, *syncBuffer) {
	t.Helper()
	res, logs := newResults(), &syncBuffer{}
	o.OnResult = res.on
	o.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s, res, logs
}

var suicideNow = bot.Safeguarding{Kind: bot.KindSuicide, Now: true}

func TestSlackAlert(t *testing.T) {
	for _, withText := range []bool{false, true} {
		api := newSlackAPI(t)
		s, res, _ := newSender(t, Options{Destination: channel, SlackToken: token, SlackAPIURL: api.srv.URL + "/api/", IncludeText: withText})
		s.Notify(context.Background(), learnerQuestion, suicideNow)
		if r := res.wait(t); r != ResultSent {
			t.Fatalf("text %v: result %s", withText, r)
		}
		calls := api.calls()
		if len(calls) != 1 {
			t.Fatalf("text %v: %d calls to chat.postMessage", withText, len(calls))
		}
		c := calls[0]
		text := c.Get("text")
		if c.Get("channel") != channel {
			t.Errorf("posted to %q", c.Get("channel"))
		}
		for _, want := range []string{"slack", "C0CAREERS", "U0LEARNER1", "suicide_self_harm", "danger now: yes"} {
			if !strings.Contains(text, want) {
				t.Errorf("text %v: the alert lacks %q: %s", withText, want, text)
			}
		}
		hasMessage := strings.Contains(text, "i want to kill myself")
		if hasMessage != withText {
			t.Errorf("text %v: the learner's message in the alert: %v: %s", withText, hasMessage, text)
		}
		if strings.Contains(text, "<!channel>") {
			t.Errorf("the learner's markup reached Slack unescaped: %s", text)
		}
		if withText && !strings.Contains(text, "&lt;!channel&gt;") {
			t.Errorf("the learner's text is not escaped: %s", text)
		}
	}
}

// webhook is a local webhook recording what it gets; handle, when set,
// answers instead of 204.
type webhook struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	types  []string
	handle func(w http.ResponseWriter, r *http.Request, n int)
}

func newWebhook(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *webhook {
	h := &webhook{handle: handle}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, b)
		h.types = append(h.types, r.Header.Get("Content-Type"))
		n := len(h.bodies)
		h.mu.Unlock()
		if h.handle != nil {
			h.handle(w, r, n)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *webhook) got() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.bodies...)
}

func TestWebhookAlert(t *testing.T) {
	for _, withText := range []bool{false, true} {
		h := newWebhook(t, nil)
		s, res, _ := newSender(t, Options{Destination: h.srv.URL + "/hook/s3cret", IncludeText: withText})
		s.Notify(context.Background(), learnerQuestion, suicideNow)
		if r := res.wait(t); r != ResultSent {
			t.Fatalf("result %s", r)
		}
		bodies := h.got()
		if len(bodies) != 1 || h.types[0] != "application/json" {
			t.Fatalf("%d bodies, content type %v", len(bodies), h.types)
		}
		var b map[string]any
		if err := json.Unmarshal(bodies[0], &b); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"event": "safeguarding", "platform": "slack", "channel": "C0CAREERS", "user": "U0LEARNER1",
			"kind": "suicide_self_harm", "danger_now": true}
		for k, v := range want {
			if b[k] != v {
				t.Errorf("text %v: %s is %v, want %v", withText, k, b[k], v)
			}
		}
		if _, ok := b["time"].(string); !ok {
			t.Errorf("no time: %s", bodies[0])
		}
		hasMessage := b["message"] == learnerText && strings.Contains(b["text"].(string), "i want to kill myself")
		if hasMessage != withText || (!withText && bytes.Contains(bodies[0], []byte("kill myself"))) {
			t.Errorf("text %v: the body %s", withText, bodies[0])
		}
	}
}

// Failures are retried with backoff; a refusal is not; neither the
// message nor the webhook's secret path reaches the log.
func TestAlertRetries(t *testing.T) {
	t.Run("webhook 503 then 200", func(t *testing.T) {
		h := newWebhook(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n < 3 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		s, res, logs := newSender(t, Options{Destination: h.srv.URL + "/hook/s3cret", IncludeText: true})
		s.Notify(context.Background(), learnerQuestion, suicideNow)
		if r := res.wait(t); r != ResultSent || len(h.got()) != 3 {
			t.Fatalf("result %s after %d attempts, want sent after 3", r, len(h.got()))
		}
		if l := logs.String(); !strings.Contains(l, "retrying") || strings.Contains(l, "s3cret") || strings.Contains(l, "kill myself") {
			t.Errorf("logs: %s", l)
		}
	})
	t.Run("webhook refuses", func(t *testing.T) {
		h := newWebhook(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusForbidden) })
		s, res, logs := newSender(t, Options{Destination: h.srv.URL + "/hook/s3cret"})
		s.Notify(context.Background(), learnerQuestion, suicideNow)
		if r := res.wait(t); r != ResultFailed || len(h.got()) != 1 {
			t.Fatalf("result %s after %d attempts, want failed after 1", r, len(h.got()))
		}
		if l := logs.String(); !strings.Contains(l, "not delivered") || !strings.Contains(l, "403") || strings.Contains(l, "s3cret") {
			t.Errorf("logs: %s", l)
		}
	})
	t.Run("webhook always failing", func(t *testing.T) {
		h := newWebhook(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusBadGateway) })
		s, res, _ := newSender(t, Options{Destination: h.srv.URL, Attempts: 3})
		s.Notify(context.Background(), learnerQuestion, suicideNow)
		if r := res.wait(t); r != ResultFailed || len(h.got()) != 3 {
			t.Fatalf("result %s after %d attempts, want failed after 3", r, len(h.got()))
		}
	})
	t.Run("slack rate limited then ok", func(t *testing.T) {
		api := newSlackAPI(t)
		api.fail = []func(http.ResponseWriter){
			func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) },
		}
		s, res, _ := newSender(t, Options{Destination: channel, SlackToken: token, SlackAPIURL: api.srv.URL + "/api/"})
		s.Notify(context.Background(), learnerQuestion, suicideNow)
		if r := res.wait(t); r != ResultSent || len(api.calls()) != 3 {
			t.Fatalf("result %s after %d calls, want sent after 3", r, len(api.calls()))
		}
	})
	t.Run("slack channel not found", func(t *testing.T) {
		api := newSlackAPI(t)
		api.fail = []func(http.ResponseWriter){func(w http.ResponseWriter) {
			writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
		}}
		s, res, logs := newSender(t, Options{Destination: channel, SlackToken: token, SlackAPIURL: api.srv.URL + "/api/"})
		s.Notify(context.Background(), learnerQuestion, suicideNow)
		if r := res.wait(t); r != ResultFailed || len(api.calls()) != 1 {
			t.Fatalf("result %s after %d calls, want failed after 1", r, len(api.calls()))
		}
		if !strings.Contains(logs.String(), "channel_not_found") {
			t.Errorf("logs: %s", logs.String())
		}
	})
}

// A webhook that hangs holds up neither Notify nor the learner's answer;
// the queue stays bounded.
func TestHangingWebhook(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 64)
	h := newWebhook(t, func(w http.ResponseWriter, r *http.Request, n int) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	s, res, _ := newSender(t, Options{Destination: h.srv.URL, QueueSize: 2, Timeout: time.Minute, Attempts: 1})
	t.Cleanup(func() { close(release) }) // before the sender's Close: cleanups run last first

	// Through the bot: the answer comes back while the webhook still holds
	// the alert.
	b := bot.New(testcorpus.Seed(t), bot.Options{OnDistress: s.Notify})
	a, err := b.Ask(context.Background(), bot.Question{Text: "i dont wanna be around anymore", User: "U1", Via: "slack", Channel: "C1"})
	if err != nil || a.Intent != bot.IntentDistress || !strings.Contains(a.Text, "116 123") {
		t.Fatalf("answer %+v, %v", a, err)
	}
	select {
	case <-arrived: // the worker is now stuck in the webhook
	case <-time.After(10 * time.Second):
		t.Fatal("the alert never reached the webhook")
	}
	if n := len(h.got()); n != 1 {
		t.Fatalf("%d requests at the webhook", n)
	}
	// The worker is blocked: two more fill the queue, the rest are dropped
	// at once, without waiting.
	for range 5 {
		s.Notify(context.Background(), learnerQuestion, suicideNow)
	}
	for range 3 {
		if r := res.wait(t); r != ResultDropped {
			t.Fatalf("result %s, want dropped", r)
		}
	}
	select {
	case r := <-res.ch:
		t.Fatalf("a further result %s while the webhook hangs", r)
	default:
	}
}

// Close sends what is queued; past its deadline it drops the rest.
func TestCloseDrains(t *testing.T) {
	h := newWebhook(t, nil)
	s, res, _ := newSender(t, Options{Destination: h.srv.URL})
	for range 3 {
		s.Notify(context.Background(), learnerQuestion, suicideNow)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(h.got()); n != 3 {
		t.Errorf("%d alerts sent before Close returned, want 3", n)
	}
	s.Notify(context.Background(), learnerQuestion, suicideNow)
	var got []string
	for range 4 {
		got = append(got, res.wait(t))
	}
	if strings.Join(got, ",") != "sent,sent,sent,dropped" {
		t.Errorf("results %v", got)
	}

	stuck := newWebhook(t, func(w http.ResponseWriter, r *http.Request, n int) { <-r.Context().Done() })
	s2, _, _ := newSender(t, Options{Destination: stuck.srv.URL, Timeout: time.Minute})
	s2.Notify(context.Background(), learnerQuestion, suicideNow)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s2.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close past its deadline: %v", err)
	}
}

func TestNewChecksDestination(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Destination: channel}, "SLACK_BOT_TOKEN"},
		{Options{Destination: "ftp://example.org/x"}, "webhook URL"},
		{Options{Destination: "not a channel"}, "webhook URL"},
	} {
		if _, err := New(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error naming %s", c.o, err, c.want)
		}
	}
	for _, id := range []string{"C0123456789", "G0ABCDEF1", "D024BE91L"} {
		if !IsSlackChannel(id) {
			t.Errorf("%s is a Slack channel id", id)
		}
	}
	for _, id := range []string{"c0123456789", "C01", "https://x", "U0123456789"} {
		if IsSlackChannel(id) {
			t.Errorf("%s is not a Slack channel id", id)
		}
	}
}
