package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
	"github.com/careersbot/careersbot/internal/teamsfake"
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

// Who talks to the bot in the tests.
const (
	userID    = "29:1a2b3c-adviser"
	userAAD   = "00000000-0000-4000-8000-0000000a0001"
	userName  = "Alex Adviser"
	personal  = "a:1personal-chat-with-alex"
	channelID = "19:careers-advisers@thread.tacv2"
	groupChat = "19:group-chat-careers@thread.v2"
)

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
	case <-time.After(15 * time.Second):
		t.Fatalf("the adapter never reported ready: %v", s.History())
	}
}

func (s *state) History() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.history...)
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

// env is an adapter running against the fake Bot Framework, its route on
// a running HTTP server at url.
type env struct {
	fake     *teamsfake.Server
	a        *Adapter
	url      string
	state    *state
	memory   *bot.Memory
	logs     *syncBuffer
	mu       sync.Mutex
	votes    []bot.Feedback
	platform atomic.Int64
}

// start runs an adapter against a new fake until the test ends, and waits
// until it is ready unless noWait.
func start(t testing.TB, asker bot.Asker, mod func(*Options)) *env {
	t.Helper()
	e := &env{fake: teamsfake.New(t), state: newState(), memory: bot.NewMemory(0, 0), logs: &syncBuffer{}}
	o := Options{
		AppID:           teamsfake.AppID,
		AppPassword:     teamsfake.AppPassword,
		TenantID:        teamsfake.TenantID,
		OpenIDURL:       e.fake.OpenIDURL(),
		TokenURL:        e.fake.TokenURL(),
		Asker:           asker,
		Memory:          e.memory,
		Logger:          slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnState:         e.state.on,
		OnFeedback:      func(f bot.Feedback) { e.mu.Lock(); e.votes = append(e.votes, f); e.mu.Unlock() },
		OnPlatformError: func() { e.platform.Add(1) },
		HTTPTimeout:     5 * time.Second,
	}
	if mod != nil {
		mod(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.a = a
	mux := http.NewServeMux()
	for p, h := range a.Routes() {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-runDone:
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
	return e
}

func (e *env) voteList() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, f := range e.votes {
		out = append(out, f.Vote)
	}
	return out
}

// post sends an activity with a bearer token (a valid one when token is
// "") and returns the status.
func (e *env) post(t testing.TB, act map[string]any, token string) int {
	t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		t.Fatal(err)
	}
	return e.postRaw(t, body, "Bearer "+orDefault(token, func() string { return e.fake.Token(teamsfake.Claims{}) }))
}

func (e *env) postRaw(t testing.TB, body []byte, authorization string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+MessagesPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func orDefault(s string, def func() string) string {
	if s != "" {
		return s
	}
	return def()
}

var activitySeq atomic.Int64

func newActivityID() string { return fmt.Sprintf("17500000%05d", activitySeq.Add(1)) }

// message is a message activity as Teams sends it: in a personal chat, a
// channel (a new post, or a reply in thread, whose conversation id names
// the thread) or a group chat; mention puts the bot's <at> mention first.
func message(e *env, scope, text string, mention bool) map[string]any {
	id := newActivityID()
	conv := map[string]any{"conversationType": scope, "tenantId": teamsfake.TenantID}
	channelData := map[string]any{"tenant": map[string]any{"id": teamsfake.TenantID}}
	switch scope {
	case ConversationPersonal:
		conv["id"] = personal
	case ConversationChannel:
		conv["id"] = channelID + ";messageid=" + id
		conv["isGroup"] = true
		channelData["team"] = map[string]any{"id": "19:team-general@thread.tacv2"}
		channelData["channel"] = map[string]any{"id": channelID}
	case ConversationGroup:
		conv["id"] = groupChat
		conv["isGroup"] = true
	}
	act := map[string]any{
		"type": "message", "id": id, "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"serviceUrl": e.fake.ServiceURL(), "channelId": teamsfake.Channel,
		"from":         map[string]any{"id": userID, "name": userName, "aadObjectId": userAAD},
		"conversation": conv,
		"recipient":    map[string]any{"id": teamsfake.BotID, "name": teamsfake.BotName},
		"textFormat":   "plain", "text": text, "locale": "en-GB",
		"channelData": channelData,
	}
	if mention {
		tag := "<at>" + teamsfake.BotName + "</at>"
		act["text"] = tag + " " + text
		act["entities"] = []map[string]any{{"type": "mention", "text": tag,
			"mentioned": map[string]any{"id": teamsfake.BotID, "name": teamsfake.BotName}}}
	}
	return act
}

// inThread makes a message a reply in the thread of an earlier channel
// post.
func inThread(act map[string]any, root string) map[string]any {
	conv := act["conversation"].(map[string]any)
	conv["id"] = channelID + ";messageid=" + root
	return act
}

// submit is the message activity a card's Action.Submit sends.
func submit(e *env, scope string, value any, replyTo string) map[string]any {
	act := message(e, scope, "", false)
	delete(act, "text")
	act["value"] = value
	act["replyToId"] = replyTo
	return act
}

// wantCitations checks that an activity's cards show every citation of the
// answer the bot gives to question, and the source line.
func wantCitations(t testing.TB, acts []teamsfake.Activity, b bot.Asker, question string) bot.Answer {
	t.Helper()
	ans, err := b.Ask(context.Background(), bot.Question{Text: question})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) == 0 {
		t.Fatalf("%q: the bot cites nothing", question)
	}
	var all strings.Builder
	for _, a := range acts {
		all.WriteString(a.AllText() + "\n")
	}
	for _, c := range ans.Citations {
		if !strings.Contains(all.String(), "**"+c.Marker()+"**") {
			t.Errorf("%q: citation %s missing from the cards", question, c.Marker())
		}
		if !strings.Contains(all.String(), c.Text) {
			t.Errorf("%q: the passage of %s is not shown whole", question, c.Marker())
		}
	}
	if !strings.Contains(all.String(), "Open Government Licence v3.0") {
		t.Errorf("%q: no source line", question)
	}
	return ans
}

// hasAction reports whether an activity's cards have a button titled
// title.
func hasAction(a teamsfake.Activity, title string) (map[string]any, bool) {
	for _, c := range a.Cards() {
		acts, _ := c["actions"].([]any)
		for _, x := range acts {
			m, _ := x.(map[string]any)
			if m["title"] == title {
				return m, true
			}
		}
	}
	return nil, false
}

// newRouteServer serves an adapter's routes on 127.0.0.1.
func newRouteServer(t testing.TB, a *Adapter) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for p, h := range a.Routes() {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// postTo posts an empty activity with an Authorization header.
func postTo(t testing.TB, srv *httptest.Server, authorization string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+MessagesPath, strings.NewReader(`{"type":"message"}`))
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
