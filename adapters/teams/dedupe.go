package teams

import (
	"sync"
	"time"
)

// Seen remembers activities already taken, so that one the Bot Framework
// delivers again (after a timeout, or a replay) is answered once.
//
// It is declared here, by its one consumer, and kept tiny: serve may pass
// its shared, bounded store; without one the adapter keeps a TTLSet.
type Seen interface {
	// Add records key and reports whether it is new.
	Add(key string) bool
	// Forget drops key, so that a redelivery is taken: for an activity
	// that was accepted but could not be worked on.
	Forget(key string)
}

// TTLSet is a Seen in memory: each key for ttl, at most max keys (the
// oldest go first), so that a flood of activities cannot grow it without
// bound.
type TTLSet struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	added map[string]time.Time // key: when added
	order []seenEntry          // in the order added; an entry whose key was forgotten or added again is stale
	head  int                  // order[head:] are still to be looked at
}

type seenEntry struct {
	key string
	at  time.Time
}

// NewTTLSet returns a TTLSet; now nil is time.Now.
func NewTTLSet(ttl time.Duration, maxKeys int, now func() time.Time) *TTLSet {
	if now == nil {
		now = time.Now
	}
	return &TTLSet{ttl: ttl, max: max(maxKeys, 1), now: now, added: map[string]time.Time{}}
}

// Add records key and reports whether it is new (or its record expired).
func (s *TTLSet) Add(key string) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.added[key]; ok && now.Sub(t) < s.ttl {
		return false
	}
	s.evict(now)
	s.added[key] = now
	s.order = append(s.order, seenEntry{key, now})
	return true
}

// Forget drops key.
func (s *TTLSet) Forget(key string) {
	s.mu.Lock()
	delete(s.added, key)
	s.mu.Unlock()
}

// Len is the number of keys held.
func (s *TTLSet) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.added)
}

// evict drops expired keys from the front of the order, and the oldest
// while the set is full.
func (s *TTLSet) evict(now time.Time) {
	for ; s.head < len(s.order); s.head++ {
		e := s.order[s.head]
		t, ok := s.added[e.key]
		if !ok || !t.Equal(e.at) {
			continue // stale
		}
		if now.Sub(t) < s.ttl && len(s.added) < s.max {
			break
		}
		delete(s.added, e.key)
	}
	s.compact()
}

// compact drops the consumed front of the order once it is half of it, and
// stale entries once they outnumber the keys held.
func (s *TTLSet) compact() {
	if s.head > 0 && s.head*2 >= len(s.order) {
		s.order = append(s.order[:0:0], s.order[s.head:]...)
		s.head = 0
	}
	if len(s.order)-s.head > 2*len(s.added)+16 {
		live := s.order[:0:0]
		for _, e := range s.order[s.head:] {
			if t, ok := s.added[e.key]; ok && t.Equal(e.at) {
				live = append(live, e)
			}
		}
		s.order, s.head = live, 0
	}
}
