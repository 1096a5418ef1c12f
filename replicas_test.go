package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/discord/discordfake"
	"github.com/careersbot/careersbot/adapters/slack"
)

// slackRecorder is a fake Slack at the wire for replicas: the Web API
// (auth.test, chat.postMessage and the rest answered ok) and response URLs
// under /hooks/, every call recorded, for whichever replica makes it.
type slackRecorder struct {
	*httptest.Server
	mu    sync.Mutex
	calls []slackCall
	seq   int
}

type slackCall struct {
	method string // "chat.postMessage", or "response_url"
	hook   string // the response URL's name
	form   url.Values
	body   []byte
}

const (
	replicaSlackToken  = "xoxb-replicas"
	replicaSlackSecret = "replicas-signing-secret"
)

func newSlackRecorder(t *testing.T) *slackRecorder {
	t.Helper()
	f := &slackRecorder{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := slackCall{body: body}
		if name, ok := strings.CutPrefix(r.URL.Path, "/hooks/"); ok {
			c.method, c.hook = "response_url", name
		} else {
			c.method = strings.TrimPrefix(r.URL.Path, "/api/")
			c.form, _ = url.ParseQuery(string(body))
			if c.form.Get("token") != replicaSlackToken && !strings.HasSuffix(r.Header.Get("Authorization"), replicaSlackToken) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
				return
			}
		}
		f.mu.Lock()
		f.seq++
		ts := fmt.Sprintf("1760000000.%06d", f.seq)
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		switch c.method {
		case "response_url":
			_, _ = w.Write([]byte("ok"))
		case "auth.test":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true,"team":"Careers","team_id":"T0REPL","user":"careersbot","user_id":"U0BOT","bot_id":"B0BOT"}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true,"channel":"` + c.form.Get("channel") + `","ts":"` + ts + `","message_ts":"` + ts + `"}`))
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// matching is the calls that pass keep.
func (f *slackRecorder) matching(keep func(slackCall) bool) []slackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []slackCall
	for _, c := range f.calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// waitFor waits until n calls pass keep and returns them.
func (f *slackRecorder) waitFor(t *testing.T, what string, n int, keep func(slackCall) bool) []slackCall {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := f.matching(keep)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d calls, want %d", what, len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func threadPosts(thread string) func(slackCall) bool {
	return func(c slackCall) bool { return c.method == "chat.postMessage" && c.form.Get("thread_ts") == thread }
}

func hook(name string) func(slackCall) bool {
	return func(c slackCall) bool { return c.method == "response_url" && c.hook == name }
}

// signedSlack posts a body to a replica's Slack route, signed as Slack
// does; headers are added (X-Slack-Retry-Num, say).
func signedSlack(t *testing.T, base, path, contentType string, body []byte, headers ...string) int {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slack.Sign(replicaSlackSecret, ts, body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func mention(eventID, user, text, ts, thread string) []byte {
	ev := map[string]any{"type": "app_mention", "user": user, "channel": "C0CAREERS", "text": "<@U0BOT> " + text, "ts": ts, "event_ts": ts}
	if thread != "" {
		ev["thread_ts"] = thread
	}
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0REPL", "event_id": eventID, "event": ev})
	return b
}

// shareID is the value of the Share button in a /careers answer sent to a
// response URL.
func shareID(t *testing.T, body []byte) string {
	t.Helper()
	var msg struct {
		Blocks []struct {
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	for _, b := range msg.Blocks {
		for _, e := range b.Elements {
			if e.ActionID == "share" {
				return e.Value
			}
		}
	}
	t.Fatalf("no share button in %s", body)
	return ""
}

// TestReplicasSharePostgres runs two `serve` processes on 127.0.0.1 over one
// PostgreSQL, as operators run replicas behind a load balancer, with Slack
// and Discord in HTTP mode against fakes: a Slack event sent to A and its
// retry sent to B is answered once; a thread follow-up asked through B
// keeps the occupation of the question A answered (the same follow-up in a
// new thread does not); a user's rate limit holds across both; a Share
// click on B posts the answer A built (once, a replay to A is not taken);
// a Discord interaction replayed to the other replica is answered once.
// Skipped without CAREERSBOT_TEST_DATABASE_URL.
func TestReplicasSharePostgres(t *testing.T) {
	dbURL := postgresTestSchema(t)
	slackAPI := newSlackRecorder(t)
	discordAPI := discordfake.NewAPI(t) // any token: set after it serves, Token would race with the replicas' calls
	signer := discordfake.NewSigner(t)
	env := defaultEnv(t) // the default corpus: a follow-up without its occupation is ambiguous
	for k, v := range map[string]string{
		"CAREERSBOT_DATABASE_URL":    dbURL,
		"CAREERSBOT_RATE_PER_MINUTE": "4",
		"SLACK_BOT_TOKEN":            replicaSlackToken,
		"SLACK_SIGNING_SECRET":       replicaSlackSecret,
		"SLACK_API_URL":              slackAPI.URL + "/api/",
		"DISCORD_BOT_TOKEN":          discordTestToken,
		"DISCORD_APP_ID":             discordTestApp,
		"DISCORD_PUBLIC_KEY":         signer.PublicKeyHex(),
		"DISCORD_GUILD_ID":           discordTestGuild,
		"DISCORD_API_URL":            discordAPI.Base,
	} {
		env[k] = v
	}
	a := startProcess(t, env)
	b := startProcess(t, env)
	for _, p := range []*process{a, b} {
		resp, err := http.Get(p.url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `"database":"ok: PostgreSQL at`) {
			t.Errorf("/readyz: %s", body)
		}
	}

	t.Run("event retry on the other replica answered once", func(t *testing.T) {
		ev := mention("Ev0REPL1", "U0ADVISER", "Which skills does a network engineer need?", "1760000100.000100", "")
		if code := signedSlack(t, a.url, "/slack/events", "application/json", ev); code != http.StatusOK {
			t.Fatalf("A: %d", code)
		}
		if code := signedSlack(t, b.url, "/slack/events", "application/json", ev, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"); code != http.StatusOK {
			t.Fatalf("B: %d", code)
		}
		posts := slackAPI.waitFor(t, "the answer", 1, threadPosts("1760000100.000100"))
		if !strings.Contains(posts[0].form.Get("blocks"), "[ST0127 S1]") {
			t.Errorf("the answer lacks [ST0127 S1]: %.300s", posts[0].form.Get("blocks"))
		}
		time.Sleep(1500 * time.Millisecond)
		if n := len(slackAPI.matching(threadPosts("1760000100.000100"))); n != 1 {
			t.Errorf("%d answers to one event sent to both replicas, want 1", n)
		}
		if a.metric(t, `careersbot_platform_replays_total{adapter="slack"}`)+b.metric(t, `careersbot_platform_replays_total{adapter="slack"}`) < 1 {
			t.Error("no replay counted")
		}
	})

	t.Run("thread follow-up through B keeps A's occupation", func(t *testing.T) {
		follow := "What about the behaviours?"
		ev := mention("Ev0REPL2", "U0ADVISER", follow, "1760000100.000200", "1760000100.000100")
		if code := signedSlack(t, b.url, "/slack/events", "application/json", ev); code != http.StatusOK {
			t.Fatalf("B: %d", code)
		}
		posts := slackAPI.waitFor(t, "the follow-up", 2, threadPosts("1760000100.000100"))
		if blocks := posts[1].form.Get("blocks"); !strings.Contains(blocks, "[ST0127 B1]") {
			t.Errorf("the follow-up through B is not about ST0127's behaviours: %.400s", blocks)
		}
		// Control: the same words in a thread of their own name nothing.
		ev = mention("Ev0REPL3", "U0OTHER", follow, "1760000200.000100", "")
		signedSlack(t, b.url, "/slack/events", "application/json", ev)
		posts = slackAPI.waitFor(t, "the control", 1, threadPosts("1760000200.000100"))
		if blocks := posts[0].form.Get("blocks"); strings.Contains(blocks, "[ST0127 B1]") {
			t.Errorf("without the thread's context the follow-up still cites ST0127: the test proves nothing")
		}
	})

	t.Run("a user's rate limit holds across both", func(t *testing.T) {
		// Over HTTP the user is the client's address: this test's, on both.
		for i := range 4 {
			p := []*process{a, b}[i%2]
			if code, _, err := askHTTP(p.url, "What level is a network engineer?", ""); err != nil || code != http.StatusOK {
				t.Fatalf("question %d: %d %v", i+1, code, err)
			}
		}
		for name, p := range map[string]*process{"A": a, "B": b} {
			if code, body, err := askHTTP(p.url, "What level is a network engineer?", ""); err != nil || code != http.StatusTooManyRequests {
				t.Errorf("fifth question through %s: %d %s %v, want 429", name, code, body, err)
			}
		}
	})

	t.Run("share click on B posts the answer built on A", func(t *testing.T) {
		cmd := url.Values{
			"command": {"/careers"}, "text": {"Is wireless networking part of the role of a network engineer?"},
			"team_id": {"T0REPL"}, "channel_id": {"C0CAREERS"}, "user_id": {"U0SHARER"},
			"response_url": {slackAPI.URL + "/hooks/command-1"}, "trigger_id": {"1001.2001.repl1"},
		}
		if code := signedSlack(t, a.url, "/slack/commands", "application/x-www-form-urlencoded", []byte(cmd.Encode())); code != http.StatusOK {
			t.Fatalf("command on A: %d", code)
		}
		private := slackAPI.waitFor(t, "the private answer", 1, hook("command-1"))
		id := shareID(t, private[0].body)
		click := func(p *process, trigger, responseName string) {
			payload, _ := json.Marshal(map[string]any{
				"type": "block_actions", "trigger_id": trigger, "user": map[string]any{"id": "U0SHARER"},
				"team": map[string]any{"id": "T0REPL"}, "channel": map[string]any{"id": "C0CAREERS"},
				"response_url": slackAPI.URL + "/hooks/" + responseName,
				"actions":      []map[string]any{{"type": "button", "action_id": "share", "block_id": "answer_actions", "value": id}},
			})
			if code := signedSlack(t, p.url, "/slack/interactions", "application/x-www-form-urlencoded",
				[]byte(url.Values{"payload": {string(payload)}}.Encode())); code != http.StatusOK {
				t.Fatalf("click: %d", code)
			}
		}
		click(b, "1001.2001.click1", "click-1")
		shared := slackAPI.waitFor(t, "the shared answer", 2, hook("command-1"))
		var msg struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
			Blocks       json.RawMessage
		}
		if err := json.Unmarshal(shared[1].body, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.ResponseType != "in_channel" || !strings.Contains(string(msg.Blocks), "[ST0127 K12]") ||
			!strings.Contains(string(msg.Blocks), "wireless networking") {
			t.Errorf("B shared %s", shared[1].body)
		}
		// The same click replayed to A is not taken again; a new click on
		// A finds the answer already shared.
		click(a, "1001.2001.click1", "click-1")
		click(a, "1001.2001.click2", "click-2")
		note := slackAPI.waitFor(t, "the note to the second click", 1, hook("click-2"))
		if !strings.Contains(string(note[0].body), "can no longer be shared") {
			t.Errorf("second click: %s", note[0].body)
		}
		if n := len(slackAPI.matching(hook("command-1"))); n != 2 {
			t.Errorf("%d posts to the command's response URL, want the private answer and one share", n)
		}
	})

	t.Run("Discord interaction replayed to the other replica answered once", func(t *testing.T) {
		ask := discordfake.Command(discordTestApp, discordTestUser, "ask", discordfake.Opt("question", "Which skills does a network engineer need?"))
		now := time.Now()
		code, body, err := signer.Post(a.url+"/discord/interactions", ask, now)
		if err != nil || code != http.StatusOK {
			t.Fatalf("A: %d %s %v", code, body, err)
		}
		code, body, err = signer.Post(b.url+"/discord/interactions", ask, now)
		if err != nil || code != http.StatusConflict {
			t.Errorf("the replay to B: %d %s %v, want 409", code, body, err)
		}
		if b.metric(t, `careersbot_platform_replays_total{adapter="discord"}`) != 1 {
			t.Error("B counted no replay")
		}
	})
}
