package teams

import (
	"fmt"
	"testing"
	"time"
)

// The TTLSet answers each key once while it is remembered, forgets it after
// the TTL or on Forget, and holds at most its bound, dropping the oldest.
func TestTTLSet(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	s := NewTTLSet(time.Hour, 3, func() time.Time { return now })
	if !s.Add("a") || s.Add("a") {
		t.Fatal("a key is new once")
	}
	now = now.Add(59 * time.Minute)
	if s.Add("a") {
		t.Error("a key is remembered for its TTL")
	}
	now = now.Add(2 * time.Minute)
	if !s.Add("a") {
		t.Error("a key is forgotten after its TTL")
	}
	s.Forget("a")
	if !s.Add("a") {
		t.Error("a forgotten key is new")
	}
	for _, k := range []string{"b", "c", "d"} {
		s.Add(k)
	}
	if n := s.Len(); n != 3 {
		t.Errorf("%d keys held, want the bound 3", n)
	}
	if !s.Add("a") {
		t.Error("the oldest key is dropped first when full")
	}
	if s.Add("d") {
		t.Error("the newest key was dropped")
	}
	// A long run of keys stays within the bound, and its bookkeeping too.
	big := NewTTLSet(time.Hour, 100, func() time.Time { return now })
	for i := range 10_000 {
		big.Add(fmt.Sprint(i))
		if i%3 == 0 {
			big.Forget(fmt.Sprint(i))
			big.Add(fmt.Sprint(i))
		}
	}
	if big.Len() > 100 || len(big.order)-big.head > 2*100+16 {
		t.Errorf("%d keys, %d entries: over the bound", big.Len(), len(big.order)-big.head)
	}
}
