package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

func newBot(t *testing.T) *bot.Bot {
	t.Helper()
	return bot.New(testcorpus.Seed(t), bot.Options{})
}

// serve starts the API on a real loopback server.
func serve(t *testing.T, asker bot.Asker, o Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(New(asker, o))
	t.Cleanup(srv.Close)
	return srv
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func post(t *testing.T, url, body string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/v1/ask", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func errorOf(t *testing.T, r reply) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		t.Fatalf("status %d body %q is not {\"error\": ...}", r.status, r.body)
	}
	want := map[int]string{400: "invalid", 405: "invalid", 413: "invalid", 429: "too_many", 503: "unavailable", 500: "internal"}[r.status]
	if e.Code != want {
		t.Errorf("status %d: code %q, want %q", r.status, e.Code, want)
	}
	return e.Error
}

func TestAskAnswersAsTheContract(t *testing.T) {
	srv := serve(t, newBot(t), Options{})
	r := post(t, srv.URL, `{"question": "Which skills does a network engineer need?"}`)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &top); err != nil {
		t.Fatal(err)
	}
	if len(top) != 4 || top["question"] == nil || top["answer"] == nil || top["grounded"] == nil || top["citations"] == nil {
		t.Fatalf("keys of %s, want exactly question, answer, grounded, citations", r.body)
	}
	var a bot.Answer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatal(err)
	}
	if !a.Grounded || len(a.Citations) != 14 || a.Citations[0].ID != "S1" || a.Citations[13].ID != "S14" {
		t.Errorf("grounded %v with %d citations", a.Grounded, len(a.Citations))
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestAskOccupationField(t *testing.T) {
	srv := serve(t, newBot(t), Options{})
	r := post(t, srv.URL, `{"question": "and the behaviours?", "occupation": "ST0127"}`)
	var a bot.Answer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Citations) != 6 || a.Citations[0].ID != "B1" {
		t.Errorf("follow-up with occupation cites %d passages: %s", len(a.Citations), a.Text)
	}
}

func TestAskErrors(t *testing.T) {
	srv := serve(t, newBot(t), Options{})
	for _, tc := range []struct {
		name, body string
		status     int
		says       string
	}{
		{"bad JSON", `{"question": `, 400, "not valid JSON"},
		{"not an object", `"skills"`, 400, "not valid JSON"},
		{"two values", `{"question":"a"} {"question":"b"}`, 400, "more than one"},
		{"no question", `{"occupation": "ST0127"}`, 400, "no \"question\""},
		{"empty question", `{"question": "  "}`, 400, "empty"},
		{"over the length limit", `{"question": "` + strings.Repeat("a", 1001) + `"}`, 400, "1,000"},
		{"over 64 KiB", `{"question": "` + strings.Repeat("a", 70_000) + `"}`, 413, "64 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, srv.URL, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if msg := errorOf(t, r); !strings.Contains(msg, tc.says) {
				t.Errorf("error %q does not say %q", msg, tc.says)
			}
		})
	}
	// 20 MB of anything, JSON or not, with or without a length: 413.
	for _, ct := range []string{"application/json", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream"} {
		for _, chunked := range []bool{false, true} {
			var body io.Reader = strings.NewReader(strings.Repeat("q=not json at all ", 20<<20/18))
			if chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/ask", body)
			req.Header.Set("Content-Type", ct)
			if r := do(t, req); r.status != http.StatusRequestEntityTooLarge {
				t.Errorf("20 MB of %s (chunked %v): status %d, want 413", ct, chunked, r.status)
			}
		}
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/ask", nil)
	if r := do(t, req); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") == "" {
		t.Errorf("GET /v1/ask: status %d Allow %q", r.status, r.header.Get("Allow"))
	}
}

func TestAskRateLimit(t *testing.T) {
	guard := bot.NewGuard(newBot(t), bot.GuardOptions{PerMinute: 2})
	srv := serve(t, guard, Options{})
	for i := range 2 {
		if r := post(t, srv.URL, `{"question": "What level is it?"}`); r.status != 200 {
			t.Fatalf("question %d: status %d", i+1, r.status)
		}
	}
	r := post(t, srv.URL, `{"question": "What level is it?"}`)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("third question: status %d, want 429", r.status)
	}
	if msg := errorOf(t, r); !strings.Contains(msg, "slow down") {
		t.Errorf("429 says %q", msg)
	}
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
}

