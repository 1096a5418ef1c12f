// Package discordfake fakes Discord at the wire for tests: the REST API
// (httptest) and the gateway (a WebSocket server). The REST fake records
// every request, answers the endpoints an interactions bot uses, checks
// each message against Discord's limits (answering 400 as Discord would),
// and can answer 429 with a retry_after.
package discordfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one request the fake API received.
type Request struct {
	Method string
	// Path is the path below the API base: "applications/1/commands",
	// "webhooks/1/TOKEN/messages/@original".
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	Status int // what the fake answered
	At     time.Time
}

// JSON decodes the request's body.
func (r Request) JSON(v any) error { return json.Unmarshal(r.Body, v) }

// API is a fake Discord REST API.
type API struct {
	srv *httptest.Server
	// Base is the REST base to configure (DISCORD_API_URL): URL + "/api/v10/".
	Base string
	// Token is the bot token calls must carry ("Bot " + Token); "" accepts
	// any.
	Token string

	mu         sync.Mutex
	reqs       []Request
	changed    chan struct{}
	limits     []*limit
	holds      []*hold
	problems   []string
	gatewayURL string
	nextID     int
}

type limit struct {
	method, contains string
	n                int
	retryAfter       time.Duration
}

type hold struct {
	method, contains string
	release          chan struct{}
}

// NewAPI starts a fake API, closed when the test ends.
func NewAPI(t testing.TB) *API {
	a := &API{changed: make(chan struct{}), nextID: 1000}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	a.Base = a.srv.URL + "/api/v10/"
	t.Cleanup(a.srv.Close)
	return a
}

// URL is the fake's root URL.
func (a *API) URL() string { return a.srv.URL }

// SetGatewayURL sets what GET /gateway and /gateway/bot answer.
func (a *API) SetGatewayURL(u string) {
	a.mu.Lock()
	a.gatewayURL = u
	a.mu.Unlock()
}

// RateLimit makes the next n requests whose method is method and whose
// path contains contains answer 429 with retry_after.
func (a *API) RateLimit(method, contains string, n int, retryAfter time.Duration) {
	a.mu.Lock()
	a.limits = append(a.limits, &limit{method, contains, n, retryAfter})
	a.mu.Unlock()
}

// Hold makes requests matching method and contains wait until the returned
// release is called.
func (a *API) Hold(method, contains string) (release func()) {
	h := &hold{method, contains, make(chan struct{})}
	a.mu.Lock()
	a.holds = append(a.holds, h)
	a.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			for i, x := range a.holds {
				if x == h {
					a.holds = append(a.holds[:i], a.holds[i+1:]...)
					break
				}
			}
			a.mu.Unlock()
			close(h.release)
		})
	}
}

// Requests is every request so far, in order.
func (a *API) Requests() []Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Request(nil), a.reqs...)
}

// Matching is the requests so far with this method whose path contains
// contains (and answered below 400 when ok).
func (a *API) Matching(method, contains string) []Request {
	var out []Request
	for _, r := range a.Requests() {
		if r.Method == method && strings.Contains(r.Path, contains) {
			out = append(out, r)
		}
	}
	return out
}

// Problems are the limit violations the fake has seen (each answered 400).
func (a *API) Problems() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.problems...)
}

// WaitFor waits until done holds for the requests so far, or fails the test
// after timeout.
func (a *API) WaitFor(t testing.TB, timeout time.Duration, what string, done func([]Request) bool) []Request {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		a.mu.Lock()
		reqs := append([]Request(nil), a.reqs...)
		changed := a.changed
		a.mu.Unlock()
		if done(reqs) {
			return reqs
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("fake Discord API: %s: not seen within %s; requests: %s", what, timeout, summary(reqs))
			return nil
		}
	}
}

func summary(reqs []Request) string {
	var parts []string
	for _, r := range reqs {
		parts = append(parts, fmt.Sprintf("%s %s -> %d", r.Method, r.Path, r.Status))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (a *API) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v10/")
	rec := Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, At: time.Now()}
	status, reply := a.answer(r, path, body)
	rec.Status = status
	a.mu.Lock()
	a.reqs = append(a.reqs, rec)
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()
	if reply == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(reply)
}

