package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/adapters/discord/discordfake"
	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/testcorpus"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	testToken = "test-bot-token"
	testApp   = "100000000000000001"
	testGuild = "200000000000000001"
	testUser  = "500000000000000001"
)

func catalogueBot(t testing.TB) *bot.Bot {
	t.Helper()
	return bot.New(testcorpus.Catalogue(t), bot.Options{})
}

// syncBuffer is a log sink safe for concurrent writes.
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

// harness runs an adapter against the fake Discord API: in HTTP mode behind
// an httptest server, on the gateway against the fake gateway.
type harness struct {
	t       testing.TB
	api     *discordfake.API
	gw      *discordfake.Gateway
	signer  *discordfake.Signer
	a       *Adapter
	url     string // the interactions endpoint (HTTP mode)
	logs    *syncBuffer
	errs    atomic.Int32 // OnPlatformError calls
	stateMu sync.Mutex
	states  []string
	cancel  context.CancelFunc
	runDone chan error
}

type harnessOptions struct {
	gateway bool
	guard   bot.GuardOptions
	mod     func(*Options)
}

func newHarness(t testing.TB, ho harnessOptions) *harness {
	t.Helper()
	b := catalogueBot(t)
	h := &harness{t: t, api: discordfake.NewAPI(t), logs: &syncBuffer{}}
	h.api.Token = testToken
	o := Options{
		BotToken:        testToken,
		AppID:           testApp,
		GuildID:         testGuild,
		APIURL:          h.api.Base,
		Asker:           bot.NewGuard(b, ho.guard),
		Complete:        b.Complete,
		Memory:          bot.NewMemory(0, 0),
		Logger:          slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnPlatformError: func() { h.errs.Add(1) },
		OnState: func(ok bool, detail string) {
			h.stateMu.Lock()
			defer h.stateMu.Unlock()
			s := "down: " + detail
			if ok {
				s = "up: " + detail
			}
			h.states = append(h.states, s)
		},
		QuickAnswer: 5 * time.Second,
	}
	if ho.gateway {
		h.gw = discordfake.NewGateway(t)
		h.gw.AppID = testApp
		h.api.SetGatewayURL(h.gw.URL)
	} else {
		h.signer = discordfake.NewSigner(t)
		o.PublicKey = h.signer.PublicKeyHex()
	}
	if ho.mod != nil {
		ho.mod(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.a = a
	if !ho.gateway {
		mux := http.NewServeMux()
		for p, hd := range a.Routes() {
			mux.Handle(p, hd)
		}
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		h.url = srv.URL + InteractionsPath
	}
	h.start()
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("adapter log:\n%s", h.logs.String())
		}
	})
	return h
}

// start runs the adapter and waits until it reports connected.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.runDone = make(chan error, 1)
	go func() { h.runDone <- h.a.Run(ctx) }()
	h.waitState("up:", 20*time.Second)
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	select {
	case <-h.runDone:
	case <-time.After(20 * time.Second):
		h.t.Errorf("Run did not return after its context ended")
	}
	h.cancel = nil
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.a.Shutdown(ctx); err != nil {
		h.t.Errorf("Shutdown: %v", err)
	}
}

func (h *harness) stateLog() []string {
	h.stateMu.Lock()
	defer h.stateMu.Unlock()
	return append([]string(nil), h.states...)
}

// waitState waits for a state report starting with prefix, after those
// already seen when called... or any, if none came yet.
func (h *harness) waitState(prefix string, timeout time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		st := h.stateLog()
		if len(st) > 0 && strings.HasPrefix(st[len(st)-1], prefix) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("state %q not reported within %s; states: %q", prefix, timeout, h.stateLog())
}

// settle waits for every answer in flight to be delivered.
func (h *harness) settle() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.a.Shutdown(ctx); err != nil {
		h.t.Fatalf("answers still in flight: %v", err)
	}
}

// post sends a signed interaction now and decodes the reply.
func (h *harness) post(ic any) (int, reply) {
	h.t.Helper()
	code, body, err := h.signer.Post(h.url, ic, time.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	var r reply
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &r); err != nil {
			h.t.Fatalf("reply %s: %v", body, err)
		}
		r.raw = body
	}
	return code, r
}

// reply is an interaction's first response as the tests read it.
type reply struct {
	Type int             `json:"type"`
	Data json.RawMessage `json:"data"`
	raw  []byte
}

func (r reply) message(t testing.TB) discordfake.Message {
	t.Helper()
	var m discordfake.Message
	if err := json.Unmarshal(r.Data, &m); err != nil {
		t.Fatalf("response data %s: %v", r.Data, err)
	}
	return m
}

func decodeMessage(t testing.TB, body []byte) discordfake.Message {
	t.Helper()
	var m discordfake.Message
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("message %s: %v", body, err)
	}
	return m
}

// checkSent asserts a message as sent: within Discord's limits and with
// every mention off.
func checkSent(t testing.TB, what string, m discordfake.Message) {
	t.Helper()
	for _, p := range m.Check() {
		t.Errorf("%s: %s", what, p)
	}
	if !m.MentionsOff() {
		t.Errorf("%s: allowed_mentions is not {\"parse\": []}: %+v", what, m.AllowedMentions)
	}
}

// fieldsOf is every field of a message's embeds, in order.
func fieldsOf(ms ...discordfake.Message) []discordfake.Field {
	var out []discordfake.Field
	for _, m := range ms {
		for _, e := range m.Embeds {
			out = append(out, e.Fields...)
		}
	}
	return out
}

func fieldNames(fs []discordfake.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// path helpers at the fake API.
func originalPath(ic discordfake.Interaction) string {
	return "webhooks/" + testApp + "/" + ic.Token() + "/messages/@original"
}

func followUpPath(ic discordfake.Interaction) string {
	return "webhooks/" + testApp + "/" + ic.Token()
}

func callbackPath(ic discordfake.Interaction) string {
	return "interactions/" + ic.ID() + "/" + ic.Token() + "/callback"
}

// exactly is the requests with this method and exactly this path.
func exactly(reqs []discordfake.Request, method, path string) []discordfake.Request {
	var out []discordfake.Request
	for _, r := range reqs {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func newTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
