// Package slackfake is a fake Slack at the wire, for tests: the Web API
// methods careersbot calls (auth.test, chat.postMessage, chat.postEphemeral,
// reactions.add and .remove, views.publish, apps.connections.open), response
// URLs, and a Socket Mode WebSocket that sends envelopes and records their
// acknowledgements. It records every call with its form or JSON body, checks
// tokens and Block Kit limits as Slack does, and can answer 429 with
// Retry-After. It listens on 127.0.0.1 only.
package slackfake

import (
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
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// Identity of the fake workspace and its bot.
const (
	TeamID    = "T0TEAM001"
	TeamName  = "Careers Team"
	BotUserID = "U0CAREERS"
	BotID     = "B0CAREERS"
	BotToken  = "xoxb-fake-bot-token"
	AppToken  = "xapp-fake-app-token"
)

// Call is one request the fake received.
type Call struct {
	Method string // Web API method ("chat.postMessage"), or "response_url"
	Path   string
	Form   url.Values      // a form body
	JSON   json.RawMessage // a JSON body
	Status int             // the HTTP status the fake answered
	Error  string          // the Slack error it answered, if any ("invalid_blocks")
	At     time.Time
}

// OK reports whether the fake accepted the call.
func (c Call) OK() bool { return c.Status == http.StatusOK && c.Error == "" }

// Message is the message a call posted, from its form or JSON body.
type Message struct {
	Channel         string
	User            string
	Text            string
	ThreadTS        string
	ResponseType    string
	ReplaceOriginal bool
	DeleteOriginal  bool
	Blocks          []map[string]any
	Name            string // reactions: the emoji
	Timestamp       string // reactions: the message
}

// Message decodes the message a call posted.
func (c Call) Message() Message {
	var m Message
	var blocks json.RawMessage
	if c.Form != nil {
		m.Channel = c.Form.Get("channel")
		m.User = c.Form.Get("user")
		m.Text = c.Form.Get("text")
		m.ThreadTS = c.Form.Get("thread_ts")
		m.Name = c.Form.Get("name")
		m.Timestamp = c.Form.Get("timestamp")
		if b := c.Form.Get("blocks"); b != "" {
			blocks = json.RawMessage(b)
		}
	}
	if c.JSON != nil {
		var j struct {
			Channel         string          `json:"channel"`
			Text            string          `json:"text"`
			ThreadTS        string          `json:"thread_ts"`
			ResponseType    string          `json:"response_type"`
			ReplaceOriginal bool            `json:"replace_original"`
			DeleteOriginal  bool            `json:"delete_original"`
			Blocks          json.RawMessage `json:"blocks"`
			UserID          string          `json:"user_id"`
			View            struct {
				Blocks json.RawMessage `json:"blocks"`
			} `json:"view"`
		}
		_ = json.Unmarshal(c.JSON, &j)
		m.Channel, m.Text, m.ThreadTS, m.ResponseType = j.Channel, j.Text, j.ThreadTS, j.ResponseType
		m.ReplaceOriginal, m.DeleteOriginal, m.User = j.ReplaceOriginal, j.DeleteOriginal, j.UserID
		blocks = j.Blocks
		if len(blocks) == 0 {
			blocks = j.View.Blocks
		}
	}
	if len(blocks) > 0 {
		_ = json.Unmarshal(blocks, &m.Blocks)
	}
	return m
}

// Texts are every text the message shows: its text and each text in its
// blocks, as sent (Slack's escaping included).
func (m Message) Texts() []string {
	out := []string{m.Text}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "text" {
					out = append(out, s)
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, b := range m.Blocks {
		walk(b)
	}
	return out
}

// AllText is Texts joined by newlines.
func (m Message) AllText() string { return strings.Join(m.Texts(), "\n") }

// Ack is a Socket Mode acknowledgement the fake received.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage
	At         time.Time
}

// Server is the fake.
type Server struct {
	// PingEvery is how often the Socket Mode endpoint pings its clients.
	PingEvery time.Duration

	srv *httptest.Server
	t   testing.TB

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	calls   []Call
	queued  map[string][]queuedReply
	acks    []Ack
	conns   map[*wsConn]bool
	dials   int
	seq     int
}

type queuedReply struct {
	status     int
	retryAfter string
	slackError string
}

// New starts a fake on 127.0.0.1; it stops when the test ends.
func New(t testing.TB) *Server {
	s := &Server{PingEvery: 200 * time.Millisecond, t: t, changed: make(chan struct{}),
		queued: map[string][]queuedReply{}, conns: map[*wsConn]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Close stops the fake and drops its WebSocket connections.
func (s *Server) Close() {
	s.DropConnections()
	s.srv.Close()
}

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the Web API base, for SLACK_API_URL.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL is a response URL at the fake, named name.
func (s *Server) ResponseURL(name string) string { return s.srv.URL + "/hooks/" + url.PathEscape(name) }

// RateLimit makes the next n calls of method answer 429 with Retry-After.
func (s *Server) RateLimit(method string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.queued[method] = append(s.queued[method], queuedReply{status: http.StatusTooManyRequests,
			retryAfter: strconv.Itoa(int(retryAfter / time.Second))})
	}
}

// ServerError makes the next n calls of method answer with an HTTP error
// status such as 503, as a Slack outage does.
func (s *Server) ServerError(method string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.queued[method] = append(s.queued[method], queuedReply{status: status})
	}
}

// Fail makes the next call of method answer {"ok": false, "error": slackError}.
func (s *Server) Fail(method, slackError string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queued[method] = append(s.queued[method], queuedReply{status: http.StatusOK, slackError: slackError})
}

// Calls returns the calls of method so far ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// OKCalls returns the accepted calls of method.
func (s *Server) OKCalls(method string) []Call {
	var out []Call
	for _, c := range s.Calls(method) {
		if c.OK() {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor waits until at least n accepted calls of method have come, and
// returns them; it fails the test after timeout.
func (s *Server) WaitFor(t testing.TB, method string, n int, timeout time.Duration) []Call {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cs := s.OKCalls(method); len(cs) >= n {
			return cs
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("slackfake: waited %v for %d %s calls, got %d (all calls: %s)", timeout, n, method, len(s.OKCalls(method)), s.summary())
			return nil
		}
	}
}

// Quiet waits for d and reports the calls of method that came meanwhile:
// for asserting that nothing more is posted.
func (s *Server) Quiet(method string, d time.Duration) []Call {
	before := len(s.Calls(method))
	time.Sleep(d)
	return s.Calls(method)[before:]
}

func (s *Server) summary() string {
	var parts []string
	for _, c := range s.Calls("") {
		p := c.Method
		if !c.OK() {
			p += fmt.Sprintf("(%d %s)", c.Status, c.Error)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notify()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/ws":
		s.serveWS(w, r)
		return
	case strings.HasPrefix(r.URL.Path, "/hooks/"):
		s.serveAPI(w, r, "response_url")
		return
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveAPI(w, r, strings.TrimPrefix(r.URL.Path, "/api/"))
		return
	}
	http.NotFound(w, r)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, method string) {
	c := Call{Method: method, Path: r.URL.Path, At: time.Now(), Status: http.StatusOK}
	body, _ := io.ReadAll(r.Body)
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		c.JSON = json.RawMessage(body)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
		if t := c.Form.Get("token"); t != "" {
			token = t
		}
	}
	defer func() { s.record(c) }()

	s.mu.Lock()
	var q *queuedReply
	if list := s.queued[method]; len(list) > 0 {
		q = &list[0]
		s.queued[method] = list[1:]
	}
	s.mu.Unlock()
	if q != nil {
		c.Status, c.Error = q.status, q.slackError
		if q.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", q.retryAfter)
			c.Error = "ratelimited"
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if q.status >= 500 {
			c.Error = "server_error"
			http.Error(w, "service unavailable", q.status)
			return
		}
		writeJSON(w, map[string]any{"ok": false, "error": q.slackError})
		return
	}

	wantToken := BotToken
	if method == "apps.connections.open" {
		wantToken = AppToken
	}
	if method != "response_url" && token != wantToken {
		c.Error = "invalid_auth"
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	msg := c.Message()
	if problem := checkBlocks(method, msg.Blocks); problem != "" {
		c.Error = "invalid_blocks"
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_blocks", "errors": []string{problem}})
		return
	}
	s.mu.Lock()
	s.seq++
	ts := fmt.Sprintf("1700000000.%06d", s.seq)
	s.mu.Unlock()
	switch method {
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "url": "https://careers.slack.com/", "team": TeamName,
			"user": "careersbot", "team_id": TeamID, "user_id": BotUserID, "bot_id": BotID})
	case "chat.postMessage":
		writeJSON(w, map[string]any{"ok": true, "channel": msg.Channel, "ts": ts,
			"message": map[string]any{"type": "message", "text": msg.Text, "bot_id": BotID, "ts": ts, "thread_ts": msg.ThreadTS}})
	case "chat.postEphemeral":
		writeJSON(w, map[string]any{"ok": true, "message_ts": ts})
	case "chat.update":
		writeJSON(w, map[string]any{"ok": true, "channel": msg.Channel, "ts": c.Form.Get("ts"), "text": msg.Text})
	case "reactions.add", "reactions.remove":
		writeJSON(w, map[string]any{"ok": true})
	case "views.publish":
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V" + ts, "type": "home"}})
	case "apps.connections.open":
		writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/ws?ticket=" + ts})
	case "response_url":
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("ok"))
	default:
		c.Error = "unknown_method"
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// checkBlocks applies Slack's Block Kit limits: 50 blocks in a message (100
// in a view), 3,000 characters in a section's text, 10 elements in a
// context, 25 in an actions block, 75 characters in a button's label and
// 2,000 in its value.
func checkBlocks(method string, blocks []map[string]any) string {
	limit := 50
	if method == "views.publish" {
		limit = 100
	}
	if len(blocks) > limit {
		return fmt.Sprintf("%d blocks, over %d", len(blocks), limit)
	}
	runes := func(v any) int {
		s, _ := v.(string)
		return utf8.RuneCountInString(s)
	}
	for i, b := range blocks {
		switch b["type"] {
		case "section":
			t, _ := b["text"].(map[string]any)
			if t == nil || runes(t["text"]) == 0 {
				return fmt.Sprintf("block %d: a section without text", i)
			}
			if n := runes(t["text"]); n > 3000 {
				return fmt.Sprintf("block %d: section text of %d characters, over 3000", i, n)
			}
		case "context":
			els, _ := b["elements"].([]any)
			if len(els) == 0 || len(els) > 10 {
				return fmt.Sprintf("block %d: context with %d elements", i, len(els))
			}
		case "actions":
			els, _ := b["elements"].([]any)
			if len(els) == 0 || len(els) > 25 {
				return fmt.Sprintf("block %d: actions with %d elements", i, len(els))
			}
			for _, e := range els {
				em, _ := e.(map[string]any)
				t, _ := em["text"].(map[string]any)
				if runes(t["text"]) > 75 || runes(em["value"]) > 2000 {
					return fmt.Sprintf("block %d: a button over its limits", i)
				}
			}
		case "header":
			t, _ := b["text"].(map[string]any)
			if runes(t["text"]) > 150 {
				return fmt.Sprintf("block %d: header over 150 characters", i)
			}
		case "divider":
		default:
			return fmt.Sprintf("block %d: unexpected type %v", i, b["type"])
		}
	}
	return ""
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// --- Socket Mode ---

type wsConn struct {
	c    *websocket.Conn
	wmu  sync.Mutex
	done chan struct{}
}

func (c *wsConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.c.WriteJSON(v)
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &wsConn{c: ws, done: make(chan struct{})}
	s.mu.Lock()
	s.conns[c] = true
	s.dials++
	s.notify()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.notify()
		s.mu.Unlock()
		close(c.done)
		ws.Close()
	}()
	if err := c.write(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0CAREERS"},
		"debug_info":      map[string]any{"host": "slackfake", "approximate_connection_time": 3600}}); err != nil {
		return
	}
	stopPing := make(chan struct{})
	defer close(stopPing)
	go func() {
		t := time.NewTicker(s.PingEvery)
		defer t.Stop()
		for {
			select {
			case <-stopPing:
				return
			case <-t.C:
				if ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)) != nil {
					return
				}
			}
		}
	}()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		s.acks = append(s.acks, Ack{EnvelopeID: a.EnvelopeID, Payload: a.Payload, At: time.Now()})
		s.notify()
		s.mu.Unlock()
	}
}