func (a *API) answer(r *http.Request, path string, body []byte) (int, any) {
	if !strings.HasPrefix(r.URL.Path, "/api/v10/") {
		return http.StatusNotFound, apiError(0, "404: Not Found")
	}
	a.mu.Lock()
	var held chan struct{}
	for _, h := range a.holds {
		if h.method == r.Method && strings.Contains(path, h.contains) {
			held = h.release
			break
		}
	}
	a.mu.Unlock()
	if held != nil {
		<-held
	}
	a.mu.Lock()
	for _, l := range a.limits {
		if l.n > 0 && l.method == r.Method && strings.Contains(path, l.contains) {
			l.n--
			a.mu.Unlock()
			return http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.",
				"retry_after": l.retryAfter.Seconds(), "global": false}
		}
	}
	token := a.Token
	a.mu.Unlock()

	parts := strings.Split(path, "/")
	needsAuth := parts[0] == "applications" || parts[0] == "gateway"
	if needsAuth && token != "" && r.Header.Get("Authorization") != "Bot "+token {
		return http.StatusUnauthorized, apiError(0, "401: Unauthorized")
	}
	switch {
	case r.Method == http.MethodGet && (path == "gateway" || path == "gateway/bot"):
		a.mu.Lock()
		u := a.gatewayURL
		a.mu.Unlock()
		if u == "" {
			return http.StatusNotFound, apiError(0, "no gateway")
		}
		return http.StatusOK, map[string]any{"url": u, "shards": 1,
			"session_start_limit": map[string]int{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}

	case r.Method == http.MethodPut && parts[0] == "applications" && parts[len(parts)-1] == "commands":
		var cmds []map[string]any
		if err := json.Unmarshal(body, &cmds); err != nil {
			return a.bad("commands body is not a JSON array: " + err.Error())
		}
		for _, c := range cmds {
			if problems := CheckCommand(c); len(problems) > 0 {
				return a.bad(strings.Join(problems, "; "))
			}
			c["id"] = a.id()
			c["application_id"] = parts[1]
			c["version"] = "1"
		}
		return http.StatusOK, cmds

	case r.Method == http.MethodPost && parts[0] == "interactions" && len(parts) == 4 && parts[3] == "callback":
		var resp struct {
			Type int             `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			return a.bad("callback body: " + err.Error())
		}
		if resp.Type == 4 || resp.Type == 7 {
			if problems := CheckMessage(resp.Data); len(problems) > 0 {
				return a.bad(strings.Join(problems, "; "))
			}
		}
		return http.StatusNoContent, nil

	case parts[0] == "webhooks" && len(parts) == 5 && parts[3] == "messages":
		switch r.Method {
		case http.MethodPatch:
			if problems := CheckMessage(body); len(problems) > 0 {
				return a.bad(strings.Join(problems, "; "))
			}
			return http.StatusOK, a.messageFrom(body)
		case http.MethodDelete:
			return http.StatusNoContent, nil
		case http.MethodGet:
			return http.StatusOK, map[string]any{"id": parts[4]}
		}

	case r.Method == http.MethodPost && parts[0] == "webhooks" && len(parts) == 3:
		if problems := CheckMessage(body); len(problems) > 0 {
			return a.bad(strings.Join(problems, "; "))
		}
		if r.URL.Query().Get("wait") == "true" {
			return http.StatusOK, a.messageFrom(body)
		}
		return http.StatusNoContent, nil
	}
	return http.StatusNotFound, apiError(0, "404: Not Found")
}

func (a *API) id() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.nextID++
	return strconv.Itoa(a.nextID) + "000000000000"
}

func (a *API) messageFrom(body []byte) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(body, &m)
	m["id"] = a.id()
	m["type"] = 0
	return m
}

// bad records a problem and answers 400 as Discord does for an invalid
// form body.
func (a *API) bad(problem string) (int, any) {
	a.mu.Lock()
	a.problems = append(a.problems, problem)
	a.mu.Unlock()
	return http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": map[string]any{"_errors": []map[string]string{{"code": "BASE_TYPE_BAD", "message": problem}}}}
}

func apiError(code int, msg string) map[string]any {
	return map[string]any{"code": code, "message": msg}
}
