package llm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/careersbot/careersbot/internal/openaifake"
)

func client(f *openaifake.Server) *Client {
	return New(Config{BaseURL: f.BaseURL(), APIKey: "sk-test", Backoff: 10 * time.Millisecond})
}

func TestChat(t *testing.T) {
	f := openaifake.New(t)
	f.Set(func(s *openaifake.Server) {
		s.Reply = func(system, user string) string { return "Echo: " + user }
	})
	got, err := client(f).Chat(context.Background(), "m1", "be brief", "hello", nil)
	if err != nil || got != "Echo: hello" {
		t.Fatalf("Chat = %q, %v", got, err)
	}
	chats := f.Chats()
	if len(chats) != 1 || chats[0].Model != "m1" || chats[0].Stream || len(chats[0].Messages) != 2 ||
		chats[0].Messages[0].Role != "system" || chats[0].Messages[0].Content != "be brief" {
		t.Errorf("request %+v", chats)
	}
}

func TestChatStreams(t *testing.T) {
	f := openaifake.New(t)
	want := "A reply long enough to arrive in several chunks of text."
	f.Set(func(s *openaifake.Server) { s.Reply = func(string, string) string { return want } })
	var partials []string
	got, err := client(f).Chat(context.Background(), "m", "s", "u", func(soFar string) { partials = append(partials, soFar) })
	if err != nil || got != want {
		t.Fatalf("Chat = %q, %v", got, err)
	}
	if len(partials) < 3 || partials[len(partials)-1] != want {
		t.Fatalf("partials %q", partials)
	}
	for i := 1; i < len(partials); i++ {
		if !strings.HasPrefix(partials[i], partials[i-1]) {
			t.Errorf("partial %d %q does not extend %q", i, partials[i], partials[i-1])
		}
	}
	if !f.Chats()[0].Stream {
		t.Error("request was not streamed")
	}
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		status int
		retry  bool
	}{
		{http.StatusTooManyRequests, true},
		{http.StatusInternalServerError, true},
		{http.StatusBadGateway, true},
		{http.StatusBadRequest, false},
		{http.StatusUnauthorized, false},
	} {
		f := openaifake.New(t)
		f.Set(func(s *openaifake.Server) { s.FailNext, s.FailStatus = 1, tc.status })
		_, err := client(f).Chat(context.Background(), "m", "s", "u", nil)
		if tc.retry && err != nil {
			t.Errorf("%d then 200: %v, want success", tc.status, err)
		}
		if !tc.retry && err == nil {
			t.Errorf("%d: succeeded, want the error (no retry)", tc.status)
		}
		if n := len(f.Chats()); (tc.retry && n != 2) || (!tc.retry && n != 1) {
			t.Errorf("%d: %d requests", tc.status, n)
		}
	}
}

func TestRetriesStop(t *testing.T) {
	f := openaifake.New(t)
	f.Set(func(s *openaifake.Server) { s.FailNext, s.FailStatus = 100, http.StatusServiceUnavailable })
	c := New(Config{BaseURL: f.BaseURL(), Backoff: time.Millisecond, MaxRetries: 3, BreakerFailures: 10})
	if _, err := c.Chat(context.Background(), "m", "s", "u", nil); err == nil {
		t.Fatal("a server failing for good succeeded")
	}
	if n := len(f.Chats()); n != 4 {
		t.Errorf("%d requests, want 1 + 3 retries", n)
	}
}

func TestHangingServerTimesOut(t *testing.T) {
	f := openaifake.New(t)
	f.Set(func(s *openaifake.Server) { s.Hang = true })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client(f).Chat(ctx, "m", "s", "u", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the deadline", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func TestEmbed(t *testing.T) {
	f := openaifake.New(t)
	texts := []string{"routing and switching", "food allergens", "routing"}
	vs, err := client(f).Embed(context.Background(), "emb-1", texts)
	if err != nil || len(vs) != 3 || len(vs[0]) != 64 {
		t.Fatalf("Embed = %d vectors, %v", len(vs), err)
	}
	for i, text := range texts {
		if want := openaifake.Vector(text, 64); vs[i][0] != want[0] || vs[i][63] != want[63] {
			t.Errorf("vector %d is not that of %q: order lost", i, text)
		}
	}
	f.Set(func(s *openaifake.Server) { s.FailNext, s.FailStatus = 2, http.StatusTooManyRequests })
	if _, err := client(f).Embed(context.Background(), "emb-1", texts); err != nil {
		t.Errorf("two 429s then 200: %v", err)
	}
}
