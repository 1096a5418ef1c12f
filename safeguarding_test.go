package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/config"
)

// metricsText reads serve's /metrics.
func metricsText(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// waitMetric waits until /metrics has a line.
func waitMetric(t *testing.T, base, line string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(metricsText(t, base), line) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("/metrics never had %s:\n%s", line, metricsText(t, base))
}

// hangingHook is a local webhook that holds every request until released,
// telling the test when one arrives.
type hangingHook struct {
	srv     *httptest.Server
	arrived chan []byte
	release chan struct{}
	once    sync.Once
}

// let lets the held requests (and any later ones) answer.
func (h *hangingHook) let() { h.once.Do(func() { close(h.release) }) }

func newHangingHook(t *testing.T) *hangingHook {
	h := &hangingHook{arrived: make(chan []byte, 8), release: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.arrived <- b
		select {
		case <-h.release:
			w.WriteHeader(http.StatusNoContent)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { h.let(); h.srv.Close() })
	return h
}

// The learner's answer does not wait for the alert: the webhook holds the
// alert until after the answer has come back. Then the alert is sent, and
// counted by kind, never with the text.
func TestServeAlertDoesNotDelayTheAnswer(t *testing.T) {
	for _, withText := range []bool{false, true} {
		hook := newHangingHook(t)
		env := map[string]string{"CAREERSBOT_SAFEGUARDING_ALERT": hook.srv.URL + "/hook/s3cret"}
		if withText {
			env["CAREERSBOT_SAFEGUARDING_ALERT_TEXT"] = "true"
		}
		_, base, _ := startServer(t, serveConfig(t, env))

		const q = "i dont wanna be around anymore"
		code, body, err := askHTTP(base, q, "")
		if err != nil || code != http.StatusOK {
			t.Fatalf("ask: %d %v %s", code, err, body)
		}
		var a bot.Answer
		if err := json.Unmarshal(body, &a); err != nil || !strings.Contains(a.Text, "116 123") || len(a.Citations) != 0 {
			t.Fatalf("the answer is not the safeguarding reply: %s", body)
		}
		// The answer is in hand while the webhook still holds the alert.
		var alert []byte
		select {
		case alert = <-hook.arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("no alert reached the webhook")
		}
		if !strings.Contains(metricsText(t, base), `careersbot_distress_total{danger_now="false",kind="suicide_self_harm"} 1`) {
			t.Errorf("the distress was not counted by kind")
		}
		hook.let()
		waitMetric(t, base, `careersbot_safeguarding_alerts_total{kind="suicide_self_harm",result="sent"} 1`)

		var got map[string]any
		if err := json.Unmarshal(alert, &got); err != nil {
			t.Fatal(err)
		}
		if got["platform"] != "http" || got["user"] != "127.0.0.1" || got["kind"] != "suicide_self_harm" || got["channel"] != "" {
			t.Errorf("alert %s", alert)
		}
		if strings.Contains(string(alert), q) != withText {
			t.Errorf("text %v: the alert %s", withText, alert)
		}
		if m := metricsText(t, base); strings.Contains(m, "around anymore") {
			t.Errorf("/metrics holds the message")
		}
	}
}

// An alert to a Slack channel is posted with the bot's token: the token
// alone is enough (no Slack adapter runs).
func TestServeAlertToSlackChannel(t *testing.T) {
	posts := make(chan url.Values, 4)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/chat.postMessage" || r.ParseForm() != nil {
			http.NotFound(w, r)
			return
		}
		tok := r.PostForm.Get("token")
		if tok == "" {
			tok = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		if tok != "xoxb-safeguarding-test" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		posts <- r.PostForm
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"G0SAFEGUARD","ts":"1750000000.000200"}`)
	}))
	t.Cleanup(api.Close)
	s, base, _ := startServer(t, serveConfig(t, map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-safeguarding-test", "SLACK_API_URL": api.URL + "/api/",
		"CAREERSBOT_SAFEGUARDING_ALERT": "G0SAFEGUARD",
	}))
	for _, a := range s.Adapters() {
		if a.Name() == "slack" {
			t.Error("the token alone must not start Slack")
		}
	}
	if code, body, err := askHTTP(base, "my dad hits me", ""); err != nil || code != http.StatusOK || !strings.Contains(string(body), "0808 800 5000") {
		t.Fatalf("ask: %d %v %s", code, err, body)
	}
	select {
	case p := <-posts:
		text := p.Get("text")
		if p.Get("channel") != "G0SAFEGUARD" || !strings.Contains(text, "abuse_home") || !strings.Contains(text, "127.0.0.1") || strings.Contains(text, "hits me") {
			t.Errorf("posted %v", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing posted to Slack")
	}
	waitMetric(t, base, `careersbot_safeguarding_alerts_total{kind="abuse_home",result="sent"} 1`)
}

// The reply settings reach the answers: one kind's own text, and the old
// CAREERSBOT_DISTRESS_REPLY for the rest.
func TestServeSafeguardingReplies(t *testing.T) {
	_, base, _ := startServer(t, serveConfig(t, map[string]string{
		"CAREERSBOT_SAFEGUARDING_REPLY_BULLYING": "Please talk to Ms Patel in the pastoral office.",
		"CAREERSBOT_DISTRESS_REPLY":              "Please see your tutor today.",
	}))
	for q, want := range map[string]string{
		"everyone at school keeps bullying me": "Please talk to Ms Patel in the pastoral office.",
		"i want to die":                        "Please see your tutor today.",
	} {
		_, body, err := askHTTP(base, q, "")
		var a bot.Answer
		if err != nil || json.Unmarshal(body, &a) != nil || a.Text != want {
			t.Errorf("%q: %s (%v), want %q", q, body, err, want)
		}
	}
}

// config's reply settings are the bot's kinds, and the README shows every
// default reply word for word.
func TestSafeguardingSettingsMatchTheBot(t *testing.T) {
	var keys []string
	for _, k := range config.SafeguardingReplyKeys {
		keys = append(keys, k.Key)
	}
	var want []string
	for _, k := range bot.SafeguardingKinds {
		want = append(want, string(k))
	}
	want = append(want, "danger_now")
	if !slices.Equal(keys, want) {
		t.Errorf("config's reply keys %v, want the bot's kinds %v", keys, want)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(readme)), " ")
	for k, text := range bot.DefaultSafeguardingReplies {
		if !strings.Contains(flat, text) {
			t.Errorf("README.md does not show the default %s reply", k)
		}
	}
	if !strings.Contains(flat, bot.DefaultDangerNowReply) {
		t.Errorf("README.md does not show the danger-now line")
	}
}
