package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/bot"
)

// TestOccupationLengthLimit: an occupation over 200 characters gets 400
// with the question's error shape, never reaching the bot; 200 is taken.
func TestOccupationLengthLimit(t *testing.T) {
	guard := bot.NewGuard(newBot(t), bot.GuardOptions{PerMinute: 5})
	srv := serve(t, guard, Options{})
	body := func(occ string) string {
		b, _ := json.Marshal(map[string]string{"question": "What level is it?", "occupation": occ})
		return string(b)
	}
	for _, n := range []int{201, 60_000} {
		r := post(t, srv.URL, body(strings.Repeat("x", n)))
		if r.status != http.StatusBadRequest {
			t.Fatalf("%d-character occupation: status %d, want 400", n, r.status)
		}
		msg := errorOf(t, r)
		if !strings.Contains(msg, "occupation is too long") || !strings.Contains(msg, "200") {
			t.Errorf("error %q", msg)
		}
		if len(r.body) > 300 {
			t.Errorf("the error echoes the occupation: %d bytes", len(r.body))
		}
	}
	// Refusals spent none of the allowance (5 a minute).
	for i := range 5 {
		if r := post(t, srv.URL, body("Network engineer "+strings.Repeat(" ", 150))); r.status != 200 {
			t.Fatalf("question %d with a 200-character occupation: %d %s", i+1, r.status, r.body)
		}
	}
}

// TestRateLimitKeysIPv6By64: the addresses of one IPv6 /64 share one
// allowance; another /64 and IPv4 clients have their own.
func TestRateLimitKeysIPv6By64(t *testing.T) {
	for _, tc := range []struct {
		ip, want string
	}{
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
	} {
		if got := clientKey(remoteIP("[" + tc.ip + "]:1234")); got != tc.want {
			t.Errorf("clientKey(%s) = %s, want %s", tc.ip, got, tc.want)
		}
	}

	var mu sync.Mutex
	users := map[string]bool{}
	guard := bot.NewGuard(askerFunc(func(_ context.Context, q bot.Question) (bot.Answer, error) {
		mu.Lock()
		users[q.User] = true
		mu.Unlock()
		return bot.Answer{Question: q.Text}, nil
	}), bot.GuardOptions{PerMinute: 1})
	srv := serve(t, guard, Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	ask := func(client string) int {
		return post(t, srv.URL, `{"question": "level?"}`, "X-Forwarded-For", client).status
	}
	if c := ask("2001:db8:1:2::1"); c != 200 {
		t.Fatalf("first address of the /64: %d", c)
	}
	if c := ask("2001:db8:1:2:dead:beef:0:7"); c != 429 {
		t.Errorf("another address of the same /64: %d, want 429", c)
	}
	if c := ask("2001:db8:1:3::1"); c != 200 {
		t.Errorf("another /64: %d, want 200", c)
	}
	if c := ask("203.0.113.9"); c != 200 {
		t.Errorf("an IPv4 client: %d, want 200", c)
	}
	mu.Lock()
	defer mu.Unlock()
	if !users["2001:db8:1:2::/64"] || !users["2001:db8:1:3::/64"] || !users["203.0.113.9"] {
		t.Errorf("the bot was asked for users %v", users)
	}
}

// TestWorkStopsWhenClientLeaves: the question's context ends when its
// client goes away, so the bot stops working on it.
func TestWorkStopsWhenClientLeaves(t *testing.T) {
	stopped := make(chan error, 1)
	srv := serve(t, askerFunc(func(ctx context.Context, q bot.Question) (bot.Answer, error) {
		<-ctx.Done()
		stopped <- ctx.Err()
		return bot.Answer{}, ctx.Err()
	}), Options{})
	c := &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := c.Post(srv.URL+"/v1/ask", "application/json", strings.NewReader(`{"question": "slow?"}`)); err == nil {
		t.Fatal("the request did not time out")
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("context ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the work went on after the client left")
	}
}