// Connections is how many Socket Mode clients are connected; Dials how
// many connections were opened in all.
func (s *Server) Connections() (open, dials int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns), s.dials
}

// WaitConnected waits until a Socket Mode client is connected.
func (s *Server) WaitConnected(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		n, ch := len(s.conns), s.changed
		s.mu.Unlock()
		if n > 0 {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("slackfake: no Socket Mode connection after %v", timeout)
		}
	}
}

// Envelope types of Socket Mode.
const (
	EventsAPI     = "events_api"
	SlashCommands = "slash_commands"
	Interactive   = "interactive"
)

// Send sends an envelope of type typ with payload to the connected client
// (retryAttempt > 0 marks a resend) and returns its envelope id.
func (s *Server) Send(t testing.TB, typ string, payload any, retryAttempt int) string {
	t.Helper()
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("env-%d-%d", time.Now().UnixNano(), s.seq)
	var c *wsConn
	for k := range s.conns {
		c = k
	}
	s.mu.Unlock()
	if c == nil {
		t.Fatalf("slackfake: no Socket Mode connection to send a %s envelope on", typ)
	}
	env := map[string]any{"envelope_id": id, "type": typ, "payload": payload,
		"accepts_response_payload": typ != EventsAPI, "retry_attempt": retryAttempt}
	if retryAttempt > 0 {
		env["retry_reason"] = "timeout"
	}
	if err := c.write(env); err != nil {
		t.Fatalf("slackfake: send %s envelope: %v", typ, err)
	}
	return id
}

// WaitAck waits for the acknowledgement of an envelope.
func (s *Server) WaitAck(t testing.TB, envelopeID string, timeout time.Duration) Ack {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		for _, a := range s.acks {
			if a.EnvelopeID == envelopeID {
				s.mu.Unlock()
				return a
			}
		}
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("slackfake: envelope %s not acknowledged within %v", envelopeID, timeout)
			return Ack{}
		}
	}
}

// Acks returns the acknowledgements so far.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// DropConnections closes every Socket Mode connection, as a network
// failure would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	var cs []*wsConn
	for c := range s.conns {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.c.Close()
		<-c.done
	}
}
