package llm

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/careersbot/careersbot/internal/openaifake"
)

// transitions records the circuits' changes.
type transitions struct {
	mu  sync.Mutex
	log []string
}

func (t *transitions) add(op, from, to string) {
	t.mu.Lock()
	t.log = append(t.log, op+":"+from+">"+to)
	t.mu.Unlock()
}

func (t *transitions) get() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.log...)
}

// TestCircuitOpensFailsFastAndProbes plays a server that fails, stays
// down, then comes back: the circuit opens after three failures in a row,
// calls then fail at once without a request, and after the cooldown one
// probe is let through whose success closes it.
func TestCircuitOpensFailsFastAndProbes(t *testing.T) {
	f := openaifake.New(t)
	f.Set(func(s *openaifake.Server) { s.FailNext, s.FailStatus = 1000, http.StatusServiceUnavailable })
	var tr transitions
	c := New(Config{BaseURL: f.BaseURL(), Backoff: time.Millisecond, BreakerFailures: 3,
		BreakerCooldown: time.Second, OnCircuitChange: tr.add})

	// One call: the first attempt and two retries fail, and the circuit
	// opens before the fourth.
	_, err := c.Chat(context.Background(), "m", "s", "u", nil)
	if !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("err %v, want ErrCircuitOpen once three attempts failed", err)
	}
	if n := len(f.Chats()); n != 3 {
		t.Errorf("%d requests before the circuit opened, want 3", n)
	}
	if c.Circuit(OpChat) != StateOpen || c.Circuit(OpEmbed) != StateClosed {
		t.Errorf("circuits chat %s, embed %s; want open and closed", c.Circuit(OpChat), c.Circuit(OpEmbed))
	}
	// Open: calls fail at once, with no request.
	for range 20 {
		if _, err := c.Chat(context.Background(), "m", "s", "u", nil); !errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("call on an open circuit: %v", err)
		}
	}
	if n := len(f.Chats()); n != 3 || c.Rejected(OpChat) < 20 {
		t.Errorf("%d requests, %d rejected; want no new request", n, c.Rejected(OpChat))
	}

	// After the cooldown a probe goes: it fails, and the circuit opens
	// again without retries.
	waitHalfOpen := func() {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); c.Circuit(OpChat) != StateHalfOpen; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("10 s after opening, the circuit is %s, want half-open after its 1 s cooldown", c.Circuit(OpChat))
			}
		}
	}
	waitHalfOpen()
	if _, err := c.Chat(context.Background(), "m", "s", "u", nil); !errors.Is(err, ErrCircuitOpen) {
		t.Errorf("failed probe: %v", err)
	}
	if n := len(f.Chats()); n != 4 {
		t.Errorf("%d requests, want one probe more (4)", n)
	}

	// The server recovers: the next probe closes the circuit.
	f.Set(func(s *openaifake.Server) { s.FailNext = 0 })
	waitHalfOpen()
	if _, err := c.Chat(context.Background(), "m", "s", "u", nil); err != nil {
		t.Fatalf("probe to a recovered server: %v", err)
	}
	if c.Circuit(OpChat) != StateClosed {
		t.Errorf("after a good probe: %s, want closed", c.Circuit(OpChat))
	}
	want := []string{"chat:closed>open", "chat:open>half-open", "chat:half-open>open", "chat:open>half-open", "chat:half-open>closed"}
	if got := tr.get(); len(got) != len(want) {
		t.Errorf("transitions %v, want %v", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("transitions %v, want %v", got, want)
				break
			}
		}
	}
}

// TestCircuitUnreachableServer: connection refused opens the embeddings
// circuit; a caller that gave up, and an answer the server gave (400), do
// not count.
func TestCircuitUnreachableServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/v1"
	ln.Close() // nothing listens there now
	c := New(Config{BaseURL: dead, Backoff: time.Millisecond, BreakerFailures: 2, BreakerCooldown: time.Minute})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 5 {
		c.Embed(ctx, "e", []string{"x"})
	}
	if c.Circuit(OpEmbed) != StateClosed {
		t.Fatalf("callers that gave up opened the circuit")
	}
	if _, err := c.Embed(context.Background(), "e", []string{"x"}); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("unreachable server: %v, want ErrCircuitOpen after two refused connections", err)
	}
	if c.Circuit(OpEmbed) != StateOpen || c.Circuit(OpChat) != StateClosed {
		t.Errorf("circuits embed %s, chat %s", c.Circuit(OpEmbed), c.Circuit(OpChat))
	}

	f := openaifake.New(t)
	f.Set(func(s *openaifake.Server) { s.FailNext, s.FailStatus = 100, http.StatusBadRequest })
	up := New(Config{BaseURL: f.BaseURL(), BreakerFailures: 2})
	for range 5 {
		if _, err := up.Chat(context.Background(), "m", "s", "u", nil); err == nil || errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("400: %v, want the server's refusal", err)
		}
	}
	if up.Circuit(OpChat) != StateClosed {
		t.Error("400s, answers of a working server, opened the circuit")
	}
}