func TestClientAddressBehindProxies(t *testing.T) {
	guard := bot.NewGuard(newBot(t), bot.GuardOptions{PerMinute: 1})
	trusting := serve(t, guard, Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	// Through a trusted proxy each client has its own allowance...
	for _, client := range []string{"203.0.113.7", "203.0.113.8"} {
		if r := post(t, trusting.URL, `{"question": "level?"}`, "X-Forwarded-For", "198.51.100.1, "+client); r.status != 200 {
			t.Errorf("client %s: status %d", client, r.status)
		}
	}
	if r := post(t, trusting.URL, `{"question": "level?"}`, "X-Forwarded-For", "203.0.113.7"); r.status != 429 {
		t.Errorf("client 203.0.113.7 again: status %d, want 429", r.status)
	}
	// ...and a peer that is not trusted cannot pick its identity.
	guard2 := bot.NewGuard(newBot(t), bot.GuardOptions{PerMinute: 1})
	plain := serve(t, guard2, Options{})
	post(t, plain.URL, `{"question": "level?"}`, "X-Forwarded-For", "203.0.113.1")
	if r := post(t, plain.URL, `{"question": "level?"}`, "X-Forwarded-For", "203.0.113.2"); r.status != 429 {
		t.Errorf("spoofed X-Forwarded-For from an untrusted peer changed the client: status %d", r.status)
	}
}

// slowAsker blocks until released: a stand-in for a long answer, so the
// busy path can be seen at the wire.
type slowAsker struct{ entered, release chan struct{} }

func (s slowAsker) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) {
	s.entered <- struct{}{}
	<-s.release
	return bot.Answer{Question: q.Text, Citations: []bot.Citation{}}, nil
}

func TestAskBusyAndNotReady(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	guard := bot.NewGuard(slowAsker{entered, release}, bot.GuardOptions{MaxConcurrent: 1, QueueWait: 20 * time.Millisecond})
	srv := serve(t, guard, Options{})
	done := make(chan reply)
	go func() { done <- post(t, srv.URL, `{"question": "first"}`) }()
	<-entered // the first question holds the only slot
	r := post(t, srv.URL, `{"question": "second"}`)
	if r.status != http.StatusServiceUnavailable || !strings.Contains(errorOf(t, r), "busy") || r.header.Get("Retry-After") == "" {
		t.Errorf("second answer at once: status %d %s", r.status, r.body)
	}
	close(release)
	if first := <-done; first.status != 200 {
		t.Errorf("first answer: status %d", first.status)
	}

	notReady := serve(t, askerFunc(func(context.Context, bot.Question) (bot.Answer, error) {
		return bot.Answer{}, bot.ErrNotReady
	}), Options{})
	if r := post(t, notReady.URL, `{"question": "q"}`); r.status != http.StatusServiceUnavailable {
		t.Errorf("before the index is loaded: status %d", r.status)
	}
}

type askerFunc func(context.Context, bot.Question) (bot.Answer, error)

func (f askerFunc) Ask(ctx context.Context, q bot.Question) (bot.Answer, error) { return f(ctx, q) }

func TestHealthAndReadiness(t *testing.T) {
	var mu sync.Mutex
	ready := false
	srv := serve(t, newBot(t), Options{Ready: func() (bool, map[string]string) {
		mu.Lock()
		defer mu.Unlock()
		if ready {
			return true, map[string]string{"index": "ok"}
		}
		return false, map[string]string{"index": "not ready: loading"}
	}})
	get := func(path string) reply {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		return do(t, req)
	}
	if r := get("/healthz"); r.status != 200 {
		t.Errorf("/healthz: %d", r.status)
	}
	if r := get("/readyz"); r.status != 503 || !bytes.Contains(r.body, []byte("loading")) {
		t.Errorf("/readyz while loading: %d %s", r.status, r.body)
	}
	mu.Lock()
	ready = true
	mu.Unlock()
	if r := get("/readyz"); r.status != 200 {
		t.Errorf("/readyz when ready: %d %s", r.status, r.body)
	}
}

func TestCORS(t *testing.T) {
	srv := serve(t, newBot(t), Options{AllowedOrigins: []string{"https://careers.example.org"}})
	r := post(t, srv.URL, `{"question": "level?"}`, "Origin", "https://careers.example.org")
	if r.header.Get("Access-Control-Allow-Origin") != "https://careers.example.org" {
		t.Errorf("allowed origin got ACAO %q", r.header.Get("Access-Control-Allow-Origin"))
	}
	r = post(t, srv.URL, `{"question": "level?"}`, "Origin", "https://evil.example")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin got ACAO %q", r.header.Get("Access-Control-Allow-Origin"))
	}
	pre := func(origin string) reply {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/v1/ask", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		return do(t, req)
	}
	if r := pre("https://careers.example.org"); r.status != 204 || r.header.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight from allowed origin: %d %v", r.status, r.header)
	}
	if r := pre("https://evil.example"); r.status != 403 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from other origin: %d %v", r.status, r.header)
	}
}

func TestLogsKeepQuestionsAndAddressesPrivate(t *testing.T) {
	for _, logQuestions := range []bool{false, true} {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, nil))
		srv := serve(t, newBot(t), Options{Logger: log, LogQuestions: logQuestions})
		post(t, srv.URL, `{"question": "Is wireless networking secret-marker part of it?"}`)
		logged := buf.String()
		if strings.Contains(logged, "secret-marker") != logQuestions {
			t.Errorf("LogQuestions %v, but question text logged: %v\n%s", logQuestions, !logQuestions, logged)
		}
		if strings.Contains(logged, "127.0.0.1") {
			t.Errorf("client address logged in clear:\n%s", logged)
		}
		if !strings.Contains(logged, `"user":"`) {
			t.Errorf("no hashed user in the log:\n%s", logged)
		}
	}
}
