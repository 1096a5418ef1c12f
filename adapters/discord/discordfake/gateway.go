package discordfake

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Frame is one gateway payload.
type Frame struct {
	Op   int             `json:"op"`
	D    json.RawMessage `json:"d"`
	S    *int64          `json:"s,omitempty"`
	T    string          `json:"t,omitempty"`
	Conn int             `json:"-"` // which connection it came on, from 1
}

// Gateway is a fake Discord gateway: it says Hello (op 10) with a
// heartbeat interval, answers Identify (op 2) with READY and Resume (op 6)
// with RESUMED, acknowledges every heartbeat (op 1) with op 11, and
// dispatches what the test asks it to.
type Gateway struct {
	srv *httptest.Server
	// URL is the ws:// address for GET /gateway to name.
	URL string
	// HeartbeatInterval is what Hello announces.
	HeartbeatInterval time.Duration
	// SessionID is what READY names.
	SessionID string
	// AppID and BotUserID are what READY names.
	AppID, BotUserID string

	mu       sync.Mutex
	conn     *gwConn
	conns    int
	frames   []Frame
	changed  chan struct{}
	upgrader websocket.Upgrader
}

type gwConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
	seq int64
	n   int
}

func (c *gwConn) send(f Frame) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if f.Op == 0 {
		c.seq++
		s := c.seq
		f.S = &s
	}
	return c.ws.WriteJSON(f)
}

// NewGateway starts a fake gateway, closed when the test ends.
func NewGateway(t testing.TB) *Gateway {
	g := &Gateway{HeartbeatInterval: 200 * time.Millisecond, SessionID: "fake-session-1",
		AppID: "100000000000000001", BotUserID: "100000000000000002", changed: make(chan struct{})}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	g.URL = "ws" + strings.TrimPrefix(g.srv.URL, "http")
	t.Cleanup(func() {
		g.Drop()
		g.srv.Close()
	})
	return g
}

// Frames is every payload received from clients, in order.
func (g *Gateway) Frames() []Frame {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Frame(nil), g.frames...)
}

// Ops is the received payloads with this op.
func (g *Gateway) Ops(op int) []Frame {
	var out []Frame
	for _, f := range g.Frames() {
		if f.Op == op {
			out = append(out, f)
		}
	}
	return out
}

// WaitFor waits until done holds for the frames received so far, or fails
// the test after timeout.
func (g *Gateway) WaitFor(t testing.TB, timeout time.Duration, what string, done func([]Frame) bool) []Frame {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		g.mu.Lock()
		frames := append([]Frame(nil), g.frames...)
		changed := g.changed
		g.mu.Unlock()
		if done(frames) {
			return frames
		}
		select {
		case <-changed:
		case <-deadline.C:
			var ops []int
			for _, f := range frames {
				ops = append(ops, f.Op)
			}
			t.Fatalf("fake gateway: %s: not seen within %s; ops received: %v", what, timeout, ops)
			return nil
		}
	}
}

// Dispatch sends an event (op 0) of type t to the connected client.
func (g *Gateway) Dispatch(t string, d any) error {
	g.mu.Lock()
	c := g.conn
	g.mu.Unlock()
	if c == nil {
		return errors.New("no client connected")
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return c.send(Frame{Op: 0, T: t, D: raw})
}

// Drop cuts the client's connection without a close frame, as a network
// failure would.
func (g *Gateway) Drop() {
	g.mu.Lock()
	c := g.conn
	g.conn = nil
	g.mu.Unlock()
	if c != nil {
		c.ws.UnderlyingConn().Close()
	}
}

// Connections is how many connections the gateway has accepted.
func (g *Gateway) Connections() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.conns
}

func (g *Gateway) record(f Frame) {
	g.mu.Lock()
	g.frames = append(g.frames, f)
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := g.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	g.mu.Lock()
	g.conns++
	c := &gwConn{ws: ws, n: g.conns}
	if g.conn != nil {
		g.conn.ws.UnderlyingConn().Close()
	}
	g.conn = c
	g.mu.Unlock()

	hello, _ := json.Marshal(map[string]int64{"heartbeat_interval": g.HeartbeatInterval.Milliseconds()})
	if c.send(Frame{Op: 10, D: hello}) != nil {
		return
	}
	for {
		var f Frame
		if err := ws.ReadJSON(&f); err != nil {
			return
		}
		f.Conn = c.n
		g.record(f)
		switch f.Op {
		case 1: // heartbeat
			_ = c.send(Frame{Op: 11})
		case 2: // identify
			ready, _ := json.Marshal(map[string]any{
				"v":                  10,
				"session_id":         g.SessionID,
				"resume_gateway_url": g.URL,
				"user":               map[string]any{"id": g.BotUserID, "username": "careersbot", "bot": true},
				"application":        map[string]any{"id": g.AppID},
				"guilds":             []any{},
				"private_channels":   []any{},
			})
			_ = c.send(Frame{Op: 0, T: "READY", D: ready})
		case 6: // resume
			_ = c.send(Frame{Op: 0, T: "RESUMED", D: json.RawMessage("{}")})
		}
	}
}
