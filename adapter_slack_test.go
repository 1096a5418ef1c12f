package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters"
	"github.com/careersbot/careersbot/adapters/slack"
	"github.com/careersbot/careersbot/internal/server"
)

// slackWebAPI is a minimal fake Slack Web API at the wire for serve's
// tests: auth.test, and chat.postMessage recorded with its form.
type slackWebAPI struct {
	*httptest.Server
	mu    sync.Mutex
	posts []url.Values
	added chan struct{}
}

func newSlackWebAPI(t *testing.T) *slackWebAPI {
	f := &slackWebAPI{added: make(chan struct{}, 100)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		w.Header().Set("Content-Type", "application/json")
		if form.Get("token") != "xoxb-serve-test" {
			_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
			return
		}
		switch r.URL.Path {
		case "/api/auth.test":
			_, _ = w.Write([]byte(`{"ok":true,"team":"Careers","team_id":"T0SERVE","user":"careersbot","user_id":"U0BOT","bot_id":"B0BOT"}`))
		case "/api/chat.postMessage":
			f.mu.Lock()
			f.posts = append(f.posts, form)
			f.mu.Unlock()
			f.added <- struct{}{}
			_, _ = w.Write([]byte(`{"ok":true,"channel":"` + form.Get("channel") + `","ts":"1750000001.000100"}`))
		default:
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *slackWebAPI) waitPost(t *testing.T) url.Values {
	t.Helper()
	select {
	case <-f.added:
	case <-time.After(10 * time.Second):
		t.Fatal("no chat.postMessage within 10 s")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts[len(f.posts)-1]
}

// serve with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET runs the Slack
// adapter in HTTP mode: ready once auth.test answered, a signed mention
// posted to /slack/events of the running server is answered in its thread
// through SLACK_API_URL, a bad signature gets 401.
func TestServeSlackHTTPMode(t *testing.T) {
	api := newSlackWebAPI(t)
	const secret = "serve-test-signing-secret"
	cfg := serveConfig(t, map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-serve-test",
		"SLACK_SIGNING_SECRET": secret,
		"SLACK_API_URL":        api.URL + "/api/",
	})
	s, base, _ := startServer(t, cfg)
	if adapterNamed(s, "slack") == nil {
		t.Fatalf("adapters %v, want slack among them", s.Adapters())
	}

	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T0SERVE", "event_id": "Ev0SERVE1",
		"event": map[string]any{"type": "app_mention", "user": "U0ADVISER", "channel": "C0CAREERS",
			"text": "<@U0BOT> Which skills does a network engineer need?", "ts": "1750000000.000100", "event_ts": "1750000000.000100"},
	})
	send := func(sig string) int {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, base+"/slack/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		if sig == "" {
			sig = slack.Sign(secret, ts, body)
		}
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send("v0=0000"); code != http.StatusUnauthorized {
		t.Errorf("bad signature: status %d, want 401", code)
	}
	if code := send(""); code != http.StatusOK {
		t.Fatalf("signed event: status %d, want 200", code)
	}
	post := api.waitPost(t)
	if post.Get("channel") != "C0CAREERS" || post.Get("thread_ts") != "1750000000.000100" {
		t.Errorf("posted to %s thread %s", post.Get("channel"), post.Get("thread_ts"))
	}
	for _, want := range []string{"[ST0127 S1]", "[ST0127 S14]", "Open Government Licence"} {
		if !strings.Contains(post.Get("blocks"), want) {
			t.Errorf("the blocks lack %s", want)
		}
	}

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`careersbot_adapter_connected{adapter="slack"} 1`,
		`careersbot_questions_total{adapter="slack",outcome="grounded"} 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Without Slack settings there is no Slack adapter; with a token that
// Slack refuses, serve keeps serving and /readyz says why Slack is down.
func TestServeSlackOffOrDown(t *testing.T) {
	if a, err := newSlackAdapter(server.Deps{Config: serveConfig(t, nil)}); a != nil || err != nil {
		t.Errorf("no Slack settings: %v, %v; want nil, nil", a, err)
	}
	api := newSlackWebAPI(t)
	cfg := serveConfig(t, map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-refused", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api.URL + "/api/",
	})
	s, err := server.New(cfg, slog.New(slog.DiscardHandler), serveOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadIndex(t.Context()); err != nil {
		t.Fatal(err)
	}
	a := adapterNamed(s, "slack")
	if err := a.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("Run: %v, want invalid_auth", err)
	}
	ready, checks := s.Ready()
	if ready || !strings.Contains(checks["slack"], "invalid_auth") {
		t.Errorf("ready %v, checks %v", ready, checks)
	}
}

// adapterNamed is the server's adapter of that name, or nil.
func adapterNamed(s *server.Server, name string) adapters.Adapter {
	for _, a := range s.Adapters() {
		if a.Name() == name {
			return a
		}
	}
	return nil
}
