package store

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a test clock moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestLRUBoundsEntriesAndDropsTheLeastRecentlyUsed(t *testing.T) {
	c := newClock()
	l := NewLRU[string, int](3, time.Hour, c.now)
	for i, k := range []string{"a", "b", "c"} {
		l.Put(k, i)
	}
	if _, ok := l.Get("a"); !ok { // a is now the most recently used
		t.Fatal("a missing")
	}
	l.Put("d", 3) // pushes out b, the least recently used
	if _, ok := l.Get("b"); ok {
		t.Error("b kept past the size bound")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := l.Get(k); !ok {
			t.Errorf("%s dropped, want b dropped", k)
		}
	}
	if l.Len() != 3 || l.Evicted() != 1 {
		t.Errorf("len %d, evicted %d; want 3 and 1", l.Len(), l.Evicted())
	}
}

func TestLRUForgetsAfterTTL(t *testing.T) {
	c := newClock()
	l := NewLRU[string, string](10, time.Minute, c.now)
	l.Put("k", "v")
	c.add(59 * time.Second)
	if v, ok := l.Get("k"); !ok || v != "v" {
		t.Fatalf("fresh entry: %q %v", v, ok)
	}
	c.add(2 * time.Second)
	if _, ok := l.Get("k"); ok {
		t.Error("entry kept past its TTL")
	}
	// Expired entries at the old end go on the next write, not when met.
	for i := range 5 {
		l.Put(fmt.Sprint(i), "x")
	}
	c.add(2 * time.Minute)
	l.Put("new", "y")
	if l.Len() != 1 {
		t.Errorf("len %d after every other entry expired, want 1", l.Len())
	}
	if l.Evicted() != 0 {
		t.Errorf("expired entries counted as evictions: %d", l.Evicted())
	}
}

func TestLRUPutNewAndTake(t *testing.T) {
	c := newClock()
	l := NewLRU[string, int](10, time.Minute, c.now)
	if !l.PutNew("k", 1) || l.PutNew("k", 2) {
		t.Fatal("PutNew: want the first caller only")
	}
	if v, _ := l.Get("k"); v != 1 {
		t.Errorf("PutNew overwrote: %d", v)
	}
	c.add(2 * time.Minute)
	if !l.PutNew("k", 3) {
		t.Error("PutNew refused a key whose entry had expired")
	}
	if v, ok := l.Take("k"); !ok || v != 3 {
		t.Errorf("Take: %d %v", v, ok)
	}
	if _, ok := l.Take("k"); ok {
		t.Error("Take gave the value twice")
	}
	l.Put("old", 4)
	c.add(2 * time.Minute)
	if _, ok := l.Take("old"); ok {
		t.Error("Take gave an expired value")
	}
}

// TestDedupeFirstIsOncePerKeyUnderRaces has many goroutines offer the same
// keys at once: exactly one wins each.
func TestDedupeFirstIsOncePerKeyUnderRaces(t *testing.T) {
	d := NewDedupe(1000, time.Hour, nil)
	var wins atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 100 {
				if d.First(fmt.Sprint(k)) {
					wins.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 100 {
		t.Errorf("%d first sightings of 100 keys", wins.Load())
	}
	d.Forget("7")
	if !d.First("7") {
		t.Error("a forgotten key is not new again")
	}
}

func TestLRUSizeFloor(t *testing.T) {
	l := NewLRU[int, int](0, 0, nil)
	l.Put(1, 1)
	l.Put(2, 2)
	if l.Len() != 1 {
		t.Errorf("len %d with max 0, want the floor of 1", l.Len())
	}
}

// BenchmarkDedupeFull is the cost of taking a new key into a full store:
// constant, whatever its size.
func BenchmarkDedupeFull(b *testing.B) {
	for _, size := range []int{1_000, 100_000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			d := NewDedupe(size, time.Hour, nil)
			for i := range size {
				d.First(fmt.Sprint("warm", i))
			}
			i := 0
			for b.Loop() {
				i++
				d.First(fmt.Sprint("k", i))
			}
		})
	}
}

func TestKeepGivesEachValueOnce(t *testing.T) {
	c := newClock()
	k := NewKeep[string](2, 30*time.Minute, c.now)
	a, b := k.Put("a"), k.Put("b")
	if a == b || len(a) != 24 {
		t.Fatalf("ids %q %q", a, b)
	}
	if v, ok := k.Take(a); !ok || v != "a" {
		t.Errorf("Take(a) = %q %v", v, ok)
	}
	if _, ok := k.Take(a); ok {
		t.Error("taken twice")
	}
	k.Put("c")
	k.Put("d") // b is pushed out
	if _, ok := k.Take(b); ok || k.Len() != 2 {
		t.Errorf("b kept past the bound (len %d)", k.Len())
	}
}
